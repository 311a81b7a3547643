#include "orgs/registration_form_repository.h"

namespace lep::orgs {
namespace {

using storage::Row;

constexpr const char* kCols =
    "id, org_id, blob, size, sha256, file_name, uploaded_at, uploaded_by";

RegistrationForm FromRow(const Row& r, size_t at = 0) {
  RegistrationForm f;
  f.id = r.Int(at + 0);
  f.org_id = OrgId{r.Int(at + 1)};
  f.blob = r.Text(at + 2);
  f.size = r.Int(at + 3);
  f.sha256 = r.Text(at + 4);
  f.file_name = r.Text(at + 5);
  f.uploaded_at = r.Int(at + 6);
  f.uploaded_by = r.Int(at + 7);
  return f;
}

class SqlRegistrationFormRepository final : public RegistrationFormRepository {
 public:
  explicit SqlRegistrationFormRepository(storage::Database& db) : db_(db) {}

  Result<RegistrationForm> Add(const RegistrationForm& f,
                               const security::AuditRecord& audit) override {
    RegistrationForm saved = f;
    LEP_RETURN_IF_ERROR(db_.Transaction([&](storage::SqlExecutor& tx) -> Status {
      LEP_ASSIGN_OR_RETURN(
          auto row,
          tx.QueryOne("INSERT INTO org_registration_forms (org_id, blob, size, sha256, file_name, "
                      "uploaded_at, uploaded_by) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                      {f.org_id.value, f.blob, f.size, f.sha256, f.file_name, f.uploaded_at,
                       f.uploaded_by}));
      saved.id = row->Int(0);
      security::AuditRecord a = audit;
      if (!a.detail.empty()) a.detail += "；";
      a.detail += "登记表 #" + std::to_string(saved.id);
      return security::AppendAudit(tx, a).map([](int64_t) {});
    }));
    return saved;
  }

  Result<std::vector<RegistrationForm>> History(OrgId org) override {
    LEP_ASSIGN_OR_RETURN(auto res, db_.Exec(std::string("SELECT ") + kCols +
                                                " FROM org_registration_forms WHERE org_id = ? "
                                                "ORDER BY id DESC",
                                            {org.value}));
    std::vector<RegistrationForm> out;
    for (const auto& r : res.rows) out.push_back(FromRow(r));
    return out;
  }

  Result<std::optional<RegistrationForm>> Find(OrgId org, int64_t id) override {
    LEP_ASSIGN_OR_RETURN(auto row, db_.QueryOne(std::string("SELECT ") + kCols +
                                                    " FROM org_registration_forms WHERE org_id = ? "
                                                    "AND id = ?",
                                                {org.value, id}));
    if (!row) return std::optional<RegistrationForm>();
    return std::optional<RegistrationForm>(FromRow(*row));
  }

  Result<std::vector<UnitFormStatus>> Children(OrgId parent) override {
    LEP_ASSIGN_OR_RETURN(
        auto res,
        db_.Exec("SELECT o.id, o.parent_id, o.kind, o.name, o.path, o.region, o.created_at, "
                 "f.id, f.org_id, f.blob, f.size, f.sha256, f.file_name, f.uploaded_at, "
                 "f.uploaded_by FROM orgs o LEFT JOIN org_registration_forms f ON f.id = "
                 "(SELECT MAX(g.id) FROM org_registration_forms g WHERE g.org_id = o.id) "
                 "WHERE o.parent_id = ? ORDER BY o.id",
                 {parent.value}));
    std::vector<UnitFormStatus> out;
    for (const auto& r : res.rows) {
      UnitFormStatus s;
      s.org.id = OrgId{r.Int(0)};
      if (auto p = r.OptInt(1)) s.org.parent_id = OrgId{*p};
      s.org.kind = ParseKind(r.Text(2)).value_or(OrgKind::kProvinceDept);
      s.org.name = r.Text(3);
      s.org.path = r.Text(4);
      s.org.region = r.Text(5);
      s.org.created_at = r.Int(6);
      if (r.OptInt(7)) s.current = FromRow(r, 7);
      out.push_back(std::move(s));
    }
    return out;
  }

 private:
  storage::Database& db_;
};

}  // namespace

std::unique_ptr<RegistrationFormRepository> NewSqlRegistrationFormRepository(
    storage::Database& db) {
  return std::make_unique<SqlRegistrationFormRepository>(db);
}

}  // namespace lep::orgs
