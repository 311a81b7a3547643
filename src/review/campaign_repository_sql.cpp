#include "review/campaign_repository.h"

namespace lep::review {
namespace {

constexpr const char* kSelect =
    "SELECT id, name, year, description, contact_deadline, submission_deadline, "
    "first_review_deadline, final_review_deadline, starts_on FROM campaigns";

Campaign FromRow(const storage::Row& r) {
  return {r.Int(0),  r.Text(1), r.Int(2),  r.Text(3), r.Text(4),
          r.Text(5), r.Text(6), r.Text(7), r.Text(8)};
}

constexpr const char* kSelectUnit =
    "SELECT d.campaign_id, d.org_id, o.name, d.submission_deadline, d.updated_by, d.updated_at "
    "FROM campaign_unit_deadlines d JOIN orgs o ON o.id = d.org_id";

UnitDeadline UnitFromRow(const storage::Row& r) {
  return {r.Int(0), r.Int(1), r.Text(2), r.Text(3), r.Int(4), r.Int(5)};
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
                    "final_review_deadline, starts_on, created_at, updated_at) VALUES (?, ?, "
                    "?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    {c.name, c.year, c.description, c.contact_deadline, c.submission_deadline,
                     c.first_review_deadline, c.final_review_deadline, c.starts, at, at}));
    if (!row) return Fail(Error::Internal("征集批次未能保存"));
    return row->Int(0);
  }

  Result<bool> Update(storage::SqlExecutor& tx, const Campaign& c, int64_t at) override {
    LEP_ASSIGN_OR_RETURN(
        auto res, tx.Exec("UPDATE campaigns SET name = ?, year = ?, description = ?, "
                          "contact_deadline = ?, submission_deadline = ?, "
                          "first_review_deadline = ?, final_review_deadline = ?, starts_on = ?, "
                          "updated_at = ? WHERE id = ?",
                          {c.name, c.year, c.description, c.contact_deadline, c.submission_deadline,
                           c.first_review_deadline, c.final_review_deadline, c.starts, at, c.id}));
    return res.affected > 0;
  }

  Result<std::optional<UnitDeadline>> GetUnitDeadline(int64_t campaign_id,
                                                      int64_t org_id) override {
    LEP_ASSIGN_OR_RETURN(auto row, db_.QueryOne(std::string(kSelectUnit) +
                                                    " WHERE d.campaign_id = ? AND d.org_id = ?",
                                                {campaign_id, org_id}));
    if (!row) return std::optional<UnitDeadline>();
    return std::optional<UnitDeadline>(UnitFromRow(*row));
  }

  Result<std::vector<UnitDeadline>> UnitDeadlines(int64_t campaign_id) override {
    LEP_ASSIGN_OR_RETURN(
        auto rows, db_.Exec(std::string(kSelectUnit) + " WHERE d.campaign_id = ? ORDER BY d.org_id",
                            {campaign_id}));
    std::vector<UnitDeadline> out;
    for (const auto& r : rows.rows) out.push_back(UnitFromRow(r));
    return out;
  }

  Status SetUnitDeadline(storage::SqlExecutor& tx, const UnitDeadline& d) override {
    if (d.submission_deadline.empty()) {
      return tx
          .Exec("DELETE FROM campaign_unit_deadlines WHERE campaign_id = ? AND org_id = ?",
                {d.campaign_id, d.org_id})
          .map([](auto&&) {});
    }
    return tx
        .Exec(
            "INSERT INTO campaign_unit_deadlines (campaign_id, org_id, submission_deadline, "
            "updated_by, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (campaign_id, org_id) "
            "DO UPDATE SET submission_deadline = excluded.submission_deadline, "
            "updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            {d.campaign_id, d.org_id, d.submission_deadline, d.updated_by, d.updated_at})
        .map([](auto&&) {});
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
