#include "portal/rating_repository.h"

namespace lep::portal {
namespace {

constexpr const char* kCols =
    "SELECT g.id, g.resource_id, g.user_id, u.display_name, g.score, g.comment, g.state, "
    "g.flagged_words, g.created_at, r.title FROM ratings g JOIN users u ON u.id = g.user_id "
    "JOIN resources r ON r.id = g.resource_id";

Rating FromRow(const storage::Row& r) {
  return {r.Int(0),  r.Int(1),  r.Int(2), r.Text(3), r.Int(4),
          r.Text(5), r.Text(6), r.Text(7), r.Int(8), r.Text(9)};
}

std::vector<Rating> FromRows(const storage::QueryResult& rows) {
  std::vector<Rating> out;
  for (const auto& r : rows.rows) out.push_back(FromRow(r));
  return out;
}

class SqlRatingRepository final : public RatingRepository {
 public:
  explicit SqlRatingRepository(storage::Database& db) : db_(db) {}

  Result<int64_t> Create(const NewRating& r) override {
    LEP_ASSIGN_OR_RETURN(
        auto row,
        db_.QueryOne("INSERT INTO ratings (resource_id, user_id, score, comment, "
                     "flagged_words, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                     {r.resource_id, r.user_id, r.score, r.comment, r.flagged_words, r.at}));
    return row->Int(0);
  }

  Result<std::optional<Rating>> Get(int64_t id) override {
    LEP_ASSIGN_OR_RETURN(auto row, db_.QueryOne(std::string(kCols) + " WHERE g.id = ?", {id}));
    if (!row) return std::optional<Rating>();
    return std::optional<Rating>(FromRow(*row));
  }

  Result<RatingSummary> ApprovedSummary(int64_t resource_id) override {
    LEP_ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT COUNT(*), COALESCE(AVG(score), 0) FROM "
                                                "ratings WHERE resource_id = ? AND state = "
                                                "'approved'",
                                                {resource_id}));
    return RatingSummary{row->Int(0), row->Real(1)};
  }

  Result<std::vector<Rating>> ListApproved(int64_t resource_id, int limit) override {
    LEP_ASSIGN_OR_RETURN(auto rows,
                         db_.Exec(std::string(kCols) + " WHERE g.resource_id = ? AND g.state = "
                                                       "'approved' ORDER BY g.id DESC LIMIT ?",
                                  {resource_id, int64_t{limit}}));
    return FromRows(rows);
  }

  Result<std::vector<Rating>> ListPending(int limit, const std::string& org_path_prefix) override {
    LEP_ASSIGN_OR_RETURN(
        auto rows,
        db_.Exec(std::string(kCols) +
                     " JOIN orgs o ON o.id = r.org_id WHERE g.state = 'pending' AND "
                     "substr(o.path, 1, ?) = ? ORDER BY g.id LIMIT ?",
                 {static_cast<int64_t>(org_path_prefix.size()), org_path_prefix,
                  int64_t{limit}}));
    return FromRows(rows);
  }

  Status Moderate(int64_t id, bool approved, int64_t by, int64_t at) override {
    LEP_ASSIGN_OR_RETURN(auto res,
                         db_.Exec("UPDATE ratings SET state = ?, moderated_by = ?, "
                                  "moderated_at = ? WHERE id = ?",
                                  {std::string(approved ? "approved" : "rejected"), by, at, id}));
    if (res.affected == 0) return Fail(Error::NotFound("评价不存在"));
    return Ok();
  }

 private:
  storage::Database& db_;
};

}  // namespace

std::unique_ptr<RatingRepository> NewSqlRatingRepository(storage::Database& db) {
  return std::make_unique<SqlRatingRepository>(db);
}

}  // namespace lep::portal
