// Admin statistics (top lists, broken links, campaign submissions) with their subtree
// scoping, and the public category tree with published counts.
#include <gtest/gtest.h>

#include "core/date.h"
#include "integration/server_fixture.h"

namespace lep::testing {
namespace {

using nlohmann::json;

int64_t Beijing(const char* date, int h = 0) {
  return ShanghaiMidnightMs(*ParseIsoDate(date)) + h * 3600 * 1000LL;
}

class StatsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.clock().SetMs(Beijing("2022-06-10", 10));
    ASSERT_EQ(gd_up_.Login("gd_uploader").status, 200);
    ASSERT_EQ(bj_up_.Login("bj_uploader").status, 200);
  }

  // A resource of the uploader's unit put straight into `state` (the workflow itself is
  // tested elsewhere; here only the reading side matters).
  int64_t Make(Client& up, const std::string& title, const std::string& state,
               const std::string& type = "A01", const std::string& category = "",
               const std::string& domain = "老年教育") {
    json body = {{"title", title},
                 {"type", type},
                 {"domain", domain},
                 {"summary", "简介"},
                 {"copyright_holder", "演示学院"},
                 {"presenters", "张演示"}};
    if (!category.empty()) body["category"] = category;
    if (type == "A03") {
      body["platform"] = "演示平台";
      body["link"] = "http://127.0.0.1:1/course" + std::to_string(++serial_);
    }
    auto r = up.Send("POST", "/api/v1/resources", body);
    EXPECT_EQ(r.status, 201) << r.body;
    int64_t id = r.Json()["id"];
    EXPECT_TRUE(server_.ctx().db->Exec("UPDATE resources SET state = ? WHERE id = ?", {state, id}));
    return id;
  }

  int64_t Today() { return (server_.clock().NowMs() + 8 * 3600 * 1000) / 86'400'000; }

  void Usage(int64_t id, int64_t day, int64_t clicks, int64_t learners) {
    ASSERT_TRUE(server_.ctx().db->Exec(
        "INSERT INTO usage_daily (resource_id, day, clicks, learners) VALUES (?, ?, ?, ?)",
        {id, day, clicks, learners}));
  }

  int64_t OrgId(const std::string& name) {
    auto r = server_.ctx().db->QueryOne("SELECT id FROM orgs WHERE name = ?", {name});
    return (*r)->Int(0);
  }

  json Get(Client& c, const std::string& url, int expected = 200) {
    auto r = c.Get(url);
    EXPECT_EQ(r.status, expected) << url << " " << r.body;
    return r.Json();
  }

  TestServer server_;
  Client gd_up_{server_.port()};
  Client bj_up_{server_.port()};
  int serial_ = 0;
};

std::vector<std::pair<std::string, int64_t>> Items(const json& j) {
  std::vector<std::pair<std::string, int64_t>> out;
  for (const auto& i : j["items"]) out.emplace_back(i["title"], i["value"]);
  return out;
}

TEST_F(StatsApiTest, TopListsAreScopedToTheCallersSubtree) {
  int64_t a = Make(gd_up_, "广东甲", "published");
  int64_t b = Make(gd_up_, "广东乙", "published");
  int64_t c = Make(bj_up_, "北京丙", "published");
  Usage(a, Today(), 5, 1);
  Usage(a, Today() - 40, 100, 0);  // outside the 30-day window
  Usage(b, Today() - 29, 3, 7);    // the 30th day back is inside
  Usage(c, Today(), 50, 2);
  ASSERT_TRUE(server_.ctx().db->Exec("UPDATE resources SET clicks = 1000 WHERE id = ?", {a}));

  Client nou(server_.port()), gd(server_.port()), bj(server_.port()), auditor(server_.port());
  nou.Login("nou_admin");
  gd.Login("gd_admin");
  bj.Login("bj_admin");
  auditor.Login("nou_auditor");
  using V = std::vector<std::pair<std::string, int64_t>>;
  EXPECT_EQ(Items(Get(nou, "/api/v1/stats/top")),
            (V{{"北京丙", 50}, {"广东甲", 5}, {"广东乙", 3}}));
  EXPECT_EQ(Items(Get(auditor, "/api/v1/stats/top?metric=clicks&days=30")),
            Items(Get(nou, "/api/v1/stats/top")));
  EXPECT_EQ(Items(Get(nou, "/api/v1/stats/top?metric=learners")),
            (V{{"广东乙", 7}, {"北京丙", 2}, {"广东甲", 1}}));
  EXPECT_EQ(Items(Get(nou, "/api/v1/stats/top?days=1")), (V{{"北京丙", 50}, {"广东甲", 5}}));
  EXPECT_EQ(Items(Get(nou, "/api/v1/stats/top?days=0&limit=1")), (V{{"广东甲", 1000}}));
  json top = Get(gd, "/api/v1/stats/top");
  EXPECT_EQ(Items(top), (V{{"广东甲", 5}, {"广东乙", 3}}));
  EXPECT_EQ(top["items"][0]["resource_id"], a);
  EXPECT_EQ(top["items"][0]["unit"], "岭南示范职业技术学院（演示）");
  EXPECT_EQ(
      Items(Get(nou, "/api/v1/stats/top?unit_id=" + std::to_string(OrgId("北京市教育委员会")))),
      (V{{"北京丙", 50}}));
  EXPECT_EQ(Items(Get(gd, "/api/v1/stats/top?unit_id=" +
                              std::to_string(OrgId("珠江演示开放大学（演示）")))),
            V{});

  // Outside one's subtree the unit does not exist; non-admins have no statistics.
  Get(gd, "/api/v1/stats/top?unit_id=" + std::to_string(OrgId("北京市教育委员会")), 404);
  Get(bj, "/api/v1/stats/top?unit_id=" + std::to_string(OrgId("广东省教育厅")), 404);
  Get(bj, "/api/v1/stats/top?unit_id=99999", 404);
  Get(gd_up_, "/api/v1/stats/top", 403);
  Client reviewer(server_.port());
  reviewer.Login("gd_reviewer");
  Get(reviewer, "/api/v1/stats/top", 403);
  Client anon(server_.port());
  Get(anon, "/api/v1/stats/top", 401);
  json bad = Get(nou, "/api/v1/stats/top?metric=views&limit=0", 400);
  EXPECT_EQ(bad["error"]["fields"].size(), 2u);
}

TEST_F(StatsApiTest, BrokenLinksListsTheLatestFailedChecksOfOnlineCourses) {
  int64_t gd_bad = Make(gd_up_, "广东坏链", "published", "A03");
  int64_t gd_ok = Make(gd_up_, "广东好链", "published", "A03");
  int64_t gd_stale = Make(gd_up_, "广东已改链", "published", "A03");
  int64_t gd_draft = Make(gd_up_, "广东草稿", "draft", "A03");
  int64_t bj_bad = Make(bj_up_, "北京坏链", "final_review", "A03");
  auto check = [&](int64_t id, bool ok, const std::string& url, int64_t at) {
    std::string link =
        url.empty() ? (*server_.ctx().db->QueryOne("SELECT link FROM resources WHERE id = ?", {id}))
                          ->Text(0)
                    : url;
    ASSERT_TRUE(server_.ctx().db->Exec(
        "INSERT INTO link_checks (resource_id, url, reachable, status, final_url, hops, "
        "elapsed_ms, error_code, error, checked_at) VALUES (?, ?, ?, ?, ?, 0, 5, ?, ?, ?)",
        {id, link, int64_t{ok}, int64_t{ok ? 200 : 404}, link, std::string(ok ? "" : "http_status"),
         std::string(ok ? "" : "链接返回 HTTP 404"), at}));
  };
  check(gd_bad, false, "", 2000);
  check(gd_ok, true, "", 2000);
  check(gd_stale, false, "http://old.example/course", 2000);  // the link changed since
  check(gd_draft, false, "", 2000);
  check(bj_bad, false, "", 3000);

  Client nou(server_.port()), gd(server_.port()), bj(server_.port());
  nou.Login("nou_admin");
  gd.Login("gd_admin");
  bj.Login("bj_admin");
  json all = Get(nou, "/api/v1/stats/broken-links");
  ASSERT_EQ(all["items"].size(), 2u) << all.dump();
  EXPECT_EQ(all["items"][0]["resource_id"], bj_bad);  // newest check first
  EXPECT_EQ(all["items"][1]["resource_id"], gd_bad);
  const json& row = all["items"][1];
  EXPECT_EQ(row["title"], "广东坏链");
  EXPECT_EQ(row["unit"], "岭南示范职业技术学院（演示）");
  EXPECT_EQ(row["status"], 404);
  EXPECT_EQ(row["error"], "链接返回 HTTP 404");
  EXPECT_EQ(row["checked_at"], 2000);
  EXPECT_EQ(
      row["url"],
      (*server_.ctx().db->QueryOne("SELECT link FROM resources WHERE id = ?", {gd_bad}))->Text(0));
  json mine = Get(gd, "/api/v1/stats/broken-links");
  ASSERT_EQ(mine["items"].size(), 1u);
  EXPECT_EQ(mine["items"][0]["resource_id"], gd_bad);
  Get(bj, "/api/v1/stats/broken-links?unit_id=" + std::to_string(OrgId("广东省教育厅")), 404);
  EXPECT_EQ(Get(bj, "/api/v1/stats/broken-links")["items"].size(), 1u);
  Get(gd_up_, "/api/v1/stats/broken-links", 403);
}

TEST_F(StatsApiTest, SubmissionsShowWhoToChaseIncludingUnitsWithNothing) {
  Client nou(server_.port()), gd(server_.port()), bj(server_.port());
  nou.Login("nou_admin");
  gd.Login("gd_admin");
  bj.Login("bj_admin");
  auto c = nou.Send("POST", "/api/v1/campaigns",
                    {{"name", "2022年征集"},
                     {"year", 2022},
                     {"submission_deadline", "2022-05-15"},
                     {"first_review_deadline", "2022-05-22"},
                     {"final_review_deadline", "2022-06-30"}});
  ASSERT_EQ(c.status, 201) << c.body;
  int64_t campaign = c.Json()["id"];
  auto into = [&](int64_t id) {
    ASSERT_TRUE(server_.ctx().db->Exec("UPDATE resources SET campaign_id = ? WHERE id = ?",
                                       {campaign, id}));
  };
  into(Make(gd_up_, "广东待初审一", "first_review"));
  into(Make(gd_up_, "广东待初审二", "first_review", "A02", "", "社区教育"));
  into(Make(gd_up_, "广东已通过", "approved"));
  into(Make(bj_up_, "北京待终审", "final_review"));
  Make(gd_up_, "广东草稿（未提交）", "draft");  // not in the campaign

  auto groups = [&](Client& who, const std::string& q) {
    json j = Get(who, "/api/v1/stats/submissions?campaign_id=" + std::to_string(campaign) + q);
    std::map<std::string, std::pair<int64_t, int64_t>> out;
    for (const auto& g : j["groups"]) out[g["label"]] = {g["count"], g["overdue"]};
    return out;
  };
  using P = std::pair<int64_t, int64_t>;
  // 06-10 is past the first-review deadline (05-22): the two items still in 初审 are overdue.
  auto units = groups(gd, "&group=unit");
  EXPECT_EQ(units["岭南示范职业技术学院（演示）"], (P{3, 2}));
  ASSERT_TRUE(units.count("珠江演示开放大学（演示）"));  // submitted nothing: still listed
  EXPECT_EQ(units["珠江演示开放大学（演示）"], (P{0, 0}));
  EXPECT_FALSE(units.count("京华演示城市学院（演示）"));
  auto provinces = groups(nou, "&group=province");
  EXPECT_EQ(provinces["广东省教育厅"], (P{3, 2}));
  EXPECT_EQ(provinces["北京市教育委员会"], (P{1, 0}));  // final review due 06-30
  EXPECT_EQ(provinces["河北省教育厅"], (P{0, 0}));
  EXPECT_FALSE(provinces.count("教育部职业教育与成人教育司"));
  auto states = groups(gd, "&group=state");
  EXPECT_EQ(states.size(), 2u);
  EXPECT_EQ(states.begin()->second.first + std::next(states.begin())->second.first, 3);
  json raw_states =
      Get(gd, "/api/v1/stats/submissions?campaign_id=" + std::to_string(campaign) + "&group=state");
  EXPECT_EQ(raw_states["groups"][0]["key"], "first_review");  // workflow order
  EXPECT_EQ(raw_states["groups"][0]["overdue"], 2);
  auto domains = groups(nou, "&group=domain");
  EXPECT_EQ(domains.size(), 4u);
  EXPECT_EQ(domains["老年教育"], (P{3, 1}));
  EXPECT_EQ(domains["社区教育"], (P{1, 1}));
  auto types = groups(nou, "&group=type");
  EXPECT_EQ(types["视频资源"], (P{3, 1}));
  EXPECT_EQ(types["音频资源"], (P{1, 1}));
  EXPECT_EQ(types["网络课程"], (P{0, 0}));
  // Default: the latest campaign, grouped by province.
  json def = Get(nou, "/api/v1/stats/submissions");
  EXPECT_FALSE(def["groups"].empty());
  EXPECT_EQ(groups(nou, "&unit_id=" + std::to_string(OrgId("北京市教育委员会"))),
            (std::map<std::string, P>{{"北京市教育委员会", {1, 0}}}));

  Get(bj, "/api/v1/stats/submissions?unit_id=" + std::to_string(OrgId("广东省教育厅")), 404);
  Get(gd, "/api/v1/stats/submissions?unit_id=" + std::to_string(OrgId("京华演示城市学院（演示）")),
      404);
  Get(nou, "/api/v1/stats/submissions?campaign_id=99999", 404);
  Get(nou, "/api/v1/stats/submissions?group=colour", 400);
  Get(gd_up_, "/api/v1/stats/submissions", 403);
}

TEST_F(StatsApiTest, PublicCategoryTreeCountsPublishedResourcesInEachSubtree) {
  Make(gd_up_, "发动机原理", "published", "A01", "科学文化-航空知识-航空发动机");
  Make(gd_up_, "航空概论", "published", "A01", "科学文化-航空知识");
  Make(bj_up_, "发动机草稿", "draft", "A01", "科学文化-航空知识-航空发动机");
  Make(bj_up_, "审核中的太极", "final_review", "A01", "健康养生-太极拳");
  Make(bj_up_, "太极", "published", "A01", "健康养生-太极拳");
  Make(bj_up_, "无分类", "published");
  Client anon(server_.port());
  json tree = Get(anon, "/api/v1/portal/categories");
  std::map<std::string, int64_t> counts;
  std::function<void(const json&)> walk = [&](const json& nodes) {
    for (const auto& n : nodes) {
      counts[n["path"]] = n["count"];
      EXPECT_TRUE(n.contains("id") && n.contains("name") && n["children"].is_array());
      walk(n["children"]);
    }
  };
  walk(tree["items"]);
  EXPECT_EQ(counts["科学文化"], 2);
  EXPECT_EQ(counts["科学文化-航空知识"], 2);
  EXPECT_EQ(counts["科学文化-航空知识-航空发动机"], 1);
  EXPECT_EQ(counts["科学文化-航空知识-飞行原理"], 0);
  EXPECT_EQ(counts["健康养生"], 1);
  EXPECT_EQ(counts["健康养生-太极拳"], 1);
  EXPECT_EQ(counts["文化艺术"], 0);
  int64_t roots = 0;
  for (const auto& n : tree["items"]) roots += n["count"].get<int64_t>();
  EXPECT_EQ(roots, 3);
  // The tree shape: 航空发动机 sits under 航空知识 under 科学文化.
  const json* science = nullptr;
  for (const auto& n : tree["items"]) {
    if (n["name"] == "科学文化") science = &n;
  }
  ASSERT_NE(science, nullptr);
  bool found = false;
  for (const auto& child : (*science)["children"]) {
    if (child["name"] != "航空知识") continue;
    for (const auto& leaf : child["children"]) found |= leaf["name"] == "航空发动机";
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace lep::testing
