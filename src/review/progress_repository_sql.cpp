#include <string>

#include "review/progress_repository.h"

namespace lep::review {
namespace {

class SqlProgressRepository final : public ProgressRepository {
 public:
  explicit SqlProgressRepository(storage::Database& db) : db_(db) {}

  Result<std::vector<ProgressCount>> Counts(int64_t campaign_id,
                                            const std::string& path_prefix) override {
    const std::string which =
        campaign_id == 0 ? "r.campaign_id IS NULL AND ? = 0" : "r.campaign_id = ?";
    LEP_ASSIGN_OR_RETURN(
        auto rows,
        db_.Exec("SELECT o.id, o.name, o.path, r.state, r.domain, r.type, COUNT(*) FROM "
                 "resources r JOIN orgs o ON o.id = r.org_id WHERE " +
                     which +
                     " AND substr(o.path, 1, ?) = ? GROUP BY o.id, o.name, o.path, r.state, "
                     "r.domain, r.type ORDER BY o.path, r.state, r.domain, r.type",
                 {campaign_id, static_cast<int64_t>(path_prefix.size()), path_prefix}));
    std::vector<ProgressCount> out;
    for (const auto& r : rows.rows) {
      out.push_back({r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5), r.Int(6)});
    }
    return out;
  }

 private:
  storage::Database& db_;
};

}  // namespace

std::unique_ptr<ProgressRepository> NewSqlProgressRepository(storage::Database& db) {
  return std::make_unique<SqlProgressRepository>(db);
}

}  // namespace lep::review
