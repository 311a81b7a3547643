// The review workflow over HTTP: a 广东 college resource through 广东省教育厅 and NOU into a
// published batch, with the refusals the notice implies.
#include <gtest/gtest.h>

#include <map>

#include "integration/server_fixture.h"
#include "security/audit_chain.h"

namespace lep::testing {
namespace {

using nlohmann::json;

const json kChecklist = {{"ideology", true}, {"copyright", true}, {"secrecy", true},
                         {"science", true}};

class ReviewApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.clock().SetMs(1652140800000);  // 2022-05-10 08:00 Beijing
    ASSERT_EQ(admin_.Login("nou_admin").status, 200);
    auto c = admin_.Send("POST", "/api/v1/campaigns",
                         {{"name", "2022年终身教育数字化学习资源征集"},
                          {"year", 2022},
                          {"submission_deadline", "2022-05-15"},
                          {"first_review_deadline", "2022-05-22"}});
    ASSERT_EQ(c.status, 201) << c.body;
    campaign_id_ = c.Json()["id"];
    ASSERT_EQ(uploader_.Login("gd_uploader").status, 200);
  }

  // A draft with everything a submission needs (cover and a passing media report are set
  // directly: their own paths are tested in uploads_api_test).
  int64_t ReadyResource(const std::string& title) {
    auto r = uploader_.Send("POST", "/api/v1/resources",
                            {{"title", title}, {"type", "A01"}, {"domain", "老年教育"},
                             {"summary", "示例简介"}, {"copyright_holder", "演示学院"},
                             {"presenters", "张演示"}});
    EXPECT_EQ(r.status, 201) << r.body;
    int64_t id = r.Json()["id"];
    auto& db = *server_.ctx().db;
    EXPECT_TRUE(db.Exec("UPDATE resources SET cover_blob = ?, cover_thumb_blob = ?, "
                        "cover_width = 640, cover_height = 360 WHERE id = ?",
                        {std::string(32, 'a'), std::string(32, 'b'), id}));
    EXPECT_TRUE(db.Exec("INSERT INTO media (resource_id, blob, sha256, size, filename, kind, "
                        "passed, created_at) VALUES (?, ?, 'x', 1, 'a.mp4', 'video', 1, 0)",
                        {id, std::string(32, 'c')}));
    return id;
  }

  std::string Url(int64_t id, const std::string& tail) {
    return "/api/v1/resources/" + std::to_string(id) + tail;
  }

  TestServer server_;
  Client admin_{server_.port()};
  Client uploader_{server_.port()};
  int64_t campaign_id_ = 0;
};

TEST_F(ReviewApiTest, ACollegeResourceGoesThroughBothLevelsIntoABatch) {
  int64_t id = ReadyResource("太极拳入门");
  auto no_attest = uploader_.Send("POST", Url(id, "/submit"), json::object());
  ASSERT_EQ(no_attest.status, 400) << no_attest.body;
  auto submitted = uploader_.Send("POST", Url(id, "/submit"), {{"attestation", true}});
  ASSERT_EQ(submitted.status, 200) << submitted.body;
  EXPECT_EQ(submitted.Json()["state"], "first_review");
  EXPECT_EQ(uploader_.Send("PUT", Url(id, ""), {{"title", "改"}}).status, 409);  // locked

  // Another province cannot even see it.
  Client bj(server_.port());
  bj.Login("bj_admin");
  ASSERT_EQ(bj.Send("POST", "/api/v1/orgs/" +
                                std::to_string(bj.Get("/api/v1/me").Json()["user"]["org_id"]
                                                   .get<int64_t>()) +
                                "/users",
                    {{"username", "bj_reviewer"}, {"password", "Review#2022"}, {"role", "reviewer"}})
                .status,
            201);
  Client bj_reviewer(server_.port());
  ASSERT_EQ(bj_reviewer.Login("bj_reviewer", "Review#2022").status, 200);
  EXPECT_EQ(bj_reviewer.Send("POST", Url(id, "/review"),
                             {{"action", "approve"}, {"checklist", kChecklist}})
                .status,
            404);

  // NOU cannot skip the province.
  Client nou(server_.port());
  nou.Login("nou_reviewer");
  auto skip = nou.Send("POST", Url(id, "/review"), {{"action", "approve"}, {"checklist", kChecklist}});
  EXPECT_EQ(skip.status, 409);

  // The province reviewer: checklist required; two racing approvals → one wins.
  Client gd(server_.port());
  gd.Login("gd_reviewer");
  auto queue = gd.Get("/api/v1/reviews/queue").Json();
  ASSERT_EQ(queue["total"], 1);
  auto unticked = gd.Send("POST", Url(id, "/review"), {{"action", "approve"}});
  EXPECT_EQ(unticked.status, 400);
  int64_t version = gd.Get(Url(id, "")).Json()["version"];
  auto first = gd.Send("POST", Url(id, "/review"),
                       {{"action", "approve"}, {"checklist", kChecklist}, {"version", version}});
  auto second = gd.Send("POST", Url(id, "/review"),
                        {{"action", "approve"}, {"checklist", kChecklist}, {"version", version}});
  EXPECT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.Json()["state"], "final_review");
  EXPECT_EQ(second.status, 409);

  // NOU: return needs a comment; approve; batch; publish.
  EXPECT_EQ(nou.Send("POST", Url(id, "/review"), {{"action", "return"}}).status, 400);
  auto approved = nou.Send("POST", Url(id, "/review"), {{"action", "approve"}, {"checklist", kChecklist}});
  ASSERT_EQ(approved.status, 200) << approved.body;
  EXPECT_EQ(approved.Json()["state"], "approved");
  EXPECT_EQ(uploader_.Send("POST", "/api/v1/batches", {{"resource_ids", {id}}}).status, 403);
  auto batch = admin_.Send("POST", "/api/v1/batches", {{"resource_ids", {id}}});
  ASSERT_EQ(batch.status, 201) << batch.body;
  EXPECT_EQ(batch.Json()["name"], "");
  EXPECT_TRUE(batch.Json()["number"].is_null()) << "numbered at publication";
  auto published = admin_.Send("POST", "/api/v1/batches/" + std::to_string(batch.Json()["id"].get<int64_t>()) + "/publish", json::object());
  ASSERT_EQ(published.status, 200) << published.body;
  EXPECT_EQ(published.Json()["name"], "第1批");
  EXPECT_EQ(published.Json()["number"], 1);
  EXPECT_EQ(uploader_.Get(Url(id, "")).Json()["state"], "published");

  auto history = uploader_.Get(Url(id, "/history")).Json()["items"];
  std::vector<std::string> actions;
  for (const auto& h : history) actions.push_back(h["action"]);
  EXPECT_EQ(actions, (std::vector<std::string>{"submit", "approve", "approve", "publish"}));
  EXPECT_EQ(history[1]["unit"], "广东省教育厅");
  EXPECT_NE(history[1]["checklist"].get<std::string>().find("版权与知识产权"), std::string::npos);
  auto audit = server_.ctx().db->QueryOne(
      "SELECT COUNT(*) FROM audit_log WHERE object = ? AND action LIKE 'review.%'",
      {"resource:" + std::to_string(id)});
  EXPECT_EQ((*audit)->Int(0), 3);  // submit + two approvals (publish is audited per batch)

  // The audit log is a hash chain: it verifies, and an edit by SQL is found at its row.
  auto clean = security::VerifyChain(*server_.ctx().db);
  ASSERT_TRUE(clean);
  EXPECT_TRUE(clean->ok) << clean->reason;
  EXPECT_GE(clean->rows_checked, 5);
  auto victim = server_.ctx().db->QueryOne("SELECT MIN(id) FROM audit_log WHERE object = ?",
                                           {"resource:" + std::to_string(id)});
  int64_t victim_id = (*victim)->Int(0);
  ASSERT_TRUE(server_.ctx().db->Exec("UPDATE audit_log SET detail = 'forged' WHERE id = ?",
                                     {victim_id}));
  auto tampered = security::VerifyChain(*server_.ctx().db);
  ASSERT_TRUE(tampered);
  EXPECT_FALSE(tampered->ok);
  EXPECT_EQ(tampered->broken_id, victim_id);
  ASSERT_TRUE(server_.ctx().db->Exec("DELETE FROM audit_log WHERE id >= ?", {victim_id}));

  // The public detail page, cached and served from memory after its first read ...
  Client anon(server_.port());
  const std::string detail = "/api/v1/portal/resources/" + std::to_string(id);
  ASSERT_EQ(anon.Get(detail).status, 200);
  ASSERT_EQ(anon.Get(detail).status, 200);
  // Withdraw needs a reason and a platform admin.
  EXPECT_EQ(admin_.Send("POST", Url(id, "/withdraw"), json::object()).status, 400);
  auto withdrawn = admin_.Send("POST", Url(id, "/withdraw"), {{"reason", "版权到期"}});
  EXPECT_EQ(withdrawn.status, 200) << withdrawn.body;
  EXPECT_EQ(withdrawn.Json()["state"], "withdrawn");
  // ... is gone the moment the withdrawal is answered.
  EXPECT_EQ(anon.Get(detail).status, 404);
}

TEST_F(ReviewApiTest, SubmittingAfterTheDeadlineNamesTheDate) {
  int64_t id = ReadyResource("逾期提交");
  server_.clock().SetMs(1652716800000);  // 2022-05-17 00:00 Beijing
  ASSERT_EQ(uploader_.Login("gd_uploader").status, 200);
  auto late = uploader_.Send("POST", Url(id, "/submit"), {{"attestation", true}});
  EXPECT_EQ(late.status, 409);
  EXPECT_NE(late.Json()["error"]["message"].get<std::string>().find("2022-05-15"),
            std::string::npos)
      << late.body;
  // The platform extends the deadline; then it goes through.
  ASSERT_EQ(admin_.Login("nou_admin").status, 200);
  auto extended = admin_.Send("PUT", "/api/v1/campaigns/" + std::to_string(campaign_id_),
                              {{"name", "2022年终身教育数字化学习资源征集"}, {"year", 2022},
                               {"submission_deadline", "2022-05-20"}});
  ASSERT_EQ(extended.status, 200) << extended.body;
  EXPECT_EQ(uploader_.Send("POST", Url(id, "/submit"), {{"attestation", true}}).status, 200);
}

TEST_F(ReviewApiTest, SensitiveWordsAreShownToReviewers) {
  auto r = uploader_.Send("POST", "/api/v1/resources",
                          {{"title", "反賭博宣传"}, {"type", "A01"}, {"domain", "社区教育"},
                           {"summary", "远离ＡＢＣ演示敏感词"}, {"copyright_holder", "演示学院"},
                           {"presenters", "张演示"}});
  ASSERT_EQ(r.status, 201);
  Client gd(server_.port());
  gd.Login("gd_reviewer");
  auto hits = gd.Get(Url(r.Json()["id"], "/screening")).Json();
  ASSERT_GE(hits["count"].get<int>(), 2) << hits.dump();
  EXPECT_EQ(hits["hits"][0]["field"], "title");
  EXPECT_EQ(hits["hits"][0]["matched"], "賭博");
  EXPECT_EQ(hits["hits"][0]["position"], 1);
  Client sec(server_.port());
  sec.Login("nou_security");
  EXPECT_EQ(sec.Send("PUT", "/api/v1/sensitive-words", {{"words", {"演示", "太极"}}}).status, 200);
  EXPECT_EQ(gd.Send("PUT", "/api/v1/sensitive-words", {{"words", {"x"}}}).status, 403);
}

}  // namespace
}  // namespace lep::testing

namespace lep::testing {
namespace {

// Online courses (A03): the link is checked on submission (through the SSRF-safe checker,
// allowed to reach this loopback server only by the test allow-list) and the result stored.
TEST_F(ReviewApiTest, OnlineCourseLinksAreCheckedAndRecorded) {
  auto make = [&](const std::string& title, const std::string& link) {
    auto r = uploader_.Send("POST", "/api/v1/resources",
                            {{"title", title}, {"type", "A03"}, {"domain", "学历继续教育"},
                             {"summary", "在线课程"}, {"copyright_holder", "演示学院"},
                             {"presenters", "张演示"}, {"platform", "演示平台"}, {"link", link}});
    EXPECT_EQ(r.status, 201) << r.body;
    int64_t id = r.Json()["id"];
    EXPECT_TRUE(server_.ctx().db->Exec(
        "UPDATE resources SET cover_blob = ?, cover_thumb_blob = ? WHERE id = ?",
        {std::string(32, 'a'), std::string(32, 'b'), id}));
    return id;
  };
  auto run_jobs = [&] {
    while (server_.ctx().job_runner->RunOnce()) {
    }
  };
  std::string base = "http://127.0.0.1:" + std::to_string(server_.port());
  int64_t ok = make("可访问的课程", base + "/healthz");
  // No stored check of the link yet: the decision fetches nothing, queues a check and asks
  // to wait; the resource stays a draft.
  auto early = uploader_.Send("POST", Url(ok, "/submit"), {{"attestation", true}});
  EXPECT_EQ(early.status, 400) << early.body;
  EXPECT_EQ(early.Json()["error"]["message"], "正在检测课程链接，请稍候几秒后再提交");
  EXPECT_EQ(early.Json()["error"]["fields"][0]["field"], "link");
  EXPECT_TRUE(uploader_.Get(Url(ok, "/link-check")).Json()["link_check"].is_null());
  EXPECT_EQ(uploader_.Get(Url(ok, "")).Json()["state"], "draft");
  run_jobs();  // the background check
  auto check = uploader_.Get(Url(ok, "/link-check")).Json()["link_check"];
  EXPECT_EQ(check["reachable"], true);
  EXPECT_EQ(check["status"], 200);
  auto submitted = uploader_.Send("POST", Url(ok, "/submit"), {{"attestation", true}});
  ASSERT_EQ(submitted.status, 200) << submitted.body;
  EXPECT_EQ(submitted.Json()["state"], "first_review");

  int64_t bad = make("打不开的课程", "http://127.0.0.1:1/course");
  EXPECT_EQ(uploader_.Send("POST", Url(bad, "/submit"), {{"attestation", true}}).status, 400);
  run_jobs();
  auto refused = uploader_.Send("POST", Url(bad, "/submit"), {{"attestation", true}});
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(refused.Json()["error"]["message"], "提交条件不满足");
  EXPECT_EQ(refused.Json()["error"]["fields"][0]["message"], "资源链接无法访问或尚未检测");
  auto bad_check = uploader_.Get(Url(bad, "/link-check")).Json()["link_check"];
  EXPECT_EQ(bad_check["reachable"], false);
  EXPECT_FALSE(bad_check["error"].get<std::string>().empty());
  EXPECT_EQ(uploader_.Get(Url(bad, "")).Json()["state"], "draft");
}

// "Checked on submit": a check older than an hour is renewed before the submission goes on.
TEST_F(ReviewApiTest, AnOldLinkCheckIsRenewedBeforeSubmission) {
  auto r = uploader_.Send("POST", "/api/v1/resources",
                          {{"title", "隔夜的课程"}, {"type", "A03"}, {"domain", "学历继续教育"},
                           {"summary", "在线课程"}, {"copyright_holder", "演示学院"},
                           {"presenters", "张演示"}, {"platform", "演示平台"},
                           {"link", "http://127.0.0.1:" + std::to_string(server_.port()) +
                                        "/healthz"}});
  ASSERT_EQ(r.status, 201) << r.body;
  int64_t id = r.Json()["id"];
  ASSERT_TRUE(server_.ctx().db->Exec(
      "UPDATE resources SET cover_blob = ?, cover_thumb_blob = ? WHERE id = ?",
      {std::string(32, 'a'), std::string(32, 'b'), id}));
  auto submit = [&] { return uploader_.Send("POST", Url(id, "/submit"), {{"attestation", true}}); };
  EXPECT_EQ(submit().status, 400);
  while (server_.ctx().job_runner->RunOnce()) {
  }
  server_.clock().Advance(std::chrono::hours(2));  // same day, still before the deadline
  ASSERT_EQ(uploader_.Login("gd_uploader").status, 200);  // the session idled out meanwhile
  auto stale = submit();
  EXPECT_EQ(stale.status, 400) << stale.body;
  EXPECT_EQ(stale.Json()["error"]["message"], "正在检测课程链接，请稍候几秒后再提交");
  while (server_.ctx().job_runner->RunOnce()) {
  }
  auto fresh = submit();
  EXPECT_EQ(fresh.status, 200) << fresh.body;
}

}  // namespace
}  // namespace lep::testing

namespace lep::testing {
namespace {

// Stored metadata is re-validated at submission: a category that no longer exists blocks it.
TEST_F(ReviewApiTest, SubmissionRevalidatesStoredMetadata) {
  int64_t id = ReadyResource("分类已失效");
  ASSERT_TRUE(server_.ctx().db->Exec("UPDATE resources SET category = '已删除的分类' WHERE id = ?",
                                     {id}));
  auto r = uploader_.Send("POST", Url(id, "/submit"), {{"attestation", true}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(uploader_.Get(Url(id, "")).Json()["state"], "draft");
}

// Issue 19 item 4: the console list carries the technical check's verdict (null before any
// check) and the last return comment, so the uploader's list needs no read per row.
TEST_F(ReviewApiTest, TheResourceListShowsTheCheckVerdictAndTheReturnComment) {
  int64_t checked = ReadyResource("已检测");
  auto unchecked = uploader_.Send("POST", "/api/v1/resources",
                                  {{"title", "未上传"}, {"type", "A02"}, {"domain", "社区教育"},
                                   {"summary", "简介"}, {"copyright_holder", "演示学院"},
                                   {"presenters", "李演示"}});
  ASSERT_EQ(unchecked.status, 201);
  int64_t failing = ReadyResource("未通过");
  ASSERT_TRUE(server_.ctx().db->Exec("UPDATE media SET passed = 0 WHERE resource_id = ?",
                                     {failing}));
  ASSERT_EQ(uploader_.Send("POST", Url(checked, "/submit"), {{"attestation", true}}).status, 200);
  Client gd{server_.port()};
  ASSERT_EQ(gd.Login("gd_reviewer").status, 200);
  auto back = gd.Send("POST", Url(checked, "/review"),
                      {{"action", "return"}, {"comment", "第二节声音偏小，请重新录制"}});
  ASSERT_EQ(back.status, 200) << back.body;

  auto list = uploader_.Get("/api/v1/resources?page_size=50");
  ASSERT_EQ(list.status, 200);
  std::map<int64_t, json> by_id;
  const json listed = list.Json();
  for (const auto& item : listed["items"]) by_id[item["id"].get<int64_t>()] = item;
  EXPECT_EQ(by_id.at(checked)["check_passed"], true);
  EXPECT_EQ(by_id.at(checked)["review_comment"], "第二节声音偏小，请重新录制");
  EXPECT_TRUE(by_id.at(unchecked.Json()["id"].get<int64_t>())["check_passed"].is_null());
  EXPECT_EQ(by_id.at(failing)["check_passed"], false);
  EXPECT_FALSE(by_id.at(failing).contains("review_comment"));
  // The detail page says the same; a unit outside the subtree still sees nothing.
  auto detail = uploader_.Get(Url(checked, ""));
  EXPECT_EQ(detail.Json()["review_comment"], "第二节声音偏小，请重新录制");
  Client bj{server_.port()};
  ASSERT_EQ(bj.Login("bj_admin").status, 200);
  EXPECT_EQ(bj.Get(Url(checked, "")).status, 404);
}

// Issue 17 §2 over HTTP: dates with a time of day, their order, a province's internal deadline,
// the campaign on the resource and the resubmission window of a returned item.
TEST_F(ReviewApiTest, TheDeadlineModelOfTheNotice) {
  const std::string campaign_url = "/api/v1/campaigns/" + std::to_string(campaign_id_);
  auto bad = admin_.Send("PUT", campaign_url,
                         {{"name", "2022年终身教育数字化学习资源征集"}, {"year", 2022},
                          {"starts", "2022-05-16"}, {"submission_deadline", "2022-05-15"},
                          {"first_review_deadline", "2022-05-22 25:00"}});
  ASSERT_EQ(bad.status, 400) << bad.body;
  std::vector<std::string> fields;
  const json bad_body = bad.Json();
  for (const auto& f : bad_body["error"]["fields"]) fields.push_back(f["field"]);
  EXPECT_EQ(fields, (std::vector<std::string>{"first_review_deadline", "submission_deadline"}));
  auto saved = admin_.Send("PUT", campaign_url,
                           {{"name", "2022年终身教育数字化学习资源征集"}, {"year", 2022},
                            {"starts", "2022-04-20"}, {"submission_deadline", "2022-05-15"},
                            {"first_review_deadline", "2022-05-22 18:00"}});
  ASSERT_EQ(saved.status, 200) << saved.body;
  EXPECT_EQ(saved.Json()["first_review_deadline_at"], 1653213600000);  // 05-22 18:00 +08:00
  EXPECT_EQ(saved.Json()["submission_deadline_at"], 1652630400000);    // 05-16 00:00 +08:00
  auto listed = uploader_.Get("/api/v1/campaigns").Json();
  EXPECT_EQ(listed["items"][0]["open"], true);

  // 广东省教育厅 closes earlier for its colleges (not later than the campaign).
  Client gd_admin{server_.port()};
  ASSERT_EQ(gd_admin.Login("gd_admin").status, 200);
  int64_t gd_org = gd_admin.Get("/api/v1/me").Json()["user"]["org_id"];
  const std::string unit_url = campaign_url + "/unit-deadlines/" + std::to_string(gd_org);
  EXPECT_EQ(gd_admin.Send("PUT", unit_url, {{"submission_deadline", "2022-05-16"}}).status, 400);
  EXPECT_EQ(uploader_.Send("PUT", unit_url, {{"submission_deadline", "2022-05-09"}}).status, 404);
  auto set = gd_admin.Send("PUT", unit_url, {{"submission_deadline", "2022-05-12T12:00"}});
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(set.Json()["submission_deadline"], "2022-05-12 12:00");
  EXPECT_EQ(uploader_.Get(campaign_url + "/unit-deadlines").Json()["items"].size(), 1u);

  int64_t returned = ReadyResource("退回后重交");
  auto submitted = uploader_.Send("POST", Url(returned, "/submit"), {{"attestation", true}});
  ASSERT_EQ(submitted.status, 200) << submitted.body;
  EXPECT_EQ(submitted.Json()["campaign_id"], campaign_id_);
  int64_t late = ReadyResource("省内截止后");
  EXPECT_TRUE(uploader_.Get(Url(late, "")).Json()["campaign_id"].is_null());
  server_.clock().SetMs(1652329200000);  // 2022-05-12 12:20 Beijing
  ASSERT_EQ(uploader_.Login("gd_uploader").status, 200);
  auto refused = uploader_.Send("POST", Url(late, "/submit"), {{"attestation", true}});
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(refused.Json()["error"]["message"],
            "本省（初审单位）规定的提交截止时间 2022-05-12 12:00 已过");

  // Returned after the upload deadline, it may come back until the first-review deadline.
  server_.clock().SetMs(1652745600000);  // 2022-05-17 08:00 Beijing
  Client gd{server_.port()};
  ASSERT_EQ(gd.Login("gd_reviewer").status, 200);
  ASSERT_EQ(uploader_.Login("gd_uploader").status, 200);
  ASSERT_EQ(gd.Send("POST", Url(returned, "/review"), {{"action", "return"}, {"comment", "补字幕"}})
                .status,
            200);
  auto history = uploader_.Get(Url(returned, "/history")).Json();
  ASSERT_EQ(history["allowed_actions"].size(), 1u);
  EXPECT_EQ(history["allowed_actions"][0]["action"], "submit");
  auto again = uploader_.Send("POST", Url(returned, "/submit"), {{"attestation", true}});
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.Json()["state"], "first_review");
  // NOU's queue names the province of each item.
  ASSERT_EQ(gd.Send("POST", Url(returned, "/review"),
                    {{"action", "approve"}, {"checklist", kChecklist}})
                .status,
            200);
  Client nou{server_.port()};
  ASSERT_EQ(nou.Login("nou_reviewer").status, 200);
  auto queue = nou.Get("/api/v1/reviews/queue").Json();
  ASSERT_EQ(queue["items"].size(), 1u) << queue.dump();
  EXPECT_EQ(queue["items"][0]["province"], "广东省教育厅");
  EXPECT_NE(queue["items"][0]["org_name"], "广东省教育厅");
}

TEST_F(ReviewApiTest, DraftBatchesChangeOrGoAndAreNumberedWhenPublished) {
  Client nou{server_.port()};
  ASSERT_EQ(nou.Login("nou_reviewer").status, 200);
  Client gd{server_.port()};
  ASSERT_EQ(gd.Login("gd_reviewer").status, 200);
  std::vector<int64_t> ids;
  for (const char* title : {"甲", "乙"}) {
    int64_t id = ReadyResource(title);
    ASSERT_EQ(uploader_.Send("POST", Url(id, "/submit"), {{"attestation", true}}).status, 200);
    for (Client* c : {&gd, &nou}) {
      ASSERT_EQ(c->Send("POST", Url(id, "/review"), {{"action", "approve"}, {"checklist", kChecklist}})
                    .status,
                200);
    }
    ids.push_back(id);
  }
  auto draft = admin_.Send("POST", "/api/v1/batches", {{"resource_ids", {ids[0]}}});
  ASSERT_EQ(draft.status, 201) << draft.body;
  EXPECT_TRUE(draft.Json()["number"].is_null());
  const std::string url = "/api/v1/batches/" + std::to_string(draft.Json()["id"].get<int64_t>());
  EXPECT_EQ(admin_.Send("PUT", url, {{"resource_ids", "x"}}).status, 400);
  auto changed = admin_.Send("PUT", url, {{"resource_ids", {ids[0], ids[1]}}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.Json()["resource_ids"].size(), 2u);
  EXPECT_EQ(uploader_.Send("DELETE", url, json::object()).status, 403);
  auto deleted = admin_.Send("DELETE", url, json::object());
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(admin_.Get(url).status, 404);
  auto real = admin_.Send("POST", "/api/v1/batches", {{"resource_ids", ids}});
  ASSERT_EQ(real.status, 201);
  const std::string real_url = "/api/v1/batches/" + std::to_string(real.Json()["id"].get<int64_t>());
  auto published = admin_.Send("POST", real_url + "/publish", json::object());
  ASSERT_EQ(published.status, 200) << published.body;
  EXPECT_EQ(published.Json()["number"], 1) << "the deleted draft used up no number";
  EXPECT_EQ(published.Json()["name"], "第1批");
  EXPECT_EQ(admin_.Send("DELETE", real_url, json::object()).status, 409);
  EXPECT_EQ(uploader_.Get(Url(ids[0], "")).Json()["batch_id"], real.Json()["id"]);
}

TEST_F(ReviewApiTest, StatisticsCountResourcesInNoCampaign) {
  ReadyResource("未提交一");
  ReadyResource("未提交二");
  Client gd_admin{server_.port()};
  ASSERT_EQ(gd_admin.Login("gd_admin").status, 200);
  auto none = gd_admin.Get("/api/v1/stats/submissions?group=state&campaign_id=0");
  ASSERT_EQ(none.status, 200) << none.body;
  const json groups = none.Json()["groups"];
  ASSERT_EQ(groups.size(), 1u) << none.body;
  EXPECT_EQ(groups[0]["key"], "draft");
  EXPECT_EQ(groups[0]["count"], 2);
  // The campaign itself has none of them yet.
  auto campaign = gd_admin.Get("/api/v1/stats/submissions?group=state&campaign_id=" +
                               std::to_string(campaign_id_));
  EXPECT_TRUE(campaign.Json()["groups"].empty()) << campaign.body;
}


TEST_F(ReviewApiTest, BulkReturnWithOneCommentReportsEachItemAndLeaksNothing) {
  std::vector<int64_t> gd_ids;
  for (const char* t : {"批量退回一", "批量退回二", "批量退回三"}) {
    int64_t id = ReadyResource(t);
    ASSERT_EQ(uploader_.Send("POST", Url(id, "/submit"), {{"attestation", true}}).status, 200);
    gd_ids.push_back(id);
  }
  // A Beijing college's resource in Beijing's first review.
  Client bj(server_.port());
  ASSERT_EQ(bj.Login("bj_uploader").status, 200);
  auto made = bj.Send("POST", "/api/v1/resources",
                      {{"title", "北京机密标题"}, {"type", "A01"}, {"domain", "老年教育"},
                       {"summary", "示例简介"}, {"copyright_holder", "京华学院"},
                       {"presenters", "李演示"}});
  ASSERT_EQ(made.status, 201) << made.body;
  int64_t bj_id = made.Json()["id"];
  auto& db = *server_.ctx().db;
  ASSERT_TRUE(db.Exec("UPDATE resources SET state = 'first_review' WHERE id = ?", {bj_id}));
  auto bj_before = db.QueryOne("SELECT version, state FROM resources WHERE id = ?", {bj_id});
  ASSERT_TRUE(bj_before && *bj_before);

  Client gd(server_.port());
  ASSERT_EQ(gd.Login("gd_reviewer").status, 200);
  int64_t v0 = gd.Get(Url(gd_ids[0], "")).Json()["version"];
  int64_t v1 = gd.Get(Url(gd_ids[1], "")).Json()["version"];
  const std::string comment = "请补充字幕并更换清晰的封面";
  json body = {{"comment", comment},
               {"items",
                {{{"id", gd_ids[0]}, {"version", v0}},
                 {{"id", gd_ids[1]}, {"version", v1 + 3}},  // stale
                 {{"id", bj_id}},
                 {{"id", gd_ids[2]}}}}};

  // Refusals of the whole request change nothing: no CSRF token, no comment, an uploader.
  Client no_csrf = gd;
  no_csrf.csrf.clear();
  EXPECT_EQ(no_csrf.Send("POST", "/api/v1/reviews/bulk-return", body).status, 403);
  json no_comment = body;
  no_comment["comment"] = "";
  auto refused = gd.Send("POST", "/api/v1/reviews/bulk-return", no_comment);
  ASSERT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(refused.Json()["error"]["fields"][0]["field"], "comment");
  EXPECT_EQ(uploader_.Send("POST", "/api/v1/reviews/bulk-return", body).status, 403);
  EXPECT_EQ(gd.Get(Url(gd_ids[0], "")).Json()["state"], "first_review");

  auto res = gd.Send("POST", "/api/v1/reviews/bulk-return", body);
  ASSERT_EQ(res.status, 200) << res.body;
  json out = res.Json();
  EXPECT_EQ(out["returned"], 2);
  json results = out["results"];
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0]["ok"], true);
  EXPECT_EQ(results[0]["state"], "returned");
  EXPECT_EQ(results[1]["ok"], false);
  EXPECT_EQ(results[1]["code"], "conflict");
  EXPECT_EQ(results[2]["ok"], false);
  EXPECT_EQ(results[2]["code"], "not_found");
  EXPECT_EQ(results[2]["error"], "资源不存在");
  EXPECT_EQ(results[3]["state"], "returned");
  EXPECT_EQ(res.body.find("北京"), std::string::npos) << "nothing of the other province";

  for (int64_t id : {gd_ids[0], gd_ids[2]}) {
    auto history = uploader_.Get(Url(id, "/history")).Json()["items"];
    ASSERT_FALSE(history.empty());
    EXPECT_EQ(history.back()["action"], "return");
    EXPECT_EQ(history.back()["comment"], comment);
  }
  EXPECT_EQ(uploader_.Get(Url(gd_ids[1], "")).Json()["state"], "first_review");
  auto bj_after = db.QueryOne("SELECT version, state FROM resources WHERE id = ?", {bj_id});
  EXPECT_EQ((*bj_after)->Int(0), (*bj_before)->Int(0));
  EXPECT_EQ((*bj_after)->Text(1), "first_review");
  auto audit = db.QueryOne("SELECT COUNT(*) FROM audit_log WHERE action = 'review.return'", {});
  EXPECT_EQ((*audit)->Int(0), 2);
}

}  // namespace
}  // namespace lep::testing
