// JobRunner: a fixed number of worker threads that claim jobs of the kinds they have handlers
// for from a JobQueue and run them: no thread per job, a bound on how many run at once, and a
// Stop() that stops claiming, asks running handlers to give up (JobContext::Stopping()) and
// joins them — an unfinished job goes back to the queue for the next worker. A handler that
// fails is retried with exponential back-off; a worker that dies leaves its lease to run out.
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "jobs/job_queue.h"

namespace lep::jobs {

// What a handler sees of its job while it runs.
class JobContext {
 public:
  virtual ~JobContext() = default;
  virtual const Job& job() const = 0;
  // Records progress (0–1000 ‰) and renews the lease at most every few seconds; false once the
  // job was cancelled, its lease lost, or the runner is stopping: the handler should return
  // kUnavailable (stopping: the job is queued again) or give up.
  [[nodiscard]] virtual bool Progress(int per_mille) = 0;
  // True when the runner is stopping or the job was cancelled (checked at each Progress).
  virtual bool Stopping() const = 0;
};

// Ok: done. An error: retried with back-off until max_attempts, except kInvalidArgument and
// kFailedPrecondition (a job that can never succeed fails at once) and kUnavailable while the
// runner stops (given back unfinished, not counted).
using JobHandler = std::function<Status(JobContext&)>;

struct JobRunnerOptions {
  int threads = 1;
  std::chrono::milliseconds lease{60'000};
  std::chrono::milliseconds poll{2'000};       // idle workers look for due jobs this often
  std::chrono::milliseconds retry_base{5'000};  // back-off: base × 2^(attempts−1), ≤ 1 hour
  std::string owner;                            // this process, for leases (generated if empty)
};

class JobRunner {
 public:
  JobRunner(JobQueue& queue, const Clock& clock, JobRunnerOptions options);
  ~JobRunner();  // Stop()
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  // Before Start(): the handler of a kind.
  void Register(const std::string& kind, JobHandler handler);
  void Start();
  // Wakes an idle worker (after an enqueue in this process) instead of waiting for the poll.
  void Wake();
  // Stops claiming, tells running handlers to stop, joins the workers. Idempotent.
  void Stop();

  // Tests and `lep worker --once`: claims and runs one due job on the calling thread; false
  // when nothing was due.
  [[nodiscard]] bool RunOnce();
  const std::string& owner() const { return options_.owner; }

 private:
  void WorkerLoop();
  void Run(Job job);

  JobQueue& queue_;
  const Clock& clock_;
  JobRunnerOptions options_;
  std::map<std::string, JobHandler> handlers_;
  std::vector<std::string> kinds_;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool woken_ = false;
  std::atomic<bool> stopping_{false};
};

}  // namespace lep::jobs
