#include "jobs/job_queue.h"

namespace lep::jobs {
namespace {

using storage::Row;
using storage::Value;

constexpr const char* kCols =
    "id, kind, resource_id, payload, state, attempts, max_attempts, run_after, lease_owner, "
    "lease_until, progress, error, created_at, updated_at, finished_at";

JobState ParseState(const std::string& s) {
  if (s == "running") return JobState::kRunning;
  if (s == "done") return JobState::kDone;
  if (s == "failed") return JobState::kFailed;
  if (s == "cancelled") return JobState::kCancelled;
  return JobState::kQueued;
}

Job FromRow(const Row& r) {
  Job j;
  j.id = r.Int(0);
  j.kind = r.Text(1);
  j.resource_id = r.OptInt(2);
  j.payload = r.Text(3);
  j.state = ParseState(r.Text(4));
  j.attempts = static_cast<int>(r.Int(5));
  j.max_attempts = static_cast<int>(r.Int(6));
  j.run_after = r.Int(7);
  j.lease_owner = r.Text(8);
  j.lease_until = r.Int(9);
  j.progress = static_cast<int>(r.Int(10));
  j.error = r.Text(11);
  j.created_at = r.Int(12);
  j.updated_at = r.Int(13);
  j.finished_at = r.Int(14);
  return j;
}

class SqlJobQueue final : public JobQueue {
 public:
  explicit SqlJobQueue(storage::Database& db) : db_(db) {}

  Result<int64_t> Enqueue(storage::SqlExecutor& tx, const JobSpec& spec, int64_t now) override {
    Value resource = spec.resource_id ? Value(*spec.resource_id) : Value(nullptr);
    LEP_ASSIGN_OR_RETURN(
        auto row, tx.QueryOne("INSERT INTO jobs (kind, resource_id, payload, state, attempts, "
                              "max_attempts, run_after, created_at, updated_at) VALUES (?, ?, ?, "
                              "'queued', 0, ?, ?, ?, ?) RETURNING id",
                              {spec.kind, resource, spec.payload,
                               int64_t{std::max(1, spec.max_attempts)},
                               std::max(spec.run_after, now), now, now}));
    return row->Int(0);
  }

  Result<std::optional<Job>> Claim(const std::vector<std::string>& kinds,
                                   const std::string& owner, int64_t now,
                                   int64_t lease_ms) override {
    if (kinds.empty()) return std::optional<Job>();
    std::string in = "(";
    std::vector<Value> kind_params;
    for (const auto& k : kinds) {
      in += kind_params.empty() ? "?" : ", ?";
      kind_params.push_back(k);
    }
    in += ")";
    // Workers that died on the last allowed attempt: nobody will finish these.
    std::vector<Value> params = {now, now};
    params.insert(params.end(), kind_params.begin(), kind_params.end());
    LEP_RETURN_IF_ERROR(db_.Exec("UPDATE jobs SET state = 'failed', lease_owner = '', "
                                 "finished_at = ?, error = CASE WHEN error = '' THEN "
                                 "'处理进程中断次数过多' ELSE error END WHERE state = 'running' "
                                 "AND lease_until < ? AND attempts >= max_attempts AND kind IN " +
                                     in,
                                 params));
    bool pg = db_.dialect() == storage::Dialect::kPostgres;
    std::string due = "((state = 'queued' AND run_after <= ?) OR (state = 'running' AND "
                      "lease_until < ?))";
    std::string sql = "UPDATE jobs SET state = 'running', lease_owner = ?, lease_until = ?, "
                      "attempts = attempts + 1, updated_at = ? WHERE id = (SELECT id FROM jobs "
                      "WHERE kind IN " +
                      in + " AND " + due + " ORDER BY run_after, id LIMIT 1" +
                      (pg ? " FOR UPDATE SKIP LOCKED" : "") + ") AND " + due + " RETURNING " +
                      kCols;
    params = {owner, now + lease_ms, now};
    params.insert(params.end(), kind_params.begin(), kind_params.end());
    for (int i = 0; i < 2; ++i) {
      params.push_back(now);
      params.push_back(now);
    }
    LEP_ASSIGN_OR_RETURN(auto res, db_.Exec(sql, params));
    if (res.rows.empty()) return std::optional<Job>();
    return std::optional<Job>(FromRow(res.rows.front()));
  }

  Result<bool> Heartbeat(int64_t id, const std::string& owner, int64_t lease_until, int progress,
                         int64_t now) override {
    LEP_ASSIGN_OR_RETURN(auto res, db_.Exec("UPDATE jobs SET lease_until = ?, progress = ?, "
                                            "updated_at = ? WHERE id = ? AND lease_owner = ? AND "
                                            "state = 'running'",
                                            {lease_until, int64_t{progress}, now, id, owner}));
    return res.affected == 1;
  }

  Status Complete(int64_t id, const std::string& owner, int64_t now) override {
    return db_
        .Exec("UPDATE jobs SET state = 'done', progress = 1000, lease_until = 0, error = '', "
              "updated_at = ?, finished_at = ? WHERE id = ? AND lease_owner = ? AND state = "
              "'running'",
              {now, now, id, owner})
        .map([](auto&&) {});
  }

  Status Fail(int64_t id, const std::string& owner, const std::string& error,
              std::optional<int64_t> retry_at, int64_t now) override {
    int64_t retry = retry_at ? 1 : 0;
    return db_
        .Exec("UPDATE jobs SET state = CASE WHEN ? = 1 AND attempts < max_attempts THEN "
              "'queued' ELSE 'failed' END, run_after = ?, error = ?, lease_owner = '', "
              "lease_until = 0, updated_at = ?, finished_at = CASE WHEN ? = 1 AND attempts < "
              "max_attempts THEN CAST(0 AS BIGINT) ELSE CAST(? AS BIGINT) END WHERE id = ? AND "
              "lease_owner = ? AND state = "
              "'running'",
              {retry, retry_at.value_or(now), error, now, retry, now, id, owner})
        .map([](auto&&) {});
  }

  Status Release(int64_t id, const std::string& owner, int64_t now) override {
    return db_
        .Exec("UPDATE jobs SET state = 'queued', attempts = attempts - 1, lease_owner = '', "
              "lease_until = 0, run_after = ?, updated_at = ? WHERE id = ? AND lease_owner = ? "
              "AND state = 'running'",
              {now, now, id, owner})
        .map([](auto&&) {});
  }

  Result<int64_t> CancelForResource(storage::SqlExecutor& tx, int64_t resource_id,
                                    const std::string& kind, int64_t now) override {
    LEP_ASSIGN_OR_RETURN(auto res, tx.Exec("UPDATE jobs SET state = 'cancelled', finished_at = ?, "
                                           "updated_at = ? WHERE resource_id = ? AND kind = ? "
                                           "AND state IN ('queued', 'running')",
                                           {now, now, resource_id, kind}));
    return res.affected;
  }

  Result<std::optional<Job>> Latest(int64_t resource_id, const std::string& kind) override {
    LEP_ASSIGN_OR_RETURN(auto row, db_.QueryOne(std::string("SELECT ") + kCols +
                                                    " FROM jobs WHERE resource_id = ? AND kind "
                                                    "= ? ORDER BY id DESC LIMIT 1",
                                                {resource_id, kind}));
    if (!row) return std::optional<Job>();
    return std::optional<Job>(FromRow(*row));
  }

  Result<std::optional<Job>> Get(int64_t id) override {
    LEP_ASSIGN_OR_RETURN(auto row, db_.QueryOne(std::string("SELECT ") + kCols +
                                                    " FROM jobs WHERE id = ?",
                                                {id}));
    if (!row) return std::optional<Job>();
    return std::optional<Job>(FromRow(*row));
  }

 private:
  storage::Database& db_;
};

}  // namespace

std::string_view JobStateName(JobState s) {
  switch (s) {
    case JobState::kQueued: return "queued";
    case JobState::kRunning: return "running";
    case JobState::kDone: return "done";
    case JobState::kFailed: return "failed";
    case JobState::kCancelled: return "cancelled";
  }
  return "queued";
}

std::unique_ptr<JobQueue> NewSqlJobQueue(storage::Database& db) {
  return std::make_unique<SqlJobQueue>(db);
}

}  // namespace lep::jobs
