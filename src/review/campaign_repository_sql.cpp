#include "review/campaign_repository.h"

namespace lep::review {
namespace {

constexpr const char* kSelect =
    "SELECT id, name, year, description, contact_deadline, submission_deadline, "
    "first_review_deadline, final_review_deadline FROM campaigns";

Campaign FromRow(const storage::Row& r) {
  return {r.Int(0), r.Text(1), r.Int(2), r.Text(3), r.Text(4), r.Text(5), r.Text(6), r.Text(7)};
}

class SqlCampaignRepository final : public CampaignRepository {
 public:
  explicit SqlCampaignRepository(storage::Database& db) : db_(db) {}

  Result<std::vector<Campaign>> List() override {
    LEP_ASSIGN_OR_RETURN(auto rows, db_.Exec(std::string(kSelect) + " ORDER BY id DESC"));
    std::vector<Campaign> out;
    for (const auto& r : rows.rows) out.push_back(FromRow(r));
    return out;
  }

  Result<std::optional<Campaign>> Get(int64_t id) override {
    return One(std::string(kSelect) + " WHERE id = ?", {id});
  }

  Result<std::optional<Campaign>> Latest() override {
    return One(std::string(kSelect) + " ORDER BY id DESC LIMIT 1", {});
  }

  Result<int64_t> Create(storage::SqlExecutor& tx, const Campaign& c, int64_t at) override {
    LEP_ASSIGN_OR_RETURN(
        auto row,
        tx.QueryOne("INSERT INTO campaigns (name, year, description, contact_deadline, "
                    "submission_deadline, first_review_deadline, "
                    "final_review_deadline, created_at, updated_at) VALUES (?, ?, ?, ?, "
                    "?, ?, ?, ?, ?) RETURNING id",
                    {c.name, c.year, c.description, c.contact_deadline, c.submission_deadline,
                     c.first_review_deadline, c.final_review_deadline, at, at}));
    if (!row) return Fail(Error::Internal("征集批次未能保存"));
    return row->Int(0);
  }

  Result<bool> Update(storage::SqlExecutor& tx, const Campaign& c, int64_t at) override {
    LEP_ASSIGN_OR_RETURN(
        auto res, tx.Exec("UPDATE campaigns SET name = ?, year = ?, description = ?, "
                          "contact_deadline = ?, submission_deadline = ?, "
                          "first_review_deadline = ?, final_review_deadline = ?, updated_at = ? "
                          "WHERE id = ?",
                          {c.name, c.year, c.description, c.contact_deadline, c.submission_deadline,
                           c.first_review_deadline, c.final_review_deadline, at, c.id}));
    return res.affected > 0;
  }

 private:
  Result<std::optional<Campaign>> One(const std::string& sql,
                                      const std::vector<storage::Value>& params) {
    LEP_ASSIGN_OR_RETURN(auto row, db_.QueryOne(sql, params));
    if (!row) return std::optional<Campaign>();
    return std::optional<Campaign>(FromRow(*row));
  }

  storage::Database& db_;
};

}  // namespace

std::unique_ptr<CampaignRepository> NewSqlCampaignRepository(storage::Database& db) {
  return std::make_unique<SqlCampaignRepository>(db);
}

}  // namespace lep::review
