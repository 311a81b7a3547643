// Notifications, deadline reminders and scheduled batch publication over HTTP, with the
// server's FakeClock driving the background round (ReviewJobs::RunOnce).
#include <gtest/gtest.h>

#include "core/date.h"
#include "integration/server_fixture.h"

namespace lep::testing {
namespace {

using nlohmann::json;

const json kChecklist = {
    {"ideology", true}, {"copyright", true}, {"secrecy", true}, {"science", true}};

int64_t Beijing(const char* date, int h = 0, int m = 0, int s = 0) {
  return ShanghaiMidnightMs(*ParseIsoDate(date)) + ((h * 60 + m) * 60 + s) * 1000LL;
}

class ReviewNotifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.clock().SetMs(Beijing("2022-05-10", 8));
    ASSERT_EQ(admin_.Login("nou_admin").status, 200);
    auto c = admin_.Send("POST", "/api/v1/campaigns",
                         {{"name", "2022年终身教育数字化学习资源征集"},
                          {"year", 2022},
                          {"contact_deadline", "2022-05-12"},
                          {"submission_deadline", "2022-05-15"},
                          {"first_review_deadline", "2022-05-22"},
                          {"final_review_deadline", "2022-05-31"}});
    ASSERT_EQ(c.status, 201) << c.body;
    campaign_id_ = c.Json()["id"];
    ASSERT_EQ(uploader_.Login("gd_uploader").status, 200);
    ASSERT_EQ(gd_.Login("gd_reviewer").status, 200);
    ASSERT_EQ(nou_.Login("nou_reviewer").status, 200);
  }

  int64_t ReadyResource(const std::string& title) {
    auto r = uploader_.Send("POST", "/api/v1/resources",
                            {{"title", title},
                             {"type", "A01"},
                             {"domain", "老年教育"},
                             {"summary", "示例简介"},
                             {"copyright_holder", "演示学院"},
                             {"presenters", "张演示"}});
    EXPECT_EQ(r.status, 201) << r.body;
    int64_t id = r.Json()["id"];
    auto& db = *server_.ctx().db;
    EXPECT_TRUE(
        db.Exec("UPDATE resources SET cover_blob = ?, cover_thumb_blob = ?, "
                "cover_width = 640, cover_height = 360 WHERE id = ?",
                {std::string(32, 'a'), std::string(32, 'b'), id}));
    EXPECT_TRUE(
        db.Exec("INSERT INTO media (resource_id, blob, sha256, size, filename, kind, "
                "passed, created_at) VALUES (?, ?, 'x', 1, 'a.mp4', 'video', 1, 0)",
                {id, std::string(32, 'c')}));
    return id;
  }

  std::string Url(int64_t id, const std::string& tail) {
    return "/api/v1/resources/" + std::to_string(id) + tail;
  }

  void Approved(int64_t id) {
    ASSERT_EQ(uploader_.Send("POST", Url(id, "/submit"), {{"attestation", true}}).status, 200);
    ASSERT_EQ(
        gd_.Send("POST", Url(id, "/review"), {{"action", "approve"}, {"checklist", kChecklist}})
            .status,
        200);
    ASSERT_EQ(
        nou_.Send("POST", Url(id, "/review"), {{"action", "approve"}, {"checklist", kChecklist}})
            .status,
        200);
  }

  json Inbox(Client& c, const std::string& query = "") {
    auto r = c.Get("/api/v1/me/notifications" + query);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json();
  }

  std::vector<std::string> Kinds(Client& c) {
    std::vector<std::string> out;
    json inbox = Inbox(c);
    for (const auto& n : inbox["items"]) out.push_back(n["kind"]);
    return out;
  }

  int64_t Count(const std::string& sql, const std::vector<storage::Value>& params = {}) {
    auto r = server_.ctx().db->QueryOne(sql, params);
    EXPECT_TRUE(r && *r);
    return (*r)->Int(0);
  }

  review::ReviewJobs::Round Tick() { return server_.ctx().review_jobs->RunOnce(); }

  // Sessions idle out after 30 minutes of (fake) time: sign in again after a jump.
  void Relogin() {
    ASSERT_EQ(admin_.Login("nou_admin").status, 200);
    ASSERT_EQ(uploader_.Login("gd_uploader").status, 200);
    ASSERT_EQ(gd_.Login("gd_reviewer").status, 200);
    ASSERT_EQ(nou_.Login("nou_reviewer").status, 200);
  }

  TestServer server_;
  Client admin_{server_.port()};
  Client uploader_{server_.port()};
  Client gd_{server_.port()};
  Client nou_{server_.port()};
  int64_t campaign_id_ = 0;
};

TEST_F(ReviewNotifyTest, EachStepTellsWhoMustActNext) {
  int64_t id = ReadyResource("太极拳入门");
  ASSERT_EQ(uploader_.Send("POST", Url(id, "/submit"), {{"attestation", true}}).status, 200);
  // The province's reviewer has it in their queue; NOU not yet; the uploader hears nothing.
  json gd_inbox = Inbox(gd_);
  ASSERT_EQ(gd_inbox["items"].size(), 1u) << gd_inbox.dump();
  EXPECT_EQ(gd_inbox["unread"], 1);
  const json& queued = gd_inbox["items"][0];
  EXPECT_EQ(queued["kind"], "queued");
  EXPECT_EQ(queued["resource_id"], id);
  EXPECT_TRUE(queued["read_at"].is_null());
  EXPECT_NE(queued["title"].get<std::string>().find("太极拳入门"), std::string::npos);
  EXPECT_NE(queued["body"].get<std::string>().find("2022-05-22"), std::string::npos);
  EXPECT_EQ(queued["created_at"], Beijing("2022-05-10", 8));
  EXPECT_TRUE(Inbox(nou_)["items"].empty());
  EXPECT_TRUE(Inbox(uploader_)["items"].empty());

  ASSERT_EQ(gd_.Send("POST", Url(id, "/review"), {{"action", "approve"}, {"checklist", kChecklist}})
                .status,
            200);
  EXPECT_EQ(Kinds(nou_), (std::vector<std::string>{"queued"}));
  EXPECT_EQ(Kinds(gd_).size(), 1u);  // the approver is not told of their own decision

  auto returned =
      nou_.Send("POST", Url(id, "/review"), {{"action", "return"}, {"comment", "请补充字幕"}});
  ASSERT_EQ(returned.status, 200) << returned.body;
  json up = Inbox(uploader_);
  ASSERT_EQ(up["items"].size(), 1u);
  EXPECT_EQ(up["items"][0]["kind"], "returned");
  EXPECT_NE(up["items"][0]["body"].get<std::string>().find("请补充字幕"), std::string::npos);

  // 终审 asked for the changes: the resubmission goes straight back to 终审, and NOU's
  // reviewers see it in today's digest (one message, counted), not as a second message.
  ASSERT_EQ(uploader_.Send("POST", Url(id, "/submit"), {{"attestation", true}}).status, 200);
  EXPECT_EQ(Kinds(gd_), (std::vector<std::string>{"queued"}));
  json nou_inbox = Inbox(nou_);
  ASSERT_EQ(nou_inbox["items"].size(), 1u) << nou_inbox.dump();
  EXPECT_EQ(nou_inbox["items"][0]["title"], "待终审：今日新增 2 个资源");
  EXPECT_TRUE(nou_inbox["items"][0]["read_at"].is_null());
  ASSERT_EQ(
      nou_.Send("POST", Url(id, "/review"), {{"action", "approve"}, {"checklist", kChecklist}})
          .status,
      200);
  auto batch = admin_.Send("POST", "/api/v1/batches", {{"resource_ids", {id}}});
  ASSERT_EQ(batch.status, 201) << batch.body;
  ASSERT_EQ(
      admin_
          .Send("POST",
                "/api/v1/batches/" + std::to_string(batch.Json()["id"].get<int64_t>()) + "/publish",
                json::object())
          .status,
      200);
  up = Inbox(uploader_);
  EXPECT_EQ(Kinds(uploader_), (std::vector<std::string>{"published", "returned"}));
  EXPECT_NE(up["items"][0]["body"].get<std::string>().find("第1批"), std::string::npos);

  // A rejection reaches the uploader too.
  int64_t other = ReadyResource("不合格资源");
  ASSERT_EQ(uploader_.Send("POST", Url(other, "/submit"), {{"attestation", true}}).status, 200);
  ASSERT_EQ(gd_.Send("POST", Url(other, "/review"),
                     {{"action", "reject"}, {"comment", "内容与征集范围不符"}})
                .status,
            200);
  EXPECT_EQ(Kinds(uploader_), (std::vector<std::string>{"rejected", "published", "returned"}));
}

TEST_F(ReviewNotifyTest, OnlyTheOwnerReadsAndMarksNotifications) {
  int64_t a = ReadyResource("甲");
  int64_t b = ReadyResource("乙");
  int64_t c = ReadyResource("丙");
  // One submission a day: each day's queue is one digest notification.
  for (int64_t id : {a, b, c}) {
    ASSERT_EQ(uploader_.Send("POST", Url(id, "/submit"), {{"attestation", true}}).status, 200);
    server_.clock().Advance(std::chrono::hours(24));
    Relogin();
  }
  json inbox = Inbox(gd_);
  ASSERT_EQ(inbox["items"].size(), 3u);
  EXPECT_EQ(inbox["unread"], 3);
  int64_t newest = inbox["items"][0]["id"], middle = inbox["items"][1]["id"];
  EXPECT_GT(newest, middle);
  // Paging: newest first, before_id continues.
  json page = Inbox(gd_, "?limit=1");
  ASSERT_EQ(page["items"].size(), 1u);
  EXPECT_EQ(page["items"][0]["id"], newest);
  EXPECT_EQ(page["unread"], 3);
  json next = Inbox(gd_, "?limit=1&before_id=" + std::to_string(newest));
  EXPECT_EQ(next["items"][0]["id"], middle);
  EXPECT_EQ(gd_.Get("/api/v1/me/notifications?limit=abc").status, 400);
  EXPECT_EQ(gd_.Get("/api/v1/me/notifications?limit=1000").status, 400);

  // Somebody else's notification does not exist for them.
  std::string read_url = "/api/v1/me/notifications/" + std::to_string(newest) + "/read";
  EXPECT_EQ(uploader_.Send("POST", read_url, json::object()).status, 404);
  EXPECT_EQ(nou_.Send("POST", read_url, json::object()).status, 404);
  EXPECT_EQ(Inbox(gd_)["unread"], 3);
  EXPECT_EQ(gd_.Send("POST", "/api/v1/me/notifications/999999/read", json::object()).status, 404);
  // Without the CSRF header nothing changes.
  EXPECT_EQ(gd_.Request("POST", read_url, "{}").status, 403);

  server_.clock().Advance(std::chrono::minutes(5));
  const int64_t first_read = server_.clock().NowMs();
  EXPECT_EQ(gd_.Send("POST", read_url, json::object()).status, 204);
  server_.clock().Advance(std::chrono::minutes(5));
  EXPECT_EQ(gd_.Send("POST", read_url, json::object()).status, 204);  // idempotent
  inbox = Inbox(gd_);
  EXPECT_EQ(inbox["unread"], 2);
  EXPECT_EQ(inbox["items"][0]["read_at"], first_read);  // the first time kept
  json unread = Inbox(gd_, "?unread=1");
  ASSERT_EQ(unread["items"].size(), 2u);
  for (const auto& n : unread["items"]) EXPECT_TRUE(n["read_at"].is_null());

  EXPECT_EQ(uploader_.Send("POST", "/api/v1/me/notifications/read-all", json::object()).status,
            204);
  EXPECT_EQ(Inbox(gd_)["unread"], 2);  // someone else's read-all touches nothing of theirs
  EXPECT_EQ(gd_.Send("POST", "/api/v1/me/notifications/read-all", json::object()).status, 204);
  EXPECT_EQ(Inbox(gd_)["unread"], 0);
  EXPECT_TRUE(Inbox(gd_, "?unread=1")["items"].empty());

  Client anon(server_.port());
  EXPECT_EQ(anon.Get("/api/v1/me/notifications").status, 401);
}

TEST_F(ReviewNotifyTest, DeadlineRemindersOncePerUserDeadlineAndDays) {
  auto deadline_count = [&](const std::string& user) {
    return Count(
        "SELECT COUNT(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE "
        "u.username = ? AND n.kind = 'deadline'",
        {user});
  };
  // 05-10 08:00: contact (05-12) and submission (05-15) are within 7 days, the reviews not.
  auto first = Tick();
  EXPECT_GT(first.reminders_written, 0);
  EXPECT_EQ(deadline_count("gd_uploader"), 1);  // submission
  EXPECT_EQ(deadline_count("gd_admin"), 2);     // contact + submission
  EXPECT_EQ(deadline_count("gd_reviewer"), 0);
  EXPECT_EQ(deadline_count("nou_reviewer"), 0);
  EXPECT_EQ(deadline_count("nou_auditor"), 0);
  json up = Inbox(uploader_);
  ASSERT_EQ(up["items"].size(), 1u);
  EXPECT_EQ(up["items"][0]["kind"], "deadline");
  EXPECT_TRUE(up["items"][0]["resource_id"].is_null());
  EXPECT_EQ(up["items"][0]["title"], "截止提醒：资源提交截止还有 5 天");
  EXPECT_NE(up["items"][0]["body"].get<std::string>().find("2022-05-15"), std::string::npos);

  // Idempotent: more rounds the same day, or a second server, write nothing new.
  EXPECT_EQ(Tick().reminders_written, 0);
  server_.clock().SetMs(Beijing("2022-05-13", 23, 59, 59));
  EXPECT_EQ(Tick().reminders_written, 0);
  EXPECT_EQ(deadline_count("gd_uploader"), 1);
  // Midnight in Beijing (16:00 UTC) starts the day before the deadline: the 1-day reminder.
  server_.clock().SetMs(Beijing("2022-05-14"));
  EXPECT_GT(Tick().reminders_written, 0);
  EXPECT_EQ(deadline_count("gd_uploader"), 2);
  ASSERT_EQ(uploader_.Login("gd_uploader").status, 200);  // the session idled out meanwhile
  EXPECT_EQ(Inbox(uploader_)["items"][0]["title"], "截止提醒：资源提交截止还有 1 天");
  EXPECT_EQ(Tick().reminders_written, 0);

  // 05-15: the first-review deadline (05-22) is 7 days away — reviewers of provinces only.
  server_.clock().SetMs(Beijing("2022-05-15", 9));
  Tick();
  EXPECT_EQ(deadline_count("gd_reviewer"), 1);
  EXPECT_EQ(deadline_count("nou_reviewer"), 0);
  // 05-24: final review (05-31) in 7 days — NOU's reviewers and platform admins.
  server_.clock().SetMs(Beijing("2022-05-24", 9));
  Tick();
  EXPECT_EQ(deadline_count("nou_reviewer"), 1);
  EXPECT_EQ(deadline_count("nou_admin"), 1);
  EXPECT_EQ(deadline_count("gd_uploader"), 2);

  // An extended deadline brings fresh reminders.
  ASSERT_EQ(admin_.Login("nou_admin").status, 200);
  auto extended = admin_.Send("PUT", "/api/v1/campaigns/" + std::to_string(campaign_id_),
                              {{"name", "2022年终身教育数字化学习资源征集"},
                               {"year", 2022},
                               {"submission_deadline", "2022-05-30"}});
  ASSERT_EQ(extended.status, 200) << extended.body;
  Tick();
  EXPECT_EQ(deadline_count("gd_uploader"), 3);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM (SELECT user_id, dedup_key FROM notifications GROUP BY "
                  "user_id, dedup_key HAVING COUNT(*) > 1) d"),
            0);
}

TEST_F(ReviewNotifyTest, AScheduledBatchPublishesItselfWhenDue) {
  int64_t id = ReadyResource("定时发布的资源");
  Approved(id);
  int64_t now = server_.clock().NowMs();
  auto past =
      admin_.Send("POST", "/api/v1/batches", {{"resource_ids", {id}}, {"scheduled_at", now}});
  EXPECT_EQ(past.status, 400) << past.body;
  EXPECT_EQ(past.Json()["error"]["fields"][0]["field"], "scheduled_at");
  EXPECT_EQ(
      admin_.Send("POST", "/api/v1/batches", {{"resource_ids", {id}}, {"scheduled_at", "明天"}})
          .status,
      400);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM batches"), 0);  // bad input changes nothing

  int64_t at = now + 3600 * 1000;
  auto created =
      admin_.Send("POST", "/api/v1/batches",
                  {{"name", "第一批（定时）"}, {"resource_ids", {id}}, {"scheduled_at", at}});
  ASSERT_EQ(created.status, 201) << created.body;
  int64_t batch = created.Json()["id"];
  EXPECT_EQ(created.Json()["state"], "scheduled");
  EXPECT_EQ(created.Json()["scheduled_at"], at);
  std::string burl = "/api/v1/batches/" + std::to_string(batch);

  // The preview lists its items.
  auto preview = admin_.Get(burl);
  ASSERT_EQ(preview.status, 200) << preview.body;
  json preview_body = preview.Json();
  ASSERT_EQ(preview_body["items"].size(), 1u);
  const json& item = preview_body["items"][0];
  EXPECT_EQ(item["id"], id);
  EXPECT_EQ(item["title"], "定时发布的资源");
  EXPECT_EQ(item["unit"], "岭南示范职业技术学院（演示）");
  EXPECT_EQ(item["domain"], "老年教育");
  EXPECT_EQ(item["type"], "A01");
  EXPECT_EQ(nou_.Get(burl).status, 200);
  EXPECT_EQ(uploader_.Get(burl).status, 403);
  EXPECT_EQ(admin_.Get("/api/v1/batches/99999").status, 404);

  // Its items can go into no other batch, nor be published on their own.
  auto again = admin_.Send("POST", "/api/v1/batches", {{"resource_ids", {id}}});
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_EQ(nou_.Send("POST", Url(id, "/review"), {{"action", "publish"}}).status, 409);

  // Not yet due: nothing happens. One hour later the background round publishes it.
  EXPECT_EQ(Tick().batches_published, 0);
  EXPECT_EQ(uploader_.Get(Url(id, "")).Json()["state"], "approved");
  server_.clock().SetMs(at);
  EXPECT_EQ(Tick().batches_published, 1);
  EXPECT_EQ(Tick().batches_published, 0);
  Relogin();
  EXPECT_EQ(uploader_.Get(Url(id, "")).Json()["state"], "published");
  json b = admin_.Get(burl).Json();
  EXPECT_EQ(b["state"], "published");
  EXPECT_EQ(b["published_at"], at);
  Client anon(server_.port());
  EXPECT_EQ(anon.Get("/api/v1/portal/resources/" + std::to_string(id)).status, 200);
  EXPECT_EQ(Kinds(uploader_)[0], "published");
  auto history = uploader_.Get(Url(id, "/history")).Json()["items"];
  EXPECT_EQ(history.back()["action"], "publish");
  EXPECT_EQ(history.back()["actor"], "nou_admin");  // as the account that scheduled it
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'batch.publish' AND detail LIKE ?",
                  {std::string("%定时发布%")}),
            1);
  // A published batch cannot be rescheduled.
  EXPECT_EQ(admin_.Send("PUT", burl, {{"scheduled_at", at + 1000000}}).status, 409);
}

TEST_F(ReviewNotifyTest, CancellingAScheduleKeepsTheBatchAsADraft) {
  int64_t id = ReadyResource("取消定时");
  Approved(id);
  int64_t at = server_.clock().NowMs() + 60'000;
  auto created =
      admin_.Send("POST", "/api/v1/batches", {{"resource_ids", {id}}, {"scheduled_at", at}});
  ASSERT_EQ(created.status, 201) << created.body;
  std::string burl = "/api/v1/batches/" + std::to_string(created.Json()["id"].get<int64_t>());
  EXPECT_EQ(uploader_.Send("PUT", burl, {{"scheduled_at", nullptr}}).status, 403);
  auto cancelled = admin_.Send("PUT", burl, {{"scheduled_at", nullptr}});
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(cancelled.Json()["state"], "draft");
  EXPECT_TRUE(cancelled.Json()["scheduled_at"].is_null());
  server_.clock().Advance(std::chrono::hours(1));
  EXPECT_EQ(Tick().batches_published, 0);
  Relogin();
  EXPECT_EQ(uploader_.Get(Url(id, "")).Json()["state"], "approved");

  // A draft batch does not hold its items: another batch may take them…
  auto other = admin_.Send("POST", "/api/v1/batches", {{"resource_ids", {id}}});
  ASSERT_EQ(other.status, 201) << other.body;
  // …but once the first is scheduled again, the other cannot publish them under it.
  int64_t later = server_.clock().NowMs() + 60'000;
  auto rescheduled =
      admin_.Send("PUT", burl, {{"scheduled_at", later}, {"name", "第一批（改期）"}});
  ASSERT_EQ(rescheduled.status, 200) << rescheduled.body;
  EXPECT_EQ(rescheduled.Json()["state"], "scheduled");
  EXPECT_EQ(rescheduled.Json()["name"], "第一批（改期）");
  auto publish_other = admin_.Send(
      "POST", "/api/v1/batches/" + std::to_string(other.Json()["id"].get<int64_t>()) + "/publish",
      json::object());
  EXPECT_EQ(publish_other.status, 409) << publish_other.body;
  EXPECT_EQ(uploader_.Get(Url(id, "")).Json()["state"], "approved");
  EXPECT_EQ(admin_.Send("PUT", burl, {{"scheduled_at", server_.clock().NowMs() - 1}}).status, 400);
  EXPECT_EQ(admin_.Send("PUT", burl, {{"name", ""}}).status, 400);
}

TEST_F(ReviewNotifyTest, AScheduledBatchThatCannotPublishFallsBackToDraft) {
  int64_t id = ReadyResource("状态已变");
  Approved(id);
  int64_t at = server_.clock().NowMs() + 60'000;
  auto created =
      admin_.Send("POST", "/api/v1/batches", {{"resource_ids", {id}}, {"scheduled_at", at}});
  ASSERT_EQ(created.status, 201);
  ASSERT_TRUE(server_.ctx().db->Exec("UPDATE resources SET state = 'returned' WHERE id = ?", {id}));
  server_.clock().SetMs(at);
  EXPECT_EQ(Tick().batches_published, 0);
  Relogin();
  json b =
      admin_.Get("/api/v1/batches/" + std::to_string(created.Json()["id"].get<int64_t>())).Json();
  EXPECT_EQ(b["state"], "draft");
  EXPECT_EQ(
      Count("SELECT COUNT(*) FROM audit_log WHERE action = 'batch.publish' AND result = 'failed'"),
      1);
  EXPECT_EQ(uploader_.Get(Url(id, "")).Json()["state"], "returned");
}

}  // namespace
}  // namespace lep::testing
