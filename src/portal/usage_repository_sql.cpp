#include "portal/usage_repository.h"

namespace lep::portal {
namespace {

class SqlUsageRepository final : public UsageRepository {
 public:
  explicit SqlUsageRepository(storage::Database& db) : db_(db) {}

  Result<bool> ClaimClick(storage::SqlExecutor& tx, int64_t resource_id, const std::string& visitor,
                          int64_t at, int64_t window_ms) override {
    LEP_ASSIGN_OR_RETURN(
        auto res, tx.Exec("INSERT INTO click_dedup (resource_id, visitor, counted_at) VALUES "
                          "(?, ?, ?) ON CONFLICT (resource_id, visitor) DO UPDATE SET "
                          "counted_at = excluded.counted_at WHERE click_dedup.counted_at <= ?",
                          {resource_id, visitor, at, at - window_ms}));
    return res.affected > 0;
  }

  Result<bool> AddLearner(storage::SqlExecutor& tx, int64_t resource_id,
                          const std::string& visitor) override {
    LEP_ASSIGN_OR_RETURN(auto res, tx.Exec("INSERT INTO learner_visits (resource_id, visitor) "
                                           "VALUES (?, ?) ON CONFLICT DO NOTHING",
                                           {resource_id, visitor}));
    return res.affected > 0;
  }

  Status AddDaily(storage::SqlExecutor& tx, int64_t resource_id, int64_t day, int64_t clicks,
                  int64_t learners) override {
    return tx
        .Exec(
            "INSERT INTO usage_daily (resource_id, day, clicks, learners) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (resource_id, day) DO UPDATE SET clicks = usage_daily.clicks + "
            "excluded.clicks, learners = usage_daily.learners + excluded.learners",
            {resource_id, day, clicks, learners})
        .map([](auto&&) {});
  }

  Status PruneClicks(int64_t before_ms) override {
    return db_.Exec("DELETE FROM click_dedup WHERE counted_at < ?", {before_ms}).map([](auto&&) {});
  }

 private:
  storage::Database& db_;
};

}  // namespace

std::unique_ptr<UsageRepository> NewSqlUsageRepository(storage::Database& db) {
  return std::make_unique<SqlUsageRepository>(db);
}

}  // namespace lep::portal
