// ReviewService over the real repositories on an in-memory SQLite database migrated like the
// product (app::AllMigrations), with a FakeClock and a fake TechnicalCheck: every transition's
// side effects (state, version, claim, history, audit, notifications, e-mail outbox, cancelled
// uploads) and the order of checks (404 before 403, a stale version before any costly work,
// one read of the resource and of its campaign per decision). The in-memory database has one
// connection, so a repository call that escaped the decision's transaction would hang here.
#include "review/review_service.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "app/schema.h"
#include "auth/authorizer.h"
#include "orgs/org_repository_sql.h"
#include "review/review_repositories.h"
#include "security/audit_chain.h"
#include "sql_probe.h"
#include "storage/db/migrations.h"
#include "test_accounts.h"

namespace lep::review {
namespace {

using auth::Principal;
using auth::Role;
using orgs::OrgKind;
using resources::Resource;
using resources::ResourceId;
using S = resources::ResourceState;

// Unix ms of yyyy-mm-dd hh:mm Beijing time.
int64_t Beijing(const char* date, int h = 0, int m = 0) {
  return ShanghaiMidnightMs(*ParseIsoDate(date)) + (h * 60 + m) * 60'000LL;
}

class FakeTechnicalCheck final : public TechnicalCheck {
 public:
  Result<TechnicalVerdict> Verdict(const Resource& r) override {
    ++calls;
    asked.push_back(r.id.value);
    return verdict;
  }
  TechnicalVerdict verdict = TechnicalVerdict::kPassed;
  int calls = 0;
  std::vector<int64_t> asked;
};

// The real repositories, counting reads (what "reads the resource once" is measured with).
class CountingCampaigns final : public CampaignRepository {
 public:
  explicit CountingCampaigns(CampaignRepository& real) : real_(real) {}
  Result<std::vector<Campaign>> List() override { return ++reads, real_.List(); }
  Result<std::optional<Campaign>> Get(int64_t id) override { return ++reads, real_.Get(id); }
  Result<std::optional<Campaign>> Latest() override { return ++reads, real_.Latest(); }
  Result<int64_t> Create(storage::SqlExecutor& tx, const Campaign& c, int64_t at) override {
    return real_.Create(tx, c, at);
  }
  Result<bool> Update(storage::SqlExecutor& tx, const Campaign& c, int64_t at) override {
    return real_.Update(tx, c, at);
  }
  Result<std::optional<UnitDeadline>> GetUnitDeadline(int64_t campaign_id,
                                                      int64_t org_id) override {
    return real_.GetUnitDeadline(campaign_id, org_id);
  }
  Result<std::vector<UnitDeadline>> UnitDeadlines(int64_t campaign_id) override {
    return real_.UnitDeadlines(campaign_id);
  }
  Status SetUnitDeadline(storage::SqlExecutor& tx, const UnitDeadline& d) override {
    return real_.SetUnitDeadline(tx, d);
  }
  int reads = 0;

 private:
  CampaignRepository& real_;
};

class CountingResources final : public resources::ResourceRepository {
 public:
  explicit CountingResources(resources::ResourceRepository& real) : real_(real) {}
  Result<Resource> Create(const Resource& r) override { return real_.Create(r); }
  Result<std::vector<Resource>> CreateMany(const std::vector<Resource>& rs) override {
    return real_.CreateMany(rs);
  }
  Result<std::vector<Resource>> CreateMany(storage::SqlExecutor& tx,
                                           const std::vector<Resource>& rs) override {
    return real_.CreateMany(tx, rs);
  }
  Result<std::optional<Resource>> Get(ResourceId id) override { return ++reads, real_.Get(id); }
  Result<std::optional<Resource>> Get(storage::SqlExecutor& tx, ResourceId id) override {
    return ++reads, real_.Get(tx, id);
  }
  Result<std::vector<Resource>> GetMany(const std::vector<ResourceId>& ids) override {
    return ++reads, real_.GetMany(ids);
  }
  Result<Resource> Update(const Resource& r, int64_t expected_version) override {
    return real_.Update(r, expected_version);
  }
  Result<Resource> Update(storage::SqlExecutor& tx, const Resource& r,
                          int64_t expected_version) override {
    return real_.Update(tx, r, expected_version);
  }
  Result<int64_t> ChangeState(storage::SqlExecutor& tx, ResourceId id,
                              const resources::StateChange& change) override {
    return real_.ChangeState(tx, id, change);
  }
  Result<std::optional<resources::Cover>> SetCover(storage::SqlExecutor& tx, ResourceId id,
                                                   int64_t expected_version,
                                                   const resources::Cover& cover,
                                                   int64_t at) override {
    return real_.SetCover(tx, id, expected_version, cover, at);
  }
  Status SetMeasuredDuration(storage::SqlExecutor& tx, ResourceId id, int64_t expected_version,
                             const std::string& duration, int64_t at) override {
    return real_.SetMeasuredDuration(tx, id, expected_version, duration, at);
  }
  Result<int64_t> BeginLessonsChange(storage::SqlExecutor& tx, ResourceId id,
                                     std::optional<int64_t> expected_version,
                                     int64_t at) override {
    return real_.BeginLessonsChange(tx, id, expected_version, at);
  }
  Status SetLessonsDuration(storage::SqlExecutor& tx, ResourceId id,
                            const std::string& duration) override {
    return real_.SetLessonsDuration(tx, id, duration);
  }
  Status AddUsage(storage::SqlExecutor& tx,
                  const std::vector<resources::UsageDelta>& deltas) override {
    return real_.AddUsage(tx, deltas);
  }
  Status Delete(ResourceId id, int64_t expected_version) override {
    return real_.Delete(id, expected_version);
  }
  Status Delete(storage::SqlExecutor& tx, ResourceId id, int64_t expected_version) override {
    return real_.Delete(tx, id, expected_version);
  }
  Result<resources::ResourcePage> List(const resources::ResourceFilter& f) override {
    return ++reads, real_.List(f);
  }
  Result<std::optional<ResourceId>> SeriesOrderOwner(orgs::OrgId org, const std::string& series,
                                                     const std::string& order) override {
    return real_.SeriesOrderOwner(org, series, order);
  }
  Result<std::vector<resources::SeriesInfo>> ListSeries(orgs::OrgId org) override {
    return real_.ListSeries(org);
  }
  Status SetImportFiles(storage::SqlExecutor& tx, ResourceId id,
                        const ImportFiles& files) override {
    return real_.SetImportFiles(tx, id, files);
  }
  Result<std::map<int64_t, ImportFiles>> GetImportFiles(
      const std::vector<ResourceId>& ids) override {
    return real_.GetImportFiles(ids);
  }
  // The portal's reads of published rows (not used by the review service).
  using Published = std::vector<resources::PublishedResource>;
  Result<Published> GetPublished(const std::vector<ResourceId>& ids) override {
    return real_.GetPublished(ids);
  }
  Result<Published> ListPublishedAfter(ResourceId after, int limit) override {
    return real_.ListPublishedAfter(after, limit);
  }
  Result<Published> TopPublished(resources::PublishedOrder order, int limit) override {
    return real_.TopPublished(order, limit);
  }
  Result<std::vector<resources::SeriesItem>> PublishedSeries(orgs::OrgId org,
                                                             const std::string& series,
                                                             int limit) override {
    return real_.PublishedSeries(org, series, limit);
  }
  Result<int64_t> CountPublished() override { return real_.CountPublished(); }
  Result<std::map<std::string, int64_t>> CountPublishedByDomain() override {
    return real_.CountPublishedByDomain();
  }
  Result<std::map<std::string, int64_t>> CountPublishedByCategory() override {
    return real_.CountPublishedByCategory();
  }
  Result<std::vector<resources::CatalogKey>> CatalogKeys() override { return real_.CatalogKeys(); }
  Result<std::vector<ResourceId>> FilterPublished(const std::vector<ResourceId>& ids) override {
    return real_.FilterPublished(ids);
  }
  int reads = 0;

 private:
  resources::ResourceRepository& real_;
};

class CountingCategories final : public resources::CategoryRepository {
 public:
  explicit CountingCategories(resources::CategoryRepository& real) : real_(real) {}
  Result<std::vector<resources::Category>> All() override { return ++reads, real_.All(); }
  Result<resources::Category> Create(std::optional<int64_t> parent_id, const std::string& name,
                                     int64_t now) override {
    return real_.Create(parent_id, name, now);
  }
  Result<resources::Category> Rename(int64_t id, const std::string& name) override {
    return real_.Rename(id, name);
  }
  Status Delete(int64_t id) override { return real_.Delete(id); }
  int reads = 0;

 private:
  resources::CategoryRepository& real_;
};

class ReviewServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::move(*storage::OpenDatabase(":memory:"));
    ASSERT_TRUE(storage::Migrate(*db_, app::AllMigrations()));
    probe_ = std::make_unique<testing::SqlProbe>(*db_);
    orgs_ = orgs::NewSqlOrgRepository(*db_, cipher_);
    users_ = auth::NewSqlUserRepository(*db_);
    real_resources_ = resources::NewSqlResourceRepository(*db_);
    real_categories_ = resources::NewSqlCategoryRepository(*db_);
    ASSERT_TRUE(resources::SeedDefaultCategories(*real_categories_, 0));
    repos_ = NewSqlReviewRepositories(*db_);
    resource_repo_ = std::make_unique<CountingResources>(*real_resources_);
    categories_ = std::make_unique<CountingCategories>(*real_categories_);
    campaigns_ = std::make_unique<CountingCampaigns>(*repos_.campaigns);
    resource_service_ = std::make_unique<resources::ResourceService>(*db_, *resource_repo_,
                                                                     *categories_, *orgs_, clock_);
    notifications_ =
        std::make_unique<NotificationService>(*db_, *repos_.notifications, *campaigns_, clock_,
                                              NotificationOptions{{7, 1}, /*mail_enabled=*/true});
    service_ = std::make_unique<ReviewService>(ReviewService::Deps{
        *db_, *resource_service_, *resource_repo_, *orgs_, *users_, *campaigns_, *repos_.history,
        *repos_.batches, *repos_.progress, *repos_.pending_uploads, check_, clock_});
    service_->SetNotifications(notifications_.get());
    service_->SetPublicChangeHandler([this](int64_t id) { public_changes_.push_back(id); });

    root_ = *orgs_->Create(std::nullopt, OrgKind::kOpenUniversity, "国家开放大学", "", 0);
    gd_ = *orgs_->Create(root_.id, OrgKind::kProvinceDept, "广东省教育厅", "广东", 0);
    bj_ = *orgs_->Create(root_.id, OrgKind::kProvinceDept, "北京市教育委员会", "北京", 0);
    college_ = *orgs_->Create(gd_.id, OrgKind::kProvincialCollege, "岭南学院", "广东", 0);
    uploader_ = User("uploader", Role::kUploader, college_);
    gd_reviewer_ = User("gd_reviewer", Role::kReviewer, gd_);
    gd_reviewer2_ = User("gd_reviewer2", Role::kReviewer, gd_);
    gd_admin_ = User("gd_admin", Role::kUnitAdmin, gd_);
    bj_reviewer_ = User("bj_reviewer", Role::kReviewer, bj_);
    nou_reviewer_ = User("nou_reviewer", Role::kReviewer, root_);
    nou_reviewer2_ = User("nou_reviewer2", Role::kReviewer, root_);
    admin_ = User("admin", Role::kPlatformAdmin, root_);

    clock_.SetMs(Beijing("2022-05-10", 9));
    Campaign c;
    c.name = "2022年征集";
    c.year = 2022;
    c.submission_deadline = "2022-05-15";
    c.first_review_deadline = "2022-05-22";
    c.final_review_deadline = "2022-05-31";
    campaign_ = *service_->SaveCampaign(admin_, c);
  }

  Principal User(const std::string& name, Role role, const orgs::Org& org) {
    Principal p = testing::AddAccount(*users_, name, role, org);
    EXPECT_NE(p.user_id.value, 0) << name;
    return p;
  }

  // A draft with valid metadata and a cover, owned by the college.
  Resource Draft(const std::string& title, const std::string& type = "A01") {
    resources::MetadataInput in = {{"title", title},
                                   {"type", type},
                                   {"domain", "老年教育"},
                                   {"summary", "简介"},
                                   {"copyright_holder", "岭南学院"},
                                   {"presenters", "张演示"},
                                   {"category", "健康养生-太极拳"}};
    if (type == "A03") {
      in["platform"] = "演示平台";
      in["link"] = "https://course.example.org/1";
    }
    auto r = resource_service_->Create(uploader_, in);
    EXPECT_TRUE(r) << r.error().message;
    EXPECT_TRUE(db_->Transaction([&](storage::SqlExecutor& tx) -> Status {
      return real_resources_
          ->SetCover(tx, r->id, r->version, {std::string(32, 'a'), std::string(32, 'b'), 800, 450},
                     clock_.NowMs())
          .map([](auto&&) {});
    }));
    return Get(r->id);
  }

  Resource Get(ResourceId id) { return **real_resources_->Get(id); }

  Result<Resource> Do(const Principal& p, ResourceId id, Action a, const std::string& comment = "",
                      std::optional<int64_t> version = std::nullopt) {
    ReviewRequest req;
    req.action = a;
    req.comment = comment;
    req.checklist = {true, true, true, true};
    req.attestation = true;
    req.expected_version = version;
    return service_->Act(p, id, req);
  }

  // Draft → first review (submitted by the uploader) → … as far as `to`.
  Resource Bring(const std::string& title, S to) {
    Resource r = Draft(title);
    auto step = [&](const Principal& p, Action a) {
      auto done = Do(p, r.id, a, "同意");
      EXPECT_TRUE(done) << done.error().message;
      r = *done;
    };
    step(uploader_, Action::kSubmit);
    if (to == S::kFirstReview) return r;
    step(gd_reviewer_, Action::kApprove);
    if (to == S::kFinalReview) return r;
    step(nou_reviewer_, Action::kApprove);
    if (to == S::kApproved) return r;
    step(nou_reviewer_, Action::kPublish);
    return r;
  }

  std::vector<HistoryEntry> History(ResourceId id) { return *repos_.history->List(id); }

  std::vector<testing::AuditRow> Audit() { return probe_->Audit(); }

  std::vector<Notification> Inbox(const Principal& p) {
    return *repos_.notifications->List(p.user_id.value, false, 200, std::nullopt);
  }

  // Everything a refused request must leave as it was.
  struct Trace {
    int64_t history = 0, audit = 0, notifications = 0, mail = 0, version = 0;
    bool operator==(const Trace&) const = default;
  };
  Trace TraceOf(ResourceId id) {
    return {probe_->Rows("review_history"), probe_->Rows("audit_log"),
            probe_->Rows("notifications"), probe_->Rows("mail_outbox"), Get(id).version};
  }

  FakeClock clock_{0};
  security::FieldCipher cipher_ = *security::FieldCipher::FromKey(std::string(32, 'k'));
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<testing::SqlProbe> probe_;
  std::unique_ptr<orgs::OrgRepository> orgs_;
  std::unique_ptr<auth::UserRepository> users_;
  std::unique_ptr<resources::ResourceRepository> real_resources_;
  std::unique_ptr<resources::CategoryRepository> real_categories_;
  ReviewRepositories repos_;
  std::unique_ptr<CountingResources> resource_repo_;
  std::unique_ptr<CountingCategories> categories_;
  std::unique_ptr<CountingCampaigns> campaigns_;
  std::unique_ptr<resources::ResourceService> resource_service_;
  std::unique_ptr<NotificationService> notifications_;
  FakeTechnicalCheck check_;
  std::unique_ptr<ReviewService> service_;
  std::vector<int64_t> public_changes_;
  orgs::Org root_, gd_, bj_, college_;
  Principal uploader_, gd_reviewer_, gd_reviewer2_, gd_admin_, bj_reviewer_, nou_reviewer_,
      nou_reviewer2_, admin_;
  Campaign campaign_;
};

// ---- Submission ----

TEST_F(ReviewServiceTest, SubmitRoutesACollegeResourceToItsProvinceWithEverySideEffect) {
  Resource draft = Draft("太极拳入门");
  int64_t now = clock_.NowMs();
  // One unfinished upload (cancelled by the submission) and one finished (left alone).
  ASSERT_TRUE(probe_->AddUpload("open", draft.id.value, college_.id.value, uploader_.user_id.value,
                                now, now + 86'400'000, 0));
  ASSERT_TRUE(probe_->AddUpload("done", draft.id.value, college_.id.value, uploader_.user_id.value,
                                now, now + 86'400'000, now));
  auto audit_before = Audit().size();

  Principal from_campus = uploader_;
  from_campus.ip = "127.0.0.42";
  auto submitted = Do(from_campus, draft.id, Action::kSubmit, "", draft.version);
  ASSERT_TRUE(submitted) << submitted.error().message;
  EXPECT_EQ(submitted->state, S::kFirstReview);
  EXPECT_EQ(submitted->version, draft.version + 1);
  EXPECT_EQ(submitted->workflow.campaign_id, campaign_.id);  // the newest campaign
  EXPECT_EQ(submitted->workflow.attested_by, uploader_.user_id.value);
  EXPECT_EQ(submitted->workflow.attested_at, now);
  EXPECT_EQ(submitted->workflow.claimed_by, 0);
  // What Act returns is the row as stored.
  Resource stored = Get(draft.id);
  EXPECT_EQ(submitted->workflow, stored.workflow);
  EXPECT_EQ(submitted->version, stored.version);
  EXPECT_EQ(submitted->state, stored.state);
  EXPECT_EQ(submitted->updated_at, stored.updated_at);
  EXPECT_EQ(submitted->meta, stored.meta);

  auto history = History(draft.id);
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].action, "submit");
  EXPECT_EQ(history[0].from_state, "draft");
  EXPECT_EQ(history[0].to_state, "first_review");
  EXPECT_EQ(history[0].actor_id, uploader_.user_id.value);
  EXPECT_EQ(history[0].actor_name, "uploader（演示）");
  EXPECT_EQ(history[0].actor_org_name, "岭南学院");
  EXPECT_EQ(history[0].at, now);

  auto audit = Audit();
  ASSERT_EQ(audit.size(), audit_before + 1);
  EXPECT_EQ(audit.back().action, "review.submit");
  EXPECT_EQ(audit.back().object, "resource:" + std::to_string(draft.id.value));
  EXPECT_EQ(audit.back().detail, "draft→first_review");
  EXPECT_EQ(audit.back().actor_id, uploader_.user_id.value);
  EXPECT_EQ(audit.back().ip, "127.0.0.42");  // issue 14 item 9: review rows carry the address

  // The province's reviewers hear of it (with the first-review deadline); nobody else.
  for (const auto& p : {gd_reviewer_, gd_reviewer2_}) {
    auto inbox = Inbox(p);
    ASSERT_EQ(inbox.size(), 1u) << p.username;
    EXPECT_EQ(inbox[0].kind, "queued");
    EXPECT_EQ(inbox[0].title, "待初审：《太极拳入门》");
    EXPECT_NE(inbox[0].body.find("2022-05-22"), std::string::npos);
    EXPECT_EQ(inbox[0].resource_id, draft.id.value);
  }
  for (const auto& p : {uploader_, gd_admin_, bj_reviewer_, nou_reviewer_, admin_}) {
    EXPECT_TRUE(Inbox(p).empty()) << p.username;
  }
  EXPECT_EQ(probe_->MailTo(gd_.id.value), 1);
  EXPECT_EQ(probe_->Rows("mail_outbox"), 1);

  // Reviewers judge the bytes stored now: the open upload is refused from now on.
  EXPECT_EQ(probe_->UploadExpiresAt("open"), 0);
  EXPECT_EQ(probe_->UploadExpiresAt("done"), now + 86'400'000);
  EXPECT_EQ(check_.calls, 1);
  EXPECT_TRUE(public_changes_.empty());
}

TEST_F(ReviewServiceTest, ATopLevelUnitsOwnSubmissionGoesStraightToFinalReview) {
  Principal gd_uploader = User("gd_uploader", Role::kUploader, gd_);
  auto r = resource_service_->Create(gd_uploader, {{"title", "省厅的课程"},
                                                   {"type", "A01"},
                                                   {"domain", "老年教育"},
                                                   {"summary", "简介"},
                                                   {"copyright_holder", "广东省教育厅"},
                                                   {"presenters", "张演示"},
                                                   {"category", "健康养生-太极拳"}});
  ASSERT_TRUE(r);
  ASSERT_TRUE(db_->Transaction([&](storage::SqlExecutor& tx) -> Status {
    return real_resources_->SetCover(tx, r->id, r->version, {"c", "t", 1, 1}, 1).map([](auto&&) {});
  }));
  auto submitted = Do(gd_uploader, r->id, Action::kSubmit);
  ASSERT_TRUE(submitted) << submitted.error().message;
  EXPECT_EQ(submitted->state, S::kFinalReview);
  for (const auto& p : {nou_reviewer_, nou_reviewer2_}) {
    auto inbox = Inbox(p);
    ASSERT_EQ(inbox.size(), 1u);
    EXPECT_EQ(inbox[0].title, "待终审：《省厅的课程》");
    EXPECT_NE(inbox[0].body.find("2022-05-31"), std::string::npos);
  }
  EXPECT_TRUE(Inbox(gd_reviewer_).empty());
  EXPECT_EQ(probe_->MailTo(root_.id.value), 1);
  EXPECT_EQ(probe_->Rows("mail_outbox"), 1);
}

TEST_F(ReviewServiceTest, ADecisionReadsTheResourceOnceAndItsCampaignOnce) {
  Resource draft = Draft("只读一次");
  resource_repo_->reads = campaigns_->reads = categories_->reads = 0;
  ASSERT_TRUE(Do(uploader_, draft.id, Action::kSubmit, "", draft.version));
  EXPECT_EQ(resource_repo_->reads, 1);
  EXPECT_EQ(campaigns_->reads, 1);
  EXPECT_EQ(categories_->reads, 1);  // the metadata re-validated against the current tree

  for (auto [who, action] :
       {std::pair{&gd_reviewer_, Action::kClaim}, std::pair{&gd_reviewer_, Action::kApprove},
        std::pair{&nou_reviewer_, Action::kApprove}, std::pair{&nou_reviewer_, Action::kPublish}}) {
    resource_repo_->reads = campaigns_->reads = categories_->reads = 0;
    auto done = Do(*who, draft.id, action, "同意", Get(draft.id).version);
    ASSERT_TRUE(done) << ActionName(action) << ": " << done.error().message;
    EXPECT_EQ(resource_repo_->reads, 1) << ActionName(action);
    EXPECT_EQ(campaigns_->reads, 1) << ActionName(action);
    EXPECT_EQ(categories_->reads, 0) << ActionName(action);
  }
  EXPECT_EQ(check_.calls, 1);  // only the submission asks
}

// ---- Order of checks ----

TEST_F(ReviewServiceTest, AStaleVersionIsRefusedBeforeAnyCostlyWork) {
  Resource draft = Draft("过期的表单");
  Trace before = TraceOf(draft.id);
  resource_repo_->reads = campaigns_->reads = categories_->reads = 0;
  auto stale = Do(uploader_, draft.id, Action::kSubmit, "", draft.version - 1);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  EXPECT_EQ(stale.error().message, "该资源已被他人处理（版本已变化），请刷新后重试");
  EXPECT_EQ(check_.calls, 0);  // the technical check was never asked
  EXPECT_EQ(categories_->reads, 0);
  EXPECT_EQ(campaigns_->reads, 0);
  EXPECT_EQ(resource_repo_->reads, 1);
  EXPECT_EQ(TraceOf(draft.id), before);
  EXPECT_EQ(Get(draft.id).state, S::kDraft);

  // Even where the request would be refused anyway, the stale form is what the caller hears.
  auto stale_review = Do(bj_reviewer_, draft.id, Action::kApprove, "", draft.version + 5);
  ASSERT_FALSE(stale_review);
  EXPECT_EQ(stale_review.error().code, ErrorCode::kNotFound);  // …after visibility
  auto stale_other = Do(gd_reviewer_, draft.id, Action::kApprove, "", draft.version + 5);
  EXPECT_EQ(stale_other.error().code, ErrorCode::kConflict);
}

TEST_F(ReviewServiceTest, ARequestRefusedByTheStateMachineNeverAsksTheTechnicalCheck) {
  Resource draft = Draft("无权提交");
  Trace before = TraceOf(draft.id);
  categories_->reads = 0;
  // A reviewer of the province may see but not submit.
  auto forbidden = Do(gd_reviewer_, draft.id, Action::kSubmit);
  ASSERT_FALSE(forbidden);
  EXPECT_EQ(forbidden.error().code, ErrorCode::kPermissionDenied);
  // After the submission deadline nobody submits.
  clock_.SetMs(Beijing("2022-05-16", 9));
  auto late = Do(uploader_, draft.id, Action::kSubmit);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(late.error().message, "提交截止时间 2022-05-15 已过");
  EXPECT_EQ(check_.calls, 0);
  EXPECT_EQ(categories_->reads, 0);
  EXPECT_EQ(TraceOf(draft.id), before);
}

TEST_F(ReviewServiceTest, OutsideTheSubtreeIsNotFoundBeforeAnyPermissionCheck) {
  Resource draft = Draft("别省看不到");
  Trace before = TraceOf(draft.id);
  // Beijing's reviewer may not approve either, but must not learn that the resource exists.
  for (Action a : {Action::kSubmit, Action::kApprove, Action::kClaim, Action::kPublish}) {
    auto got = Do(bj_reviewer_, draft.id, a);
    ASSERT_FALSE(got);
    EXPECT_EQ(got.error().code, ErrorCode::kNotFound) << ActionName(a);
    EXPECT_EQ(got.error().message, "资源不存在");
  }
  auto missing = Do(uploader_, ResourceId{draft.id.value + 100}, Action::kSubmit);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(service_->TimelineOf(bj_reviewer_, draft.id));
  // Inside the subtree the same request is a 403.
  auto inside = Do(gd_admin_, draft.id, Action::kApprove);
  EXPECT_EQ(inside.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(TraceOf(draft.id), before);
  EXPECT_EQ(check_.calls, 0);
}

// ---- Technical check ----

TEST_F(ReviewServiceTest, APendingLinkCheckAsksToWaitAndChangesNothing) {
  Resource course = Draft("在线课程", "A03");
  check_.verdict = TechnicalVerdict::kPending;
  Trace before = TraceOf(course.id);
  auto pending = Do(uploader_, course.id, Action::kSubmit);
  ASSERT_FALSE(pending);
  EXPECT_EQ(pending.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(pending.error().message, "正在检测课程链接，请稍候几秒后再提交");
  ASSERT_EQ(pending.error().fields.size(), 1u);
  EXPECT_EQ(pending.error().fields[0].field, "link");
  EXPECT_EQ(check_.asked, std::vector<int64_t>{course.id.value});
  EXPECT_EQ(TraceOf(course.id), before);
  EXPECT_EQ(Get(course.id).state, S::kDraft);

  // Once the stored result is in, the same request goes through.
  check_.verdict = TechnicalVerdict::kPassed;
  auto submitted = Do(uploader_, course.id, Action::kSubmit);
  ASSERT_TRUE(submitted) << submitted.error().message;
  EXPECT_EQ(submitted->state, S::kFirstReview);
}

TEST_F(ReviewServiceTest, AFailedTechnicalCheckIsReportedWithTheOtherPrerequisites) {
  Resource video = Draft("未通过检测");
  check_.verdict = TechnicalVerdict::kFailed;
  ReviewRequest req;
  req.action = Action::kSubmit;  // no attestation either
  auto refused = service_->Act(uploader_, video.id, req);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "提交条件不满足");
  std::vector<std::string> fields;
  for (const auto& f : refused.error().fields) fields.push_back(f.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"technical_check", "attestation"}));
  EXPECT_EQ(Get(video.id).state, S::kDraft);
  EXPECT_TRUE(History(video.id).empty());
}

TEST_F(ReviewServiceTest, StoredMetadataIsRevalidatedAgainstTheCurrentCategoryTree) {
  Resource draft = Draft("分类已失效");
  ASSERT_TRUE(probe_->ForceCategory(draft.id.value, "已删除的分类"));
  auto refused = Do(uploader_, draft.id, Action::kSubmit);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().fields.at(0).field, "metadata");
  EXPECT_EQ(Get(draft.id).state, S::kDraft);
}

// ---- Review steps ----

TEST_F(ReviewServiceTest, ClaimAndUnclaimChangeOnlyTheHolder) {
  Resource r = Bring("认领", S::kFirstReview);
  int64_t notices = probe_->Rows("notifications");
  auto claimed = Do(gd_reviewer_, r.id, Action::kClaim, "", r.version);
  ASSERT_TRUE(claimed) << claimed.error().message;
  EXPECT_EQ(claimed->state, S::kFirstReview);
  EXPECT_EQ(claimed->version, r.version + 1);
  EXPECT_EQ(claimed->workflow.claimed_by, gd_reviewer_.user_id.value);
  EXPECT_EQ(Get(r.id).workflow.claimed_by, gd_reviewer_.user_id.value);
  // Held: the other reviewer of the unit can neither approve nor release it.
  auto other = Do(gd_reviewer2_, r.id, Action::kApprove);
  EXPECT_EQ(other.error().code, ErrorCode::kConflict);
  EXPECT_EQ(Do(gd_reviewer2_, r.id, Action::kUnclaim).error().code, ErrorCode::kConflict);
  auto released = Do(gd_reviewer_, r.id, Action::kUnclaim);
  ASSERT_TRUE(released);
  EXPECT_EQ(released->workflow.claimed_by, 0);
  auto history = History(r.id);
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[1].action, "claim");
  EXPECT_EQ(history[1].from_state, "first_review");
  EXPECT_EQ(history[1].to_state, "first_review");
  EXPECT_EQ(history[2].action, "unclaim");
  EXPECT_EQ(Audit().back().action, "review.unclaim");
  EXPECT_EQ(probe_->Rows("notifications"), notices);
}

TEST_F(ReviewServiceTest, FirstAndFinalApprovalEachTellTheNextDesk) {
  Resource r = Bring("两级审核", S::kFirstReview);
  ASSERT_TRUE(Do(gd_reviewer_, r.id, Action::kClaim));
  ReviewRequest unticked;
  unticked.action = Action::kApprove;
  auto incomplete = service_->Act(gd_reviewer_, r.id, unticked);
  ASSERT_FALSE(incomplete);
  EXPECT_EQ(incomplete.error().fields.size(), 4u);  // every 审核要点 unticked

  auto first = Do(gd_reviewer_, r.id, Action::kApprove, "内容规范");
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->state, S::kFinalReview);
  EXPECT_EQ(first->workflow.claimed_by, 0);  // the claim ends with the step
  auto h = History(r.id).back();
  EXPECT_EQ(h.action, "approve");
  EXPECT_EQ(h.to_state, "final_review");
  EXPECT_EQ(h.comment, "内容规范");
  EXPECT_EQ(h.checklist,
            "意识形态与政治导向：已核查；版权与知识产权：已核查；涉密与敏感信息：已核查；科学性与"
            "规范性：已核查");
  EXPECT_EQ(Audit().back().detail, "first_review→final_review：内容规范");
  auto nou = Inbox(nou_reviewer_);
  ASSERT_EQ(nou.size(), 1u);
  EXPECT_EQ(nou[0].title, "待终审：《两级审核》");
  EXPECT_NE(nou[0].body.find("「广东省教育厅」初审通过了「岭南学院」的资源"), std::string::npos);
  EXPECT_NE(nou[0].body.find("2022-05-31"), std::string::npos);

  // The province can no longer act; NOU approves into "approved", which tells nobody.
  EXPECT_EQ(Do(gd_reviewer_, r.id, Action::kReturn, "再看看").error().code,
            ErrorCode::kFailedPrecondition);
  int64_t notices = probe_->Rows("notifications");
  auto final = Do(nou_reviewer_, r.id, Action::kApprove);
  ASSERT_TRUE(final) << final.error().message;
  EXPECT_EQ(final->state, S::kApproved);
  EXPECT_EQ(probe_->Rows("notifications"), notices);
  EXPECT_EQ(History(r.id).back().to_state, "approved");
  EXPECT_EQ(Audit().back().action, "review.approve");
}

TEST_F(ReviewServiceTest, ReturnAndRejectTellTheUploaderWithTheComment) {
  Resource r = Bring("退回", S::kFirstReview);
  EXPECT_EQ(Do(gd_reviewer_, r.id, Action::kReturn).error().fields.at(0).field, "comment");
  auto returned = Do(gd_reviewer_, r.id, Action::kReturn, "封面不清晰");
  ASSERT_TRUE(returned) << returned.error().message;
  EXPECT_EQ(returned->state, S::kReturned);
  auto inbox = Inbox(uploader_);
  ASSERT_EQ(inbox.size(), 1u);
  EXPECT_EQ(inbox[0].kind, "returned");
  EXPECT_EQ(inbox[0].title, "资源被退回修改：《退回》");
  EXPECT_NE(inbox[0].body.find("封面不清晰"), std::string::npos);
  EXPECT_EQ(probe_->MailTo(college_.id.value), 1);

  // Resubmitted after the return, then rejected for good at final review.
  auto again = Do(uploader_, r.id, Action::kSubmit);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(History(r.id).back().from_state, "returned");
  ASSERT_TRUE(Do(gd_reviewer_, r.id, Action::kApprove));
  auto rejected = Do(nou_reviewer_, r.id, Action::kReject, "版权证明不足");
  ASSERT_TRUE(rejected);
  EXPECT_EQ(rejected->state, S::kRejected);
  inbox = Inbox(uploader_);
  ASSERT_EQ(inbox.size(), 2u);
  EXPECT_EQ(inbox[0].kind, "rejected");
  EXPECT_NE(inbox[0].body.find("版权证明不足"), std::string::npos);
  EXPECT_EQ(Audit().back().detail, "final_review→rejected：版权证明不足");
  EXPECT_EQ(Do(uploader_, r.id, Action::kSubmit).error().code, ErrorCode::kFailedPrecondition);
}

TEST_F(ReviewServiceTest, TakeOverOnlyAfterTheFirstReviewDeadline) {
  Resource r = Bring("逾期初审", S::kFirstReview);
  ASSERT_TRUE(Do(gd_reviewer_, r.id, Action::kClaim));
  auto early = Do(nou_reviewer_, r.id, Action::kTakeOver);
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().message, "初审截止时间 2022-05-22 尚未过，不能接管");
  clock_.SetMs(Beijing("2022-05-23", 8));
  auto taken = Do(nou_reviewer_, r.id, Action::kTakeOver);
  ASSERT_TRUE(taken) << taken.error().message;
  EXPECT_EQ(taken->state, S::kFinalReview);
  EXPECT_EQ(taken->workflow.claimed_by, nou_reviewer_.user_id.value);
  auto h = History(r.id).back();
  EXPECT_EQ(h.action, "take_over");
  EXPECT_TRUE(h.took_over);
  // NOU's other reviewers hear of it; the one who took it over does not.
  EXPECT_TRUE(Inbox(nou_reviewer_).empty());
  auto inbox = Inbox(nou_reviewer2_);
  ASSERT_EQ(inbox.size(), 1u);
  EXPECT_NE(inbox[0].body.find("初审逾期，已由「国家开放大学」接管"), std::string::npos);
}

TEST_F(ReviewServiceTest, PublishWithdrawAndRepublishFollowThePublicIndex) {
  Resource r = Bring("上线", S::kApproved);
  auto published = Do(nou_reviewer_, r.id, Action::kPublish, "", r.version);
  ASSERT_TRUE(published) << published.error().message;
  EXPECT_EQ(published->state, S::kPublished);
  EXPECT_EQ(published->workflow.published_at, clock_.NowMs());
  EXPECT_EQ(Get(r.id).workflow.published_at, clock_.NowMs());
  EXPECT_EQ(public_changes_, std::vector<int64_t>{r.id.value});
  auto inbox = Inbox(uploader_);
  ASSERT_EQ(inbox.size(), 1u);
  EXPECT_EQ(inbox[0].kind, "published");
  EXPECT_NE(inbox[0].body.find("已发布上线"), std::string::npos);

  EXPECT_EQ(Do(nou_reviewer_, r.id, Action::kWithdraw, "过时").error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(Do(admin_, r.id, Action::kWithdraw).error().fields.at(0).field, "comment");
  clock_.Advance(std::chrono::hours(1));
  auto withdrawn = Do(admin_, r.id, Action::kWithdraw, "内容过时");
  ASSERT_TRUE(withdrawn);
  EXPECT_EQ(withdrawn->state, S::kWithdrawn);
  EXPECT_EQ(Audit().back().detail, "published→withdrawn：内容过时");
  EXPECT_EQ(public_changes_.size(), 2u);
  auto republished = Do(admin_, r.id, Action::kRepublish);
  ASSERT_TRUE(republished);
  EXPECT_EQ(republished->state, S::kPublished);
  EXPECT_EQ(public_changes_.size(), 3u);
  EXPECT_EQ(Inbox(uploader_)[0].body.find("资源《上线》已重新上线"), 0u);
}

// ---- Batches ----

TEST_F(ReviewServiceTest, ABatchPublishesEveryItemWithHistoryAuditAndNotices) {
  Resource a = Bring("批内一", S::kApproved);
  Resource b = Bring("批内二", S::kApproved);
  Resource pending = Bring("尚在终审", S::kFinalReview);
  auto not_ready = service_->CreateBatch(nou_reviewer_, "", {a.id.value, pending.id.value});
  ASSERT_FALSE(not_ready);
  EXPECT_EQ(not_ready.error().message, "资源“尚在终审”尚未通过终审，不能加入发布批次");
  EXPECT_EQ(service_->CreateBatch(nou_reviewer_, "", {a.id.value, 9999}).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(service_->CreateBatch(nou_reviewer_, "", {}).error().code, ErrorCode::kInvalidArgument);

  auto batch = service_->CreateBatch(nou_reviewer_, " ", {b.id.value, a.id.value, a.id.value});
  ASSERT_TRUE(batch) << batch.error().message;
  EXPECT_EQ(batch->number, 0) << "numbered at publication";
  EXPECT_EQ(batch->name, "");
  EXPECT_EQ(batch->state, "draft");
  EXPECT_EQ(batch->resource_ids, (std::vector<int64_t>{b.id.value, a.id.value}));
  EXPECT_EQ(Audit().back().action, "batch.create");
  auto preview = service_->GetBatch(admin_, batch->id);
  ASSERT_TRUE(preview);
  ASSERT_EQ(preview->second.size(), 2u);
  EXPECT_EQ(preview->second[0].title, "批内一");
  EXPECT_EQ(preview->second[0].unit, "岭南学院");
  EXPECT_EQ(preview->second[0].type, "A01");
  EXPECT_EQ(preview->second[0].state, "approved");
  EXPECT_EQ(preview->first.resource_ids, (std::vector<int64_t>{a.id.value, b.id.value}));

  clock_.Advance(std::chrono::minutes(5));
  auto published = service_->PublishBatch(nou_reviewer_, batch->id);
  ASSERT_TRUE(published) << published.error().message;
  EXPECT_EQ(published->state, "published");
  EXPECT_EQ(published->number, 1);
  EXPECT_EQ(published->name, "第1批");
  EXPECT_EQ(published->published_at, clock_.NowMs());
  for (const Resource& r : {a, b}) {
    Resource now = Get(r.id);
    EXPECT_EQ(now.state, S::kPublished);
    EXPECT_EQ(now.workflow.batch_id, batch->id);
    EXPECT_EQ(now.workflow.published_at, clock_.NowMs());
    auto h = History(r.id).back();
    EXPECT_EQ(h.action, "publish");
    EXPECT_EQ(h.comment, "第1批");
  }
  auto inbox = Inbox(uploader_);
  ASSERT_EQ(inbox.size(), 2u);
  EXPECT_NE(inbox[0].body.find("已随「第1批」发布上线"), std::string::npos);
  EXPECT_EQ(Audit().back().action, "batch.publish");
  EXPECT_EQ(Audit().back().detail, "第1批，共 2 个资源");
  EXPECT_EQ(public_changes_, (std::vector<int64_t>{a.id.value, b.id.value}));
  auto twice = service_->PublishBatch(admin_, batch->id);
  EXPECT_EQ(twice.error().message, "该批次已发布");
  EXPECT_EQ(service_->Batches(admin_)->at(0).state, "published");
  // Every decision's audit row joined the hash chain.
  auto chain = security::VerifyChain(*db_);
  ASSERT_TRUE(chain);
  EXPECT_TRUE(chain->ok) << chain->reason;
}

TEST_F(ReviewServiceTest, ABatchWithAnItemThatLeftApprovedPublishesNothing) {
  Resource a = Bring("仍已通过", S::kApproved);
  Resource b = Bring("已单独发布", S::kApproved);
  auto batch = service_->CreateBatch(admin_, "第一批", {a.id.value, b.id.value});
  ASSERT_TRUE(batch);
  ASSERT_TRUE(Do(admin_, b.id, Action::kPublish));
  auto refused = service_->PublishBatch(admin_, batch->id);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_EQ(Get(a.id).state, S::kApproved);  // all or nothing
  EXPECT_EQ((*repos_.batches->Get(batch->id))->state, "draft");
}

TEST_F(ReviewServiceTest, AScheduledBatchPublishesAsItsCreatorOrFallsBackToDraft) {
  Resource a = Bring("定时一", S::kApproved);
  Resource b = Bring("定时二", S::kApproved);
  int64_t at = clock_.NowMs() + 3'600'000;
  EXPECT_EQ(service_->CreateBatch(nou_reviewer_, "", {a.id.value}, clock_.NowMs()).error().code,
            ErrorCode::kInvalidArgument);  // not in the future
  auto first = service_->CreateBatch(nou_reviewer_, "定时批", {a.id.value}, at);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->state, "scheduled");
  auto second = service_->CreateBatch(admin_, "", {b.id.value}, at + 1);
  ASSERT_TRUE(second);
  EXPECT_EQ(*service_->PublishDueBatches(), 0);  // not yet

  // b left "approved" meanwhile (as an older build could leave it): its batch cannot publish.
  ASSERT_TRUE(probe_->ForceState(b.id.value, "returned"));
  clock_.SetMs(at + 10);
  EXPECT_EQ(*service_->PublishDueBatches(), 1);
  EXPECT_EQ(Get(a.id).state, S::kPublished);
  auto h = History(a.id).back();
  EXPECT_EQ(h.actor_id, nou_reviewer_.user_id.value);  // as the account that scheduled it
  EXPECT_EQ(h.actor_org_name, "国家开放大学");
  auto back = *repos_.batches->Get(second->id);
  EXPECT_EQ(back->state, "draft");
  EXPECT_EQ(back->scheduled_at, 0);
  auto audit = Audit();
  EXPECT_EQ(audit.back().action, "batch.publish");
  EXPECT_EQ(audit.back().result, "failed");
  EXPECT_EQ(audit.back().actor_id, admin_.user_id.value);
  EXPECT_NE(audit.back().detail.find("定时发布失败，已取消定时"), std::string::npos);
  EXPECT_EQ(*service_->PublishDueBatches(), 0);  // nothing twice
}

TEST_F(ReviewServiceTest, AnItemInAScheduledBatchCannotBePublishedElsewhere) {
  Resource a = Bring("已排定", S::kApproved);
  int64_t at = clock_.NowMs() + 3'600'000;
  auto draft = service_->CreateBatch(admin_, "草稿批", {a.id.value});
  ASSERT_TRUE(draft);
  auto scheduled = service_->CreateBatch(admin_, "定时批", {a.id.value}, at);
  ASSERT_TRUE(scheduled);  // draft batches may share items with it
  const std::string why = "资源“已排定”已在定时发布的“定时批”中，不能再放入其他批次或单独发布";
  EXPECT_EQ(Do(admin_, a.id, Action::kPublish).error().message, why);
  EXPECT_EQ(service_->CreateBatch(admin_, "", {a.id.value}).error().message, why);
  EXPECT_EQ(service_->PublishBatch(admin_, draft->id).error().message, why);
  ReviewService::BatchUpdate schedule;
  schedule.scheduled_at = std::optional<int64_t>(at + 5);
  EXPECT_EQ(service_->UpdateBatch(admin_, draft->id, schedule).error().message, why);
  EXPECT_EQ(Get(a.id).state, S::kApproved);

  // Cancelling the schedule frees the item; renaming keeps the rest.
  ReviewService::BatchUpdate cancel;
  cancel.scheduled_at = std::optional<int64_t>();
  cancel.name = "  改名批  ";
  auto updated = service_->UpdateBatch(admin_, scheduled->id, cancel);
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ(updated->state, "draft");
  EXPECT_EQ(updated->scheduled_at, 0);
  EXPECT_EQ(updated->name, "改名批");
  EXPECT_EQ(*repos_.batches->Get(scheduled->id), *updated);
  EXPECT_EQ(Audit().back().detail, "取消定时发布；更名为 改名批");
  ASSERT_TRUE(service_->PublishBatch(admin_, draft->id));
  EXPECT_EQ(service_->UpdateBatch(admin_, draft->id, cancel).error().message,
            "已发布的批次不能修改");
}

TEST_F(ReviewServiceTest, BatchesAreForTheNationalDesk) {
  Resource a = Bring("权限", S::kApproved);
  for (const Principal* p : {&gd_reviewer_, &uploader_, &gd_admin_}) {
    EXPECT_EQ(service_->CreateBatch(*p, "", {a.id.value}).error().code,
              ErrorCode::kPermissionDenied);
    EXPECT_EQ(service_->Batches(*p).error().code, ErrorCode::kPermissionDenied);
  }
  auto b = service_->CreateBatch(nou_reviewer_, "", {a.id.value});
  ASSERT_TRUE(b);
  EXPECT_EQ(service_->PublishBatch(gd_reviewer_, b->id).error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_->UpdateBatch(gd_reviewer_, b->id, {}).error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_->GetBatch(admin_, b->id + 1).error().code, ErrorCode::kNotFound);
}

// ---- Reading ----

TEST_F(ReviewServiceTest, TimelineListsTheHistoryAndWhatTheCallerMayDoNext) {
  Resource r = Bring("时间线", S::kFirstReview);
  auto mine = service_->TimelineOf(gd_reviewer_, r.id);
  ASSERT_TRUE(mine);
  ASSERT_EQ(mine->entries.size(), 1u);
  EXPECT_EQ(mine->entries[0].action, "submit");
  std::vector<Action> expected = {Action::kClaim, Action::kApprove, Action::kReturn,
                                  Action::kReject};
  EXPECT_EQ(mine->allowed, expected);
  auto uploader = service_->TimelineOf(uploader_, r.id);
  ASSERT_TRUE(uploader);
  EXPECT_TRUE(uploader->allowed.empty());
  EXPECT_EQ(check_.calls, 1);  // listings never run the technical check
}

TEST_F(ReviewServiceTest, TheQueueShowsEachReviewerTheirOwnStep) {
  Resource first = Bring("待初审", S::kFirstReview);
  Resource final = Bring("待终审", S::kFinalReview);
  Resource approved = Bring("待发布", S::kApproved);
  auto ids = [](const std::vector<QueueItem>& items) {
    std::vector<int64_t> out;
    for (const auto& i : items) out.push_back(i.resource.id.value);
    return out;
  };
  auto gd = service_->Queue(gd_reviewer_, {});
  ASSERT_TRUE(gd);
  EXPECT_EQ(ids(*gd), std::vector<int64_t>{first.id.value});
  EXPECT_EQ((*gd)[0].org_name, "岭南学院");
  auto nou = service_->Queue(nou_reviewer_, {});
  EXPECT_EQ(ids(*nou), (std::vector<int64_t>{final.id.value, approved.id.value}));
  QueueFilter only_final;
  only_final.state = "final_review";
  EXPECT_EQ(ids(*service_->Queue(nou_reviewer_, only_final)), std::vector<int64_t>{final.id.value});
  QueueFilter overdue;
  overdue.overdue_only = true;
  EXPECT_TRUE(service_->Queue(gd_reviewer_, overdue)->empty());
  clock_.SetMs(Beijing("2022-05-23", 8));
  auto late = service_->Queue(nou_reviewer_, overdue);
  ASSERT_EQ(ids(*late), std::vector<int64_t>{first.id.value});  // NOU may take it over
  EXPECT_TRUE((*late)[0].overdue);
  EXPECT_TRUE(service_->Queue(bj_reviewer_, {})->empty());
  EXPECT_EQ(service_->Queue(uploader_, {}).error().code, ErrorCode::kPermissionDenied);
}

TEST_F(ReviewServiceTest, BulkApprovalReportsEachItem) {
  Resource a = Bring("批量一", S::kFirstReview);
  Resource b = Bring("批量二", S::kFirstReview);
  ReviewRequest req;
  req.checklist = {true, true, true, true};
  req.expected_version = 1;  // ignored: each item at its current version
  auto out = service_->BulkApprove(gd_reviewer_, {a.id.value, 9999, b.id.value}, req);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_TRUE(out[0].result);
  EXPECT_EQ(out[0].result->state, S::kFinalReview);
  EXPECT_EQ(out[1].result.error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(out[2].result);
  EXPECT_EQ(History(b.id).back().action, "approve");
}

TEST_F(ReviewServiceTest, BulkReturnGivesEachItemTheCommentAndReportsEachFailure) {
  Resource a = Bring("退回一", S::kFirstReview);
  Resource b = Bring("退回二", S::kFirstReview);
  Resource stale = Bring("退回三", S::kFirstReview);
  Resource final = Bring("已到终审", S::kFinalReview);
  const std::string comment = "请补充字幕文件并更换封面";
  std::vector<BulkItem> items = {{a.id.value, a.version},
                                 {9999, std::nullopt},
                                 {stale.id.value, stale.version + 1},
                                 {final.id.value, std::nullopt},
                                 {b.id.value, std::nullopt},
                                 {a.id.value, a.version}};  // repeated: once
  const size_t stale_history = History(stale.id).size();
  auto out = service_->BulkReturn(gd_reviewer_, items, comment);
  ASSERT_TRUE(out) << out.error().message;
  ASSERT_EQ(out->size(), 5u);
  EXPECT_EQ((*out)[0].id, a.id.value);
  ASSERT_TRUE((*out)[0].result) << (*out)[0].result.error().message;
  EXPECT_EQ((*out)[0].result->state, S::kReturned);
  EXPECT_EQ((*out)[1].result.error().code, ErrorCode::kNotFound);
  EXPECT_EQ((*out)[2].result.error().code, ErrorCode::kConflict);
  EXPECT_EQ((*out)[3].result.error().code, ErrorCode::kFailedPrecondition)
      << (*out)[3].result.error().message;  // NOU's step, not the province's
  ASSERT_TRUE((*out)[4].result);
  EXPECT_EQ(Get(b.id).state, S::kReturned);
  EXPECT_EQ(History(b.id).back().action, "return");
  EXPECT_EQ(History(b.id).back().comment, comment);
  EXPECT_EQ(Get(stale.id).version, stale.version);  // the refused items are untouched
  EXPECT_EQ(Get(stale.id).state, S::kFirstReview);
  EXPECT_EQ(History(stale.id).size(), stale_history);
  EXPECT_EQ(Get(final.id).state, S::kFinalReview);

  // Another province's reviewer: every item not found, nothing changes.
  Resource c = Bring("他省不可见", S::kFirstReview);
  Trace before = TraceOf(c.id);
  auto foreign = service_->BulkReturn(bj_reviewer_, {{c.id.value, std::nullopt}}, comment);
  ASSERT_TRUE(foreign);
  EXPECT_EQ((*foreign)[0].result.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(TraceOf(c.id), before);
}

TEST_F(ReviewServiceTest, BulkReturnRefusedAsAWholeChangesNothing) {
  Resource a = Bring("整体拒绝", S::kFirstReview);
  Trace before = TraceOf(a.id);
  auto no_comment = service_->BulkReturn(gd_reviewer_, {{a.id.value, std::nullopt}}, "  ");
  ASSERT_FALSE(no_comment);
  EXPECT_EQ(no_comment.error().code, ErrorCode::kInvalidArgument);
  ASSERT_EQ(no_comment.error().fields.size(), 1u);
  EXPECT_EQ(no_comment.error().fields[0].field, "comment");
  auto none = service_->BulkReturn(gd_reviewer_, {}, "请修改");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().fields[0].field, "items");
  std::vector<BulkItem> many(kMaxBulkItems + 1, BulkItem{a.id.value, std::nullopt});
  auto too_many = service_->BulkReturn(gd_reviewer_, many, "请修改");
  ASSERT_FALSE(too_many);
  EXPECT_NE(too_many.error().fields[0].message.find("500"), std::string::npos);
  EXPECT_EQ(service_->BulkReturn(uploader_, {{a.id.value, std::nullopt}}, "请修改").error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(TraceOf(a.id), before);
  EXPECT_EQ(Get(a.id).state, S::kFirstReview);
}

TEST_F(ReviewServiceTest, ProgressCountsEachUnitsResourcesWithTheOverdueOnes) {
  Bring("进度一", S::kFirstReview);
  Bring("进度二", S::kFirstReview);
  Bring("进度三", S::kFinalReview);
  Draft("未提交");  // no campaign yet
  clock_.SetMs(Beijing("2022-05-23", 8));
  auto rows = service_->ProgressRows(admin_, campaign_.id, std::nullopt);
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].top_name, "广东省教育厅");
  EXPECT_EQ((*rows)[0].org_name, "岭南学院");
  EXPECT_EQ((*rows)[0].state, "final_review");
  EXPECT_EQ((*rows)[0].overdue, 0);  // the final-review deadline is not over
  EXPECT_EQ((*rows)[1].state, "first_review");
  EXPECT_EQ((*rows)[1].count, 2);
  EXPECT_EQ((*rows)[1].overdue, 2);
  EXPECT_TRUE(service_->ProgressRows(bj_reviewer_, campaign_.id, std::nullopt)->empty());
  EXPECT_EQ(service_->ProgressRows(bj_reviewer_, campaign_.id, college_.id).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(service_->ProgressRows(admin_, campaign_.id + 1, std::nullopt).error().code,
            ErrorCode::kNotFound);
  auto table = service_->Progress(gd_admin_, campaign_.id);
  ASSERT_TRUE(table);
  EXPECT_EQ(table->size(), 2u);
  EXPECT_EQ((*table)[1],
            (std::vector<std::string>{"广东省教育厅", "first_review", "老年教育", "A01", "2"}));
}

TEST_F(ReviewServiceTest, CampaignsAreValidatedAndAudited) {
  Campaign bad;
  bad.name = " ";
  bad.year = 1999;
  bad.submission_deadline = "2022-02-30";
  auto refused = service_->SaveCampaign(admin_, bad);
  ASSERT_FALSE(refused);
  std::vector<std::string> fields;
  for (const auto& f : refused.error().fields) fields.push_back(f.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"name", "year", "submission_deadline"}));
  EXPECT_EQ(service_->SaveCampaign(gd_admin_, campaign_).error().code,
            ErrorCode::kPermissionDenied);
  Campaign extended = campaign_;
  extended.submission_deadline = "2022-05-20";
  auto saved = service_->SaveCampaign(admin_, extended);
  ASSERT_TRUE(saved);
  EXPECT_EQ(**repos_.campaigns->Get(campaign_.id), extended);
  EXPECT_EQ(Audit().back().detail, "2022年征集 提交截止 2022-05-20");
  Campaign ghost = campaign_;
  ghost.id = campaign_.id + 10;
  EXPECT_EQ(service_->SaveCampaign(admin_, ghost).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_->Campaigns()->size(), 1u);
  // With two campaigns open, the submitter chooses; a resource already in one stays there.
  Campaign next = campaign_;
  next.id = 0;
  next.name = "2023年征集";
  next.submission_deadline = "";
  next.first_review_deadline = "";
  next.final_review_deadline = "";
  auto created = service_->SaveCampaign(admin_, next);
  ASSERT_TRUE(created);
  EXPECT_EQ((*service_->LatestCampaign())->id, created->id);
  Resource draft = Draft("新批次");
  auto unchosen = Do(uploader_, draft.id, Action::kSubmit);
  ASSERT_FALSE(unchosen);
  EXPECT_EQ(unchosen.error().code, ErrorCode::kInvalidArgument);
  ASSERT_EQ(unchosen.error().fields.size(), 1u);
  EXPECT_EQ(unchosen.error().fields[0].field, "campaign_id");
  EXPECT_EQ(check_.calls, 0);
  ReviewRequest req;
  req.action = Action::kSubmit;
  req.attestation = true;
  req.campaign_id = created->id;
  auto r = service_->Act(uploader_, draft.id, req);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->workflow.campaign_id, created->id);
}

TEST_F(ReviewServiceTest, SubmittingIntoAnUnknownCampaignIsNotFound) {
  Resource draft = Draft("无此批次");
  ReviewRequest req;
  req.action = Action::kSubmit;
  req.attestation = true;
  req.campaign_id = campaign_.id + 5;
  auto got = service_->Act(uploader_, draft.id, req);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(got.error().message, "征集批次不存在");
  EXPECT_EQ(check_.calls, 0);
}

// ---- Issue 17 §2: the deadline model of the notice ----

TEST_F(ReviewServiceTest, AProvinceReturnMayBeResubmittedUntilTheFirstReviewDeadline) {
  Resource r = Bring("退回后重交", S::kFirstReview);
  // The province returns it after the upload deadline (05-15), inside its review window.
  clock_.SetMs(Beijing("2022-05-18", 10));
  ASSERT_TRUE(Do(gd_reviewer_, r.id, Action::kReturn, "请补充字幕"));
  // A new submission is refused after the upload deadline …
  Resource late = Draft("新提交");
  auto refused_new = Do(uploader_, late.id, Action::kSubmit);
  ASSERT_FALSE(refused_new);
  EXPECT_EQ(refused_new.error().message, "提交截止时间 2022-05-15 已过");
  // … but the returned item goes back to the province until its review deadline.
  clock_.SetMs(Beijing("2022-05-22", 23, 59));
  Trace before = TraceOf(r.id);
  auto again = Do(uploader_, r.id, Action::kSubmit);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->state, S::kFirstReview);
  EXPECT_NE(TraceOf(r.id), before);
  // Returned again, it cannot come back once the province's deadline is over.
  ASSERT_TRUE(Do(gd_reviewer_, r.id, Action::kReturn, "字幕仍缺"));
  clock_.SetMs(Beijing("2022-05-23", 0));
  before = TraceOf(r.id);
  auto over = Do(uploader_, r.id, Action::kSubmit);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(over.error().message, "退回修改的资源须在初审截止时间 2022-05-22 前重新提交，现已过期");
  EXPECT_EQ(TraceOf(r.id), before);
  EXPECT_EQ(check_.calls, 2) << "the refused resubmission never asked the technical check";
  // The timeline offers what Act would accept.
  auto timeline = service_->TimelineOf(uploader_, r.id);
  ASSERT_TRUE(timeline);
  EXPECT_TRUE(timeline->allowed.empty());
}

TEST_F(ReviewServiceTest, ANouReturnGoesBackToNouUntilTheFinalDeadline) {
  Resource r = Bring("终审退回", S::kFinalReview);
  clock_.SetMs(Beijing("2022-05-25", 9));
  ASSERT_TRUE(Do(nou_reviewer_, r.id, Action::kReturn, "画面需调亮"));
  // Past the province's review deadline: the item still comes back, straight to 终审.
  auto timeline = service_->TimelineOf(uploader_, r.id);
  ASSERT_TRUE(timeline);
  EXPECT_EQ(timeline->allowed, (std::vector<Action>{Action::kSubmit}));
  auto again = Do(uploader_, r.id, Action::kSubmit);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->state, S::kFinalReview);
  ASSERT_TRUE(Do(nou_reviewer_, r.id, Action::kReturn, "仍需调亮"));
  clock_.SetMs(Beijing("2022-06-01", 0));
  auto over = Do(uploader_, r.id, Action::kSubmit);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().message, "退回修改的资源须在终审截止时间 2022-05-31 前重新提交，现已过期");
}

TEST_F(ReviewServiceTest, DeadlinesWithATimeOfDayAreBeijingTimeWhateverTheMachineTz) {
  // 广东's own notice: 5月9日12:00.
  Campaign c = campaign_;
  c.submission_deadline = "2022-05-09T12:00";
  ASSERT_TRUE(service_->SaveCampaign(admin_, c));
  EXPECT_EQ((*repos_.campaigns->Get(c.id))->submission_deadline, "2022-05-09 12:00");
  for (const char* tz : {"UTC", "America/New_York", "Asia/Kolkata"}) {
    ASSERT_EQ(setenv("TZ", tz, 1), 0);
    tzset();
    Resource draft = Draft(std::string("定时截止 ") + tz);
    clock_.SetMs(Beijing("2022-05-09", 12) - 1);  // 11:59:59.999 in Beijing
    auto in_time = Do(uploader_, draft.id, Action::kSubmit);
    EXPECT_TRUE(in_time) << tz << ": " << in_time.error().message;
    Resource late = Draft(std::string("晚了 ") + tz);
    clock_.SetMs(Beijing("2022-05-09", 12));
    auto refused = Do(uploader_, late.id, Action::kSubmit);
    ASSERT_FALSE(refused) << tz;
    EXPECT_EQ(refused.error().message, "提交截止时间 2022-05-09 12:00 已过") << tz;
  }
  unsetenv("TZ");
  tzset();
}

TEST_F(ReviewServiceTest, CampaignDatesAreCheckedForOrderNamingTheField) {
  Campaign c;
  c.name = "顺序错误";
  c.year = 2022;
  c.starts = "2022-05-16";
  c.submission_deadline = "2022-05-15 18:00";
  c.first_review_deadline = "2022-05-15 17:00";
  c.final_review_deadline = "2022-05-31 25:00";
  int64_t campaigns_before = probe_->Rows("campaigns");
  auto refused = service_->SaveCampaign(admin_, c);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  std::map<std::string, std::string> by_field;
  for (const auto& f : refused.error().fields) by_field[f.field] = f.message;
  EXPECT_EQ(by_field.size(), 3u);
  EXPECT_EQ(by_field["submission_deadline"], "资源提交截止时间应晚于征集开始时间 2022-05-16");
  EXPECT_EQ(by_field["first_review_deadline"],
            "初审截止时间不能早于资源提交截止时间 2022-05-15 18:00");
  EXPECT_NE(by_field["final_review_deadline"].find("yyyy-mm-dd HH:MM"), std::string::npos);
  EXPECT_EQ(probe_->Rows("campaigns"), campaigns_before);
  // Equal deadlines are allowed (≤), a start equal to the upload deadline is not (<).
  c.starts = "2022-05-01";
  c.first_review_deadline = "2022-05-15 18:00";
  c.final_review_deadline = "2022-05-15 18:00";
  EXPECT_TRUE(service_->SaveCampaign(admin_, c));
}

TEST_F(ReviewServiceTest, ACampaignNotYetOpenRefusesSubmissionsAndTheOpenOneIsTheDefault) {
  Campaign later;
  later.name = "2023年征集";
  later.year = 2023;
  later.starts = "2023-03-01 09:00";
  later.submission_deadline = "2023-05-15";
  auto saved = service_->SaveCampaign(admin_, later);
  ASSERT_TRUE(saved);
  // The 2023 campaign is newer, but not open: submissions go to the open 2022 one.
  auto open = service_->OpenCampaigns();
  ASSERT_TRUE(open);
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0].id, campaign_.id);
  auto r = Do(uploader_, Draft("默认征集").id, Action::kSubmit);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->workflow.campaign_id, campaign_.id);
  // Chosen explicitly before it opens: refused with its start time.
  ReviewRequest req;
  req.action = Action::kSubmit;
  req.attestation = true;
  req.campaign_id = saved->id;
  auto early = service_->Act(uploader_, Draft("太早").id, req);
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().message, "「2023年征集」将于 2023-03-01 09:00 开始，尚不能提交");
}

TEST_F(ReviewServiceTest, AProvinceSetsAnEarlierInternalDeadlineForItsUnits) {
  // Only the province's admin (or a platform admin), never later than the campaign's.
  EXPECT_EQ(service_->SetUnitDeadline(gd_reviewer_, campaign_.id, gd_.id, "2022-05-09 12:00")
                .error()
                .code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(
      service_->SetUnitDeadline(uploader_, campaign_.id, gd_.id, "2022-05-09 12:00").error().code,
      ErrorCode::kNotFound);
  Principal bj_admin = User("bj_admin", Role::kUnitAdmin, bj_);
  EXPECT_EQ(
      service_->SetUnitDeadline(bj_admin, campaign_.id, gd_.id, "2022-05-09 12:00").error().code,
      ErrorCode::kNotFound);
  auto too_late = service_->SetUnitDeadline(gd_admin_, campaign_.id, gd_.id, "2022-05-16");
  ASSERT_FALSE(too_late);
  EXPECT_EQ(too_late.error().fields.at(0).field, "submission_deadline");
  EXPECT_EQ(too_late.error().message,
            "本单位提交截止时间不能晚于征集的资源提交截止时间 2022-05-15");
  EXPECT_EQ(
      service_->SetUnitDeadline(gd_admin_, campaign_.id, college_.id, "2022-05-09").error().code,
      ErrorCode::kPermissionDenied);
  auto set = service_->SetUnitDeadline(gd_admin_, campaign_.id, gd_.id, "2022-05-09 12:00");
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(Audit().back().action, "campaign.unit_deadline");
  auto listed = service_->UnitDeadlines(uploader_, campaign_.id);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].org_name, "广东省教育厅");
  EXPECT_TRUE(service_->UnitDeadlines(bj_reviewer_, campaign_.id)->empty());

  // The college is held to it; a Beijing unit is not.
  clock_.SetMs(Beijing("2022-05-09", 12, 30));
  auto refused = Do(uploader_, Draft("省内截止后").id, Action::kSubmit);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "本省（初审单位）规定的提交截止时间 2022-05-09 12:00 已过");
  orgs::Org bj_college =
      *orgs_->Create(bj_.id, OrgKind::kProvincialCollege, "北京某学院", "北京", 0);
  Principal bj_uploader = User("bj_uploader", Role::kUploader, bj_college);
  resources::MetadataInput in = {{"title", "北京的资源"},      {"type", "A01"},
                                 {"domain", "老年教育"},       {"summary", "简介"},
                                 {"copyright_holder", "某某"}, {"presenters", "张三"}};
  auto created = resource_service_->Create(bj_uploader, in);
  ASSERT_TRUE(created) << created.error().message;
  auto other = Do(bj_uploader, created->id, Action::kSubmit);
  ASSERT_FALSE(other);  // incomplete metadata, but not the deadline: the checks went on
  EXPECT_EQ(other.error().code, ErrorCode::kInvalidArgument);
  // Removed, the campaign's deadline applies again.
  ASSERT_TRUE(service_->SetUnitDeadline(gd_admin_, campaign_.id, gd_.id, ""));
  EXPECT_TRUE(Do(uploader_, Draft("取消内部截止").id, Action::kSubmit));
}

TEST_F(ReviewServiceTest, DraftBatchesMayChangeOrGoAndNumbersFollowPublication) {
  Resource a = Bring("甲", S::kApproved);
  Resource b = Bring("乙", S::kApproved);
  Resource c = Bring("丙", S::kApproved);
  auto first = service_->CreateBatch(nou_reviewer_, "", {a.id.value});
  auto second = service_->CreateBatch(nou_reviewer_, "五月精选", {b.id.value});
  ASSERT_TRUE(first && second);
  // Change the items of a draft; only approved items.
  ReviewService::BatchUpdate items;
  items.resource_ids = std::vector<int64_t>{a.id.value, c.id.value};
  auto changed = service_->UpdateBatch(nou_reviewer_, first->id, items);
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_EQ(changed->resource_ids, (std::vector<int64_t>{a.id.value, c.id.value}));
  Resource pending = Bring("未终审", S::kFinalReview);
  items.resource_ids = std::vector<int64_t>{pending.id.value};
  EXPECT_EQ(service_->UpdateBatch(nou_reviewer_, first->id, items).error().code,
            ErrorCode::kFailedPrecondition);
  // Delete a draft: no number is used up.
  EXPECT_EQ(service_->DeleteBatch(gd_reviewer_, first->id).error().code,
            ErrorCode::kPermissionDenied);
  ASSERT_TRUE(service_->DeleteBatch(nou_reviewer_, first->id));
  EXPECT_EQ(Audit().back().action, "batch.delete");
  EXPECT_EQ(service_->GetBatch(admin_, first->id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(Get(a.id).state, S::kApproved);
  auto published = service_->PublishBatch(nou_reviewer_, second->id);
  ASSERT_TRUE(published);
  EXPECT_EQ(published->number, 1);
  EXPECT_EQ(published->name, "五月精选");
  auto third = service_->CreateBatch(nou_reviewer_, "", {a.id.value, c.id.value});
  ASSERT_TRUE(third);
  // A publication that fails gives its number back.
  ASSERT_TRUE(probe_->ForceState(c.id.value, "final_review"));
  EXPECT_FALSE(service_->PublishBatch(nou_reviewer_, third->id));
  ASSERT_TRUE(probe_->ForceState(c.id.value, "approved"));
  auto next = service_->PublishBatch(nou_reviewer_, third->id);
  ASSERT_TRUE(next) << next.error().message;
  EXPECT_EQ(next->number, 2);
  EXPECT_EQ(next->name, "第2批");
  // Published batches are neither changed nor deleted.
  EXPECT_EQ(service_->DeleteBatch(nou_reviewer_, next->id).error().code,
            ErrorCode::kFailedPrecondition);
  items.resource_ids = std::vector<int64_t>{a.id.value};
  EXPECT_EQ(service_->UpdateBatch(nou_reviewer_, next->id, items).error().code,
            ErrorCode::kFailedPrecondition);
  auto listed = *service_->Batches(admin_);
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].number, 2);
  EXPECT_EQ(listed[1].number, 1);
}

TEST_F(ReviewServiceTest, TheUploaderHearsOfAWithdrawalWithTheReason) {
  Resource r = Bring("将下线", S::kPublished);
  auto withdrawn = Do(admin_, r.id, Action::kWithdraw, "版权方撤回授权");
  ASSERT_TRUE(withdrawn) << withdrawn.error().message;
  auto inbox = Inbox(uploader_);
  ASSERT_FALSE(inbox.empty());
  EXPECT_EQ(inbox[0].kind, "withdrawn");
  EXPECT_EQ(inbox[0].title, "资源已下线：《将下线》");
  EXPECT_NE(inbox[0].body.find("版权方撤回授权"), std::string::npos);
  EXPECT_EQ(inbox[0].resource_id, r.id.value);
}

TEST_F(ReviewServiceTest, QueuedItemsReachReviewersAsOneDigestPerDay) {
  for (int i = 0; i < 5; ++i) Bring("批量提交" + std::to_string(i), S::kFirstReview);
  auto inbox = Inbox(gd_reviewer_);
  ASSERT_EQ(inbox.size(), 1u) << "five submissions, one message";
  EXPECT_EQ(inbox[0].kind, "queued");
  EXPECT_EQ(inbox[0].count, 5);
  EXPECT_EQ(inbox[0].title, "待初审：今日新增 5 个资源");
  EXPECT_NE(inbox[0].body.find("《批量提交4》"), std::string::npos) << inbox[0].body;
  EXPECT_NE(inbox[0].body.find("2022-05-22"), std::string::npos);
  EXPECT_FALSE(inbox[0].read_at);
  // Read, then another item: unread again, counted on.
  ASSERT_TRUE(notifications_->MarkAllRead(gd_reviewer_.user_id.value));
  Bring("又一个", S::kFirstReview);
  inbox = Inbox(gd_reviewer_);
  ASSERT_EQ(inbox.size(), 1u);
  EXPECT_EQ(inbox[0].count, 6);
  EXPECT_FALSE(inbox[0].read_at);
  // One e-mail per unit and day.
  EXPECT_EQ(probe_->Rows("mail_outbox"), 1);
  // The next Beijing day starts a new digest.
  clock_.SetMs(Beijing("2022-05-11", 0));
  Bring("次日", S::kFirstReview);
  inbox = Inbox(gd_reviewer_);
  ASSERT_EQ(inbox.size(), 2u);
  EXPECT_EQ(inbox[0].count, 1);
  EXPECT_EQ(inbox[0].title, "待初审：《次日》");
}

// ---- The role decisions the review module asks auth::Authorizer ----

TEST_F(ReviewServiceTest, AuthorizerPredicatesOfTheReviewModule) {
  using auth::Authorizer;
  Principal security = User("security", Role::kSecurityAdmin, root_);
  Principal auditor = User("auditor", Role::kAuditor, root_);
  struct Row {
    const Principal* p;
    bool desk, batches, queue, read_words, edit_words;
  };
  for (const Row& row : {Row{&admin_, true, true, true, true, false},
                         Row{&nou_reviewer_, true, true, true, false, false},
                         Row{&gd_reviewer_, false, false, true, false, false},
                         Row{&uploader_, false, false, false, false, false},
                         Row{&security, false, true, false, true, true},
                         Row{&auditor, false, true, false, false, false}}) {
    const Principal& p = *row.p;
    EXPECT_EQ(Authorizer::IsNationalReviewDesk(p), row.desk) << p.username;
    EXPECT_EQ(Authorizer::CanViewBatches(p), row.batches) << p.username;
    EXPECT_EQ(Authorizer::CanOpenReviewQueue(p), row.queue) << p.username;
    EXPECT_EQ(Authorizer::CanReadSensitiveWords(p), row.read_words) << p.username;
    EXPECT_EQ(Authorizer::CanEditSensitiveWords(p), row.edit_words) << p.username;
  }
}

}  // namespace
}  // namespace lep::review
