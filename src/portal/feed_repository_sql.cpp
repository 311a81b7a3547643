#include <cstdlib>

#include "portal/feed_repository.h"

namespace lep::portal {
namespace {

constexpr const char* kPrunedKey = "search.outbox_pruned_seq";
constexpr const char* kRebuildKey = "search.rebuild_request";

Status PutSetting(storage::SqlExecutor& tx, const std::string& key, const std::string& value,
                  int64_t now) {
  return tx
      .Exec(
          "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) "
          "DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
          {key, value, now})
      .map([](auto&&) {});
}

class SqlFeedRepository final : public FeedRepository {
 public:
  explicit SqlFeedRepository(storage::Database& db) : db_(db) {}

  Result<int64_t> DatabaseNowMs() override {
    LEP_ASSIGN_OR_RETURN(
        auto row, db_.QueryOne(db_.dialect() == storage::Dialect::kSqlite
                                   ? "SELECT CAST((julianday('now') - 2440587.5) * 86400000 AS "
                                     "INTEGER)"
                                   : "SELECT CAST(EXTRACT(EPOCH FROM now()) * 1000 AS BIGINT)"));
    return row ? row->Int(0) : int64_t{0};
  }

  Result<int64_t> MaxSeqBefore(int64_t at_ms) override {
    LEP_ASSIGN_OR_RETURN(
        auto row,
        db_.QueryOne("SELECT COALESCE(MAX(seq), 0) FROM portal_outbox WHERE at < ?", {at_ms}));
    return row ? row->Int(0) : int64_t{0};
  }

  Result<int64_t> CountAfter(int64_t seq) override {
    LEP_ASSIGN_OR_RETURN(auto row,
                         db_.QueryOne("SELECT COUNT(*) FROM portal_outbox WHERE seq > ?", {seq}));
    return row ? row->Int(0) : int64_t{0};
  }

  Result<std::vector<FeedRow>> RowsAfter(int64_t seq) override {
    LEP_ASSIGN_OR_RETURN(auto rows, db_.Exec("SELECT seq, resource_id FROM portal_outbox WHERE "
                                             "seq > ? ORDER BY seq",
                                             {seq}));
    std::vector<FeedRow> out;
    out.reserve(rows.rows.size());
    for (const auto& r : rows.rows) out.push_back({r.Int(0), r.Int(1)});
    return out;
  }

  Result<int64_t> PrunedSeq() override {
    LEP_ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT value FROM settings WHERE key = ?",
                                                {std::string(kPrunedKey)}));
    if (!row) return int64_t{0};
    return std::strtoll(row->Text(0).c_str(), nullptr, 10);
  }

  Result<std::optional<int64_t>> Prune(int64_t before_ms, int64_t now) override {
    std::optional<int64_t> upto;
    LEP_RETURN_IF_ERROR(db_.Transaction([&](storage::SqlExecutor& tx) -> Status {
      LEP_ASSIGN_OR_RETURN(
          auto row, tx.QueryOne("SELECT MAX(seq) FROM portal_outbox WHERE at < ?", {before_ms}));
      if (!row || row->IsNull(0)) return Ok();
      upto = row->Int(0);
      LEP_RETURN_IF_ERROR(tx.Exec("DELETE FROM portal_outbox WHERE seq <= ?", {*upto}));
      return PutSetting(tx, kPrunedKey, std::to_string(*upto), now);
    }));
    return upto;
  }

  Result<std::string> RebuildToken() override {
    LEP_ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT value FROM settings WHERE key = ?",
                                                {std::string(kRebuildKey)}));
    return row ? row->Text(0) : std::string();
  }

  Status RequestRebuild(const std::string& token, int64_t now) override {
    return PutSetting(db_, kRebuildKey, token, now);
  }

 private:
  storage::Database& db_;
};

}  // namespace

std::unique_ptr<FeedRepository> NewSqlFeedRepository(storage::Database& db) {
  return std::make_unique<SqlFeedRepository>(db);
}

}  // namespace lep::portal
