#include "portal/learner_repository.h"

namespace lep::portal {
namespace {

class SqlLearnerRepository final : public LearnerRepository {
 public:
  explicit SqlLearnerRepository(storage::Database& db) : db_(db) {}

  Status AddFavourite(int64_t user_id, int64_t resource_id, int64_t at) override {
    return db_
        .Exec(
            "INSERT INTO favourites (user_id, resource_id, created_at) VALUES (?, ?, ?) ON "
            "CONFLICT DO NOTHING",
            {user_id, resource_id, at})
        .map([](auto&&) {});
  }

  Status RemoveFavourite(int64_t user_id, int64_t resource_id) override {
    return db_
        .Exec("DELETE FROM favourites WHERE user_id = ? AND resource_id = ?",
              {user_id, resource_id})
        .map([](auto&&) {});
  }

  Result<std::vector<Favourite>> Favourites(int64_t user_id, int limit) override {
    LEP_ASSIGN_OR_RETURN(auto rows, db_.Exec("SELECT resource_id, created_at FROM favourites "
                                             "WHERE user_id = ? ORDER BY created_at DESC, "
                                             "resource_id DESC LIMIT ?",
                                             {user_id, int64_t{limit}}));
    std::vector<Favourite> out;
    for (const auto& r : rows.rows) out.push_back({r.Int(0), r.Int(1)});
    return out;
  }

  Status PutHistory(int64_t user_id, int64_t resource_id, int64_t position_s, int64_t at) override {
    return db_
        .Exec(
            "INSERT INTO learning_history (user_id, resource_id, position_s, updated_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (user_id, resource_id) DO UPDATE SET "
            "position_s = excluded.position_s, updated_at = excluded.updated_at",
            {user_id, resource_id, position_s, at})
        .map([](auto&&) {});
  }

  Result<std::vector<HistoryEntry>> History(int64_t user_id, int limit) override {
    LEP_ASSIGN_OR_RETURN(auto rows, db_.Exec("SELECT resource_id, position_s, updated_at FROM "
                                             "learning_history WHERE user_id = ? ORDER BY "
                                             "updated_at DESC, resource_id DESC LIMIT ?",
                                             {user_id, int64_t{limit}}));
    std::vector<HistoryEntry> out;
    for (const auto& r : rows.rows) out.push_back({r.Int(0), r.Int(1), r.Int(2)});
    return out;
  }

 private:
  storage::Database& db_;
};

}  // namespace

std::unique_ptr<LearnerRepository> NewSqlLearnerRepository(storage::Database& db) {
  return std::make_unique<SqlLearnerRepository>(db);
}

}  // namespace lep::portal
