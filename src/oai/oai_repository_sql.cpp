#include "oai/oai_repository.h"

namespace lep::oai {
namespace {

constexpr const char* kColumns = "SELECT resource_id, datestamp, deleted, set_spec FROM oai_records";

RecordHeader FromRow(const storage::Row& r) {
  return {r.Int(0), r.Int(1), r.Int(2) != 0, r.Text(3)};
}

class SqlOaiRepository final : public OaiRepository {
 public:
  explicit SqlOaiRepository(storage::Database& db) : db_(db) {}

  Result<std::vector<RecordHeader>> List(const RecordQuery& q, int limit) override {
    std::vector<storage::Value> params;
    std::string sql = std::string(kColumns) + Where(q, params) + " AND resource_id > ?";
    params.push_back(q.after_id);
    sql += " ORDER BY resource_id LIMIT ?";
    params.push_back(int64_t{limit});
    LEP_ASSIGN_OR_RETURN(auto rows, db_.Exec(sql, params));
    std::vector<RecordHeader> out;
    out.reserve(rows.rows.size());
    for (const auto& r : rows.rows) out.push_back(FromRow(r));
    return out;
  }

  Result<int64_t> Count(const RecordQuery& q) override {
    std::vector<storage::Value> params;
    LEP_ASSIGN_OR_RETURN(auto row,
                         db_.QueryOne("SELECT COUNT(*) FROM oai_records" + Where(q, params), params));
    return row ? row->Int(0) : int64_t{0};
  }

  Result<std::optional<RecordHeader>> Get(int64_t resource_id) override {
    LEP_ASSIGN_OR_RETURN(auto row, db_.QueryOne(std::string(kColumns) + " WHERE resource_id = ?",
                                                {resource_id}));
    if (!row) return std::optional<RecordHeader>();
    return std::optional<RecordHeader>(FromRow(*row));
  }

  Result<std::optional<int64_t>> Earliest() override {
    LEP_ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT MIN(datestamp) FROM oai_records"));
    if (!row || row->IsNull(0)) return std::optional<int64_t>();
    return std::optional<int64_t>(row->Int(0));
  }

 private:
  static std::string Where(const RecordQuery& q, std::vector<storage::Value>& params) {
    std::string w = " WHERE datestamp >= ? AND datestamp <= ?";
    params.push_back(q.from);
    params.push_back(q.until);
    if (!q.set_spec.empty()) {
      w += " AND set_spec = ?";
      params.push_back(q.set_spec);
    }
    return w;
  }

  storage::Database& db_;
};

}  // namespace

std::unique_ptr<OaiRepository> NewSqlOaiRepository(storage::Database& db) {
  return std::make_unique<SqlOaiRepository>(db);
}

}  // namespace lep::oai
