#include "jobs/job_runner.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <random>

namespace lep::jobs {
namespace {

std::string NewOwner() {
  char host[64] = {0};
  ::gethostname(host, sizeof host - 1);
  std::random_device rd;
  char buf[128];
  std::snprintf(buf, sizeof buf, "%s:%d:%08x", host, static_cast<int>(::getpid()), rd());
  return buf;
}

class Context final : public JobContext {
 public:
  Context(JobQueue& queue, const Clock& clock, const JobRunnerOptions& options, Job job,
          const std::atomic<bool>& stopping)
      : queue_(queue), clock_(clock), options_(options), job_(std::move(job)),
        stopping_(stopping), last_beat_(clock.NowMs()) {}

  const Job& job() const override { return job_; }

  bool Progress(int per_mille) override {
    if (stopping_ || lost_) return false;
    int64_t now = clock_.NowMs();
    // Renew well before the lease runs out, but not on every call.
    if (now - last_beat_ >= options_.lease.count() / 4 || per_mille >= 1000) {
      auto held = queue_.Heartbeat(job_.id, options_.owner, now + options_.lease.count(),
                                   std::clamp(per_mille, 0, 1000), now);
      last_beat_ = now;
      if (held && !*held) lost_ = true;
    }
    return !lost_ && !stopping_;
  }

  bool Stopping() const override { return stopping_ || lost_; }
  bool lost() const { return lost_; }

 private:
  JobQueue& queue_;
  const Clock& clock_;
  const JobRunnerOptions& options_;
  Job job_;
  const std::atomic<bool>& stopping_;
  int64_t last_beat_;
  bool lost_ = false;
};

// The queue could not record an outcome: the lease runs out and the job is retried.
void LogQueueError(const Status& st, int64_t id) {
  if (st) return;
  std::fprintf(stderr, "{\"level\":\"error\",\"msg\":\"job queue\",\"job\":%lld,\"error\":\"%s\"}\n",
               static_cast<long long>(id), st.error().message.c_str());
}

}  // namespace

JobRunner::JobRunner(JobQueue& queue, const Clock& clock, JobRunnerOptions options)
    : queue_(queue), clock_(clock), options_(std::move(options)) {
  if (options_.owner.empty()) options_.owner = NewOwner();
  options_.threads = std::max(1, options_.threads);
}

JobRunner::~JobRunner() { Stop(); }

void JobRunner::Register(const std::string& kind, JobHandler handler) {
  handlers_[kind] = std::move(handler);
  kinds_.push_back(kind);
}

void JobRunner::Start() {
  stopping_ = false;
  for (int i = 0; i < options_.threads; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

void JobRunner::Wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  wake_.notify_one();
}

void JobRunner::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_) {
    if (t.joinable()) t.join();
  }
  workers_.clear();
}

bool JobRunner::RunOnce() {
  auto claimed = queue_.Claim(kinds_, options_.owner, clock_.NowMs(), options_.lease.count());
  if (!claimed || !*claimed) return false;
  Run(std::move(**claimed));
  return true;
}

void JobRunner::WorkerLoop() {
  while (!stopping_) {
    if (RunOnce()) continue;
    std::unique_lock lock(mu_);
    wake_.wait_for(lock, options_.poll, [this] { return woken_ || stopping_.load(); });
    woken_ = false;
  }
}

void JobRunner::Run(Job job) {
  auto it = handlers_.find(job.kind);
  int64_t id = job.id;
  Context ctx(queue_, clock_, options_, std::move(job), stopping_);
  Status st = Ok();
  if (it == handlers_.end()) {
    st = Fail(Error::FailedPrecondition("没有处理该类任务的程序"));
  } else {
    try {
      st = it->second(ctx);
    } catch (const std::exception& e) {
      st = Fail(Error::Internal(std::string("任务异常：") + e.what()));
    }
  }
  int64_t now = clock_.NowMs();
  if (ctx.lost()) return;  // cancelled or taken over: the row is no longer ours
  if (st) {
    LogQueueError(queue_.Complete(id, options_.owner, now), id);
    return;
  }
  if (stopping_ && st.error().Is(ErrorCode::kUnavailable)) {
    LogQueueError(queue_.Release(id, options_.owner, now), id);
    return;
  }
  bool permanent = st.error().Is(ErrorCode::kInvalidArgument) ||
                   st.error().Is(ErrorCode::kFailedPrecondition) ||
                   st.error().Is(ErrorCode::kNotFound);
  std::optional<int64_t> retry_at;
  if (!permanent) {
    int attempts = std::max(1, ctx.job().attempts);
    int64_t delay = options_.retry_base.count() << std::min(attempts - 1, 10);
    retry_at = now + std::min<int64_t>(delay, 3'600'000);
  }
  std::fprintf(stderr, "{\"level\":\"warn\",\"msg\":\"job failed\",\"job\":%lld,\"kind\":\"%s\"}\n",
               static_cast<long long>(id), ctx.job().kind.c_str());
  LogQueueError(queue_.Fail(id, options_.owner, st.error().message, retry_at, now), id);
}

}  // namespace lep::jobs
