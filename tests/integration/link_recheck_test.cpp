// Issue 17 §5: the server re-checks every A03 link periodically (once across all servers),
// through the job runner; a link that broke since shows in the broken-link list.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>

#include "app/maintenance.h"
#include "integration/server_fixture.h"

namespace lep::testing {
namespace {

using nlohmann::json;

TEST(LinkRecheck, LinksThatBrokeSinceAreFoundByThePeriodicRecheckOnce) {
  std::atomic<int> status{200};
  TestServer server([&](http::Router& r) {
    r.Add({"GET", "/test/course",
           [&](http::Request&) { return http::Response::Json(status.load(), {{"ok", true}}); }});
  });
  auto run_jobs = [&] {
    while (server.ctx().job_runner->RunOnce()) {
    }
  };
  Client up(server.port());
  ASSERT_EQ(up.Login("gd_uploader").status, 200);
  const std::string link = "http://127.0.0.1:" + std::to_string(server.port()) + "/test/course";
  auto make = [&](const std::string& title) -> int64_t {
    auto r = up.Send("POST", "/api/v1/resources",
                     {{"title", title}, {"type", "A03"}, {"domain", "学历继续教育"},
                      {"summary", "在线课程"}, {"copyright_holder", "演示学院"},
                      {"presenters", "张演示"}, {"platform", "演示平台"}, {"link", link}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.Json().value("id", int64_t{0});
  };
  const int64_t published = make("已发布的网络课程");
  const int64_t draft = make("还在编辑的网络课程");
  // Checked once while the course platform still served the page (as at submission).
  ASSERT_TRUE(server.ctx().ingest->RequestLinkCheck(resources::ResourceId{published}));
  ASSERT_TRUE(server.ctx().ingest->RequestLinkCheck(resources::ResourceId{draft}));
  run_jobs();
  auto check_of = [&](int64_t id) {
    auto r = up.Get("/api/v1/resources/" + std::to_string(id) + "/link-check");
    json body = r.Json();
    return body["link_check"];
  };
  ASSERT_EQ(check_of(published)["reachable"], true);
  // Test set-up only: the course went through review and was published meanwhile.
  ASSERT_TRUE(server.ctx().db->Exec("UPDATE resources SET state = 'published' WHERE id = ?",
                                    {published}));

  auto& ctx = server.ctx();
  auto first = app::MaybeScheduleLinkRechecks(ctx);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(*first, 0);  // the first call schedules the first run one interval ahead

  status = 404;  // the course platform took the page down
  server.clock().Advance(std::chrono::hours(25));
  auto due = app::MaybeScheduleLinkRechecks(ctx);
  ASSERT_TRUE(due) << due.error().message;
  EXPECT_EQ(*due, 1);  // the published course; the draft is checked when it is submitted
  TestServer second(server);
  EXPECT_EQ(*app::MaybeScheduleLinkRechecks(second.ctx()), 0);  // this run is taken
  EXPECT_EQ(*app::MaybeScheduleLinkRechecks(ctx), 0);
  run_jobs();

  ASSERT_EQ(up.Login("gd_uploader").status, 200);  // the session idled out meanwhile
  json broken = check_of(published);
  EXPECT_EQ(broken["reachable"], false) << broken;
  EXPECT_EQ(broken["status"], 404);
  EXPECT_EQ(check_of(draft)["reachable"], true);  // not re-checked
  Client admin(server.port());
  ASSERT_EQ(admin.Login("nou_admin").status, 200);
  auto list = admin.Get("/api/v1/stats/broken-links");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_NE(list.body.find("已发布的网络课程"), std::string::npos) << list.body;

  // Switched off: nothing is queued however late it is.
  ctx.config.link_check_interval_hours = 0;
  server.clock().Advance(std::chrono::hours(48));
  EXPECT_EQ(*app::MaybeScheduleLinkRechecks(ctx), 0);
}

// A link that the re-check finds newly broken tells the owning unit's uploaders and admins once
// per break (not at every re-check); one that recovers and breaks again tells them again.
TEST(LinkRecheck, ANewlyBrokenLinkNotifiesTheOwningUnitOncePerBreak) {
  std::atomic<int> status{200};
  TestServer server([&](http::Router& r) {
    r.Add({"GET", "/test/course",
           [&](http::Request&) { return http::Response::Json(status.load(), {{"ok", true}}); }});
  });
  auto& ctx = server.ctx();
  auto run_jobs = [&] {
    while (ctx.job_runner->RunOnce()) {
    }
  };
  Client up(server.port());
  ASSERT_EQ(up.Login("gd_uploader").status, 200);
  const std::string link = "http://127.0.0.1:" + std::to_string(server.port()) + "/test/course";
  auto made = up.Send("POST", "/api/v1/resources",
                      {{"title", "会断的网络课程"}, {"type", "A03"}, {"domain", "学历继续教育"},
                       {"summary", "在线课程"}, {"copyright_holder", "演示学院"},
                       {"presenters", "张演示"}, {"platform", "演示平台"}, {"link", link}});
  ASSERT_EQ(made.status, 201) << made.body;
  const int64_t id = made.Json()["id"];
  ASSERT_TRUE(ctx.ingest->RequestLinkCheck(resources::ResourceId{id}));
  run_jobs();
  ASSERT_TRUE(ctx.db->Exec("UPDATE resources SET state = 'published' WHERE id = ?", {id}));
  ASSERT_TRUE(app::MaybeScheduleLinkRechecks(ctx));  // schedules the first run

  // Each re-check: a day later, queued by the maintenance round and run by the job runner.
  auto recheck = [&] {
    server.clock().Advance(std::chrono::hours(25));
    auto queued = app::MaybeScheduleLinkRechecks(ctx);
    ASSERT_TRUE(queued) << queued.error().message;
    ASSERT_EQ(*queued, 1);
    run_jobs();
  };
  auto notices = [&](const std::string& who) {
    Client c(server.port());
    EXPECT_EQ(c.Login(who).status, 200) << who;
    json body = c.Get("/api/v1/me/notifications").Json();
    std::vector<json> out;
    for (const auto& n : body["items"]) {
      if (n["kind"] == "link_broken") out.push_back(n);
    }
    return out;
  };
  auto count = [&](const std::string& sql) { return (*ctx.db->QueryOne(sql))->Int(0); };

  recheck();  // still reachable: nothing to say
  EXPECT_TRUE(notices("gd_uploader").empty());

  status = 404;
  recheck();
  auto first = notices("gd_uploader");
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0]["resource_id"], id);
  EXPECT_NE(first[0]["title"].get<std::string>().find("会断的网络课程"), std::string::npos);
  EXPECT_NE(first[0]["body"].get<std::string>().find(link), std::string::npos);
  EXPECT_NE(first[0]["body"].get<std::string>().find("404"), std::string::npos) << first[0];

  recheck();  // still broken: the same break, no second message
  recheck();
  EXPECT_EQ(notices("gd_uploader").size(), 1u);

  status = 200;
  recheck();  // recovered
  EXPECT_EQ(notices("gd_uploader").size(), 1u);
  status = 503;
  recheck();  // broke again: a new break
  auto again = notices("gd_uploader");
  ASSERT_EQ(again.size(), 2u);
  EXPECT_NE(again[0]["body"].get<std::string>().find("503"), std::string::npos) << again[0];

  // Only the owning unit: not the province above it, not another province.
  EXPECT_TRUE(notices("gd_admin").empty());
  EXPECT_TRUE(notices("bj_uploader").empty());
  EXPECT_TRUE(notices("bj_admin").empty());
  EXPECT_EQ(count("SELECT COUNT(*) FROM notifications WHERE kind = 'link_broken'"),
            2 * count("SELECT COUNT(*) FROM users u JOIN resources r ON r.org_id = u.org_id "
                      "WHERE r.id = " + std::to_string(id) +
                      " AND u.role IN ('uploader', 'unit_admin') AND u.disabled = 0"));
}

}  // namespace
}  // namespace lep::testing
