// Contract suite of the review module's repositories — campaigns, history, batches (+items),
// progress, notifications (inbox, reminder runs, e-mail outbox, recipients) and the pending
// uploads a decision cancels — on SQLite and, with LEP_TEST_PG_URL, PostgreSQL.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "auth/user_repository.h"
#include "contract/migrated_backend.h"
#include "orgs/org_repository_sql.h"
#include "resources/resource_repository.h"
#include "review/review_repositories.h"
#include "security/field_cipher.h"
#include "sql_probe.h"
#include "test_accounts.h"

namespace lep {
namespace {

using resources::Resource;
using resources::ResourceId;
using resources::ResourceState;
using review::Batch;
using review::Campaign;

class ReviewContract : public MigratedBackend {
 protected:
  void SetUp() override {
    MigratedBackend::SetUp();
    if (!db_) return;
    probe_ = std::make_unique<testing::SqlProbe>(*db_);
    orgs_ = orgs::NewSqlOrgRepository(*db_, cipher_);
    users_ = auth::NewSqlUserRepository(*db_);
    resources_ = resources::NewSqlResourceRepository(*db_);
    repos_ = review::NewSqlReviewRepositories(*db_);
    root_ = *orgs_->Create(std::nullopt, orgs::OrgKind::kOpenUniversity, "国家开放大学", "", 1);
    gd_ = *orgs_->Create(root_.id, orgs::OrgKind::kProvinceDept, "广东省教育厅", "广东", 1);
    college_ = *orgs_->Create(gd_.id, orgs::OrgKind::kProvincialCollege, "岭南学院", "广东", 1);
  }
  void TearDown() override {
    repos_ = {};
    resources_.reset();
    users_.reset();
    orgs_.reset();
    probe_.reset();
    MigratedBackend::TearDown();
  }

  int64_t User(const std::string& name, auth::Role role, const orgs::Org& org) {
    return testing::AddAccount(*users_, name, role, org).user_id.value;
  }

  Resource Make(const std::string& title, const orgs::Org& org,
                const std::string& domain = "老年教育",
                resources::ResourceType type = resources::ResourceType::kVideo) {
    Resource r;
    r.org_id = org.id;
    r.created_by = 1;
    r.meta.title = title;
    r.meta.type = type;
    r.meta.summary = "简介";
    r.meta.domain = domain;
    r.meta.copyright_holder = "演示学院";
    r.meta.presenters = {"张演示"};
    r.created_at = r.updated_at = 100;
    return *resources_->Create(r);
  }

  // Moves a draft into `to` within campaign_id (what a submission and its reviews do).
  void Move(const Resource& r, ResourceState to, std::optional<int64_t> campaign_id) {
    ASSERT_TRUE(db_->Transaction([&](storage::SqlExecutor& tx) -> Status {
      resources::StateChange c;
      c.from = r.state;
      c.to = to;
      c.campaign_id = campaign_id;
      c.at = 200;
      return resources_->ChangeState(tx, r.id, c).map([](int64_t) {});
    }));
  }

  template <typename Fn>
  auto InTx(Fn fn) -> decltype(fn(std::declval<storage::SqlExecutor&>())) {
    decltype(fn(std::declval<storage::SqlExecutor&>())) out =
        Fail(Error::Internal("transaction did not run"));
    auto st = db_->Transaction([&](storage::SqlExecutor& tx) -> Status {
      out = fn(tx);
      if (!out) return Fail(out.error());
      return Ok();
    });
    if (!st && out) out = Fail(st.error());
    return out;
  }

  security::FieldCipher cipher_ = *security::FieldCipher::FromKey(std::string(32, 'k'));
  std::unique_ptr<testing::SqlProbe> probe_;
  std::unique_ptr<orgs::OrgRepository> orgs_;
  std::unique_ptr<auth::UserRepository> users_;
  std::unique_ptr<resources::ResourceRepository> resources_;
  review::ReviewRepositories repos_;
  orgs::Org root_, gd_, college_;
};

TEST_P(ReviewContract, CampaignsRoundTripNewestFirst) {
  auto& campaigns = *repos_.campaigns;
  EXPECT_FALSE(*campaigns.Latest());
  Campaign c{0, "2022年征集", 2022, "说明", "2022-05-01", "2022-05-15", "2022-05-22", "2022-05-31"};
  auto first = InTx([&](storage::SqlExecutor& tx) { return campaigns.Create(tx, c, 10); });
  ASSERT_TRUE(first) << first.error().message;
  c.id = *first;
  EXPECT_EQ(**campaigns.Get(c.id), c);
  Campaign next{0, "2023年征集", 2023, "", "", "", "", ""};
  next.id = *InTx([&](storage::SqlExecutor& tx) { return campaigns.Create(tx, next, 20); });
  EXPECT_GT(next.id, c.id);
  EXPECT_EQ(**campaigns.Latest(), next);
  EXPECT_EQ(*campaigns.List(), (std::vector<Campaign>{next, c}));

  c.submission_deadline = "2022-05-20";
  EXPECT_TRUE(*InTx([&](storage::SqlExecutor& tx) { return campaigns.Update(tx, c, 30); }));
  EXPECT_EQ((*campaigns.Get(c.id))->submission_deadline, "2022-05-20");
  Campaign ghost = c;
  ghost.id = next.id + 100;
  EXPECT_FALSE(*InTx([&](storage::SqlExecutor& tx) { return campaigns.Update(tx, ghost, 30); }));
  EXPECT_FALSE(*campaigns.Get(ghost.id));
  // A transaction that fails leaves no campaign behind.
  EXPECT_FALSE(db_->Transaction([&](storage::SqlExecutor& tx) -> Status {
    LEP_RETURN_IF_ERROR(campaigns.Create(tx, c, 40));
    return Fail(Error::Internal("rolled back"));
  }));
  EXPECT_EQ(campaigns.List()->size(), 2u);
}

TEST_P(ReviewContract, HistoryIsAppendedAndListedOldestFirstWithWhoActed) {
  Resource r = Make("太极拳", college_);
  Resource other = Make("别的资源", college_);
  int64_t reviewer = User("gd_reviewer", auth::Role::kReviewer, gd_);
  auto& history = *repos_.history;
  review::HistoryRecord submit{r.id, "submit", "draft", "first_review", 999, college_.id.value, "",
                               "",   false,    100};
  review::HistoryRecord approve{
      r.id,     "approve",    "first_review", "final_review",
      reviewer, gd_.id.value, "同意",         "意识形态与政治导向：已核查",
      false,    200};
  auto a = InTx([&](storage::SqlExecutor& tx) { return history.Append(tx, submit); });
  auto b = InTx([&](storage::SqlExecutor& tx) { return history.Append(tx, approve); });
  ASSERT_TRUE(a && b);
  EXPECT_GT(*b, *a);
  ASSERT_TRUE(InTx([&](storage::SqlExecutor& tx) {
    return history.Append(tx,
                          {other.id, "submit", "draft", "final_review", 1, 0, "", "", true, 50});
  }));
  auto list = history.List(r.id);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2u);
  const auto& first = (*list)[0];
  EXPECT_EQ(first.id, *a);
  EXPECT_EQ(first.action, "submit");
  EXPECT_EQ(first.actor_name, "");  // account 999 does not exist
  EXPECT_EQ(first.actor_org_name, "岭南学院");
  const auto& second = (*list)[1];
  EXPECT_EQ(second.from_state, "first_review");
  EXPECT_EQ(second.to_state, "final_review");
  EXPECT_EQ(second.comment, "同意");
  EXPECT_EQ(second.checklist, "意识形态与政治导向：已核查");
  EXPECT_EQ(second.actor_id, reviewer);
  EXPECT_EQ(second.actor_name, "gd_reviewer（演示）");
  EXPECT_EQ(second.actor_org_name, "广东省教育厅");
  EXPECT_EQ(second.at, 200);
  EXPECT_FALSE(second.took_over);
  EXPECT_TRUE(history.List(other.id)->at(0).took_over);
}

TEST_P(ReviewContract, BatchesNumberKeepItemsAndChangeStateByCompareAndSet) {
  auto& batches = *repos_.batches;
  Resource a = Make("一", college_), b = Make("二", college_), c = Make("三", college_);
  Batch first;
  first.number = 0;  // unnumbered until published
  first.name = "第1批";
  first.state = "draft";
  first.created_at = 10;
  first.created_by = 7;
  first.resource_ids = {b.id.value, a.id.value};
  first.id = *InTx([&](storage::SqlExecutor& tx) { return batches.Create(tx, first); });
  Batch second = first;
  second.name = "第2批";
  second.state = "scheduled";
  second.scheduled_at = 1000;
  second.resource_ids = {c.id.value};
  second.id = *InTx([&](storage::SqlExecutor& tx) { return batches.Create(tx, second); });

  auto got = batches.Get(first.id);
  ASSERT_TRUE(got && *got);
  first.resource_ids = {a.id.value, b.id.value};  // stored ascending
  EXPECT_EQ(**got, first);
  EXPECT_EQ(*InTx([&](storage::SqlExecutor& tx) { return batches.Get(tx, second.id); }), second);
  EXPECT_EQ(*batches.List(), (std::vector<Batch>{second, first}));
  EXPECT_FALSE(*batches.Get(second.id + 10));

  // Due: scheduled and time come.
  EXPECT_TRUE(batches.Due(999)->empty());
  auto due = batches.Due(1000);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].id, second.id);
  EXPECT_EQ((*due)[0].created_by, 7);
  // Scheduled elsewhere: c sits in the scheduled batch, a only in a draft.
  auto elsewhere = [&](const Resource& r, int64_t except) {
    return *InTx([&](storage::SqlExecutor& tx) {
      return batches.ScheduledElsewhere(tx, r.id.value, except);
    });
  };
  EXPECT_EQ(elsewhere(c, 0), "第2批");
  EXPECT_FALSE(elsewhere(c, second.id));
  EXPECT_FALSE(elsewhere(a, 0));

  // A scheduled run publishes only a batch still due; a manual one any unpublished batch.
  auto publish = [&](int64_t id, std::optional<int64_t> due_at) {
    return *InTx(
        [&](storage::SqlExecutor& tx) { return batches.MarkPublished(tx, id, 1500, due_at); });
  };
  EXPECT_FALSE(publish(first.id, 1500));  // a draft is not due
  EXPECT_FALSE(publish(second.id, 999));  // not yet
  EXPECT_TRUE(publish(second.id, 1500));
  EXPECT_FALSE(publish(second.id, std::nullopt));  // never twice
  EXPECT_EQ((*batches.Get(second.id))->state, "published");
  EXPECT_EQ((*batches.Get(second.id))->published_at, 1500);
  EXPECT_TRUE(publish(first.id, std::nullopt));

  // Schedules, cancellations and the fallback of a failed scheduled run.
  Batch third = first;
  third.state = "draft";
  third.published_at = 0;
  third.resource_ids = {a.id.value};
  third.id = *InTx([&](storage::SqlExecutor& tx) { return batches.Create(tx, third); });
  auto tx_bool = [&](auto fn) { return *InTx(fn); };
  EXPECT_TRUE(
      tx_bool([&](storage::SqlExecutor& tx) { return batches.SetSchedule(tx, third.id, 2000); }));
  EXPECT_EQ((*batches.Get(third.id))->state, "scheduled");
  EXPECT_FALSE(
      tx_bool([&](storage::SqlExecutor& tx) { return batches.UnscheduleDue(tx, third.id, 1999); }));
  EXPECT_TRUE(
      tx_bool([&](storage::SqlExecutor& tx) { return batches.UnscheduleDue(tx, third.id, 2000); }));
  auto back = *batches.Get(third.id);
  EXPECT_EQ(back->state, "draft");
  EXPECT_EQ(back->scheduled_at, 0);
  EXPECT_TRUE(
      tx_bool([&](storage::SqlExecutor& tx) { return batches.SetSchedule(tx, third.id, 3000); }));
  EXPECT_TRUE(
      tx_bool([&](storage::SqlExecutor& tx) { return batches.SetSchedule(tx, third.id, 0); }));
  EXPECT_EQ((*batches.Get(third.id))->state, "draft");
  EXPECT_FALSE(
      tx_bool([&](storage::SqlExecutor& tx) { return batches.SetSchedule(tx, first.id, 3000); }));
  ASSERT_TRUE(db_->Transaction(
      [&](storage::SqlExecutor& tx) { return batches.Rename(tx, third.id, "改名"); }));
  EXPECT_EQ((*batches.Get(third.id))->name, "改名");
  // Numbers are given in publication order; a taken number is refused.
  auto number = [&](int64_t id) {
    return InTx([&](storage::SqlExecutor& tx) -> Result<int64_t> {
      LEP_ASSIGN_OR_RETURN(int64_t n, batches.NextNumber(tx));
      LEP_RETURN_IF_ERROR(batches.SetNumber(tx, id, n));
      return n;
    });
  };
  EXPECT_EQ(*number(second.id), 1);
  EXPECT_EQ(*number(first.id), 2);
  EXPECT_EQ((*batches.Get(second.id))->number, 1);
  EXPECT_EQ((*batches.Get(second.id))->name, "第2批") << "a given name stays";
  EXPECT_EQ((*batches.Get(third.id))->number, 0);
  EXPECT_FALSE(InTx([&](storage::SqlExecutor& tx) -> Result<bool> {
    LEP_RETURN_IF_ERROR(batches.SetNumber(tx, third.id, 1));
    return true;
  }));
  // An unpublished batch may change its items or go; a published one may not.
  EXPECT_TRUE(tx_bool(
      [&](storage::SqlExecutor& tx) { return batches.SetItems(tx, third.id, {c.id.value}); }));
  EXPECT_EQ((*batches.Get(third.id))->resource_ids, (std::vector<int64_t>{c.id.value}));
  EXPECT_FALSE(tx_bool(
      [&](storage::SqlExecutor& tx) { return batches.SetItems(tx, first.id, {c.id.value}); }));
  EXPECT_FALSE(
      tx_bool([&](storage::SqlExecutor& tx) { return batches.DeleteUnpublished(tx, first.id); }));
  EXPECT_TRUE(
      tx_bool([&](storage::SqlExecutor& tx) { return batches.DeleteUnpublished(tx, third.id); }));
  EXPECT_FALSE(*batches.Get(third.id));
  auto left = db_->QueryOne("SELECT COUNT(*) FROM batch_items WHERE batch_id = ?", {third.id});
  ASSERT_TRUE(left && *left);
  EXPECT_EQ((*left)->Int(0), 0);
}

// Issue 17 §2: 第N批 is given at publication, gapless and unique, even with publications
// racing on several connections (PostgreSQL: row lock on the counter; SQLite: one writer).
TEST_P(ReviewContract, ConcurrentPublicationsNumberBatchesWithoutGapsOrDuplicates) {
  auto& batches = *repos_.batches;
  constexpr int kThreads = 4, kPerThread = 5;
  std::vector<int64_t> ids;
  for (int i = 0; i < kThreads * kPerThread; ++i) {
    Resource r = Make("并发" + std::to_string(i), college_);
    Batch b;
    b.state = "draft";
    b.created_at = 10;
    b.created_by = 7;
    b.resource_ids = {r.id.value};
    ids.push_back(*InTx([&](storage::SqlExecutor& tx) { return batches.Create(tx, b); }));
  }
  // What PublishBatch does in one transaction: claim the batch, take a number, set it. Every
  // third attempt fails after taking its number and rolls back: the number must come back.
  std::atomic<int> ready{0};
  std::atomic<int> failures{0};
  auto worker = [&](int t) {
    ready.fetch_add(1);
    while (ready.load() < kThreads) std::this_thread::yield();
    for (int i = 0; i < kPerThread; ++i) {
      int64_t id = ids[t * kPerThread + i];
      for (int attempt = 0;; ++attempt) {
        bool fail_on_purpose = (i + attempt) % 3 == 0 && attempt == 0;
        auto st = db_->Transaction([&](storage::SqlExecutor& tx) -> Status {
          LEP_ASSIGN_OR_RETURN(bool mine, batches.MarkPublished(tx, id, 100, std::nullopt));
          if (!mine) return Fail(Error::Conflict("already published"));
          LEP_ASSIGN_OR_RETURN(int64_t n, batches.NextNumber(tx));
          LEP_RETURN_IF_ERROR(batches.SetNumber(tx, id, n));
          if (fail_on_purpose) return Fail(Error::Internal("rolled back on purpose"));
          return Ok();
        });
        if (st) break;
        if (!fail_on_purpose) failures.fetch_add(1);
        ASSERT_LT(attempt, 50) << st.error().message;
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(worker, t);
  for (auto& t : threads) t.join();
  std::vector<int64_t> numbers;
  auto listed = batches.List();
  ASSERT_TRUE(listed);
  for (const Batch& b : *listed) numbers.push_back(b.number);
  std::sort(numbers.begin(), numbers.end());
  std::vector<int64_t> expected;
  for (int i = 1; i <= kThreads * kPerThread; ++i) expected.push_back(i);
  EXPECT_EQ(numbers, expected);
  EXPECT_EQ(failures.load(), 0) << "a publication failed for a reason other than its own rollback";
}

TEST_P(ReviewContract, ProgressCountsTheCampaignsResourcesUnderAUnit) {
  orgs::Org bj =
      *orgs_->Create(root_.id, orgs::OrgKind::kProvinceDept, "北京市教育委员会", "北京", 1);
  Move(Make("一", college_), ResourceState::kFirstReview, 5);
  Move(Make("二", college_), ResourceState::kFirstReview, 5);
  Move(Make("三", college_, "社区教育"), ResourceState::kFirstReview, 5);
  Move(Make("四", college_), ResourceState::kFirstReview, 6);  // another campaign
  Move(Make("五", bj), ResourceState::kFinalReview, 5);
  Make("草稿", college_);  // in no campaign
  auto all = repos_.progress->Counts(5, "/");
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->size(), 3u);
  // By unit path: 岭南学院 (/1/2/3/) before 北京 (/1/4/); one row per state × domain × type.
  std::vector<review::ProgressCount> college(all->begin(), all->begin() + 2);
  std::sort(college.begin(), college.end(),
            [](const auto& x, const auto& y) { return x.count < y.count; });
  EXPECT_EQ(college[0], (review::ProgressCount{college_.id.value, "岭南学院", college_.path,
                                               "first_review", "社区教育", "A01", 1}));
  EXPECT_EQ(college[1], (review::ProgressCount{college_.id.value, "岭南学院", college_.path,
                                               "first_review", "老年教育", "A01", 2}));
  EXPECT_EQ((*all)[2], (review::ProgressCount{bj.id.value, "北京市教育委员会", bj.path,
                                              "final_review", "老年教育", "A01", 1}));
  auto gd_only = repos_.progress->Counts(5, gd_.path);
  ASSERT_TRUE(gd_only);
  EXPECT_EQ(gd_only->size(), 2u);
  EXPECT_TRUE(repos_.progress->Counts(7, "/")->empty());
}

TEST_P(ReviewContract, TheInboxIsPerUserDeduplicatedAndPaged) {
  auto& n = *repos_.notifications;
  int64_t alice = User("alice", auth::Role::kReviewer, gd_);
  int64_t bob = User("bob", auth::Role::kReviewer, gd_);
  Resource r = Make("一", college_);
  auto insert = [&](int64_t user, const std::string& key, std::optional<int64_t> resource) {
    return *InTx([&](storage::SqlExecutor& tx) {
      return n.Insert(tx, {user, "queued", "待初审：《一》", "正文 " + key, resource, key, 100});
    });
  };
  EXPECT_TRUE(insert(alice, "h1:queued", r.id.value));
  EXPECT_FALSE(insert(alice, "h1:queued", r.id.value));  // the same key once per user
  EXPECT_TRUE(insert(bob, "h1:queued", r.id.value));
  EXPECT_TRUE(insert(alice, "h2:queued", std::nullopt));
  EXPECT_TRUE(insert(alice, "h3:queued", r.id.value));

  auto all = n.List(alice, false, 50, std::nullopt);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].body, "正文 h3:queued");  // newest first
  EXPECT_EQ((*all)[0].kind, "queued");
  EXPECT_EQ((*all)[0].resource_id, r.id.value);
  EXPECT_EQ((*all)[1].resource_id, std::nullopt);
  EXPECT_EQ((*all)[0].created_at, 100);
  EXPECT_FALSE((*all)[0].read_at);
  auto page = n.List(alice, false, 1, (*all)[0].id);
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].id, (*all)[1].id);
  EXPECT_EQ(*n.CountUnread(alice), 3);

  EXPECT_TRUE(*n.MarkRead(alice, (*all)[2].id, 500));
  EXPECT_TRUE(*n.MarkRead(alice, (*all)[2].id, 900));  // keeps the first time
  EXPECT_FALSE(*n.MarkRead(bob, (*all)[2].id, 900));   // not bob's
  EXPECT_EQ((*n.List(alice, false, 50, std::nullopt))[2].read_at, 500);
  EXPECT_EQ(n.List(alice, true, 50, std::nullopt)->size(), 2u);
  EXPECT_EQ(*n.CountUnread(alice), 2);
  ASSERT_TRUE(n.MarkAllRead(alice, 700));
  EXPECT_EQ(*n.CountUnread(alice), 0);
  EXPECT_EQ((*n.List(alice, false, 50, std::nullopt))[2].read_at, 500);
  EXPECT_EQ(*n.CountUnread(bob), 1);
}

TEST_P(ReviewContract, MembersAreTheEnabledAccountsByUserUnitOrKind) {
  auto& n = *repos_.notifications;
  int64_t uploader = User("uploader", auth::Role::kUploader, college_);
  int64_t reviewer = User("gd_reviewer", auth::Role::kReviewer, gd_);
  int64_t gone = User("gd_gone", auth::Role::kReviewer, gd_);
  int64_t nou = User("nou_reviewer", auth::Role::kReviewer, root_);
  ASSERT_TRUE(probe_->DisableUser(gone));
  auto members = [&](review::MemberFilter f) {
    return *InTx([&](storage::SqlExecutor& tx) { return n.Members(tx, f); });
  };
  auto all = members({});
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].user_id, uploader);
  EXPECT_EQ(all[0].role, auth::Role::kUploader);
  EXPECT_EQ(all[0].org_id, college_.id.value);
  EXPECT_EQ(all[0].org_kind, orgs::OrgKind::kProvincialCollege);
  auto of_gd = members({std::nullopt, gd_.id.value, std::nullopt});
  ASSERT_EQ(of_gd.size(), 1u);
  EXPECT_EQ(of_gd[0].user_id, reviewer);
  auto nou_kind = members({std::nullopt, std::nullopt, orgs::OrgKind::kOpenUniversity});
  ASSERT_EQ(nou_kind.size(), 1u);
  EXPECT_EQ(nou_kind[0].user_id, nou);
  EXPECT_EQ(members({uploader, std::nullopt, std::nullopt}).size(), 1u);
  EXPECT_TRUE(members({gone, std::nullopt, std::nullopt}).empty());
  auto root = InTx([&](storage::SqlExecutor& tx) {
    return n.FirstUnitOfKind(tx, orgs::OrgKind::kOpenUniversity);
  });
  EXPECT_EQ(*root, root_.id.value);
  EXPECT_FALSE(*InTx(
      [&](storage::SqlExecutor& tx) { return n.FirstUnitOfKind(tx, orgs::OrgKind::kEnterprise); }));
}

TEST_P(ReviewContract, ReminderRunsAndTheMailOutboxAreOncePerKey) {
  auto& n = *repos_.notifications;
  const std::string key = "deadline:1:submission:2022-05-15:7";
  EXPECT_FALSE(*n.ReminderRan(key));
  EXPECT_TRUE(*InTx([&](storage::SqlExecutor& tx) { return n.MarkReminderRun(tx, key, 10); }));
  EXPECT_FALSE(*InTx([&](storage::SqlExecutor& tx) { return n.MarkReminderRun(tx, key, 11); }));
  EXPECT_TRUE(*n.ReminderRan(key));

  auto queue = [&](int64_t org, const std::string& k) {
    return *InTx(
        [&](storage::SqlExecutor& tx) { return n.QueueMail(tx, org, k, "主题 " + k, "正文", 10); });
  };
  EXPECT_TRUE(queue(gd_.id.value, "h1:queued"));
  EXPECT_FALSE(queue(gd_.id.value, "h1:queued"));
  EXPECT_TRUE(queue(college_.id.value, "h1:queued"));
  EXPECT_TRUE(queue(gd_.id.value, "h2:queued"));
  auto due = n.DueMail(10, 5, 10);
  ASSERT_TRUE(due);
  ASSERT_EQ(due->size(), 3u);
  EXPECT_EQ((*due)[0].org_id, gd_.id.value);
  EXPECT_EQ((*due)[0].subject, "主题 h1:queued");
  EXPECT_EQ((*due)[0].attempts, 0);
  EXPECT_EQ(n.DueMail(10, 5, 2)->size(), 2u);

  // Claimed by one sender only; sent mail is done; failures wait and give up at the cap.
  const auto& a = (*due)[0];
  const auto& b = (*due)[1];
  const auto& c = (*due)[2];
  EXPECT_TRUE(*n.ClaimMail(a.id, a.next_attempt_at, 600));
  EXPECT_FALSE(*n.ClaimMail(a.id, a.next_attempt_at, 600));
  ASSERT_TRUE(n.MailSent(a.id, 20, 1));
  ASSERT_TRUE(n.MailFailed(b.id, 1, 100, "拒收"));
  ASSERT_TRUE(n.MailFailed(c.id, 5, 0, "单位未登记有效的负责人电子邮箱"));
  EXPECT_TRUE(n.DueMail(99, 5, 10)->empty());
  auto retry = n.DueMail(100, 5, 10);
  ASSERT_EQ(retry->size(), 1u);
  EXPECT_EQ((*retry)[0].id, b.id);
  EXPECT_EQ((*retry)[0].attempts, 1);
  EXPECT_EQ((*retry)[0].next_attempt_at, 100);
  EXPECT_FALSE(*n.ClaimMail(a.id, 600, 900));  // sent: never claimed again
}

TEST_P(ReviewContract, ADecisionCancelsOnlyTheResourcesUnfinishedUploads) {
  Resource r = Make("一", college_);
  Resource other = Make("二", college_);
  ASSERT_TRUE(probe_->AddUpload("open", r.id.value, college_.id.value, 1, 10, 5000, 0));
  ASSERT_TRUE(probe_->AddUpload("open2", r.id.value, college_.id.value, 1, 10, 5000, 0));
  ASSERT_TRUE(probe_->AddUpload("done", r.id.value, college_.id.value, 1, 10, 5000, 20));
  ASSERT_TRUE(probe_->AddUpload("other", other.id.value, college_.id.value, 1, 10, 5000, 0));
  auto cancelled = InTx(
      [&](storage::SqlExecutor& tx) { return repos_.pending_uploads->CancelUnfinished(tx, r.id); });
  ASSERT_TRUE(cancelled);
  EXPECT_EQ(*cancelled, 2);
  EXPECT_EQ(probe_->UploadExpiresAt("open"), 0);
  EXPECT_EQ(probe_->UploadExpiresAt("open2"), 0);
  EXPECT_EQ(probe_->UploadExpiresAt("done"), 5000);
  EXPECT_EQ(probe_->UploadExpiresAt("other"), 5000);
}

INSTANTIATE_TEST_SUITE_P(Backends, ReviewContract, ::testing::ValuesIn(Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace lep
