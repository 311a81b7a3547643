// The job queue and runner on a real database (several connections and threads) — a SQLite
// file, and PostgreSQL when LEP_TEST_PG_URL is set (CI) — with a FakeClock for leases and
// back-off.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>

#include "jobs/job_queue.h"
#include "jobs/job_runner.h"
#include "jobs/jobs_schema.h"
#include "test_database.h"

namespace lep::jobs {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class JobsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    test_db_ = std::make_unique<TestDatabase>(GetParam());
    ASSERT_TRUE(test_db_->error().empty()) << test_db_->error();
    if (test_db_->url().empty()) GTEST_SKIP() << "backend " << GetParam() << " not configured";
    db_ = Open();
    auto migrated =
        storage::Migrate(*db_, storage::JoinMigrations({{13, "jobs"}}, {&JobsSchema()}));
    ASSERT_TRUE(migrated) << migrated.error().message;
    queue_ = NewSqlJobQueue(*db_);
  }
  void TearDown() override {
    queue_.reset();
    db_.reset();
    test_db_.reset();
  }
  std::unique_ptr<storage::Database> Open() {
    auto db = storage::OpenDatabase(test_db_->url());
    EXPECT_TRUE(db) << db.error().message;
    return db ? std::move(*db) : nullptr;
  }

  int64_t Enqueue(const std::string& kind, std::optional<int64_t> resource = std::nullopt,
                  int max_attempts = 5) {
    int64_t id = 0;
    EXPECT_TRUE(db_->Transaction([&](storage::SqlExecutor& tx) -> Status {
      LEP_ASSIGN_OR_RETURN(id, queue_->Enqueue(tx, {kind, resource, "{}", 0, max_attempts},
                                               clock_.NowMs()));
      return Ok();
    }));
    return id;
  }

  JobState StateOf(int64_t id) { return (*queue_->Get(id))->state; }

  std::unique_ptr<TestDatabase> test_db_;
  FakeClock clock_;
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<JobQueue> queue_;
};

TEST_P(JobsTest, AJobExistsOnlyIfItsTransactionCommits) {
  auto rolled_back = db_->Transaction([&](storage::SqlExecutor& tx) -> Status {
    LEP_RETURN_IF_ERROR(queue_->Enqueue(tx, {"remux", 7, "{}", 0, 5}, clock_.NowMs()));
    return Fail(Error::Conflict("changed my mind"));
  });
  EXPECT_FALSE(rolled_back);
  auto none = queue_->Claim({"remux"}, "a", clock_.NowMs(), 60'000);
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
}

TEST_P(JobsTest, ALeaseKeepsOthersOutUntilItRunsOut) {
  int64_t id = Enqueue("remux", 7);
  auto a = queue_->Claim({"remux"}, "worker-a", clock_.NowMs(), 60'000);
  ASSERT_TRUE(a && *a);
  EXPECT_EQ((*a)->id, id);
  EXPECT_EQ((*a)->attempts, 1);
  EXPECT_FALSE(*queue_->Claim({"remux"}, "worker-b", clock_.NowMs(), 60'000));
  clock_.Advance(59s);
  EXPECT_TRUE(*queue_->Heartbeat(id, "worker-a", clock_.NowMs() + 60'000, 500, clock_.NowMs()));
  clock_.Advance(30s);  // renewed: still a's
  EXPECT_FALSE(*queue_->Claim({"remux"}, "worker-b", clock_.NowMs(), 60'000));
  clock_.Advance(31s);  // a died: b takes over
  auto b = queue_->Claim({"remux"}, "worker-b", clock_.NowMs(), 60'000);
  ASSERT_TRUE(b && *b);
  EXPECT_EQ((*b)->attempts, 2);
  // a's late heartbeat and completion change nothing.
  EXPECT_FALSE(*queue_->Heartbeat(id, "worker-a", clock_.NowMs() + 60'000, 900, clock_.NowMs()));
  ASSERT_TRUE(queue_->Complete(id, "worker-a", clock_.NowMs()));
  EXPECT_EQ(StateOf(id), JobState::kRunning);
  ASSERT_TRUE(queue_->Complete(id, "worker-b", clock_.NowMs()));
  EXPECT_EQ(StateOf(id), JobState::kDone);
}

TEST_P(JobsTest, AWorkerDyingOnTheLastAttemptFailsTheJob) {
  int64_t id = Enqueue("remux", 7, /*max_attempts=*/2);
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(*queue_->Claim({"remux"}, "w" + std::to_string(i), clock_.NowMs(), 1'000));
    clock_.Advance(2s);
  }
  EXPECT_FALSE(*queue_->Claim({"remux"}, "w9", clock_.NowMs(), 1'000));
  EXPECT_EQ(StateOf(id), JobState::kFailed);
  EXPECT_FALSE((*queue_->Get(id))->error.empty());
}

TEST_P(JobsTest, FailuresAreRetriedWithBackOffAndPermanentOnesAreNot) {
  int64_t flaky = Enqueue("flaky");
  int64_t broken = Enqueue("broken");
  int flaky_runs = 0, broken_runs = 0;
  JobRunner runner(*queue_, clock_, {1, 60s, 1s, 10s, "runner"});
  runner.Register("flaky", [&](JobContext&) -> Status {
    return ++flaky_runs < 3 ? Status(Fail(Error::Internal("磁盘忙"))) : Ok();
  });
  runner.Register("broken", [&](JobContext&) -> Status {
    ++broken_runs;
    return Fail(Error::InvalidArgument("文件无法解析"));
  });
  while (runner.RunOnce()) {
  }
  EXPECT_EQ(flaky_runs, 1);
  EXPECT_EQ(broken_runs, 1);
  EXPECT_EQ(StateOf(broken), JobState::kFailed);
  EXPECT_EQ(StateOf(flaky), JobState::kQueued);
  clock_.Advance(9s);  // first back-off is 10 s
  EXPECT_FALSE(runner.RunOnce());
  clock_.Advance(1s);
  EXPECT_TRUE(runner.RunOnce());
  EXPECT_EQ(flaky_runs, 2);
  clock_.Advance(19s);  // then 20 s
  EXPECT_FALSE(runner.RunOnce());
  clock_.Advance(1s);
  EXPECT_TRUE(runner.RunOnce());
  EXPECT_EQ(flaky_runs, 3);
  EXPECT_EQ(StateOf(flaky), JobState::kDone);
  EXPECT_EQ(broken_runs, 1);
}

TEST_P(JobsTest, CancellingStopsARunningJobAtItsNextProgress) {
  int64_t id = Enqueue("transcode", 42);
  bool saw_cancel = false;
  JobRunner runner(*queue_, clock_, {1, 4s, 1s, 1s, "runner"});
  runner.Register("transcode", [&](JobContext& ctx) -> Status {
    EXPECT_TRUE(ctx.Progress(100));
    EXPECT_TRUE(db_->Transaction([&](storage::SqlExecutor& tx) -> Status {
      return queue_->CancelForResource(tx, 42, "transcode", clock_.NowMs()).map([](auto n) {
        EXPECT_EQ(n, 1);
      });
    }));
    clock_.Advance(2s);  // time for a heartbeat
    saw_cancel = !ctx.Progress(200);
    return saw_cancel ? Status(Fail(Error::Unavailable("已取消"))) : Ok();
  });
  EXPECT_TRUE(runner.RunOnce());
  EXPECT_TRUE(saw_cancel);
  EXPECT_EQ(StateOf(id), JobState::kCancelled);
}

TEST_P(JobsTest, StopGivesAnUnfinishedJobBackWithoutCountingTheAttempt) {
  int64_t id = Enqueue("long");
  std::atomic<bool> started{false};
  JobRunner runner(*queue_, clock_, {1, 60s, 20ms, 1s, "runner"});
  runner.Register("long", [&](JobContext& ctx) -> Status {
    started = true;
    while (ctx.Progress(10)) std::this_thread::sleep_for(5ms);
    return Fail(Error::Unavailable("服务正在停止"));
  });
  runner.Start();
  for (int i = 0; i < 400 && !started; ++i) std::this_thread::sleep_for(5ms);
  ASSERT_TRUE(started);
  runner.Stop();  // returns: the handler saw Stopping and gave up
  auto job = *queue_->Get(id);
  EXPECT_EQ(job->state, JobState::kQueued);
  EXPECT_EQ(job->attempts, 0);
}

// Two runners of two "servers" (each its own connection pool) with two threads each: every
// job runs exactly once.
TEST_P(JobsTest, TwoRunnersNeverRunTheSameJob) {
  constexpr int kJobs = 60;
  for (int i = 0; i < kJobs; ++i) Enqueue("count", i);
  auto other_db = Open();
  auto other_queue = NewSqlJobQueue(*other_db);
  std::mutex mu;
  std::map<int64_t, int> runs;
  auto handler = [&](JobContext& ctx) -> Status {
    std::this_thread::sleep_for(1ms);
    std::lock_guard lock(mu);
    ++runs[ctx.job().id];
    return Ok();
  };
  SystemClock wall;  // leases must not expire under a stopped fake clock
  JobRunner a(*queue_, wall, {2, 60s, 10ms, 1s, "server-a"});
  JobRunner b(*other_queue, wall, {2, 60s, 10ms, 1s, "server-b"});
  a.Register("count", handler);
  b.Register("count", handler);
  a.Start();
  b.Start();
  for (int i = 0; i < 2000; ++i) {
    {
      std::lock_guard lock(mu);
      if (runs.size() == kJobs) break;
    }
    std::this_thread::sleep_for(5ms);
  }
  a.Stop();
  b.Stop();
  ASSERT_EQ(runs.size(), static_cast<size_t>(kJobs));
  for (const auto& [id, n] : runs) EXPECT_EQ(n, 1) << "job " << id;
}

INSTANTIATE_TEST_SUITE_P(Backends, JobsTest, ::testing::ValuesIn(Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace lep::jobs
