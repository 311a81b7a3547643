// Contract suite of the portal's repositories (usage counting, the search change feed,
// ratings, favourites and history), the statistics read model and the ResourceRepository
// reads of published resources, on SQLite and, with LEP_TEST_PG_URL, PostgreSQL.
#include <gtest/gtest.h>

#include <cstdio>

#include "app/schema.h"
#include "orgs/org_repository_sql.h"
#include "portal/feed_repository.h"
#include "portal/learner_repository.h"
#include "portal/portal_service.h"
#include "portal/withdrawal_mark.h"
#include "portal/rating_repository.h"
#include "portal/usage_repository.h"
#include "resources/resource_repository.h"
#include "security/field_cipher.h"
#include "stats/stats_repository.h"
#include "storage/db/migrations.h"
#include "test_database.h"

namespace lep {
namespace {

using resources::Resource;
using resources::ResourceId;
using resources::ResourceState;

class PortalContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    test_db_ = std::make_unique<TestDatabase>(GetParam());
    ASSERT_TRUE(test_db_->error().empty()) << test_db_->error();
    if (test_db_->url().empty()) GTEST_SKIP() << "backend " << GetParam() << " not configured";
    auto db = storage::OpenDatabase(test_db_->url());
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    ASSERT_TRUE(storage::Migrate(*db_, app::AllMigrations()));
    orgs_ = orgs::NewSqlOrgRepository(*db_, cipher_);
    repo_ = resources::NewSqlResourceRepository(*db_);
    usage_ = portal::NewSqlUsageRepository(*db_);
    feed_ = portal::NewSqlFeedRepository(*db_);
    ratings_ = portal::NewSqlRatingRepository(*db_);
    learners_ = portal::NewSqlLearnerRepository(*db_);
    stats_ = stats::NewSqlStatsRepository(*db_);
    root_ = *orgs_->Create(std::nullopt, orgs::OrgKind::kOpenUniversity, "国家开放大学", "", 1);
    gd_ = *orgs_->Create(root_.id, orgs::OrgKind::kProvinceDept, "广东省教育厅", "广东", 1);
    bj_ = *orgs_->Create(root_.id, orgs::OrgKind::kProvinceDept, "北京市教育委员会", "北京", 1);
  }
  void TearDown() override {
    stats_.reset();
    learners_.reset();
    ratings_.reset();
    feed_.reset();
    usage_.reset();
    repo_.reset();
    orgs_.reset();
    db_.reset();
    test_db_.reset();
  }

  // A resource of org in state, published at `published_at` when published.
  ResourceId Make(const orgs::Org& org, const std::string& title, ResourceState state,
                  int64_t published_at = 0, const std::string& series = "",
                  const std::string& order = "") {
    Resource r;
    r.org_id = org.id;
    r.created_by = 7;
    r.state = state;
    r.meta.title = title;
    r.meta.summary = title + "简介";
    r.meta.domain = published_at % 2 ? "老年教育" : "社区教育";
    r.meta.category = "健康养生-太极拳";
    r.meta.copyright_holder = "演示学院";
    r.meta.presenters = {"张演示"};
    r.meta.series = series;
    r.meta.series_order = order;
    r.created_at = r.updated_at = 100;
    ResourceId id = repo_->Create(r)->id;
    if (published_at) {
      EXPECT_TRUE(db_->Exec("UPDATE resources SET published_at = ? WHERE id = ?",
                            {published_at, id.value}));
    }
    return id;
  }

  int64_t AddUser(const std::string& name) {
    auto row = db_->QueryOne(
        "INSERT INTO users (org_id, username, display_name, role, password_hash, created_at) "
        "VALUES (NULL, ?, ?, 'learner', 'x', 1) RETURNING id",
        {name, name + "（显示名）"});
    return (*row)->Int(0);
  }

  security::FieldCipher cipher_ = *security::FieldCipher::FromKey(std::string(32, 'k'));
  std::unique_ptr<TestDatabase> test_db_;
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<orgs::OrgRepository> orgs_;
  std::unique_ptr<resources::ResourceRepository> repo_;
  std::unique_ptr<portal::UsageRepository> usage_;
  std::unique_ptr<portal::FeedRepository> feed_;
  std::unique_ptr<portal::RatingRepository> ratings_;
  std::unique_ptr<portal::LearnerRepository> learners_;
  std::unique_ptr<stats::StatsRepository> stats_;
  orgs::Org root_, gd_, bj_;
};

TEST_P(PortalContract, PublishedReadsReturnOnlyPublishedRowsWithTheirUnit) {
  ResourceId a = Make(gd_, "太极甲", ResourceState::kPublished, 301, "太极系列", "2");
  ResourceId b = Make(gd_, "太极乙", ResourceState::kPublished, 302, "太极系列", "1");
  ResourceId draft = Make(gd_, "太极草稿", ResourceState::kDraft, 0, "太极系列", "3");
  ResourceId c = Make(bj_, "书法丙", ResourceState::kPublished, 303);
  ResourceId withdrawn = Make(bj_, "书法撤回", ResourceState::kWithdrawn, 304);
  ASSERT_TRUE(db_->Exec("UPDATE resources SET clicks = 50, learners = 1 WHERE id = ?", {b.value}));
  ASSERT_TRUE(db_->Exec("UPDATE resources SET clicks = 5, learners = 9 WHERE id = ?", {c.value}));

  auto got = *repo_->GetPublished({c, draft, a, withdrawn, ResourceId{999}});
  ASSERT_EQ(got.size(), 2u);  // in the order asked, only the published ones
  EXPECT_EQ(got[0].resource.id, c);
  EXPECT_EQ(got[0].unit_name, "北京市教育委员会");
  EXPECT_EQ(got[0].unit_region, "北京");
  EXPECT_EQ(got[1].resource.id, a);
  EXPECT_EQ(got[1].resource.workflow.published_at, 301);

  auto page = *repo_->ListPublishedAfter(ResourceId{0}, 2);
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].resource.id, a);
  EXPECT_EQ(page[1].resource.id, b);
  page = *repo_->ListPublishedAfter(b, 2);
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].resource.id, c);

  using resources::PublishedOrder;
  auto newest = *repo_->TopPublished(PublishedOrder::kNewest, 2);
  ASSERT_EQ(newest.size(), 2u);
  EXPECT_EQ(newest[0].resource.id, c);
  EXPECT_EQ((*repo_->TopPublished(PublishedOrder::kClicks, 1))[0].resource.id, b);
  EXPECT_EQ((*repo_->TopPublished(PublishedOrder::kLearners, 1))[0].resource.id, c);

  auto series = *repo_->PublishedSeries(gd_.id, "太极系列", 10);
  ASSERT_EQ(series.size(), 2u);  // the draft is not shown
  EXPECT_EQ(series[0].id, b);    // by order
  EXPECT_EQ(series[1].id, a);

  EXPECT_EQ(*repo_->CountPublished(), 3);
  auto domains = *repo_->CountPublishedByDomain();
  EXPECT_EQ(domains["老年教育"], 2);  // a (301) and c (303)
  EXPECT_EQ(domains["社区教育"], 1);
  EXPECT_EQ((*repo_->CountPublishedByCategory())["健康养生-太极拳"], 3);

  ASSERT_TRUE(db_->Exec("UPDATE resources SET batch_id = 2 WHERE id = ?", {a.value}));
  ASSERT_TRUE(db_->Exec("UPDATE resources SET batch_id = 1 WHERE id = ?", {c.value}));
  auto keys = *repo_->CatalogKeys();
  ASSERT_EQ(keys.size(), 3u);  // outside a batch first, then by batch
  EXPECT_EQ(keys[0].id, b);
  EXPECT_EQ(keys[1].id, c);
  EXPECT_EQ(keys[2].id, a);
  EXPECT_EQ(keys[2].batch_id, 2);

  auto filtered = *repo_->FilterPublished({withdrawn, c, draft, a});
  EXPECT_EQ(filtered, (std::vector<ResourceId>{c, a}));
}

TEST_P(PortalContract, AClickIsClaimedOncePerWindowAndALearnerOnce) {
  ResourceId a = Make(gd_, "太极甲", ResourceState::kPublished, 301);
  auto claim = [&](const std::string& visitor, int64_t at) {
    bool counted = false;
    EXPECT_TRUE(db_->Transaction([&](storage::SqlExecutor& tx) -> Status {
      LEP_ASSIGN_OR_RETURN(counted, usage_->ClaimClick(tx, a.value, visitor, at, 1000));
      return Ok();
    }));
    return counted;
  };
  EXPECT_TRUE(claim("v1", 10'000));
  EXPECT_FALSE(claim("v1", 10'500));  // inside the window
  EXPECT_TRUE(claim("v2", 10'500));
  EXPECT_TRUE(claim("v1", 11'000));  // the window has passed
  ASSERT_TRUE(usage_->PruneClicks(11'000));
  EXPECT_TRUE(claim("v2", 11'100));  // its record was pruned

  bool added = false;
  ASSERT_TRUE(db_->Transaction([&](storage::SqlExecutor& tx) -> Status {
    LEP_ASSIGN_OR_RETURN(added, usage_->AddLearner(tx, a.value, "v1"));
    EXPECT_TRUE(added);
    LEP_ASSIGN_OR_RETURN(added, usage_->AddLearner(tx, a.value, "v1"));
    EXPECT_FALSE(added);
    LEP_RETURN_IF_ERROR(usage_->AddDaily(tx, a.value, 19000, 3, 1));
    return usage_->AddDaily(tx, a.value, 19000, 2, 0);
  }));
  auto rows = *stats_->UsageByDay(root_.path, stats::UsageGroup::kResource, 0, 1 << 30);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].key, "太极甲");
  EXPECT_EQ(rows[0].day, 19000);
  EXPECT_EQ(rows[0].clicks, 5);
  EXPECT_EQ(rows[0].learners, 1);
  EXPECT_TRUE(stats_->UsageByDay(bj_.path, stats::UsageGroup::kDomain, 0, 1 << 30)->empty());
}

// Issue 16: a cached public page is served from memory (no database read, fit for the I/O
// thread) only while nothing has left the portal since it was checked; the withdrawal mark
// is a file the servers share and only grows.
TEST_P(PortalContract, CachedPagesComeFromMemoryOnlyWhileNothingWasWithdrawn) {
  const std::string path = ::testing::TempDir() + "lep-withdrawn-" + GetParam() + ".mark";
  std::remove(path.c_str());
  portal::WithdrawalMark mark(path);
  const portal::MarkToken none = mark.Read();
  EXPECT_EQ(none, portal::MarkToken{});
  mark.Bump();
  const portal::MarkToken one = mark.Read();
  mark.Bump();
  EXPECT_NE(one, none);
  EXPECT_NE(mark.Read(), one);

  auto categories = resources::NewSqlCategoryRepository(*db_);
  FakeClock clock;
  portal::PortalService svc(*repo_, *categories, nullptr, clock, {}, &mark);
  ResourceId a = Make(gd_, "太极甲", ResourceState::kPublished, 301);
  ResourceId b = Make(gd_, "太极乙", ResourceState::kPublished, 302);
  EXPECT_FALSE(svc.CachedDetailPage(a));  // never read
  ASSERT_TRUE(svc.DetailPage(a));
  ASSERT_TRUE(svc.DetailPage(b));
  ASSERT_TRUE(svc.HomePage());
  EXPECT_TRUE(svc.CachedDetailPage(a));
  EXPECT_TRUE(svc.CachedDetailPage(b));
  // A change that keeps a published (its counts): its own page is rebuilt, the others stay.
  svc.Invalidate({a.value}, false);
  EXPECT_FALSE(svc.CachedDetailPage(a));
  EXPECT_TRUE(svc.CachedDetailPage(b));
  ASSERT_TRUE(svc.DetailPage(a));
  ASSERT_TRUE(svc.HomePage());
  EXPECT_TRUE(svc.CachedHomePage());
  // b withdrawn and reported: the mark moves, so no page is served from memory until it has
  // been checked again (that of another server, which shares the file, neither).
  const portal::MarkToken before = mark.Read();
  ASSERT_TRUE(db_->Exec("UPDATE resources SET state = 'withdrawn' WHERE id = ?", {b.value}));
  svc.Invalidate({b.value}, false);
  EXPECT_NE(mark.Read(), before);
  EXPECT_FALSE(svc.CachedDetailPage(a));
  EXPECT_FALSE(svc.CachedHomePage());
  ASSERT_TRUE(svc.DetailPage(a));  // checked again (one primary-key read) ...
  EXPECT_TRUE(svc.CachedDetailPage(a));  // ... then from memory again
  auto gone = svc.DetailPage(b);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(svc.CachedDetailPage(b));
  // Pages age out.
  clock.Advance(std::chrono::milliseconds(portal::PortalService::kPageTtlMs));
  EXPECT_FALSE(svc.CachedDetailPage(a));
  // Without a mark nothing is served from memory.
  portal::PortalService unmarked(*repo_, *categories, nullptr, clock);
  ASSERT_TRUE(unmarked.DetailPage(a));
  EXPECT_FALSE(unmarked.CachedDetailPage(a));
  std::remove(path.c_str());
}

TEST_P(PortalContract, TheFeedListsChangesOfPublishedResourcesAndPrunesThem) {
  ResourceId a = Make(gd_, "太极甲", ResourceState::kPublished, 301);
  Make(gd_, "太极草稿", ResourceState::kDraft);  // not public: no row
  auto rows = *feed_->RowsAfter(0);
  ASSERT_EQ(rows.size(), 2u);  // inserted published, then published_at set
  for (const auto& r : rows) EXPECT_EQ(r.resource_id, a.value);
  ASSERT_TRUE(db_->Exec("UPDATE resources SET state = 'withdrawn' WHERE id = ?", {a.value}));
  rows = *feed_->RowsAfter(rows[1].seq);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(*feed_->CountAfter(0), 3);
  int64_t now = *feed_->DatabaseNowMs();
  EXPECT_GT(now, 1'600'000'000'000);
  EXPECT_EQ(*feed_->MaxSeqBefore(now - 3'600'000), 0);
  EXPECT_EQ(*feed_->MaxSeqBefore(now + 60'000), rows[0].seq);
  EXPECT_EQ(*feed_->PrunedSeq(), 0);
  EXPECT_FALSE(*feed_->Prune(now - 3'600'000, 5));  // nothing that old
  auto upto = *feed_->Prune(now + 60'000, 5);
  ASSERT_TRUE(upto);
  EXPECT_EQ(*upto, rows[0].seq);
  EXPECT_EQ(*feed_->PrunedSeq(), rows[0].seq);
  EXPECT_EQ(*feed_->CountAfter(0), 0);
  EXPECT_EQ(*feed_->RebuildToken(), "");
  ASSERT_TRUE(feed_->RequestRebuild("t1", 5));
  ASSERT_TRUE(feed_->RequestRebuild("t2", 6));
  EXPECT_EQ(*feed_->RebuildToken(), "t2");
}

TEST_P(PortalContract, RatingsAreOnePerUserAndPendingUntilModerated) {
  ResourceId a = Make(gd_, "太极甲", ResourceState::kPublished, 301);
  int64_t u1 = AddUser("learner1"), u2 = AddUser("learner2");
  int64_t r1 = *ratings_->Create({a.value, u1, 4, "很好", "", 10});
  auto dup = ratings_->Create({a.value, u1, 5, "", "", 11});
  ASSERT_FALSE(dup);
  EXPECT_TRUE(dup.error().Is(ErrorCode::kAlreadyExists));
  int64_t r2 = *ratings_->Create({a.value, u2, 2, "有敏感词", "赌博", 12});
  EXPECT_EQ(ratings_->ApprovedSummary(a.value)->count, 0);
  auto pending = *ratings_->ListPending(10, "");
  ASSERT_EQ(pending.size(), 2u);
  // By the owner's subtree: 广东's ratings are not in 北京's list, and are in 广东's.
  EXPECT_TRUE(ratings_->ListPending(10, bj_.path)->empty());
  EXPECT_EQ(ratings_->ListPending(10, gd_.path)->size(), 2u);
  EXPECT_EQ(ratings_->ListPending(1, gd_.path)->front().id, r1);
  EXPECT_EQ(pending[0].id, r1);
  EXPECT_EQ(pending[0].user_name, "learner1（显示名）");
  EXPECT_EQ(pending[1].flagged_words, "赌博");
  ASSERT_TRUE(ratings_->Moderate(r1, true, 9, 20));
  ASSERT_TRUE(ratings_->Moderate(r2, false, 9, 21));
  EXPECT_TRUE(ratings_->Moderate(999, true, 9, 22).error().Is(ErrorCode::kNotFound));
  auto summary = *ratings_->ApprovedSummary(a.value);
  EXPECT_EQ(summary.count, 1);
  EXPECT_DOUBLE_EQ(summary.average, 4.0);
  auto shown = *ratings_->ListApproved(a.value, 10);
  ASSERT_EQ(shown.size(), 1u);
  EXPECT_EQ(shown[0].state, "approved");
  EXPECT_EQ((*ratings_->Get(r2))->state, "rejected");
  EXPECT_FALSE(*ratings_->Get(999));
  EXPECT_TRUE(ratings_->ListPending(10, "")->empty());
}

TEST_P(PortalContract, FavouritesAndHistoryPerUser) {
  ResourceId a = Make(gd_, "太极甲", ResourceState::kPublished, 301);
  ResourceId b = Make(gd_, "太极乙", ResourceState::kPublished, 302);
  int64_t u = AddUser("learner1"), other = AddUser("learner2");
  ASSERT_TRUE(learners_->AddFavourite(u, a.value, 10));
  ASSERT_TRUE(learners_->AddFavourite(u, b.value, 20));
  ASSERT_TRUE(learners_->AddFavourite(u, a.value, 30));  // idempotent: keeps 10
  auto favs = *learners_->Favourites(u, 10);
  ASSERT_EQ(favs.size(), 2u);
  EXPECT_EQ(favs[0].resource_id, b.value);
  EXPECT_EQ(favs[1].at, 10);
  EXPECT_TRUE(learners_->Favourites(other, 10)->empty());
  ASSERT_TRUE(learners_->RemoveFavourite(u, b.value));
  EXPECT_EQ(learners_->Favourites(u, 10)->size(), 1u);

  ASSERT_TRUE(learners_->PutHistory(u, a.value, 95, 40));
  ASSERT_TRUE(learners_->PutHistory(u, b.value, 5, 50));
  ASSERT_TRUE(learners_->PutHistory(u, a.value, 120, 60));  // replaces
  auto history = *learners_->History(u, 10);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].resource_id, a.value);
  EXPECT_EQ(history[0].position_s, 120);
  EXPECT_EQ(learners_->History(u, 1)->size(), 1u);
}

TEST_P(PortalContract, StatisticsAreScopedToTheSubtree) {
  ResourceId a = Make(gd_, "广东甲", ResourceState::kPublished, 301);
  ResourceId b = Make(bj_, "北京乙", ResourceState::kPublished, 302);
  ResourceId draft = Make(gd_, "广东草稿", ResourceState::kDraft);
  ASSERT_TRUE(
      db_->Exec("UPDATE resources SET clicks = 7 WHERE id IN (?, ?)", {a.value, draft.value}));
  ASSERT_TRUE(db_->Transaction([&](storage::SqlExecutor& tx) -> Status {
    LEP_RETURN_IF_ERROR(usage_->AddDaily(tx, a.value, 100, 3, 0));
    LEP_RETURN_IF_ERROR(usage_->AddDaily(tx, b.value, 100, 9, 2));
    return usage_->AddDaily(tx, b.value, 90, 50, 0);
  }));
  auto all = *stats_->TopAllTime(root_.path, stats::Metric::kClicks, 10);
  ASSERT_EQ(all.size(), 1u);  // the draft is not published; b has no clicks of its own
  EXPECT_EQ(all[0].resource_id, a.value);
  EXPECT_EQ(all[0].value, 7);
  auto since = *stats_->TopSince(root_.path, stats::Metric::kClicks, 95, 10);
  ASSERT_EQ(since.size(), 2u);
  EXPECT_EQ(since[0].resource_id, b.value);
  EXPECT_EQ(since[0].value, 9);
  EXPECT_EQ(since[0].unit, "北京市教育委员会");
  auto gd_only = *stats_->TopSince(gd_.path, stats::Metric::kLearners, 0, 10);
  EXPECT_TRUE(gd_only.empty());  // a has no learners
  auto by_province = *stats_->UsageByDay(root_.path, stats::UsageGroup::kProvince, 95, 100);
  ASSERT_EQ(by_province.size(), 2u);
  EXPECT_EQ(by_province[0].key, "北京");
  ASSERT_TRUE(db_->Exec("UPDATE resources SET type = 'A03', link = ? WHERE id = ?",
                        {std::string("http://127.0.0.1:9/x"), b.value}));
  ASSERT_TRUE(db_->Exec(
      "INSERT INTO link_checks (resource_id, url, reachable, status, final_url, "
      "hops, error_code, error, elapsed_ms, checked_at) VALUES (?, ?, 0, 404, "
      "?, 0, 'http_status', '链接返回 HTTP 404', 3, 77)",
      {b.value, std::string("http://127.0.0.1:9/x"), std::string("http://127.0.0.1:9/x")}));
  auto broken = *stats_->BrokenLinks(root_.path, 10);
  ASSERT_EQ(broken.size(), 1u);
  EXPECT_EQ(broken[0].resource_id, b.value);
  EXPECT_EQ(broken[0].status, 404);
  EXPECT_TRUE(stats_->BrokenLinks(gd_.path, 10)->empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, PortalContract, ::testing::ValuesIn(Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace lep
