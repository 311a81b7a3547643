// Adaptive streaming and captions over HTTP against the real server (issue 18): an upload is
// transcoded by a durable job into an HLS ladder that is never upscaled; the ladder is public
// only once the resource is published and disappears at once on withdrawal; new media cancel
// the old transcode and drop its ladder; a ladder of replaced bytes is never recorded;
// captions (GBK SRT, WebVTT) are validated with Chinese errors naming the line, screened,
// listed in the master playlist and changed only by the right people. Clips are made with
// ffmpeg at test start; transcoding uses x264 ultrafast and 1 s segments.
#include <gtest/gtest.h>
#include <iconv.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "http/asio.h"
#include "integration/server_fixture.h"
#include "uploads/tus_headers.h"
#include "video/video_service.h"

namespace lep::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const json kChecklist = {
    {"ideology", true}, {"copyright", true}, {"secrecy", true}, {"science", true}};

std::string ToGbk(const std::string& utf8) {
  iconv_t cd = iconv_open("GBK", "UTF-8");
  std::string in = utf8, out(utf8.size() * 2 + 8, '\0');
  char* ip = in.data();
  char* op = out.data();
  size_t il = in.size(), ol = out.size();
  EXPECT_NE(iconv(cd, &ip, &il, &op, &ol), static_cast<size_t>(-1));
  iconv_close(cd);
  out.resize(out.size() - ol);
  return out;
}

void FastTranscoding(Config& cfg) {
  cfg.video_preset = "ultrafast";
  cfg.video_ffmpeg_threads = 1;
  cfg.video_segment_seconds = 1;
}

class VideoApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(
        (fs::temp_directory_path() / ("lep-video-it-" + std::to_string(::getpid()))).string());
    fs::create_directories(*dir_);
    const std::string d = *dir_;
    // 4 s 1280×720 25 fps at a constant 3 Mbit/s (passes 附件1), the same with moov at the
    // end (needs the faststart remux first), another passing clip, and a cover.
    auto clip = [&](const std::string& name, const std::string& extra, const char* src) {
      return "ffmpeg -nostdin -v error -y -f lavfi -i " + std::string(src) +
             "=size=1280x720:rate=25 -f lavfi -i sine=frequency=440:sample_rate=44100 -t 4 "
             "-c:v libx264 -preset ultrafast -b:v 3M -minrate 3M -maxrate 3M -bufsize 1M "
             "-x264-params nal-hrd=cbr -pix_fmt yuv420p -c:a aac " +
             extra + " " + d + "/" + name;
    };
    int rc = std::system((clip("a.mp4", "-movflags +faststart", "testsrc2") + " && " +
                          clip("moov_end.mp4", "", "testsrc2") + " && " +
                          clip("b.mp4", "-movflags +faststart", "smptehdbars") +
                          " && ffmpeg -nostdin -v error -y -f lavfi -i "
                          "testsrc=size=640x360:rate=1 -frames:v 1 " +
                          d + "/cover.jpg")
                             .c_str());
    ASSERT_EQ(rc, 0);
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }
  static std::string Read(const std::string& name) {
    std::ifstream in(*dir_ + "/" + name, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  void SetUp() override {
    server_.clock().SetMs(1652140800000);  // 2022-05-10 08:00 Beijing
    ASSERT_EQ(up_.Login("gd_uploader").status, 200);
  }

  int64_t MakeResource(const std::string& title) {
    auto r = up_.Send("POST", "/api/v1/resources",
                      {{"title", title},
                       {"type", "A01"},
                       {"domain", "老年教育"},
                       {"summary", "太极拳入门课程"},
                       {"copyright_holder", "演示学院"},
                       {"presenters", "张演示"}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.Json()["id"];
  }

  // The media as a completed upload hands them over (the tus path has its own tests).
  void StoreMedia(int64_t id, const std::string& fixture) {
    std::string tmp = server_.ctx().blobs->TempDir() + "/it-" + std::to_string(serial_++);
    fs::copy_file(*dir_ + "/" + fixture, tmp);
    uploads::Upload u;
    u.resource_id = id;
    u.kind = "media";
    u.filename = fixture;
    u.length = fs::file_size(tmp);
    u.sha256 = std::string(64, '0');
    auto owner =
        server_.ctx().db->QueryOne("SELECT org_id, created_by FROM resources WHERE id = ?", {id});
    ASSERT_TRUE(owner && *owner);
    u.org_id = (*owner)->Int(0);
    u.user_id = (*owner)->Int(1);
    auto st = server_.ctx().ingest->OnUploadComplete(u, tmp);
    ASSERT_TRUE(st) << st.error().message;
  }

  // The whole tus path: create with Upload-Length, one PATCH.
  void UploadTus(int64_t id, const std::string& fixture) {
    auto patched = up_.UploadWhole(id, Read(fixture), fixture);
    ASSERT_EQ(patched.status, 204) << patched.body;
  }

  json Video(Client& c, int64_t id) {
    auto r = c.Get("/api/v1/resources/" + std::to_string(id) + "/video");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json()["video"];
  }

  int RunTranscodes() {
    int n = 0;
    while (server_.ctx().job_runner->RunOnce() || server_.ctx().video_runner->RunOnce()) ++n;
    return n;
  }

  std::string Job(int64_t job_id, const char* column) {
    auto row = server_.ctx().db->QueryOne(
        std::string("SELECT ") + column + " FROM jobs WHERE id = ?", {job_id});
    return row && *row ? (*row)->Text(0) : "";
  }

  // Submit → 初审 → 终审 → a published batch, as the real people do.
  void Publish(int64_t id) {
    Client admin(server_.port());
    ASSERT_EQ(admin.Login("nou_admin").status, 200);
    if (!campaign_) {
      auto c = admin.Send("POST", "/api/v1/campaigns",
                          {{"name", "2022年征集"},
                           {"year", 2022},
                           {"submission_deadline", "2022-05-15"},
                           {"first_review_deadline", "2022-05-22"}});
      ASSERT_EQ(c.status, 201) << c.body;
      campaign_ = true;
    }
    std::string url = "/api/v1/resources/" + std::to_string(id);
    auto cover = up_.Request("POST", url + "/cover", Read("cover.jpg"),
                             {{"X-CSRF-Token", up_.csrf}, {"Content-Type", "image/jpeg"}});
    ASSERT_EQ(cover.status, 200) << cover.body;
    auto submitted = up_.Send("POST", url + "/submit", {{"attestation", true}});
    ASSERT_EQ(submitted.status, 200) << submitted.body;
    Client gd(server_.port()), nou(server_.port());
    ASSERT_EQ(gd.Login("gd_reviewer").status, 200);
    ASSERT_EQ(nou.Login("nou_reviewer").status, 200);
    auto first =
        gd.Send("POST", url + "/review", {{"action", "approve"}, {"checklist", kChecklist}});
    ASSERT_EQ(first.status, 200) << first.body;
    auto final_review =
        nou.Send("POST", url + "/review", {{"action", "approve"}, {"checklist", kChecklist}});
    ASSERT_EQ(final_review.status, 200) << final_review.body;
    auto batch = admin.Send("POST", "/api/v1/batches", {{"resource_ids", {id}}});
    ASSERT_EQ(batch.status, 201) << batch.body;
    ASSERT_EQ(admin
                  .Send("POST",
                        "/api/v1/batches/" + std::to_string(batch.Json()["id"].get<int64_t>()) +
                            "/publish",
                        json::object())
                  .status,
              200);
  }

  static inline std::string* dir_ = nullptr;
  TestServer server_{{}, FastTranscoding};
  Client up_{server_.port()};
  int serial_ = 0;
  bool campaign_ = false;
};

// The whole server-side path of issue 18: upload → job queued → ladder → master playlist →
// files private until publication, public and cacheable after it, gone at withdrawal.
TEST_F(VideoApiTest, UploadTranscodePublishWithdraw) {
  int64_t id = MakeResource("太极拳第一讲");
  const std::string api = "/api/v1/resources/" + std::to_string(id);
  const std::string hls = "/media/resources/" + std::to_string(id) + "/hls/";
  UploadTus(id, "a.mp4");

  // Queued, and visible as such to the uploader and to the province's reviewer.
  json v = Video(up_, id);
  EXPECT_EQ(v["state"], "queued") << v.dump();
  EXPECT_EQ(v["progress"], 0);
  EXPECT_TRUE(v["master_url"].is_null());
  Client reviewer(server_.port());
  ASSERT_EQ(reviewer.Login("gd_reviewer").status, 200);
  EXPECT_EQ(Video(reviewer, id)["state"], "queued");
  Client anonymous(server_.port()), other(server_.port());
  ASSERT_EQ(other.Login("bj_admin").status, 200);
  EXPECT_EQ(anonymous.Get(api + "/video").status, 404);
  EXPECT_EQ(other.Get(api + "/video").status, 404);
  EXPECT_EQ(up_.Get(hls + "master.m3u8").status, 404);  // not made yet

  ASSERT_TRUE(server_.ctx().video_runner->RunOnce());
  v = Video(up_, id);
  ASSERT_EQ(v["state"], "ready") << v.dump();
  EXPECT_EQ(v["progress"], 100);
  EXPECT_EQ(v["job"]["state"], "done");
  EXPECT_EQ(v["job"]["attempts"], 1);
  std::vector<std::string> names;
  for (const auto& r : v["renditions"]) names.push_back(r["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"audio", "360p", "480p", "720p"}));  // no upscale
  EXPECT_FALSE(v["poster_url"].is_null());  // no cover yet: a poster frame
  EXPECT_FALSE(v["thumbnails_url"].is_null());

  // The master playlist lists exactly those renditions with the attributes players need.
  auto master = up_.Get(hls + "master.m3u8");
  ASSERT_EQ(master.status, 200);
  EXPECT_EQ(master.headers["content-type"], "application/vnd.apple.mpegurl");
  EXPECT_EQ(master.headers["cache-control"], "private, no-cache");
  std::regex stream_inf(
      "#EXT-X-STREAM-INF:BANDWIDTH=([0-9]+),AVERAGE-BANDWIDTH=[0-9]+,CODECS=\"(avc1\\.[0-9a-f]{6}),"
      "mp4a\\.40\\.2\",RESOLUTION=([0-9]+x[0-9]+),FRAME-RATE=25\\.000,AUDIO=\"audio\","
      "CLOSED-CAPTIONS=NONE\n([0-9a-f]{32}\\.m3u8)\n");
  std::vector<std::string> resolutions, playlists;
  for (std::sregex_iterator it(master.body.begin(), master.body.end(), stream_inf), end; it != end;
       ++it) {
    resolutions.push_back((*it)[3]);
    playlists.push_back((*it)[4]);
  }
  EXPECT_EQ(resolutions, (std::vector<std::string>{"640x360", "854x480", "1280x720"}))
      << master.body;
  EXPECT_EQ(master.body.find("1920x1080"), std::string::npos);
  EXPECT_NE(master.body.find("#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\""), std::string::npos);
  EXPECT_NE(master.body.find("CODECS=\"mp4a.40.2\"\n"), std::string::npos);  // audio only
  ASSERT_EQ(playlists.size(), 3u);

  // A rendition playlist, its init segment and a segment, all under generated names.
  auto media_playlist = up_.Get(hls + playlists[0]);
  ASSERT_EQ(media_playlist.status, 200);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(media_playlist.body, m,
                                std::regex("#EXT-X-MAP:URI=\"([0-9a-f]{32}\\.mp4)\"")));
  std::string init = m[1];
  ASSERT_TRUE(std::regex_search(media_playlist.body, m, std::regex("\n([0-9a-f]{32}\\.m4s)\n")));
  std::string segment = m[1];
  EXPECT_NE(media_playlist.body.find("#EXTINF:1.0"), std::string::npos) << media_playlist.body;
  auto seg = up_.Get(hls + segment);
  ASSERT_EQ(seg.status, 200);
  EXPECT_GT(seg.body.size(), 1000u);
  EXPECT_EQ(seg.headers["cache-control"], "private, no-cache");
  EXPECT_EQ(up_.Get(hls + init).headers["content-type"], "video/mp4");
  // Wrong extension or a name that is not ours: 404.
  EXPECT_EQ(up_.Get(hls + segment.substr(0, 32) + ".mp4").status, 404);
  EXPECT_EQ(up_.Get(hls + std::string(32, 'a') + ".m4s").status, 404);
  EXPECT_EQ(up_.Get(hls + "%2E%2E").status, 404);
  EXPECT_EQ(up_.Get(hls + "index.m3u8").status, 404);

  // Unpublished: nobody outside the owner's subtree gets anything.
  for (Client* c : {&anonymous, &other}) {
    EXPECT_EQ(c->Get(hls + "master.m3u8").status, 404);
    EXPECT_EQ(c->Get(hls + segment).status, 404);
    EXPECT_EQ(c->Get(hls + playlists[0]).status, 404);
  }

  // Published through both reviews: public, cacheable, Range and ETag work.
  Publish(id);
  ASSERT_EQ(up_.Get(api).Json()["state"], "published");
  EXPECT_EQ(Video(anonymous, id)["state"], "ready");
  auto pub_master = anonymous.Get(hls + "master.m3u8");
  ASSERT_EQ(pub_master.status, 200);
  EXPECT_EQ(pub_master.headers["cache-control"], "public, max-age=60");
  auto pub_seg = anonymous.Get(hls + segment);
  ASSERT_EQ(pub_seg.status, 200);
  EXPECT_EQ(pub_seg.body, seg.body);
  EXPECT_EQ(pub_seg.headers["cache-control"], "public, max-age=31536000, immutable");
  EXPECT_EQ(pub_seg.headers["etag"], "\"" + segment.substr(0, 32) + "\"");
  EXPECT_EQ(
      anonymous.Request("GET", hls + segment, "", {{"If-None-Match", pub_seg.headers["etag"]}})
          .status,
      304);
  auto range = anonymous.Request("GET", hls + segment, "", {{"Range", "bytes=0-99"}});
  EXPECT_EQ(range.status, 206);
  EXPECT_EQ(range.body, seg.body.substr(0, 100));
  EXPECT_EQ(anonymous.Request("HEAD", hls + segment).status, 200);

  // Withdrawn: every file answers 404 at once, for the public; the owner still sees them.
  Client admin(server_.port());
  ASSERT_EQ(admin.Login("nou_admin").status, 200);
  auto withdrawn = admin.Send("POST", api + "/withdraw", {{"reason", "版权到期"}});
  ASSERT_EQ(withdrawn.status, 200) << withdrawn.body;
  for (const std::string& f : {std::string("master.m3u8"), segment, init, playlists[0]}) {
    EXPECT_EQ(anonymous.Get(hls + f).status, 404) << f;
  }
  EXPECT_EQ(anonymous.Get(api + "/video").status, 404);
  auto owner_seg = up_.Get(hls + segment);
  EXPECT_EQ(owner_seg.status, 200);
  EXPECT_EQ(owner_seg.headers["cache-control"], "private, no-cache");
}

// A moov-at-the-end upload: the transcode waits for the faststart remux and works on its copy.
TEST_F(VideoApiTest, RemuxFirstThenTheLadderOfTheRemuxedCopy) {
  int64_t id = MakeResource("太极拳第二讲");
  StoreMedia(id, "moov_end.mp4");
  EXPECT_EQ(Video(up_, id)["state"], "none");        // not passed yet: nothing queued
  ASSERT_TRUE(server_.ctx().job_runner->RunOnce());  // the remux
  json v = Video(up_, id);
  EXPECT_EQ(v["state"], "queued") << v.dump();
  ASSERT_TRUE(server_.ctx().video_runner->RunOnce());
  v = Video(up_, id);
  ASSERT_EQ(v["state"], "ready") << v.dump();
  auto media = server_.ctx().ingest->Media(resources::ResourceId{id});
  ASSERT_TRUE(media && *media);
  EXPECT_NE((*media)->playback_blob, (*media)->blob);
  auto ladder = server_.ctx().video_repo->GetLadder(id);
  ASSERT_TRUE(ladder && *ladder);
  EXPECT_EQ((*ladder)->source_blob, (*media)->playback_blob);
}

// New media cancel the transcode of the old bytes and drop the old ladder with its files.
TEST_F(VideoApiTest, NewMediaCancelTheOldJobAndDropTheOldLadder) {
  int64_t id = MakeResource("八段锦");
  const std::string hls = "/media/resources/" + std::to_string(id) + "/hls/";
  StoreMedia(id, "a.mp4");
  int64_t first_job = Video(up_, id)["job"]["id"];
  StoreMedia(id, "b.mp4");  // before the first job ran
  EXPECT_EQ(Job(first_job, "state"), "cancelled");
  json v = Video(up_, id);
  EXPECT_EQ(v["state"], "queued");
  EXPECT_NE(v["job"]["id"], first_job);
  EXPECT_EQ(RunTranscodes(), 1);  // the cancelled one never runs
  v = Video(up_, id);
  ASSERT_EQ(v["state"], "ready");
  std::string segment_url;
  {
    auto pl = up_.Get(v["renditions"][1]["url"].get<std::string>());
    std::smatch m;
    ASSERT_TRUE(std::regex_search(pl.body, m, std::regex("\n([0-9a-f]{32}\\.m4s)\n")));
    segment_url = hls + std::string(m[1]);
  }
  auto file_rows =
      server_.ctx().db->Exec("SELECT blob FROM video_files WHERE resource_id = ?", {id});
  ASSERT_TRUE(file_rows);
  ASSERT_GT(file_rows->rows.size(), 10u);
  std::vector<std::string> old_paths;
  for (const auto& r : file_rows->rows)
    old_paths.push_back(*server_.ctx().blobs->PathOf(r.Text(0)));
  for (const auto& p : old_paths) ASSERT_TRUE(fs::exists(p)) << p;

  // Replaced again (still a draft): the ladder goes, its files leave the disk.
  StoreMedia(id, "a.mp4");
  EXPECT_EQ(up_.Get(segment_url).status, 404);
  EXPECT_EQ(up_.Get(hls + "master.m3u8").status, 404);
  for (const auto& p : old_paths) EXPECT_FALSE(fs::exists(p)) << p;
  EXPECT_EQ(Video(up_, id)["state"], "queued");
  auto trash = server_.ctx().db->QueryOne("SELECT COUNT(*) FROM video_trash");
  EXPECT_EQ((*trash)->Int(0), 0);
}

// What a job makes from bytes that were replaced while it ran is never recorded: the commit
// is a compare-and-set on the media's playback copy, and the files go again.
class StubContext final : public jobs::JobContext {
 public:
  StubContext(jobs::Job job, std::function<void(int)> on_progress)
      : job_(std::move(job)), on_progress_(std::move(on_progress)) {}
  const jobs::Job& job() const override { return job_; }
  bool Progress(int per_mille) override {
    if (on_progress_) on_progress_(per_mille);
    return true;
  }
  bool Stopping() const override { return false; }

 private:
  jobs::Job job_;
  std::function<void(int)> on_progress_;
};

// Files in the blob store proper (not its scratch directory).
size_t CountBlobs(const std::string& root) {
  size_t n = 0;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
       ++it) {
    if (it->path().filename() == "tmp") {
      it.disable_recursion_pending();
      continue;
    }
    n += it->is_regular_file();
  }
  return n;
}

TEST_F(VideoApiTest, ALadderOfReplacedBytesIsNeverRecorded) {
  int64_t id = MakeResource("五禽戏");
  StoreMedia(id, "a.mp4");
  auto job = server_.ctx().job_queue->Latest(id, video::kTranscodeJob);
  ASSERT_TRUE(job && *job);
  const std::string blobs = server_.ctx().config.data_dir + "/blobs";
  bool replaced = false;
  StubContext ctx(**job, [&](int per_mille) {
    // Everything is encoded; the files are about to be adopted: the uploader replaces the
    // video right now.
    if (per_mille == 980 && !replaced) {
      replaced = true;
      StoreMedia(id, "b.mp4");
    }
  });
  auto st = server_.ctx().video->RunTranscode(ctx);
  ASSERT_TRUE(st) << st.error().message;
  ASSERT_TRUE(replaced);
  auto ladder = server_.ctx().video_repo->GetLadder(id);
  ASSERT_TRUE(ladder);
  EXPECT_FALSE(*ladder);  // nothing recorded
  auto files =
      server_.ctx().db->QueryOne("SELECT COUNT(*) FROM video_files WHERE resource_id = ?", {id});
  EXPECT_EQ((*files)->Int(0), 0);
  // The adopted files were removed again (the store holds the new media only), the working
  // directory too.
  EXPECT_EQ(CountBlobs(blobs), 1u);
  size_t leftovers = 0;
  for (const auto& e : fs::directory_iterator(server_.ctx().blobs->TempDir())) {
    leftovers += e.path().filename().string().rfind("video-", 0) == 0;
  }
  EXPECT_EQ(leftovers, 0u);
  // The new bytes' own job makes their ladder.
  EXPECT_EQ(Video(up_, id)["state"], "queued");
  EXPECT_EQ(RunTranscodes(), 1);
  ladder = server_.ctx().video_repo->GetLadder(id);
  ASSERT_TRUE(ladder && *ladder);
  EXPECT_EQ((*ladder)->source_blob,
            (*server_.ctx().ingest->Media(resources::ResourceId{id}))->playback_blob);
}

// Withdrawal stops a transcode; republication queues it again.
TEST_F(VideoApiTest, WithdrawalCancelsTheTranscodeAndRepublicationQueuesIt) {
  int64_t id = MakeResource("易筋经");
  const std::string api = "/api/v1/resources/" + std::to_string(id);
  StoreMedia(id, "a.mp4");
  int64_t job = Video(up_, id)["job"]["id"];
  ASSERT_TRUE(
      server_.ctx().db->Exec("UPDATE resources SET state = 'published', published_at = 1 "
                             "WHERE id = ?",
                             {id}));
  Client admin(server_.port());
  ASSERT_EQ(admin.Login("nou_admin").status, 200);
  ASSERT_EQ(admin.Send("POST", api + "/withdraw", {{"reason", "内容更新"}}).status, 200);
  EXPECT_EQ(Job(job, "state"), "cancelled");
  EXPECT_EQ(Video(up_, id)["state"], "cancelled");
  EXPECT_FALSE(server_.ctx().video_runner->RunOnce());
  auto again = admin.Send("POST", api + "/republish", json::object());
  ASSERT_EQ(again.status, 200) << again.body;
  json v = Video(up_, id);
  EXPECT_EQ(v["state"], "queued");
  EXPECT_NE(v["job"]["id"], job);
  EXPECT_EQ(RunTranscodes(), 1);
  EXPECT_EQ(Video(up_, id)["state"], "ready");
  // Republishing a resource whose ladder exists queues nothing.
  ASSERT_EQ(admin.Send("POST", api + "/withdraw", {{"reason", "再次下线"}}).status, 200);
  ASSERT_EQ(admin.Send("POST", api + "/republish", json::object()).status, 200);
  EXPECT_FALSE(server_.ctx().video_runner->RunOnce());
}

TEST_F(VideoApiTest, CaptionsAreValidatedScreenedListedAndGuarded) {
  int64_t id = MakeResource("太极拳第三讲");
  const std::string api = "/api/v1/resources/" + std::to_string(id);
  const std::string hls = "/media/resources/" + std::to_string(id) + "/hls/";
  auto post = [&](Client& c, const std::string& body, const std::string& query = "") {
    return c.Request("POST", api + "/captions" + query, body,
                     {{"X-CSRF-Token", c.csrf}, {"Content-Type", "application/x-subrip"}});
  };
  const std::string good =
      "1\r\n00:00:00,500 --> 00:00:01,800\r\n太极拳第一式：起势\r\n\r\n"
      "2\r\n00:00:02,000 --> 00:00:03,500\r\n不要赌博，两脚开立\r\n\r\n";
  // No video yet: the duration cannot be checked.
  auto early = post(up_, ToGbk(good));
  EXPECT_EQ(early.status, 409) << early.body;
  StoreMedia(id, "a.mp4");

  // GBK with a bad timestamp on line 6: a Chinese error naming the line; nothing stored.
  auto bad = post(up_, ToGbk("1\n00:00:00,500 --> 00:00:01,800\n起势\n\n2\n00:00:2,000 --> "
                             "00:00:03,500\n开立\n"));
  ASSERT_EQ(bad.status, 400) << bad.body;
  json err = bad.Json()["error"];
  EXPECT_EQ(err["code"], "invalid_argument");
  EXPECT_EQ(err["message"],
            "第 6 行：时间轴格式错误“00:00:2,000 --> 00:00:03,500”，应为“时:分:秒,毫秒 --> "
            "时:分:秒,毫秒”（例如 00:01:02,500 --> 00:01:04,000）");
  EXPECT_EQ(err["fields"][0]["field"], "file");
  // Beyond the 4 s video.
  auto too_long = post(up_, "1\n00:00:03,000 --> 00:00:09,000\n太长\n");
  ASSERT_EQ(too_long.status, 400);
  EXPECT_NE(too_long.body.find("超出视频时长 00:00:04"), std::string::npos) << too_long.body;
  auto bad_lang = post(up_, good, "?language=中文");
  EXPECT_EQ(bad_lang.status, 400);
  EXPECT_EQ(bad_lang.Json()["error"]["fields"][0]["field"], "language");
  EXPECT_FALSE(Video(up_, id)["has_captions"]);

  // A good GBK SRT: converted, stored as WebVTT, screened (赌博 is on the demo list), audited.
  auto ok = post(up_, ToGbk(good), "?filename=%E5%AD%97%E5%B9%95.srt");
  ASSERT_EQ(ok.status, 201) << ok.body;
  json c = ok.Json()["caption"];
  EXPECT_EQ(c["encoding"], "GB18030");
  EXPECT_EQ(c["source_format"], "srt");
  EXPECT_EQ(c["language"], "zh");
  EXPECT_EQ(c["label"], "中文");
  EXPECT_EQ(c["cues"], 2);
  EXPECT_EQ(c["filename"], "字幕.srt");
  ASSERT_EQ(c["flagged"].size(), 1u);
  EXPECT_EQ(c["flagged"][0]["word"], "赌博");
  EXPECT_EQ(c["flagged"][0]["line"], 7);
  auto vtt = up_.Get(c["url"].get<std::string>());
  ASSERT_EQ(vtt.status, 200);
  EXPECT_EQ(vtt.headers["content-type"], "text/vtt; charset=utf-8");
  EXPECT_EQ(vtt.body,
            "WEBVTT\n\n00:00:00.500 --> 00:00:01.800\n太极拳第一式：起势\n\n"
            "00:00:02.000 --> 00:00:03.500\n不要赌博，两脚开立\n\n");
  auto download = up_.Get(c["download_url"].get<std::string>());
  EXPECT_NE(download.headers["content-disposition"].find("attachment"), std::string::npos);
  auto audit = server_.ctx().db->QueryOne(
      "SELECT COUNT(*) FROM audit_log WHERE action = 'resource.captions' AND object = ?",
      {"resource:" + std::to_string(id)});
  EXPECT_EQ((*audit)->Int(0), 1);
  json v = Video(up_, id);
  EXPECT_TRUE(v["has_captions"]);
  ASSERT_EQ(v["captions"].size(), 1u);

  // In the master playlist once the ladder exists, with a subtitle playlist of its own.
  EXPECT_EQ(RunTranscodes(), 1);
  auto master = up_.Get(hls + "master.m3u8");
  ASSERT_EQ(master.status, 200);
  std::string sub_uri = c["playlist_url"].get<std::string>().substr(hls.size());
  EXPECT_NE(master.body.find("#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"中文\","
                             "LANGUAGE=\"zh\",DEFAULT=YES,AUTOSELECT=YES,FORCED=NO,URI=\"" +
                             sub_uri + "\""),
            std::string::npos)
      << master.body;
  EXPECT_NE(master.body.find("SUBTITLES=\"subs\""), std::string::npos);
  auto sub = up_.Get(hls + sub_uri);
  ASSERT_EQ(sub.status, 200);
  EXPECT_NE(sub.body.find(c["url"].get<std::string>().substr(hls.size())), std::string::npos);

  // Who may change captions: the owner's writers while editable, nobody from elsewhere, the
  // reviewers of the current step during review.
  Client bj(server_.port()), gd(server_.port()), nou(server_.port());
  ASSERT_EQ(bj.Login("bj_uploader").status, 200);
  ASSERT_EQ(gd.Login("gd_reviewer").status, 200);
  ASSERT_EQ(nou.Login("nou_reviewer").status, 200);
  EXPECT_EQ(post(bj, good).status, 404);
  EXPECT_EQ(post(gd, good).status, 403);  // a draft is the uploader's
  Client admin(server_.port());
  ASSERT_EQ(admin.Login("nou_admin").status, 200);
  ASSERT_EQ(admin
                .Send("POST", "/api/v1/campaigns",
                      {{"name", "2022年征集"},
                       {"year", 2022},
                       {"submission_deadline", "2022-05-15"},
                       {"first_review_deadline", "2022-05-22"}})
                .status,
            201);
  ASSERT_EQ(up_.Request("POST", api + "/cover", Read("cover.jpg"),
                        {{"X-CSRF-Token", up_.csrf}, {"Content-Type", "image/jpeg"}})
                .status,
            200);
  ASSERT_EQ(up_.Send("POST", api + "/submit", {{"attestation", true}}).status, 200);
  auto after_submit = post(up_, good);
  EXPECT_EQ(after_submit.status, 409) << after_submit.body;
  EXPECT_NE(after_submit.body.find("不能修改字幕"), std::string::npos);
  EXPECT_EQ(post(nou, good).status, 403);  // not NOU's step yet
  auto by_reviewer = post(gd, good, "?language=zh&label=%E4%B8%AD%E6%96%87%E5%AD%97%E5%B9%95");
  ASSERT_EQ(by_reviewer.status, 201) << by_reviewer.body;
  v = Video(up_, id);
  ASSERT_EQ(v["captions"].size(), 1u);  // replaced: one per language
  EXPECT_EQ(v["captions"][0]["label"], "中文字幕");
  EXPECT_EQ(up_.Get(c["url"].get<std::string>()).status, 404);  // the old file is gone
  int64_t cid = v["captions"][0]["id"];
  auto del = gd.Request("DELETE", api + "/captions/" + std::to_string(cid), "",
                        {{"X-CSRF-Token", gd.csrf}});
  EXPECT_EQ(del.status, 204) << del.body;
  EXPECT_FALSE(Video(up_, id)["has_captions"]);
  EXPECT_EQ(up_.Get(hls + "master.m3u8").body.find("SUBTITLES"), std::string::npos);
}

// A failing transcode is retried, visible with its reason, and can be queued again.
TEST(VideoFailures, AFailedTranscodeShowsWhyAndCanBeRequeued) {
  TestServer server({}, [](Config& cfg) {
    FastTranscoding(cfg);
    cfg.video_ffmpeg = "/bin/false";
  });
  server.clock().SetMs(1652140800000);
  Client up(server.port());
  ASSERT_EQ(up.Login("gd_uploader").status, 200);
  auto r = up.Send("POST", "/api/v1/resources",
                   {{"title", "失败的转码"},
                    {"type", "A01"},
                    {"domain", "老年教育"},
                    {"summary", "简介"},
                    {"copyright_holder", "演示学院"},
                    {"presenters", "张演示"}});
  ASSERT_EQ(r.status, 201);
  int64_t id = r.Json()["id"];
  const std::string tmp = server.ctx().blobs->TempDir() + "/fail.mp4";
  ASSERT_EQ(std::system(("ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=1280x720:rate=25 "
                         "-f lavfi -i sine -t 2 -c:v libx264 -preset ultrafast -b:v 3M -minrate "
                         "3M -maxrate 3M -bufsize 1M -x264-params nal-hrd=cbr -pix_fmt yuv420p "
                         "-c:a aac -movflags +faststart " +
                         tmp)
                            .c_str()),
            0);
  uploads::Upload u;
  u.resource_id = id;
  u.kind = "media";
  u.filename = "fail.mp4";
  u.length = fs::file_size(tmp);
  u.sha256 = std::string(64, '0');
  ASSERT_TRUE(server.ctx().ingest->OnUploadComplete(u, tmp));
  const std::string url = "/api/v1/resources/" + std::to_string(id) + "/video";
  for (int attempt = 1; attempt <= 3; ++attempt) {
    ASSERT_TRUE(server.ctx().video_runner->RunOnce());
    json v = up.Get(url).Json()["video"];
    EXPECT_EQ(v["job"]["attempts"], attempt);
    EXPECT_NE(v["job"]["error"].get<std::string>().find("转码失败（audio）：ffmpeg 退出码 1"),
              std::string::npos)
        << v.dump();
    EXPECT_EQ(v["state"], attempt < 3 ? "queued" : "failed");
    server.clock().Advance(std::chrono::minutes(1));  // past the back-off (5 s, 10 s)
  }
  EXPECT_FALSE(server.ctx().video_runner->RunOnce());
  Client other(server.port());
  ASSERT_EQ(other.Login("bj_uploader").status, 200);
  auto denied = other.Request("POST", url + "/transcode", "", {{"X-CSRF-Token", other.csrf}});
  EXPECT_EQ(denied.status, 404);
  auto requeued = up.Request("POST", url + "/transcode", "", {{"X-CSRF-Token", up.csrf}});
  ASSERT_EQ(requeued.status, 202) << requeued.body;
  EXPECT_EQ(requeued.Json()["video"]["state"], "queued");
}

}  // namespace
}  // namespace lep::testing
