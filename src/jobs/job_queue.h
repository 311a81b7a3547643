// JobQueue: durable background work (faststart remux today; transcoding and link re-checks
// next) as rows of `jobs`. A job is enqueued inside the transaction that makes it necessary,
// claimed by one worker at a time with a lease (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite
// serialises writers), kept alive by heartbeats, retried with back-off when it fails or its
// worker dies (the lease runs out), and cancelled when what it works on goes away.
// Several servers and `lep worker` processes may share one queue. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "storage/db/database.h"

namespace lep::jobs {

enum class JobState { kQueued, kRunning, kDone, kFailed, kCancelled };
std::string_view JobStateName(JobState s);  // "queued"

struct JobSpec {
  std::string kind;                    // e.g. "remux"
  std::optional<int64_t> resource_id;  // what it works on (cancellation, progress display)
  std::string payload = "{}";          // JSON, the handler's business
  int64_t run_after = 0;               // Unix ms
  int max_attempts = 5;
};

struct Job {
  int64_t id = 0;
  std::string kind;
  std::optional<int64_t> resource_id;
  std::string payload;
  JobState state = JobState::kQueued;
  int attempts = 0;  // claims so far, this one included
  int max_attempts = 5;
  int64_t run_after = 0;
  std::string lease_owner;
  int64_t lease_until = 0;
  int progress = 0;  // per mille
  std::string error;
  int64_t created_at = 0, updated_at = 0, finished_at = 0;
};

class JobQueue {
 public:
  virtual ~JobQueue() = default;
  // Inside the caller's transaction: the job exists exactly when that transaction commits.
  [[nodiscard]] virtual Result<int64_t> Enqueue(storage::SqlExecutor& tx, const JobSpec& spec,
                                                int64_t now) = 0;
  // The oldest job of one of `kinds` that is due (queued and run_after ≤ now, or running
  // with an expired lease), now leased to owner until now + lease_ms; nullopt when none.
  // A job whose lease ran out after its last allowed attempt is marked failed instead.
  [[nodiscard]] virtual Result<std::optional<Job>> Claim(const std::vector<std::string>& kinds,
                                                         const std::string& owner, int64_t now,
                                                         int64_t lease_ms) = 0;
  // Extends the lease and records progress; false when owner no longer holds the job
  // (lease lost, or the job was cancelled): the handler must stop.
  [[nodiscard]] virtual Result<bool> Heartbeat(int64_t id, const std::string& owner,
                                               int64_t lease_until, int progress,
                                               int64_t now) = 0;
  [[nodiscard]] virtual Status Complete(int64_t id, const std::string& owner, int64_t now) = 0;
  // A failed attempt: queued again at retry_at, or failed for good when it was the last one
  // (retry_at nullopt: do not retry).
  [[nodiscard]] virtual Status Fail(int64_t id, const std::string& owner,
                                    const std::string& error, std::optional<int64_t> retry_at,
                                    int64_t now) = 0;
  // Puts a job the worker gave back unfinished (shutdown) back in the queue at once, without
  // counting the attempt.
  [[nodiscard]] virtual Status Release(int64_t id, const std::string& owner, int64_t now) = 0;
  // Cancels the queued or running jobs of a kind on a resource (a running one stops at its
  // next heartbeat); returns how many.
  [[nodiscard]] virtual Result<int64_t> CancelForResource(storage::SqlExecutor& tx,
                                                          int64_t resource_id,
                                                          const std::string& kind,
                                                          int64_t now) = 0;
  // The newest job of a kind on a resource (progress shown to uploaders and reviewers).
  [[nodiscard]] virtual Result<std::optional<Job>> Latest(int64_t resource_id,
                                                          const std::string& kind) = 0;
  [[nodiscard]] virtual Result<std::optional<Job>> Get(int64_t id) = 0;
};

std::unique_ptr<JobQueue> NewSqlJobQueue(storage::Database& db);

}  // namespace lep::jobs
