// tus 1.0 over HTTP against the real server: the tusd-style protocol list, playback with
// Range, covers, expiry. Media are made with ffmpeg in a temporary directory.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "http/asio.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "integration/server_fixture.h"
#include "uploads/tus_headers.h"

namespace lep::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::string Digest(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, md, nullptr);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string Hex(std::string_view s) {
  static const char* k = "0123456789abcdef";
  std::string o;
  for (unsigned char c : s) {
    o += k[c >> 4];
    o += k[c & 15];
  }
  return o;
}

class UploadsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string((fs::temp_directory_path() /
                            ("lep-up-fixtures-" + std::to_string(::getpid())))
                               .string());
    fs::create_directories(*dir_);
    std::string d = *dir_;
    int rc = std::system(
        ("ffmpeg -v error -y -f lavfi -i testsrc=size=1280x720:rate=25 -f lavfi -i "
         "sine=frequency=440:sample_rate=44100 -t 2 -c:v libx264 -pix_fmt yuv420p -b:v 3M -minrate 3M -maxrate 3M "
         "-bufsize 1M -x264-params nal-hrd=cbr -c:a aac -movflags +faststart " + d + "/ok.mp4 && "
         "ffmpeg -v error -y -f lavfi -i testsrc=size=1280x720:rate=25 -f lavfi -i "
         "sine=frequency=440:sample_rate=44100 -t 2 -c:v libx264 -pix_fmt yuv420p -b:v 3M -minrate 3M -maxrate 3M "
         "-bufsize 1M -x264-params nal-hrd=cbr -c:a aac " + d + "/moov_end.mp4 && "
         "ffmpeg -v error -y -f lavfi -i testsrc=size=640x360:rate=1 -frames:v 1 " + d +
         "/cover.jpg && ffmpeg -v error -y -f lavfi -i smptebars=size=800x450:rate=1 "
         "-frames:v 1 " + d + "/cover2.jpg && "
         "ffmpeg -v error -y -f lavfi -i testsrc=size=64x64:rate=1 -frames:v 1 " +
         d + "/cover.png").c_str());
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
    ASSERT_EQ(up_.Login("gd_uploader").status, 200);
    auto r = up_.Send("POST", "/api/v1/resources",
                      {{"title", "太极拳第一讲"}, {"type", "A01"}, {"domain", "老年教育"},
                       {"summary", "示例"}, {"copyright_holder", "演示学院"},
                       {"presenters", "张演示"}});
    ASSERT_EQ(r.status, 201) << r.body;
    resource_id_ = r.Json()["id"];
  }

  std::map<std::string, std::string> Tus(std::map<std::string, std::string> h = {}) {
    h["Tus-Resumable"] = "1.0.0";
    h["X-CSRF-Token"] = up_.csrf;
    return h;
  }

  std::string Create(Client& c, uint64_t length, const std::string& kind = "media") {
    auto meta = "resource_id " + uploads::Base64Encode(std::to_string(resource_id_)) +
                ",filename " + uploads::Base64Encode("第一讲.mp4") + ",kind " +
                uploads::Base64Encode(kind);
    auto r = c.Request("POST", "/api/v1/uploads/", "",
                       {{"Tus-Resumable", "1.0.0"},
                        {"X-CSRF-Token", c.csrf},
                        {"Upload-Length", std::to_string(length)},
                        {"Upload-Metadata", meta}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.headers["location"];
  }

  HttpResult Patch(const std::string& loc, uint64_t offset, std::string_view data,
                   std::map<std::string, std::string> extra = {}) {
    auto h = Tus(std::move(extra));
    h["Upload-Offset"] = std::to_string(offset);
    h["Content-Type"] = "application/offset+octet-stream";
    return up_.Request("PATCH", loc, std::string(data), h);
  }

  uint64_t Offset(const std::string& loc) {
    auto r = up_.Request("HEAD", loc, "", Tus());
    EXPECT_EQ(r.status, 200);
    return std::stoull(r.headers["upload-offset"]);
  }

  static inline std::string* dir_ = nullptr;
  TestServer server_;
  Client up_{server_.port()};
  int64_t resource_id_ = 0;
};

TEST_F(UploadsTest, OptionsAdvertisesTheProtocol) {
  auto r = up_.Request("OPTIONS", "/api/v1/uploads/");
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.headers["tus-version"], "1.0.0");
  EXPECT_NE(r.headers["tus-extension"].find("checksum"), std::string::npos);
  EXPECT_NE(r.headers["tus-extension"].find("expiration"), std::string::npos);
  EXPECT_EQ(r.headers["tus-checksum-algorithm"], "sha1,sha256");
  EXPECT_EQ(r.headers["tus-max-size"], std::to_string(8ull << 30));
  EXPECT_EQ(r.headers.count("access-control-allow-origin"), 0u);  // no open CORS
}

TEST_F(UploadsTest, ResumableUploadWithChecksumsOffsetsAndTheReport) {
  std::string file = Read("moov_end.mp4");
  ASSERT_GT(file.size(), 100000u);
  std::string loc = Create(up_, file.size());
  ASSERT_EQ(loc.rfind("/api/v1/uploads/", 0), 0u);
  EXPECT_EQ(Offset(loc), 0u);
  size_t half = file.size() / 2;
  auto p1 = Patch(loc, 0, std::string_view(file).substr(0, half));
  ASSERT_EQ(p1.status, 204) << p1.body;
  EXPECT_EQ(p1.headers["upload-offset"], std::to_string(half));
  EXPECT_FALSE(p1.headers["upload-expires"].empty());
  EXPECT_EQ(Offset(loc), half);

  // Stale offset: 409 and nothing written.
  auto stale = Patch(loc, 0, "garbage");
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(Offset(loc), half);

  // Wrong checksum: 460, chunk discarded, offset unchanged.
  std::string_view rest = std::string_view(file).substr(half);
  auto bad = Patch(loc, half, rest.substr(0, 1000),
                   {{"Upload-Checksum", "sha1 " + uploads::Base64Encode(std::string(20, 'x'))}});
  EXPECT_EQ(bad.status, 460);
  EXPECT_EQ(Offset(loc), half);
  auto bad_algo = Patch(loc, half, rest.substr(0, 1000), {{"Upload-Checksum", "md5 AAAA"}});
  EXPECT_EQ(bad_algo.status, 400);

  // Right sha1 for the next 1000 bytes, then sha256 for the rest.
  auto good = Patch(loc, half, rest.substr(0, 1000),
                    {{"Upload-Checksum",
                      "sha1 " + uploads::Base64Encode(Digest(EVP_sha1(), rest.substr(0, 1000)))}});
  ASSERT_EQ(good.status, 204) << good.body;
  EXPECT_EQ(Offset(loc), half + 1000);
  std::string_view tail = rest.substr(1000);
  // Over-size: more than Upload-Length → 413, nothing written.
  auto over = Patch(loc, half + 1000, std::string(tail) + "extra");
  EXPECT_EQ(over.status, 413);
  EXPECT_EQ(Offset(loc), half + 1000);
  auto last = Patch(loc, half + 1000, tail,
                    {{"Upload-Checksum",
                      "sha256 " + uploads::Base64Encode(Digest(EVP_sha256(), tail))}});
  ASSERT_EQ(last.status, 204) << last.body;
  EXPECT_EQ(last.headers["upload-offset"], std::to_string(file.size()));

  // The technical check ran on the real bytes; the whole-file SHA-256 is right.
  auto media = up_.Get("/api/v1/resources/" + std::to_string(resource_id_) + "/media");
  ASSERT_EQ(media.status, 200);
  json m = media.Json()["media"];
  ASSERT_FALSE(m.is_null());
  EXPECT_EQ(m["sha256"], Hex(Digest(EVP_sha256(), file)));
  EXPECT_EQ(m["probe"]["width"], 1280);
  EXPECT_EQ(m["probe"]["video_codec"], "h264");
  EXPECT_EQ(m["probe"]["moov_before_mdat"], false);
  bool has_progressive_rule = false;
  for (const auto& rule : m["report"]) has_progressive_rule |= rule["rule"] == "progressive";
  EXPECT_TRUE(has_progressive_rule);
  auto resource = up_.Get("/api/v1/resources/" + std::to_string(resource_id_)).Json();
  EXPECT_EQ(resource["duration"], "00:00:02");

  // The remux job puts moov first without touching the original's checksum.
  EXPECT_EQ(m["state"], "remuxing");
  int ran = 0;
  while (server_.ctx().job_runner->RunOnce()) ++ran;
  EXPECT_EQ(ran, 1);
  m = up_.Get("/api/v1/resources/" + std::to_string(resource_id_) + "/media").Json()["media"];
  EXPECT_EQ(m["remuxed"], true);
  EXPECT_EQ(m["passed"], true) << m.dump();
  EXPECT_EQ(m["sha256"], Hex(Digest(EVP_sha256(), file)));
  EXPECT_NE(m["playback_sha256"], m["sha256"]);

  // Playback: HEAD, full GET, single range, unsatisfiable range.
  std::string url = "/media/resources/" + std::to_string(resource_id_);
  auto head = up_.Request("HEAD", url);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.headers["content-type"], "video/mp4");
  EXPECT_EQ(head.headers["accept-ranges"], "bytes");
  auto full = up_.Get(url);
  ASSERT_EQ(full.status, 200);
  auto range = up_.Request("GET", url, "", {{"Range", "bytes=100-199"}});
  EXPECT_EQ(range.status, 206);
  EXPECT_EQ(range.body, full.body.substr(100, 100));
  EXPECT_EQ(range.headers["content-range"],
            "bytes 100-199/" + std::to_string(full.body.size()));
  auto beyond = up_.Request("GET", url, "", {{"Range", "bytes=999999999-"}});
  EXPECT_EQ(beyond.status, 416);
  auto cached = up_.Request("GET", url, "", {{"If-None-Match", full.headers["etag"]}});
  EXPECT_EQ(cached.status, 304);
  // Not published: anonymous visitors and other provinces see nothing.
  Client anon(server_.port());
  EXPECT_EQ(anon.Get(url).status, 404);
  Client bj(server_.port());
  bj.Login("bj_admin");
  EXPECT_EQ(bj.Get(url).status, 404);
  Client reviewer(server_.port());
  reviewer.Login("gd_reviewer");
  EXPECT_EQ(reviewer.Request("GET", url, "", {{"Range", "bytes=0-9"}}).status, 206);
}

TEST_F(UploadsTest, OnlyTheOwningUnitMayUploadAndLimitsHold) {
  Client bj(server_.port());
  ASSERT_EQ(bj.Login("bj_uploader").status, 200);
  auto meta = "resource_id " + uploads::Base64Encode(std::to_string(resource_id_));
  auto r = bj.Request("POST", "/api/v1/uploads/", "",
                      {{"Tus-Resumable", "1.0.0"}, {"X-CSRF-Token", bj.csrf},
                       {"Upload-Length", "10"}, {"Upload-Metadata", meta}});
  EXPECT_EQ(r.status, 404);
  auto no_csrf = up_.Request("POST", "/api/v1/uploads/", "",
                             {{"Tus-Resumable", "1.0.0"}, {"Upload-Length", "10"},
                              {"Upload-Metadata", meta}});
  EXPECT_EQ(no_csrf.status, 403);
  auto no_tus = up_.Request("POST", "/api/v1/uploads/", "",
                            {{"X-CSRF-Token", up_.csrf}, {"Upload-Length", "10"},
                             {"Upload-Metadata", meta}});
  EXPECT_EQ(no_tus.status, 412);
  auto too_big = up_.Request("POST", "/api/v1/uploads/", "",
                             {{"Tus-Resumable", "1.0.0"}, {"X-CSRF-Token", up_.csrf},
                              {"Upload-Length", std::to_string((8ull << 30) + 1)},
                              {"Upload-Metadata", meta}});
  EXPECT_EQ(too_big.status, 413);
  std::string loc = Create(up_, 100);
  Client bj2(server_.port());
  bj2.Login("bj_uploader");
  EXPECT_EQ(bj2.Request("HEAD", loc, "", {{"Tus-Resumable", "1.0.0"}}).status, 404);
  // Termination removes the upload.
  EXPECT_EQ(up_.Request("DELETE", loc, "", Tus()).status, 204);
  EXPECT_EQ(up_.Request("HEAD", loc, "", Tus()).status, 404);
}

TEST_F(UploadsTest, CreationWithUploadAndExpiry) {
  std::string data(5000, 'a');
  auto meta = "resource_id " + uploads::Base64Encode(std::to_string(resource_id_)) +
              ",filename " + uploads::Base64Encode("../../etc/passwd");
  auto r = up_.Request("POST", "/api/v1/uploads/", data.substr(0, 2000),
                       {{"Tus-Resumable", "1.0.0"},
                        {"X-CSRF-Token", up_.csrf},
                        {"Upload-Length", "5000"},
                        {"Upload-Metadata", meta},
                        {"Content-Type", "application/offset+octet-stream"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.headers["upload-offset"], "2000");
  std::string loc = r.headers["location"];
  auto head = up_.Request("HEAD", loc, "", Tus());
  // The client's path-like name is kept only as display text.
  EXPECT_NE(head.headers["upload-metadata"].find(uploads::Base64Encode("passwd")),
            std::string::npos);
  std::string id = loc.substr(loc.rfind('/') + 1);
  std::string part = server_.ctx().config.data_dir + "/blobs/tmp/uploads/" + id + ".part";
  EXPECT_TRUE(fs::exists(part));
  server_.clock().Advance(std::chrono::hours(25));
  ASSERT_EQ(up_.Login("gd_uploader").status, 200);  // the session itself expired meanwhile
  EXPECT_EQ(up_.Request("HEAD", loc, "", Tus()).status, 410);
  EXPECT_FALSE(fs::exists(part));
  EXPECT_EQ(up_.Request("HEAD", loc, "", Tus()).status, 404);
}

TEST_F(UploadsTest, OnePatchAtATime) {
  std::string loc = Create(up_, 1 << 20);
  namespace net = boost::asio;
  net::io_context ioc;
  net::ip::tcp::socket slow(ioc);
  slow.connect({net::ip::make_address("127.0.0.1"), server_.port()});
  std::string head = "PATCH " + loc +
                     " HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n"
                     "Content-Type: application/offset+octet-stream\r\nContent-Length: " +
                     std::to_string(1 << 20) + "\r\nX-CSRF-Token: " + up_.csrf +
                     "\r\nCookie: " + up_.cookie + "\r\n\r\n";
  net::write(slow, net::buffer(head));
  net::write(slow, net::buffer(std::string(1000, 'b')));
  // Wait until the first PATCH holds the upload (its begin ran on the pool) by asking the
  // kernel, not by probing with PATCHes: a probe holds the lock for its own short PATCH, and
  // a first PATCH that begins exactly then is (rightly) refused with 423 and closed.
  std::string part = server_.ctx().config.data_dir + "/blobs/tmp/uploads/" +
                     loc.substr(loc.rfind('/') + 1) + ".part";
  ASSERT_TRUE(WaitUntilFileLocked(part, std::chrono::seconds(30)));
  HttpResult second = Patch(loc, 5, "c");  // a wrong offset, but the lock is checked first
  EXPECT_EQ(second.status, 423);
  net::write(slow, net::buffer(std::string((1 << 20) - 1000, 'b')));
  boost::beast::flat_buffer buf;
  boost::beast::http::response<boost::beast::http::string_body> res;
  boost::beast::http::read(slow, buf, res);
  EXPECT_EQ(res.result_int(), 204);
  EXPECT_EQ(Offset(loc), static_cast<uint64_t>(1 << 20));
}

TEST_F(UploadsTest, CoversMustBeRealJpegs) {
  std::string url = "/api/v1/resources/" + std::to_string(resource_id_) + "/cover";
  auto png = up_.Request("POST", url, Read("cover.png"),
                         {{"X-CSRF-Token", up_.csrf}, {"Content-Type", "image/jpeg"}});
  ASSERT_EQ(png.status, 400);
  EXPECT_EQ(png.Json()["error"]["fields"][0]["label"], "资源封面");
  auto jpg = up_.Request("POST", url, Read("cover.jpg"),
                         {{"X-CSRF-Token", up_.csrf}, {"Content-Type", "image/jpeg"}});
  ASSERT_EQ(jpg.status, 200) << jpg.body;
  EXPECT_EQ(jpg.Json()["cover"]["width"], 640);
  auto thumb = up_.Get(url + "?size=thumb");
  EXPECT_EQ(thumb.status, 200);
  EXPECT_EQ(thumb.headers["content-type"], "image/jpeg");
  EXPECT_EQ(thumb.body.substr(0, 2), "\xFF\xD8");
  auto detail = up_.Get("/api/v1/resources/" + std::to_string(resource_id_)).Json();
  EXPECT_EQ(detail["cover"]["width"], 640);
  // Also through tus as kind=cover.
  std::string bytes = Read("cover.jpg");
  std::string loc = Create(up_, bytes.size(), "cover");
  EXPECT_EQ(Patch(loc, 0, bytes).status, 204);
}

}  // namespace
}  // namespace lep::testing

namespace lep::testing {
namespace {

// Regression (found by the web E2E): bodies over Beast's default 1 MiB limit were dropped
// while reading the header, before the route's own limit applied.
TEST_F(UploadsTest, BodiesLargerThanOneMebibyteAreAccepted) {
  std::string data(3 << 20, 'z');
  std::string loc = Create(up_, data.size());
  auto r = Patch(loc, 0, data);
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(Offset(loc), data.size());
}

}  // namespace
}  // namespace lep::testing

namespace lep::testing {
namespace {

std::string Sha256Hex(std::string_view data) { return Hex(Digest(EVP_sha256(), data)); }

const json kChecklist = {{"ideology", true}, {"copyright", true}, {"secrecy", true},
                         {"science", true}};

int64_t AuditRows(TestServer& server, const std::string& action, int64_t resource_id) {
  auto row = server.ctx().db->QueryOne(
      "SELECT COUNT(*) FROM audit_log WHERE action = ? AND object = ?",
      {action, "resource:" + std::to_string(resource_id)});
  return row && *row ? (*row)->Int(0) : -1;
}

// Issue 14 item 2: uploads opened while the resource was a draft, finished after it went
// through both reviews into a published batch, must not replace what the reviewers saw.
TEST_F(UploadsTest, Issue14StaleUploadsNeverReplaceReviewedBytes) {
  server_.clock().SetMs(1652140800000);  // 2022-05-10 08:00 Beijing
  ASSERT_EQ(up_.Login("gd_uploader").status, 200);  // a session of the new clock
  Client admin(server_.port());
  ASSERT_EQ(admin.Login("nou_admin").status, 200);
  ASSERT_EQ(admin.Send("POST", "/api/v1/campaigns",
                       {{"name", "2022年征集"},
                        {"year", 2022},
                        {"submission_deadline", "2022-05-15"},
                        {"first_review_deadline", "2022-05-22"}})
                .status,
            201);
  std::string url = "/api/v1/resources/" + std::to_string(resource_id_);
  // The reviewed bytes: a passing video and a cover.
  std::string video = Read("ok.mp4");
  std::string cover = Read("cover.jpg");
  std::string media_loc = Create(up_, video.size());
  ASSERT_EQ(Patch(media_loc, 0, video).status, 204);
  auto cover_put = up_.Request("POST", url + "/cover", cover,
                               {{"X-CSRF-Token", up_.csrf}, {"Content-Type", "image/jpeg"}});
  ASSERT_EQ(cover_put.status, 200) << cover_put.body;
  EXPECT_EQ(AuditRows(server_, "resource.media", resource_id_), 1);
  EXPECT_EQ(AuditRows(server_, "resource.cover", resource_id_), 1);

  // Stale uploads opened on the draft: a media file half sent, a cover not sent at all.
  std::string other_video = Read("moov_end.mp4");
  std::string other_cover = Read("cover2.jpg");
  std::string stale_media = Create(up_, other_video.size());
  ASSERT_EQ(Patch(stale_media, 0, std::string_view(other_video).substr(0, 1000)).status, 204);
  std::string stale_cover = Create(up_, other_cover.size(), "cover");

  // Submit → 初审 → 终审 → batch published.
  int64_t version = up_.Get(url).Json()["version"];
  auto submitted = up_.Send("POST", url + "/submit", {{"attestation", true}, {"version", version}});
  ASSERT_EQ(submitted.status, 200) << submitted.body;
  Client gd(server_.port());
  ASSERT_EQ(gd.Login("gd_reviewer").status, 200);
  ASSERT_EQ(gd.Send("POST", url + "/review", {{"action", "approve"}, {"checklist", kChecklist}})
                .status,
            200);
  Client nou(server_.port());
  ASSERT_EQ(nou.Login("nou_reviewer").status, 200);
  ASSERT_EQ(nou.Send("POST", url + "/review", {{"action", "approve"}, {"checklist", kChecklist}})
                .status,
            200);
  auto batch = admin.Send("POST", "/api/v1/batches", {{"resource_ids", {resource_id_}}});
  ASSERT_EQ(batch.status, 201) << batch.body;
  ASSERT_EQ(admin.Send("POST",
                       "/api/v1/batches/" + std::to_string(batch.Json()["id"].get<int64_t>()) +
                           "/publish",
                       json::object())
                .status,
            200);
  ASSERT_EQ(up_.Get(url).Json()["state"], "published");

  // The stale uploads are finished now: refused, with a Chinese reason.
  auto media_patch = Patch(stale_media, 1000, std::string_view(other_video).substr(1000));
  EXPECT_TRUE(media_patch.status == 409 || media_patch.status == 423) << media_patch.status;
  EXPECT_NE(media_patch.Json()["error"]["message"].get<std::string>().find("不能再上传"),
            std::string::npos)
      << media_patch.body;
  auto cover_patch = Patch(stale_cover, 0, other_cover);
  EXPECT_TRUE(cover_patch.status == 409 || cover_patch.status == 423) << cover_patch.status;
  // Nor can a new upload be opened.
  auto meta = "resource_id " + uploads::Base64Encode(std::to_string(resource_id_)) + ",kind " +
              uploads::Base64Encode("cover");
  EXPECT_EQ(up_.Request("POST", "/api/v1/uploads/", "",
                        {{"Tus-Resumable", "1.0.0"},
                         {"X-CSRF-Token", up_.csrf},
                         {"Upload-Length", std::to_string(other_cover.size())},
                         {"Upload-Metadata", meta}})
                .status,
            409);

  // The public still gets exactly the reviewed bytes, and nothing new was audited.
  Client anonymous(server_.port());
  auto played = anonymous.Get("/media/resources/" + std::to_string(resource_id_));
  ASSERT_EQ(played.status, 200);
  EXPECT_EQ(Sha256Hex(played.body), Sha256Hex(video));
  auto shown = anonymous.Get(url + "/cover");
  ASSERT_EQ(shown.status, 200);
  EXPECT_EQ(Sha256Hex(shown.body), Sha256Hex(cover));
  EXPECT_EQ(AuditRows(server_, "resource.media", resource_id_), 1);
  EXPECT_EQ(AuditRows(server_, "resource.cover", resource_id_), 1);
}

// The same rule where no request boundary helps: a PATCH that began while the resource was a
// draft and completes after it was submitted. Completion re-checks the state in the
// transaction that would record the media, so the new bytes are dropped.
TEST_F(UploadsTest, Issue14CompletionAfterSubmitIsRefused) {
  server_.clock().SetMs(1652140800000);
  ASSERT_EQ(up_.Login("gd_uploader").status, 200);
  std::string url = "/api/v1/resources/" + std::to_string(resource_id_);
  std::string video = Read("ok.mp4");
  ASSERT_EQ(Patch(Create(up_, video.size()), 0, video).status, 204);
  ASSERT_EQ(up_.Request("POST", url + "/cover", Read("cover.jpg"),
                        {{"X-CSRF-Token", up_.csrf}, {"Content-Type", "image/jpeg"}})
                .status,
            200);
  std::string other = Read("moov_end.mp4");
  std::string loc = Create(up_, other.size());
  std::string upload_id = loc.substr(loc.find_last_of('/') + 1);

  std::string token = up_.cookie.substr(up_.cookie.find('=') + 1);
  auto principal = server_.ctx().auth->Authenticate(token);
  ASSERT_TRUE(principal);
  auto writer = server_.ctx().uploads->BeginPatch(*principal, upload_id, 0, std::nullopt,
                                                 other.size());
  ASSERT_TRUE(writer) << writer.error().message;
  ASSERT_TRUE((*writer)->Write(other));

  // Meanwhile the uploader submits (in another tab): the pending upload is cancelled.
  auto submitted = up_.Send("POST", url + "/submit", {{"attestation", true}});
  ASSERT_EQ(submitted.status, 200) << submitted.body;
  int64_t version = submitted.Json()["version"];

  auto finished = (*writer)->Finish(true);
  ASSERT_FALSE(finished);
  EXPECT_TRUE(finished.error().Is(ErrorCode::kFailedPrecondition)) << finished.error().message;
  auto media = up_.Get(url + "/media").Json()["media"];
  EXPECT_EQ(media["sha256"], Sha256Hex(video));
  EXPECT_EQ(up_.Get(url).Json()["version"], version);  // untouched
  EXPECT_EQ(AuditRows(server_, "resource.media", resource_id_), 1);
}

}  // namespace
}  // namespace lep::testing

namespace lep::testing {
namespace {

// Issue 14 item 7: what one account and one unit may hold in unfinished uploads is bounded,
// with a clear refusal; finishing or deleting an upload frees its share.
TEST(UploadQuotas, AccountsAndUnitsCannotHoardUnfinishedUploads) {
  TestServer server({}, [](Config& c) {
    c.account_pending_uploads = 3;
    c.unit_pending_upload_bytes = 10 << 20;
  });
  Client up(server.port());
  ASSERT_EQ(up.Login("gd_uploader").status, 200);
  auto r = up.Send("POST", "/api/v1/resources",
                   {{"title", "配额"}, {"type", "A01"}, {"domain", "老年教育"},
                    {"summary", "示例"}, {"copyright_holder", "演示学院"},
                    {"presenters", "张演示"}});
  ASSERT_EQ(r.status, 201) << r.body;
  int64_t id = r.Json()["id"];
  auto create = [&](uint64_t length) {
    auto meta = "resource_id " + uploads::Base64Encode(std::to_string(id)) + ",kind " +
                uploads::Base64Encode("media");
    return up.Request("POST", "/api/v1/uploads/", "",
                      {{"Tus-Resumable", "1.0.0"},
                       {"X-CSRF-Token", up.csrf},
                       {"Upload-Length", std::to_string(length)},
                       {"Upload-Metadata", meta}});
  };
  // The unit's bytes: 6 MiB + 5 MiB > 10 MiB.
  auto first = create(6 << 20);
  ASSERT_EQ(first.status, 201) << first.body;
  auto too_big = create(5 << 20);
  EXPECT_EQ(too_big.status, 413) << too_big.body;
  EXPECT_NE(too_big.Json()["error"]["message"].get<std::string>().find("未完成的上传"),
            std::string::npos);
  // The account's count: 3 open at most.
  EXPECT_EQ(create(1 << 20).status, 201);
  EXPECT_EQ(create(1 << 20).status, 201);
  auto fourth = create(1 << 20);
  EXPECT_EQ(fourth.status, 429) << fourth.body;
  EXPECT_FALSE(fourth.headers["retry-after"].empty());
  // Deleting one frees its share.
  auto del = up.Request("DELETE", first.headers["location"], "",
                        {{"Tus-Resumable", "1.0.0"}, {"X-CSRF-Token", up.csrf}});
  EXPECT_EQ(del.status, 204);
  EXPECT_EQ(create(4 << 20).status, 201);
}

}  // namespace
}  // namespace lep::testing

namespace lep::testing {
namespace {

// Issue 17 §5: the same file submitted twice — by the same unit or another — is flagged on
// the technical report, naming only resources the reader may see.
TEST_F(UploadsTest, Issue17SameFileTwiceIsFlaggedNamingOnlyVisibleResources) {
  const std::string video = Read("ok.mp4");
  auto create = [&](Client& c, const std::string& title) -> int64_t {
    auto r = c.Send("POST", "/api/v1/resources",
                    {{"title", title}, {"type", "A01"}, {"domain", "老年教育"},
                     {"summary", "示例"}, {"copyright_holder", "演示学院"},
                     {"presenters", "张演示"}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.Json().value("id", int64_t{0});
  };
  auto upload = [&](Client& c, int64_t id) {
    auto sent = c.UploadWhole(id, video, "同一文件.mp4");
    ASSERT_EQ(sent.status, 204) << sent.body;
  };
  auto duplicates = [&](Client& c, int64_t id) {
    auto r = c.Get("/api/v1/resources/" + std::to_string(id) + "/media");
    EXPECT_EQ(r.status, 200) << r.body;
    json body = r.Json();
    return body["media"]["duplicates"];
  };

  upload(up_, resource_id_);
  json none = duplicates(up_, resource_id_);
  EXPECT_EQ(none["items"].size(), 0u);
  EXPECT_EQ(none["hidden"], 0);

  const int64_t second = create(up_, "太极拳第一讲（重复）");
  upload(up_, second);
  json same_unit = duplicates(up_, second);
  ASSERT_EQ(same_unit["items"].size(), 1u);
  EXPECT_EQ(same_unit["items"][0]["id"], resource_id_);
  EXPECT_EQ(same_unit["items"][0]["title"], "太极拳第一讲");
  EXPECT_EQ(same_unit["hidden"], 0);

  Client bj(server_.port());
  ASSERT_EQ(bj.Login("bj_uploader").status, 200);
  const int64_t other_unit = create(bj, "北京的同一个视频");
  upload(bj, other_unit);
  json from_bj = duplicates(bj, other_unit);
  EXPECT_EQ(from_bj["items"].size(), 0u) << from_bj;  // 广东's drafts are not named to 北京
  EXPECT_EQ(from_bj["hidden"], 2);
  EXPECT_EQ(from_bj.dump().find("太极拳"), std::string::npos);
  // The first resource now also knows of the copy in 北京, without its title.
  json first = duplicates(up_, resource_id_);
  EXPECT_EQ(first["items"].size(), 1u);
  EXPECT_EQ(first["hidden"], 1);

  // A national reviewer sees every copy by name.
  Client nou(server_.port());
  ASSERT_EQ(nou.Login("nou_reviewer").status, 200);
  json seen = duplicates(nou, other_unit);
  EXPECT_EQ(seen["items"].size(), 2u) << seen;
  EXPECT_EQ(seen["hidden"], 0);
}

}  // namespace
}  // namespace lep::testing
