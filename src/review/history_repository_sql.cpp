#include "review/history_repository.h"

namespace lep::review {
namespace {

class SqlHistoryRepository final : public HistoryRepository {
 public:
  explicit SqlHistoryRepository(storage::Database& db) : db_(db) {}

  Result<int64_t> Append(storage::SqlExecutor& tx, const HistoryRecord& h) override {
    LEP_ASSIGN_OR_RETURN(
        auto row,
        tx.QueryOne("INSERT INTO review_history (resource_id, action, from_state, to_state, "
                    "actor_id, actor_org_id, comment, checklist, took_over, at) VALUES (?, ?, ?, "
                    "?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    {h.resource_id.value, h.action, h.from_state, h.to_state, h.actor_id,
                     h.actor_org_id, h.comment, h.checklist, int64_t{h.took_over}, h.at}));
    if (!row) return Fail(Error::Internal("审核记录未能保存"));
    return row->Int(0);
  }

  Result<std::vector<HistoryEntry>> List(resources::ResourceId id) override {
    LEP_ASSIGN_OR_RETURN(
        auto rows,
        db_.Exec("SELECT h.id, h.action, h.from_state, h.to_state, h.comment, h.checklist, "
                 "h.actor_id, h.actor_org_id, h.at, COALESCE(u.display_name, ''), "
                 "COALESCE(o.name, ''), h.took_over FROM review_history h "
                 "LEFT JOIN users u ON u.id = h.actor_id LEFT JOIN orgs o ON o.id = "
                 "h.actor_org_id WHERE h.resource_id = ? ORDER BY h.id",
                 {id.value}));
    std::vector<HistoryEntry> out;
    for (const auto& r : rows.rows) {
      HistoryEntry e;
      e.id = r.Int(0);
      e.action = r.Text(1);
      e.from_state = r.Text(2);
      e.to_state = r.Text(3);
      e.comment = r.Text(4);
      e.checklist = r.Text(5);
      e.actor_id = r.Int(6);
      e.actor_org_id = r.Int(7);
      e.at = r.Int(8);
      e.actor_name = r.Text(9);
      e.actor_org_name = r.Text(10);
      e.took_over = r.Int(11) != 0;
      out.push_back(std::move(e));
    }
    return out;
  }

 private:
  storage::Database& db_;
};

}  // namespace

std::unique_ptr<HistoryRepository> NewSqlHistoryRepository(storage::Database& db) {
  return std::make_unique<SqlHistoryRepository>(db);
}

}  // namespace lep::review
