// The public portal over HTTP: only published resources are reachable, search finds them in
// Chinese (Traditional too), clicks are deduplicated per visitor, learners need 30 s.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "app/seed.h"
#include "integration/server_fixture.h"
#include "portal/catalog_files.h"
#include "portal/search_feed.h"
#include "xlsx/spreadsheet.h"

namespace lep::testing {
namespace {

using nlohmann::json;

class PortalApiTest : public ::testing::Test {
 protected:
  int64_t Make(const std::string& title, const std::string& state) {
    auto r = up_.Send("POST", "/api/v1/resources",
                      {{"title", title},
                       {"type", "A01"},
                       {"domain", "老年教育"},
                       {"summary", title + "，适合中老年人的健身与养生课程。"},
                       {"copyright_holder", "演示学院"},
                       {"presenters", "张演示"},
                       {"category", "健康养生-太极拳"},
                       {"series", "养生系列"},
                       {"series_order", std::to_string(10 + serial_++)}});
    EXPECT_EQ(r.status, 201) << r.body;
    int64_t id = r.Json()["id"];
    EXPECT_TRUE(
        server_.ctx().db->Exec("UPDATE resources SET state = ?, published_at = ? WHERE id = ?",
                               {state, int64_t{1000 + id}, id}));
    EXPECT_TRUE(server_.ctx().search_feed->Sync({id}));
    return id;
  }
  void SetUp() override { ASSERT_EQ(up_.Login("gd_uploader").status, 200); }

  TestServer server_;
  Client up_{server_.port()};
  int serial_ = 0;
};

TEST_F(PortalApiTest, OnlyPublishedResourcesAreVisibleAndSearchable) {
  int64_t pub = Make("太极拳入门", "published");
  int64_t draft = Make("太极拳草稿", "draft");
  int64_t review = Make("太极拳审核中", "final_review");
  Client anon(server_.port());
  EXPECT_EQ(anon.Get("/api/v1/portal/resources/" + std::to_string(pub)).status, 200);
  for (int64_t hidden : {draft, review}) {
    EXPECT_EQ(anon.Get("/api/v1/portal/resources/" + std::to_string(hidden)).status, 404);
  }
  auto found = anon.Get("/api/v1/portal/search?q=%E5%A4%AA%E6%9E%81%E6%8B%B3").Json();  // 太极拳
  ASSERT_EQ(found["items"].size(), 1u) << found.dump();
  EXPECT_EQ(found["items"][0]["id"], pub);
  EXPECT_NE(found["items"][0]["title_html"].get<std::string>().find("<mark>"), std::string::npos);
  // Traditional input: 養生 finds 养生.
  auto trad = anon.Get("/api/v1/portal/search?q=%E9%A4%8A%E7%94%9F").Json();
  ASSERT_GE(trad["items"].size(), 1u) << trad.dump();
  auto home = anon.Get("/api/v1/portal/home").Json();
  EXPECT_EQ(home["newest"].size(), 1u);
  auto catalog = anon.Get("/api/v1/portal/catalog").Json();
  EXPECT_EQ(catalog["items"].size(), 1u);
  EXPECT_EQ(anon.Get("/api/v1/portal/catalog?format=xlsx").body.substr(0, 2), "PK");
  // Unpublished media and covers stay private to anonymous visitors.
  EXPECT_EQ(anon.Get("/media/resources/" + std::to_string(draft)).status, 404);
  // Withdrawing removes it from search.
  ASSERT_TRUE(
      server_.ctx().db->Exec("UPDATE resources SET state = 'withdrawn' WHERE id = ?", {pub}));
  EXPECT_TRUE(server_.ctx().search_feed->Sync({pub}));
  EXPECT_EQ(anon.Get("/api/v1/portal/search?q=%E5%A4%AA%E6%9E%81%E6%8B%B3").Json()["items"].size(),
            0u);
}

// Issue 16 item 5: the catalog is prepared as files (JSON, CSV, xlsx) when the published set
// changes, and served as they are: ETag/304, Range; counts of listed rows refresh later.
TEST_F(PortalApiTest, CatalogIsAPreparedFileRebuiltAtPublicationAndWithdrawal) {
  int64_t a = Make("太极拳入门", "published");
  int64_t b = Make("八段锦", "published");
  portal::CatalogFiles& catalog = *server_.ctx().catalog;
  Client anon(server_.port());
  auto ids = [&] {
    std::set<int64_t> out;
    const auto items = anon.Get("/api/v1/portal/catalog").Json()["items"];
    for (const auto& i : items) out.insert(i["id"].get<int64_t>());
    return out;
  };
  auto first = anon.Get("/api/v1/portal/catalog");
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(ids(), (std::set<int64_t>{a, b}));
  const std::string etag = first.headers["etag"];
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(first.headers["accept-ranges"], "bytes");
  EXPECT_NE(first.headers["cache-control"].find("public"), std::string::npos);
  const int64_t built = catalog.builds();
  EXPECT_EQ(built, 1);
  // The client holds it: 304. A part of it: 206 with those bytes. Neither rebuilds.
  auto again = anon.Request("GET", "/api/v1/portal/catalog", "", {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304);
  auto part = anon.Request("GET", "/api/v1/portal/catalog", "", {{"Range", "bytes=0-9"}});
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.body, first.body.substr(0, 10));
  EXPECT_EQ(part.headers["content-range"], "bytes 0-9/" + std::to_string(first.body.size()));
  auto csv = anon.Get("/api/v1/portal/catalog?format=csv");
  EXPECT_EQ(csv.body.rfind("\xEF\xBB\xBF", 0), 0u);  // BOM for Excel
  size_t lines = 0;
  for (size_t at = csv.body.find("\r\n"); at != std::string::npos;
       at = csv.body.find("\r\n", at + 2)) {
    ++lines;
  }
  EXPECT_EQ(lines, 3u);  // header + 2
  auto xl = anon.Get("/api/v1/portal/catalog?format=xlsx");
  auto table = xlsx::ReadXlsx(xl.body);
  ASSERT_TRUE(table);
  EXPECT_EQ(table->rows.size(), 2u);
  EXPECT_EQ(catalog.builds(), built);
  // A change that keeps it published (counts, an edit): refreshed only after kStaleMs.
  ASSERT_TRUE(server_.ctx().search_feed->Sync({a}));
  EXPECT_FALSE(*catalog.RebuildIfDue());
  server_.clock().Advance(std::chrono::milliseconds(portal::CatalogFiles::kStaleMs));
  EXPECT_TRUE(*catalog.RebuildIfDue());
  EXPECT_EQ(catalog.builds(), built + 1);
  // Withdrawn: rebuilt at once, gone from every format, a new ETag.
  ASSERT_TRUE(server_.ctx().db->Exec("UPDATE resources SET state = 'withdrawn' WHERE id = ?", {b}));
  ASSERT_TRUE(server_.ctx().search_feed->Sync({b}));
  EXPECT_TRUE(*catalog.RebuildIfDue());
  EXPECT_EQ(ids(), (std::set<int64_t>{a}));
  EXPECT_NE(anon.Get("/api/v1/portal/catalog").headers["etag"], etag);
  EXPECT_EQ(xlsx::ReadXlsx(anon.Get("/api/v1/portal/catalog?format=xlsx").body)->rows.size(), 1u);
  // Published: in at the next tick.
  int64_t c = Make("五禽戏", "published");
  EXPECT_TRUE(*catalog.RebuildIfDue());
  EXPECT_EQ(ids(), (std::set<int64_t>{a, c}));
  const int64_t before = catalog.builds();
  // Withdrawn where this server was not told (no Sync, no feed applied): the file it holds
  // lists it, so it is rebuilt before being handed out.
  ASSERT_TRUE(server_.ctx().db->Exec("UPDATE resources SET state = 'withdrawn' WHERE id = ?", {a}));
  EXPECT_EQ(ids(), (std::set<int64_t>{c}));
  EXPECT_EQ(catalog.builds(), before + 1);
  EXPECT_EQ(anon.Get("/api/v1/portal/catalog?format=pdf").status, 400);
}

TEST_F(PortalApiTest, OneVisitorCountsOnceAndLearnersNeedThirtySeconds) {
  int64_t id = Make("八段锦", "published");
  std::string url = "/api/v1/portal/resources/" + std::to_string(id);
  Client visitor(server_.port());
  auto first = visitor.Request("POST", url + "/view");
  ASSERT_EQ(first.status, 200);
  std::string vid;
  for (const auto& c : first.set_cookies) {
    if (c.rfind("lep_vid=", 0) == 0) vid = c.substr(0, c.find(';'));
  }
  ASSERT_FALSE(vid.empty());
  visitor.cookie = vid;
  for (int i = 0; i < 100; ++i) ASSERT_EQ(visitor.Request("POST", url + "/view").status, 200);
  Client crawler(server_.port());
  crawler.Request("POST", url + "/view", "",
                  {{"User-Agent", "Mozilla/5.0 (compatible; Baiduspider/2.0)"}});
  auto progress = [&](int s) {
    server_.clock().Advance(std::chrono::seconds(s));  // really played: time passes
    return visitor.Request("POST", url + "/progress", json{{"seconds", s}}.dump()).Json();
  };
  EXPECT_EQ(progress(10)["learner_counted"], false);
  EXPECT_EQ(progress(10)["learner_counted"], false);
  EXPECT_EQ(progress(15)["learner_counted"], true);
  EXPECT_EQ(progress(15)["learner_counted"], false);  // once per visitor
  server_.ctx().counters->Flush();
  auto row =
      server_.ctx().db->QueryOne("SELECT clicks, learners FROM resources WHERE id = ?", {id});
  EXPECT_EQ((*row)->Int(0), 1);  // 101 views by one visitor + a crawler = 1 click
  EXPECT_EQ((*row)->Int(1), 1);
  server_.clock().Advance(std::chrono::minutes(31));
  visitor.Request("POST", url + "/view");
  server_.ctx().counters->Flush();
  row = server_.ctx().db->QueryOne("SELECT clicks FROM resources WHERE id = ?", {id});
  EXPECT_EQ((*row)->Int(0), 2);
}

}  // namespace
}  // namespace lep::testing

namespace lep::testing {
namespace {

// Issue 14 item 8: the visitor id is signed by the server; play time is what the server saw.
std::string VisitorCookie(const HttpResult& r) {
  for (const auto& c : r.set_cookies) {
    if (c.rfind("lep_vid=", 0) == 0) return c.substr(0, c.find(';'));
  }
  return "";
}

int64_t Clicks(TestServer& server, int64_t id) {
  server.ctx().counters->Flush();
  return (*server.ctx().db->QueryOne("SELECT clicks FROM resources WHERE id = ?", {id}))->Int(0);
}

int64_t Learners(TestServer& server, int64_t id) {
  server.ctx().counters->Flush();
  return (*server.ctx().db->QueryOne("SELECT learners FROM resources WHERE id = ?", {id}))->Int(0);
}

TEST_F(PortalApiTest, ForgedVisitorIdsCountNothing) {
  int64_t id = Make("八段锦", "published");
  std::string url = "/api/v1/portal/resources/" + std::to_string(id);
  Client c(server_.port());
  auto first = c.Request("POST", url + "/view");
  std::string good = VisitorCookie(first);
  ASSERT_EQ(good.size(), std::string("lep_vid=").size() + 65) << good;
  EXPECT_EQ(Clicks(server_, id), 1);
  // Random ids (the old unsigned format), a tampered signature and ids signed with another
  // key: none of them counts, each is answered with a fresh signed cookie.
  const std::string hex = "0123456789abcdef";
  for (int i = 0; i < 20; ++i) {
    std::string forged = "lep_vid=";
    for (int k = 0; k < 32; ++k) forged += hex[(i * 7 + k * 3) % 16];
    if (i % 2) forged += "." + good.substr(good.size() - 32);  // someone else's signature
    c.cookie = forged;
    auto r = c.Request("POST", url + "/view");
    ASSERT_EQ(r.status, 200);
    EXPECT_FALSE(VisitorCookie(r).empty());
    c.cookie = forged;
    EXPECT_EQ(c.Request("POST", url + "/progress", json{{"seconds", 60}}.dump())
                  .Json()["learner_counted"],
              false);
  }
  std::string tampered = good;
  tampered[10] = tampered[10] == 'a' ? 'b' : 'a';
  c.cookie = tampered;
  c.Request("POST", url + "/view");
  EXPECT_EQ(Clicks(server_, id), 1);
  server_.clock().Advance(std::chrono::minutes(31));
  c.cookie = good;  // the genuine id counts again after the window
  c.Request("POST", url + "/view");
  EXPECT_EQ(Clicks(server_, id), 2);
}

TEST_F(PortalApiTest, EveryBrowserBehindOneAddressCounts) {
  int64_t id = Make("太极扇", "published");
  std::string url = "/api/v1/portal/resources/" + std::to_string(id);
  // A classroom: one address, the same browser build, no cookies yet.
  std::vector<Client> browsers(5, Client(server_.port()));
  std::set<std::string> ids;
  for (auto& b : browsers) {
    auto r = b.Request("POST", url + "/view", "", {{"User-Agent", "Mozilla/5.0 Classroom"}});
    b.cookie = VisitorCookie(r);
    ids.insert(b.cookie);
  }
  EXPECT_EQ(ids.size(), 5u);
  for (auto& b : browsers) {
    b.Request("POST", url + "/view", "", {{"User-Agent", "Mozilla/5.0 Classroom"}});
  }
  EXPECT_EQ(Clicks(server_, id), 5);
}

TEST_F(PortalApiTest, PlayTimeIsCreditedOnlyAsTheServerObservesIt) {
  int64_t id = Make("易筋经", "published");
  std::string url = "/api/v1/portal/resources/" + std::to_string(id);
  Client v(server_.port());
  v.cookie = VisitorCookie(v.Request("POST", url + "/view"));
  auto beat = [&](int s) {
    return v.Request("POST", url + "/progress", json{{"seconds", s}}.dump())
        .Json()["learner_counted"]
        .get<bool>();
  };
  EXPECT_FALSE(beat(60));  // claims a minute right after opening the page
  EXPECT_FALSE(beat(60));
  server_.clock().Advance(std::chrono::seconds(20));
  EXPECT_FALSE(beat(60));  // 20 s have passed: at most 20 s credited
  server_.clock().Advance(std::chrono::seconds(9));
  EXPECT_FALSE(beat(10));  // 29 s
  server_.clock().Advance(std::chrono::seconds(1));
  EXPECT_TRUE(beat(1));  // 30 s of real time
  EXPECT_EQ(Learners(server_, id), 1);
  // A visitor whose first sign of life is a heartbeat starts the clock there.
  Client w(server_.port());
  w.cookie = VisitorCookie(w.Request("POST", url + "/progress", json{{"seconds", 30}}.dump()));
  ASSERT_FALSE(w.cookie.empty());
  server_.clock().Advance(std::chrono::seconds(29));
  EXPECT_FALSE(
      w.Request("POST", url + "/progress", json{{"seconds", 30}}.dump()).Json()["learner_counted"]);
  server_.clock().Advance(std::chrono::seconds(1));
  EXPECT_TRUE(
      w.Request("POST", url + "/progress", json{{"seconds", 1}}.dump()).Json()["learner_counted"]);
  EXPECT_EQ(Learners(server_, id), 2);
}

TEST_F(PortalApiTest, AShortItemCountsALearnerAtNinetyPercent) {
  int64_t id = Make("手指操", "published");
  ASSERT_TRUE(
      server_.ctx().db->Exec("UPDATE resources SET duration = '00:00:20' WHERE id = ?", {id}));
  std::string url = "/api/v1/portal/resources/" + std::to_string(id);
  Client v(server_.port());
  v.cookie = VisitorCookie(v.Request("POST", url + "/view"));
  auto beat = [&](int s) {
    return v.Request("POST", url + "/progress", json{{"seconds", s}}.dump())
        .Json()["learner_counted"]
        .get<bool>();
  };
  server_.clock().Advance(std::chrono::seconds(17));
  EXPECT_FALSE(beat(17));  // 85 %
  server_.clock().Advance(std::chrono::seconds(1));
  EXPECT_TRUE(beat(1));  // 90 % of 20 s
  EXPECT_EQ(Learners(server_, id), 1);
  Client x(server_.port());
  x.cookie =
      VisitorCookie(x.Request("POST", url + "/view"));  // the 20 s item again, another visitor
  server_.clock().Advance(std::chrono::minutes(5));
  EXPECT_TRUE(
      x.Request("POST", url + "/progress", json{{"seconds", 60}}.dump()).Json()["learner_counted"]);
  EXPECT_EQ(Learners(server_, id), 2);
}

// Issue 16 item 4: the detail GET is a cacheable page (the click comes from the beacon).
TEST_F(PortalApiTest, TheDetailIsCacheableAndTheBeaconCountsTheClick) {
  int64_t id = Make("八段锦详解", "published");
  std::string url = "/api/v1/portal/resources/" + std::to_string(id);
  Client anon(server_.port());
  auto first = anon.Get(url);
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.Json()["title"], "八段锦详解");
  EXPECT_TRUE(first.set_cookies.empty());  // no per-visitor state: any cache may keep it
  EXPECT_NE(first.headers["cache-control"].find("public"), std::string::npos);
  const std::string etag = first.headers["etag"];
  ASSERT_FALSE(etag.empty());
  for (int i = 0; i < 10; ++i) EXPECT_EQ(anon.Get(url).headers["etag"], etag);
  auto again = anon.Request("GET", url, "", {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(Clicks(server_, id), 0);  // views of the page count nothing by themselves
  EXPECT_EQ(anon.Request("POST", url + "/view").status, 200);
  EXPECT_EQ(Clicks(server_, id), 1);
  // An edit reaches the cached page (through the feed, as on any server) ...
  ASSERT_TRUE(server_.ctx().db->Exec("UPDATE resources SET title = ? WHERE id = ?",
                                     {std::string("八段锦详解（修订）"), id}));
  ASSERT_TRUE(server_.ctx().search_feed->ApplyOnce());
  auto edited = anon.Get(url);
  EXPECT_EQ(edited.Json()["title"], "八段锦详解（修订）");
  EXPECT_NE(edited.headers["etag"], etag);
  EXPECT_EQ(anon.Request("GET", url, "", {{"If-None-Match", etag}}).status, 200);
  // ... and a withdrawal at once, reported the way the review service reports one (no feed
  // tailed): the page is gone, also for a held ETag.
  ASSERT_TRUE(
      server_.ctx().db->Exec("UPDATE resources SET state = 'withdrawn' WHERE id = ?", {id}));
  ASSERT_TRUE(server_.ctx().search_feed->Sync({id}));
  EXPECT_EQ(anon.Get(url).status, 404);
  EXPECT_EQ(anon.Request("GET", url, "", {{"If-None-Match", edited.headers["etag"]}}).status, 404);
  EXPECT_EQ(anon.Request("POST", url + "/view").status, 404);
}

TEST_F(PortalApiTest, SearchTotalsSayWhetherTheyAreExact) {
  int64_t id = Make("太极拳入门", "published");
  Client anon(server_.port());
  auto r = anon.Get("/api/v1/portal/search?q=%E5%A4%AA%E6%9E%81%E6%8B%B3").Json();  // 太极拳
  ASSERT_EQ(r["items"].size(), 1u) << r.dump();
  EXPECT_EQ(r["items"][0]["id"], id);
  EXPECT_EQ(r["items"][0]["unit"], "岭南示范职业技术学院（演示）");
  EXPECT_EQ(r["total"], 1);
  EXPECT_EQ(r["total_relation"], "eq");
  EXPECT_EQ(r["total_text"], "1 条");
  EXPECT_EQ(r["facets_exact"], true);
  EXPECT_EQ(r["facets"]["domain"]["老年教育"], 1);
  // A question finds it too: 太极拳怎么练 (how to practise taiji).
  auto q =
      anon.Get("/api/v1/portal/search?q=%E5%A4%AA%E6%9E%81%E6%8B%B3%E6%80%8E%E4%B9%88%E7%BB%83")
          .Json();
  ASSERT_EQ(q["items"].size(), 1u) << q.dump();
  // A malformed parameter names itself.
  auto bad = anon.Get("/api/v1/portal/search?q=a&page_size=0");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.Json()["error"]["fields"][0]["field"], "page_size");
}

TEST_F(PortalApiTest, RatingsAreModeratedFavouritesAndHistoryAreKept) {
  int64_t id = Make("五禽戏", "published");
  int64_t hidden = Make("五禽戏草稿", "draft");
  std::string base = "/api/v1/portal/resources/" + std::to_string(id);
  Client learner(server_.port());
  ASSERT_EQ(learner.Login("demo_learner").status, 200);
  EXPECT_EQ(learner.Send("POST", base + "/ratings", {{"score", 6}}).status, 400);
  auto rated = learner.Send("POST", base + "/ratings",
                            {{"score", 4}, {"comment", "讲解清楚，有演示敏感词"}});
  ASSERT_EQ(rated.status, 201) << rated.body;
  EXPECT_EQ(learner.Send("POST", base + "/ratings", {{"score", 5}}).status, 409);  // once each
  Client anon(server_.port());
  EXPECT_EQ(anon.Get(base + "/ratings").Json()["count"], 0);  // waits for moderation
  // The owning unit's admin chain moderates: 广东省教育厅 sees it, 北京 does not.
  Client gd(server_.port());
  ASSERT_EQ(gd.Login("gd_admin").status, 200);
  auto pending = gd.Get("/api/v1/ratings/pending").Json()["items"];
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0]["flagged_words"], "演示敏感词");
  EXPECT_EQ(pending[0]["resource_title"], "五禽戏");  // the moderator needs no read per row
  Client bj(server_.port());
  ASSERT_EQ(bj.Login("bj_admin").status, 200);
  EXPECT_EQ(bj.Get("/api/v1/ratings/pending").Json()["items"].size(), 0u);
  std::string mod =
      "/api/v1/ratings/" + std::to_string(pending[0]["id"].get<int64_t>()) + "/moderate";
  EXPECT_EQ(bj.Send("POST", mod, {{"decision", "approve"}}).status, 404);
  EXPECT_EQ(gd.Send("POST", mod, {{"decision", "approve"}}).status, 200);
  auto shown = anon.Get(base + "/ratings").Json();
  EXPECT_EQ(shown["count"], 1);
  EXPECT_DOUBLE_EQ(shown["average"].get<double>(), 4.0);

  EXPECT_EQ(
      learner.Send("PUT", "/api/v1/me/favourites/" + std::to_string(id), json::object()).status,
      204);
  EXPECT_EQ(
      learner.Send("PUT", "/api/v1/me/favourites/" + std::to_string(hidden), json::object()).status,
      404);
  EXPECT_EQ(learner.Get("/api/v1/me/favourites").Json()["items"].size(), 1u);
  EXPECT_EQ(
      learner.Send("PUT", "/api/v1/me/history/" + std::to_string(id), {{"position_s", 95}}).status,
      204);
  auto history = learner.Get("/api/v1/me/history").Json()["items"];
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0]["position_s"], 95);
  EXPECT_EQ(
      learner.Send("DELETE", "/api/v1/me/favourites/" + std::to_string(id), json::object()).status,
      204);
  EXPECT_EQ(learner.Get("/api/v1/me/favourites").Json()["items"].size(), 0u);
}

TEST_F(PortalApiTest, UsageStatisticsByDay) {
  server_.clock().SetMs(1652572800000);             // 2022-05-15 08:00 Beijing
  ASSERT_EQ(up_.Login("gd_uploader").status, 200);  // a month later: sign in again
  int64_t id = Make("易筋经", "published");
  Client v(server_.port());
  v.Request("POST", "/api/v1/portal/resources/" + std::to_string(id) + "/view");
  server_.ctx().counters->Flush();
  Client admin(server_.port());
  ASSERT_EQ(admin.Login("nou_admin").status, 200);
  auto stats = admin.Get("/api/v1/stats/usage?group=domain&from=2022-05-15&to=2022-05-15").Json();
  ASSERT_EQ(stats["items"].size(), 1u) << stats.dump();
  EXPECT_EQ(stats["items"][0]["key"], "老年教育");
  EXPECT_EQ(stats["items"][0]["date"], "2022-05-15");
  EXPECT_EQ(stats["items"][0]["clicks"], 1);
  EXPECT_EQ(up_.Get("/api/v1/stats/usage").status, 403);
}

}  // namespace
}  // namespace lep::testing

namespace lep::testing {
namespace {

// Issue 16 item 2: `lep seed-demo --published N` fills a realistic published catalog through
// the real services (metadata rules included); the portal finds it.
TEST(PortalSeedTest, SeedPublishedFillsAVariedSearchableCatalog) {
  TestServer server;
  auto n = app::SeedPublished(server.ctx(), 120, 7);
  ASSERT_TRUE(n) << static_cast<int>(n.error().code) << " " << n.error().message << " "
                 << (n.error().fields.empty() ? "" : n.error().fields[0].message);
  EXPECT_EQ(*n, 120);
  auto stats = server.ctx().db->QueryOne(
      "SELECT COUNT(*), COUNT(DISTINCT category), COUNT(DISTINCT org_id), COUNT(DISTINCT type), "
      "MIN(length(summary)), MAX(clicks), MIN(clicks), COUNT(CASE WHEN series <> '' THEN 1 END) "
      "FROM resources WHERE "
      "state = 'published' AND published_at > 0");
  ASSERT_TRUE(stats && *stats);
  const auto& r = **stats;
  EXPECT_EQ(r.Int(0), 120);
  EXPECT_GE(r.Int(1), 20);   // categories across the tree
  EXPECT_GE(r.Int(3), 3);    // A01, A02 and A03
  EXPECT_GE(r.Int(4), 100);  // a few hundred characters (bytes here)
  EXPECT_GT(r.Int(5), 50 * std::max<int64_t>(1, r.Int(6)));  // a long tail of counts
  EXPECT_GT(r.Int(7), 0);                                    // some belong to series
  ASSERT_TRUE(server.ctx().search_feed->ApplyOnce());
  Client anon(server.port());
  auto found = anon.Get("/api/v1/portal/search?q=").Json();
  EXPECT_EQ(found["total"], 120);
}

// Issue 16 item 5: no row cap — every published row, over several build chunks, in catalog
// order, each once.
TEST(PortalSeedTest, CatalogListsEveryPublishedRow) {
  TestServer server;
  const int64_t n = static_cast<int64_t>(portal::CatalogFiles::kChunk) * 2 + 37;
  ASSERT_TRUE(app::SeedPublished(server.ctx(), n, 11));
  Client anon(server.port());
  auto items = anon.Get("/api/v1/portal/catalog").Json()["items"];
  ASSERT_EQ(static_cast<int64_t>(items.size()), n);
  std::set<int64_t> ids;
  for (const auto& i : items) ids.insert(i["id"].get<int64_t>());
  EXPECT_EQ(static_cast<int64_t>(ids.size()), n);
  auto csv = anon.Get("/api/v1/portal/catalog?format=csv").body;
  auto table = xlsx::ReadCsv(csv);
  ASSERT_TRUE(table) << table.error().message;
  EXPECT_EQ(static_cast<int64_t>(table->rows.size()), n);
  auto xl = xlsx::ReadXlsx(anon.Get("/api/v1/portal/catalog?format=xlsx").body,
                           xlsx::ReadLimits{.max_cells = 10'000'000});
  ASSERT_TRUE(xl) << xl.error().message;
  EXPECT_EQ(static_cast<int64_t>(xl->rows.size()), n);
}

// Issue 16 item 4: the web build ships .br/.gz beside its assets; lep sends what the client
// accepts.
TEST(PortalSeedTest, PrecompressedAssetsFollowAcceptEncoding) {
  std::string web = ::testing::TempDir() + "lep-web-" + std::to_string(::getpid());
  std::filesystem::create_directories(web + "/assets");
  auto put = [&](const std::string& name, const std::string& bytes) {
    std::ofstream(web + "/" + name, std::ios::binary) << bytes;
  };
  put("index.html", "<!doctype html><title>lep</title>");
  put("assets/app-1.js", "console.log('plain')");
  put("assets/app-1.js.br", "BROTLI-BYTES");
  put("assets/app-1.js.gz", "GZIP-BYTES");
  TestServer server({}, [&](Config& c) { c.web_dir = web; });
  Client c(server.port());
  auto br = c.Request("GET", "/assets/app-1.js", "", {{"Accept-Encoding", "gzip, deflate, br"}});
  EXPECT_EQ(br.body, "BROTLI-BYTES");
  EXPECT_EQ(br.headers["content-encoding"], "br");
  EXPECT_EQ(br.headers["vary"], "Accept-Encoding");
  EXPECT_NE(br.headers["content-type"].find("javascript"), std::string::npos);
  auto gz = c.Request("GET", "/assets/app-1.js", "", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(gz.body, "GZIP-BYTES");
  EXPECT_EQ(gz.headers["content-encoding"], "gzip");
  // A coding refused with q=0 is not sent; a listed token is matched whole, not as a substring.
  auto refused =
      c.Request("GET", "/assets/app-1.js", "", {{"Accept-Encoding", "br;q=0, gzip; q=0.5"}});
  EXPECT_EQ(refused.headers["content-encoding"], "gzip");
  auto none = c.Request("GET", "/assets/app-1.js", "", {{"Accept-Encoding", "x-gzip-no, brx"}});
  EXPECT_EQ(none.headers.count("content-encoding"), 0u);
  auto plain = c.Get("/assets/app-1.js");
  EXPECT_EQ(plain.body, "console.log('plain')");
  EXPECT_EQ(plain.headers.count("content-encoding"), 0u);
  std::filesystem::remove_all(web);
}

}  // namespace
}  // namespace lep::testing
