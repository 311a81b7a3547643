// Issue 17 §5: an A03 网络课程 submitted as 实体资源 — real ffmpeg-made videos uploaded over
// tus as lessons, each judged against 附件1; a failing lesson blocks the submission with a
// Chinese message naming it; rename / reorder / delete are version-checked; another unit sees
// nothing; the public plays a published course's lessons with Range.
#include <gtest/gtest.h>

#include "http/asio.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <set>
#include <thread>

#include "core/text.h"
#include "integration/server_fixture.h"
#include "media/media_probe.h"
#include "uploads/tus_headers.h"

namespace lep::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

class LessonsApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(
        (fs::temp_directory_path() / ("lep-lesson-fixtures-" + std::to_string(::getpid())))
            .string());
    fs::create_directories(*dir_);
    const std::string d = *dir_;
    const std::string video =
        "ffmpeg -v error -y -f lavfi -i testsrc=size=1280x720:rate=25 -f lavfi -i "
        "sine=frequency=440:sample_rate=44100 -t 2 -c:v libx264 -pix_fmt yuv420p -b:v 3M "
        "-minrate 3M -maxrate 3M -bufsize 1M -x264-params nal-hrd=cbr -c:a aac ";
    int rc = std::system((video + "-movflags +faststart " + d + "/ok.mp4 && " + video + d +
                          "/moov_end.mp4 && ffmpeg -v error -y -f lavfi -i "
                          "testsrc=size=640x360:rate=25 -f lavfi -i "
                          "sine=frequency=440:sample_rate=44100 -t 2 -c:v libx264 -pix_fmt "
                          "yuv420p -c:a aac -movflags +faststart " + d + "/small.mp4")
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
    ASSERT_EQ(admin_.Login("nou_admin").status, 200);
    auto c = admin_.Send("POST", "/api/v1/campaigns",
                         {{"name", "2022年终身教育数字化学习资源征集"},
                          {"year", 2022},
                          {"submission_deadline", "2022-05-15"},
                          {"first_review_deadline", "2022-05-22"}});
    ASSERT_EQ(c.status, 201) << c.body;
    ASSERT_EQ(up_.Login("gd_uploader").status, 200);
    auto r = up_.Send("POST", "/api/v1/resources",
                      {{"title", "书法入门网课"}, {"type", "A03"}, {"domain", "老年教育"},
                       {"delivery", "实体资源"}, {"summary", "示例"},
                       {"copyright_holder", "演示学院"}, {"presenters", "张演示"}});
    ASSERT_EQ(r.status, 201) << r.body;
    course_ = r.Json()["id"];
    EXPECT_EQ(r.Json()["delivery"], "files");
    EXPECT_EQ(r.Json()["link"], "");
  }

  // The whole tus path for one lesson: creation with its title, one PATCH.
  HttpResult UploadLesson(Client& c, const std::string& bytes, const std::string& filename,
                          const std::string& title) {
    std::string meta = "resource_id " + uploads::Base64Encode(std::to_string(course_)) +
                       ",filename " + uploads::Base64Encode(filename) + ",kind " +
                       uploads::Base64Encode("lesson");
    if (!title.empty()) meta += ",title " + uploads::Base64Encode(title);
    auto created = c.Request("POST", "/api/v1/uploads/", "",
                             {{"Tus-Resumable", "1.0.0"},
                              {"X-CSRF-Token", c.csrf},
                              {"Upload-Length", std::to_string(bytes.size())},
                              {"Upload-Metadata", meta}});
    if (created.status != 201) return created;
    return c.Request("PATCH", created.headers["location"], bytes,
                     {{"Tus-Resumable", "1.0.0"},
                      {"X-CSRF-Token", c.csrf},
                      {"Upload-Offset", "0"},
                      {"Content-Type", "application/offset+octet-stream"}});
  }

  std::string Url(const std::string& tail = "") {
    return "/api/v1/resources/" + std::to_string(course_) + tail;
  }
  json Lessons(Client& c) {
    auto r = c.Get(Url("/lessons"));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json();
  }
  void SetCover() {
    ASSERT_TRUE(server_.ctx().db->Exec(
        "UPDATE resources SET cover_blob = ?, cover_thumb_blob = ?, cover_width = 640, "
        "cover_height = 360 WHERE id = ?",
        {std::string(32, 'a'), std::string(32, 'b'), course_}));
  }
  void RunJobs() {
    while (server_.ctx().job_runner->RunOnce()) {
    }
  }

  static inline std::string* dir_ = nullptr;
  // 32 clients of one account at once (the concurrency test) stay within the abuse bounds.
  TestServer server_{{}, [](Config& c) { c.account_pending_uploads = 64; }};
  Client admin_{server_.port()};
  Client up_{server_.port()};
  int64_t course_ = 0;
};

TEST_F(LessonsApiTest, TwoLessonsOverTusAndAFailingOneBlocksSubmissionNamingIt) {
  const std::string ok = Read("ok.mp4"), moov_end = Read("moov_end.mp4");
  auto first = UploadLesson(up_, ok, "01.mp4", "第一课 执笔与坐姿");
  ASSERT_EQ(first.status, 204) << first.body;
  auto second = UploadLesson(up_, moov_end, "第二课 基本笔画.mp4", "");
  ASSERT_EQ(second.status, 204) << second.body;

  // A file name longer than the 200 bytes kept is cut between characters, never inside one
  // (67 three-byte characters: the cut at byte 200 would fall in the 67th).
  std::string long_name;
  for (int i = 0; i < 67; ++i) long_name += "课";
  auto long_one = UploadLesson(up_, ok, long_name + ".mp4", "");
  ASSERT_EQ(long_one.status, 204) << long_one.body;
  json with_long = Lessons(up_);
  ASSERT_EQ(with_long["items"].size(), 3u) << with_long.dump();
  const std::string kept = with_long["items"][2]["filename"];
  EXPECT_EQ(kept, long_name.substr(0, 198));
  const int64_t v = with_long["version"];
  const std::string long_url =
      Url("/lessons/" + std::to_string(with_long["items"][2]["id"].get<int64_t>()));
  ASSERT_EQ(up_.Request("DELETE", long_url + "?version=" + std::to_string(v), "",
                        {{"X-CSRF-Token", up_.csrf}})
                .status,
            200);

  json list = Lessons(up_);
  EXPECT_EQ(list["delivery"], "files");
  json items = list["items"];
  ASSERT_EQ(items.size(), 2u) << list.dump();
  EXPECT_EQ(items[0]["position"], 1);
  EXPECT_EQ(items[0]["title"], "第一课 执笔与坐姿");
  EXPECT_EQ(items[0]["passed"], true) << items[0]["report"].dump();
  EXPECT_EQ(items[0]["probe"]["width"], 1280);
  EXPECT_EQ(items[0]["duration"], "00:00:02");
  EXPECT_EQ(items[1]["position"], 2);
  EXPECT_EQ(items[1]["title"], "第二课 基本笔画");  // from the file name
  EXPECT_EQ(items[1]["state"], "remuxing");
  EXPECT_EQ(list["total_duration"], "00:00:04");
  // The course's duration is the lessons' measured total.
  EXPECT_EQ(up_.Get(Url()).Json()["duration"], "00:00:04");

  // The faststart remux of the second lesson, as for A01 media.
  RunJobs();
  items = Lessons(up_)["items"];
  EXPECT_EQ(items[1]["state"], "ready");
  EXPECT_EQ(items[1]["passed"], true) << items[1]["report"].dump();

  // A third lesson below 附件1 (640×360): the submission names it.
  auto third = UploadLesson(up_, Read("small.mp4"), "03.mp4", "第三课 章法");
  ASSERT_EQ(third.status, 204) << third.body;
  list = Lessons(up_);
  items = list["items"];
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[2]["passed"], false);
  SetCover();
  auto refused = up_.Send("POST", Url("/submit"), {{"attestation", true}});
  ASSERT_EQ(refused.status, 400) << refused.body;
  std::string message = refused.Json()["error"]["message"];
  EXPECT_NE(message.find("第 3 课“第三课 章法”未通过技术检测"), std::string::npos) << message;
  EXPECT_NE(message.find("分辨率"), std::string::npos) << message;
  bool named = false;
  json fields = refused.Json()["error"]["fields"];
  for (const auto& f : fields) named |= f["field"] == "lessons";
  EXPECT_TRUE(named) << refused.body;

  // Deleting it at a stale version: 409, nothing removed; at the current one it goes.
  const int64_t version = list["version"];
  const std::string third_url = Url("/lessons/" + std::to_string(items[2]["id"].get<int64_t>()));
  auto stale = up_.Request("DELETE", third_url + "?version=" + std::to_string(version - 1), "",
                           {{"X-CSRF-Token", up_.csrf}});
  EXPECT_EQ(stale.status, 409) << stale.body;
  EXPECT_EQ(Lessons(up_)["items"].size(), 3u);
  auto removed = up_.Request("DELETE", third_url + "?version=" + std::to_string(version), "",
                             {{"X-CSRF-Token", up_.csrf}});
  ASSERT_EQ(removed.status, 200) << removed.body;
  EXPECT_GT(removed.Json()["version"].get<int64_t>(), version);
  EXPECT_EQ(Lessons(up_)["items"].size(), 2u);

  auto submitted = up_.Send("POST", Url("/submit"), {{"attestation", true}});
  ASSERT_EQ(submitted.status, 200) << submitted.body;
  // Not editable any more: no new lesson, no change.
  EXPECT_EQ(UploadLesson(up_, ok, "04.mp4", "第四课").status, 409);
  list = Lessons(up_);
  auto late = up_.Send("PATCH", Url("/lessons/" + std::to_string(list["items"][0]["id"].get<int64_t>())),
                       {{"title", "改名"}, {"version", list["version"]}});
  EXPECT_EQ(late.status, 409) << late.body;
}

TEST_F(LessonsApiTest, RenameAndReorderNameTheVersionAndOtherUnitsSeeNothing) {
  const std::string ok = Read("ok.mp4");
  ASSERT_EQ(UploadLesson(up_, ok, "a.mp4", "甲").status, 204);
  ASSERT_EQ(UploadLesson(up_, ok, "b.mp4", "乙").status, 204);
  json list = Lessons(up_);
  const int64_t a = list["items"][0]["id"], b = list["items"][1]["id"];
  int64_t version = list["version"];

  auto rename = up_.Send("PATCH", Url("/lessons/" + std::to_string(a)),
                         {{"title", "  第一课  "}, {"version", version}});
  ASSERT_EQ(rename.status, 200) << rename.body;
  auto stale = up_.Send("PATCH", Url("/lessons/" + std::to_string(b)),
                        {{"title", "第二课"}, {"version", version}});
  EXPECT_EQ(stale.status, 409) << stale.body;
  version = rename.Json()["version"];
  auto empty = up_.Send("PATCH", Url("/lessons/" + std::to_string(b)),
                        {{"title", " "}, {"version", version}});
  EXPECT_EQ(empty.status, 400);
  EXPECT_EQ(empty.Json()["error"]["fields"][0]["field"], "title");

  auto partial = up_.Send("PUT", Url("/lessons"), {{"lesson_ids", {b}}, {"version", version}});
  EXPECT_EQ(partial.status, 400) << partial.body;
  auto order = up_.Send("PUT", Url("/lessons"), {{"lesson_ids", {b, a}}, {"version", version}});
  ASSERT_EQ(order.status, 200) << order.body;
  list = Lessons(up_);
  EXPECT_EQ(list["items"][0]["id"], b);
  EXPECT_EQ(list["items"][1]["id"], a);
  EXPECT_EQ(list["items"][1]["title"], "第一课");
  EXPECT_EQ(list["version"], order.Json()["version"]);
  auto stale_order =
      up_.Send("PUT", Url("/lessons"), {{"lesson_ids", {a, b}}, {"version", version}});
  EXPECT_EQ(stale_order.status, 409);

  // Another province's uploader: the course does not exist for them.
  Client other(server_.port());
  ASSERT_EQ(other.Login("bj_uploader").status, 200);
  EXPECT_EQ(other.Get(Url("/lessons")).status, 404);
  EXPECT_EQ(other.Send("PATCH", Url("/lessons/" + std::to_string(a)),
                       {{"title", "x"}, {"version", list["version"]}})
                .status,
            404);
  EXPECT_EQ(other.Request("DELETE", Url("/lessons/" + std::to_string(a)) + "?version=" +
                                        list["version"].dump(),
                          "", {{"X-CSRF-Token", other.csrf}})
                .status,
            404);
  EXPECT_EQ(UploadLesson(other, ok, "x.mp4", "x").status, 404);
  Client anon(server_.port());
  EXPECT_EQ(anon.Get(Url("/lessons")).status, 404);
  EXPECT_EQ(anon.Get("/media/resources/" + std::to_string(course_) + "/lessons/" +
                     std::to_string(a))
                .status,
            404);
}

TEST_F(LessonsApiTest, ModesRefuseTheWrongKindOfFile) {
  const std::string ok = Read("ok.mp4");
  // A files course takes no A01-style media; a link course takes no lessons.
  EXPECT_EQ(up_.UploadWhole(course_, ok, "a.mp4", "media").status, 400);
  auto link = up_.Send("POST", "/api/v1/resources",
                       {{"title", "链接网课"}, {"type", "A03"}, {"domain", "老年教育"},
                        {"summary", "示例"}, {"copyright_holder", "演示学院"},
                        {"presenters", "张演示"}});
  ASSERT_EQ(link.status, 400) << link.body;  // a link course needs its link
  EXPECT_NE(link.body.find("资源链接"), std::string::npos);
  link = up_.Send("POST", "/api/v1/resources",
                  {{"title", "链接网课"}, {"type", "A03"}, {"domain", "老年教育"},
                   {"link", "https://course.example.edu.cn/c/1"}, {"summary", "示例"},
                   {"copyright_holder", "演示学院"}, {"presenters", "张演示"}});
  ASSERT_EQ(link.status, 201) << link.body;
  EXPECT_EQ(link.Json()["delivery"], "link");
  int64_t link_id = link.Json()["id"];
  auto refused = up_.UploadWhole(link_id, ok, "a.mp4", "lesson");
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find("实体资源"), std::string::npos) << refused.body;
  // The periodic link re-check leaves courses of uploaded lessons alone.
  ASSERT_TRUE(server_.ctx().db->Exec("UPDATE resources SET state = 'submitted' WHERE id IN (?, ?)",
                                     {course_, link_id}));
  ASSERT_TRUE(server_.ctx().db->Exec("UPDATE resources SET link = 'https://x.example.edu.cn/' "
                                     "WHERE id = ?",
                                     {course_}));
  ASSERT_TRUE(server_.ctx().ingest->RequestLinkRechecks());
  auto checks = [&](int64_t id) {
    auto row = server_.ctx().db->QueryOne(
        "SELECT COUNT(*) FROM jobs WHERE kind = 'link_check' AND resource_id = ?", {id});
    return row && *row ? (*row)->Int(0) : -1;
  };
  EXPECT_EQ(checks(course_), 0);
  EXPECT_EQ(checks(link_id), 1);
  // An edit that does not mention 提交方式 keeps it.
  auto edit = up_.Send("PUT", Url(), {{"title", "书法入门网课（修订）"}, {"type", "A03"},
                                      {"domain", "老年教育"}, {"summary", "示例"},
                                      {"copyright_holder", "演示学院"}, {"presenters", "张演示"}});
  EXPECT_EQ(edit.status, 409);  // submitted: not editable (state set above)
}

TEST_F(LessonsApiTest, APublishedCoursesLessonsPlayForThePublicWithRange) {
  const std::string ok = Read("ok.mp4");
  ASSERT_EQ(UploadLesson(up_, ok, "a.mp4", "第一课").status, 204);
  // Draft: an edit without 提交方式 keeps the files mode.
  auto edit = up_.Send("PUT", Url(), {{"title", "书法入门网课（修订）"}, {"type", "A03"},
                                      {"domain", "老年教育"}, {"summary", "示例"},
                                      {"copyright_holder", "演示学院"}, {"presenters", "张演示"}});
  ASSERT_EQ(edit.status, 200) << edit.body;
  EXPECT_EQ(edit.Json()["delivery"], "files");
  ASSERT_TRUE(server_.ctx().db->Exec(
      "UPDATE resources SET state = 'published', published_at = 1 WHERE id = ?", {course_}));
  Client anon(server_.port());
  auto list = anon.Get(Url("/lessons"));
  ASSERT_EQ(list.status, 200) << list.body;
  json items = list.Json()["items"];
  ASSERT_EQ(items.size(), 1u);
  const std::string url = items[0]["url"];
  auto whole = anon.Get(url);
  ASSERT_EQ(whole.status, 200);
  EXPECT_EQ(whole.body, ok);
  EXPECT_EQ(whole.headers["content-type"], "video/mp4");
  auto range = anon.Request("GET", url, "", {{"Range", "bytes=100-199"}});
  ASSERT_EQ(range.status, 206);
  EXPECT_EQ(range.body, ok.substr(100, 100));
  EXPECT_EQ(range.headers["content-range"], "bytes 100-199/" + std::to_string(ok.size()));
  EXPECT_NE(range.headers["cache-control"].find("public"), std::string::npos);
  EXPECT_EQ(anon.Request("GET", url, "", {{"Range", "bytes=999999999-"}}).status, 416);
  // A lesson id of no lesson of this course.
  EXPECT_EQ(anon.Get("/media/resources/" + std::to_string(course_) + "/lessons/999999").status,
            404);
  // The portal detail says how the course is delivered.
  auto detail = anon.Get("/api/v1/portal/resources/" + std::to_string(course_));
  ASSERT_EQ(detail.status, 200) << detail.body;
  EXPECT_EQ(detail.Json()["delivery"], "files");
}

// Issue 17 residual: 32 clients at once — on PostgreSQL with LEP_TEST_PG_URL — finish lesson
// uploads of one course and upload 登记表 scans of one unit: no 5xx, every lesson kept once at
// its own position (the course's row lock orders them), every scan kept once.
TEST_F(LessonsApiTest, ThirtyTwoClientsAtOnceLoseNothingAndDuplicateNothing) {
  constexpr int kClients = 32;
  // With a small media-check waiting room (no room to queue, a short wait), a burst of
  // completions finds the checks busy: a finished upload waits for a slot, never drops its
  // acknowledged bytes.
  auto& probes = media::MediaProbeLimiter();
  const auto limits = probes.limits();
  probes.SetLimits({1, 0, std::chrono::milliseconds(50)});
  const std::string ok = Read("ok.mp4");
  const int64_t version = up_.Get(Url()).Json()["version"];
  std::vector<int> lesson_status(kClients), form_status(kClients);
  {
    std::vector<std::thread> threads;
    for (int i = 0; i < kClients; ++i) {
      threads.emplace_back([&, i] {
        Client c = up_;  // the same session from 32 connections
        lesson_status[i] =
            UploadLesson(c, ok, "l" + std::to_string(i) + ".mp4", "课时" + std::to_string(i)).status;
      });
    }
    for (auto& t : threads) t.join();
  }
  probes.SetLimits(limits);
  const int64_t college =
      (*server_.ctx().db->QueryOne("SELECT id FROM orgs WHERE name = ?",
                                   {std::string("岭南示范职业技术学院（演示）")}))
          ->Int(0);
  const std::string pdf = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\nstartxref\n9\n%%EOF\n";
  {
    std::vector<std::thread> threads;
    for (int i = 0; i < kClients; ++i) {
      threads.emplace_back([&, i] {
        Client c = up_;
        form_status[i] =
            c.Request("POST",
                      "/api/v1/orgs/" + std::to_string(college) + "/registration-form?filename=" +
                          text::PercentEncode("登记表" + std::to_string(i) + ".pdf"),
                      pdf, {{"Content-Type", "application/pdf"}, {"X-CSRF-Token", c.csrf}})
                .status;
      });
    }
    for (auto& t : threads) t.join();
  }
  for (int i = 0; i < kClients; ++i) {
    EXPECT_EQ(lesson_status[i], 204) << "lesson " << i;
    EXPECT_EQ(form_status[i], 201) << "form " << i;
  }
  json list = Lessons(up_);
  ASSERT_EQ(list["items"].size(), static_cast<size_t>(kClients));
  std::set<std::string> titles;
  for (size_t i = 0; i < list["items"].size(); ++i) {
    EXPECT_EQ(list["items"][i]["position"], static_cast<int64_t>(i + 1));
    titles.insert(list["items"][i]["title"].get<std::string>());
  }
  EXPECT_EQ(titles.size(), static_cast<size_t>(kClients));
  EXPECT_EQ(list["version"], version + kClients);  // one bump per lesson, none lost
  EXPECT_EQ((*server_.ctx().db->QueryOne(
                 "SELECT COUNT(*) FROM org_registration_forms WHERE org_id = ?", {college}))
                ->Int(0),
            kClients);
}

}  // namespace
}  // namespace lep::testing
