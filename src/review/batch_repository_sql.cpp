#include <algorithm>
#include <map>

#include "review/batch_repository.h"

namespace lep::review {
namespace {

constexpr const char* kSelect =
    "SELECT id, number, name, state, published_at, created_at, scheduled_at, created_by FROM "
    "batches";

Batch FromRow(const storage::Row& r) {
  Batch b;
  b.id = r.Int(0);
  b.number = std::max<int64_t>(r.Int(1), 0);  // unpublished batches hold a negative placeholder
  b.name = r.Text(2);
  b.state = r.Text(3);
  b.published_at = r.Int(4);
  b.created_at = r.Int(5);
  b.scheduled_at = r.Int(6);
  b.created_by = r.Int(7);
  return b;
}

class SqlBatchRepository final : public BatchRepository {
 public:
  explicit SqlBatchRepository(storage::Database& db) : db_(db) {}

  Result<int64_t> NextNumber(storage::SqlExecutor& tx) override { return Take(tx, 1); }

  Status SetNumber(storage::SqlExecutor& tx, int64_t id, int64_t number) override {
    return tx
        .Exec(
            "UPDATE batches SET number = ?, name = CASE WHEN name = '' THEN ? ELSE name END "
            "WHERE id = ?",
            {number, "第" + std::to_string(number) + "批", id})
        .map([](auto&&) {});
  }

  Result<int64_t> Create(storage::SqlExecutor& tx, const Batch& b) override {
    // The unique `number` of an unpublished batch is a negative placeholder from its own
    // counter (row 2), so drafts never use up a publication number.
    LEP_ASSIGN_OR_RETURN(int64_t placeholder, Take(tx, 2));
    LEP_ASSIGN_OR_RETURN(auto row, tx.QueryOne("INSERT INTO batches (number, name, state, "
                                               "scheduled_at, created_by, created_at) VALUES (?, "
                                               "?, ?, ?, ?, ?) RETURNING id",
                                               {-placeholder, b.name, b.state, b.scheduled_at,
                                                b.created_by, b.created_at}));
    if (!row) return Fail(Error::Internal("发布批次未能保存"));
    int64_t id = row->Int(0);
    LEP_RETURN_IF_ERROR(InsertItems(tx, id, b.resource_ids));
    return id;
  }

  Result<std::optional<Batch>> Get(int64_t id) override { return Get(db_, id); }

  Result<std::optional<Batch>> Get(storage::SqlExecutor& tx, int64_t id) override {
    LEP_ASSIGN_OR_RETURN(auto row, tx.QueryOne(std::string(kSelect) + " WHERE id = ?", {id}));
    if (!row) return std::optional<Batch>();
    Batch b = FromRow(*row);
    LEP_ASSIGN_OR_RETURN(auto items, tx.Exec("SELECT resource_id FROM batch_items WHERE "
                                             "batch_id = ? ORDER BY resource_id",
                                             {id}));
    for (const auto& i : items.rows) b.resource_ids.push_back(i.Int(0));
    return std::optional<Batch>(std::move(b));
  }

  Result<std::vector<Batch>> List() override {
    // Unpublished (negative placeholder numbers) first, newest first; then published ones,
    // highest number first.
    LEP_ASSIGN_OR_RETURN(auto rows, db_.Exec(std::string(kSelect) +
                                             " ORDER BY CASE WHEN number < 0 THEN 0 ELSE 1 END, "
                                             "CASE WHEN number < 0 THEN -id ELSE -number END"));
    LEP_ASSIGN_OR_RETURN(auto items, db_.Exec("SELECT batch_id, resource_id FROM batch_items "
                                              "ORDER BY batch_id, resource_id"));
    std::map<int64_t, std::vector<int64_t>> by_batch;
    for (const auto& i : items.rows) by_batch[i.Int(0)].push_back(i.Int(1));
    std::vector<Batch> out;
    for (const auto& r : rows.rows) {
      Batch b = FromRow(r);
      if (auto it = by_batch.find(b.id); it != by_batch.end()) b.resource_ids = it->second;
      out.push_back(std::move(b));
    }
    return out;
  }

  Result<std::vector<DueBatch>> Due(int64_t now) override {
    LEP_ASSIGN_OR_RETURN(auto rows, db_.Exec("SELECT id, created_by FROM batches WHERE state = "
                                             "'scheduled' AND scheduled_at > 0 AND scheduled_at "
                                             "<= ? ORDER BY scheduled_at, id",
                                             {now}));
    std::vector<DueBatch> out;
    for (const auto& r : rows.rows) out.push_back({r.Int(0), r.Int(1)});
    return out;
  }

  Result<std::optional<std::string>> ScheduledElsewhere(storage::SqlExecutor& tx,
                                                        int64_t resource_id,
                                                        int64_t except_batch) override {
    LEP_ASSIGN_OR_RETURN(auto row, tx.QueryOne("SELECT b.name FROM batch_items bi JOIN batches b "
                                               "ON b.id = bi.batch_id WHERE bi.resource_id = ? "
                                               "AND b.state = 'scheduled' AND b.id <> ? ORDER BY "
                                               "b.id LIMIT 1",
                                               {resource_id, except_batch}));
    if (!row) return std::optional<std::string>();
    return std::optional<std::string>(row->Text(0));
  }

  Result<bool> MarkPublished(storage::SqlExecutor& tx, int64_t id, int64_t at,
                             std::optional<int64_t> due_at) override {
    LEP_ASSIGN_OR_RETURN(
        auto res, due_at ? tx.Exec("UPDATE batches SET state = 'published', published_at = ? "
                                   "WHERE id = ? AND state = 'scheduled' AND scheduled_at > 0 "
                                   "AND scheduled_at <= ?",
                                   {at, id, *due_at})
                         : tx.Exec("UPDATE batches SET state = 'published', published_at = ? "
                                   "WHERE id = ? AND state <> 'published'",
                                   {at, id}));
    return res.affected > 0;
  }

  Result<bool> SetSchedule(storage::SqlExecutor& tx, int64_t id, int64_t scheduled_at) override {
    LEP_ASSIGN_OR_RETURN(auto res,
                         tx.Exec("UPDATE batches SET state = ?, scheduled_at = ? WHERE id = ? AND "
                                 "state <> 'published'",
                                 {std::string(scheduled_at > 0 ? "scheduled" : "draft"),
                                  scheduled_at > 0 ? scheduled_at : int64_t{0}, id}));
    return res.affected > 0;
  }

  Result<bool> UnscheduleDue(storage::SqlExecutor& tx, int64_t id, int64_t now) override {
    LEP_ASSIGN_OR_RETURN(auto res, tx.Exec("UPDATE batches SET state = 'draft', scheduled_at = 0 "
                                           "WHERE id = ? AND state = 'scheduled' AND "
                                           "scheduled_at > 0 AND scheduled_at <= ?",
                                           {id, now}));
    return res.affected > 0;
  }

  Status Rename(storage::SqlExecutor& tx, int64_t id, const std::string& name) override {
    return tx.Exec("UPDATE batches SET name = ? WHERE id = ?", {name, id}).map([](auto&&) {});
  }

  Result<bool> SetItems(storage::SqlExecutor& tx, int64_t id,
                        const std::vector<int64_t>& resource_ids) override {
    LEP_ASSIGN_OR_RETURN(auto still, tx.QueryOne("SELECT id FROM batches WHERE id = ? AND "
                                                 "state <> 'published'",
                                                 {id}));
    if (!still) return false;
    LEP_RETURN_IF_ERROR(tx.Exec("DELETE FROM batch_items WHERE batch_id = ?", {id}));
    LEP_RETURN_IF_ERROR(InsertItems(tx, id, resource_ids));
    return true;
  }

  Result<bool> DeleteUnpublished(storage::SqlExecutor& tx, int64_t id) override {
    LEP_RETURN_IF_ERROR(
        tx.Exec("DELETE FROM batch_items WHERE batch_id = ? AND batch_id IN "
                "(SELECT id FROM batches WHERE state <> 'published')",
                {id}));
    LEP_ASSIGN_OR_RETURN(
        auto res, tx.Exec("DELETE FROM batches WHERE id = ? AND state <> 'published'", {id}));
    return res.affected > 0;
  }

 private:
  // Advances counter `row` of batch_numbers and returns its new value (the row lock holds
  // until the caller's transaction ends).
  static Result<int64_t> Take(storage::SqlExecutor& tx, int64_t row) {
    LEP_ASSIGN_OR_RETURN(auto got, tx.QueryOne("UPDATE batch_numbers SET last = last + 1 WHERE "
                                               "id = ? RETURNING last",
                                               {row}));
    if (!got) return Fail(Error::Internal("批次编号计数器缺失"));
    return got->Int(0);
  }

  static Status InsertItems(storage::SqlExecutor& tx, int64_t id,
                            const std::vector<int64_t>& resource_ids) {
    for (int64_t resource : resource_ids) {
      LEP_RETURN_IF_ERROR(
          tx.Exec("INSERT INTO batch_items (batch_id, resource_id) VALUES (?, ?)", {id, resource}));
    }
    return Ok();
  }

  storage::Database& db_;
};

}  // namespace

std::unique_ptr<BatchRepository> NewSqlBatchRepository(storage::Database& db) {
  return std::make_unique<SqlBatchRepository>(db);
}

}  // namespace lep::review
