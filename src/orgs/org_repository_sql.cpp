#include "orgs/org_repository_sql.h"

namespace lep::orgs {
namespace {

using storage::Row;
using storage::Value;

constexpr const char* kCols = "id, parent_id, kind, name, path, region, created_at";

Org FromRow(const Row& r) {
  Org o;
  o.id = OrgId{r.Int(0)};
  if (auto p = r.OptInt(1)) o.parent_id = OrgId{*p};
  o.kind = ParseKind(r.Text(2)).value_or(OrgKind::kProvinceDept);
  o.name = r.Text(3);
  o.path = r.Text(4);
  o.region = r.Text(5);
  o.created_at = r.Int(6);
  return o;
}

class SqlOrgRepository final : public OrgRepository {
 public:
  explicit SqlOrgRepository(storage::Database& db) : db_(db) {}

  Result<Org> Create(std::optional<OrgId> parent, OrgKind kind, const std::string& name,
                     const std::string& region, int64_t now_ms) override {
    Org created;
    LEP_RETURN_IF_ERROR(db_.Transaction([&](storage::SqlExecutor& tx) -> Status {
      std::string parent_path = "/";
      Value parent_value = nullptr;
      if (parent) {
        LEP_ASSIGN_OR_RETURN(auto prow, tx.QueryOne("SELECT path FROM orgs WHERE id = ?",
                                                    {parent->value}));
        if (!prow) return Fail(Error::NotFound("上级单位不存在"));
        parent_path = prow->Text(0);
        parent_value = parent->value;
      }
      auto dup = tx.QueryOne(
          "SELECT id FROM orgs WHERE COALESCE(parent_id, 0) = ? AND name = ?",
          {parent ? parent->value : int64_t{0}, name});
      if (!dup) return Fail(dup.error());
      if (*dup) {
        return Fail(Error::AlreadyExists("同一上级单位下已有同名单位",
                                         {{"name", "单位名称", "同一上级单位下已有同名单位"}}));
      }
      LEP_ASSIGN_OR_RETURN(
          auto row,
          tx.QueryOne("INSERT INTO orgs (parent_id, kind, name, path, region, created_at) "
                      "VALUES (?, ?, ?, '', ?, ?) RETURNING id",
                      {parent_value, std::string(KindName(kind)), name, region, now_ms}));
      int64_t id = row->Int(0);
      std::string path = parent_path + std::to_string(id) + "/";
      LEP_RETURN_IF_ERROR(tx.Exec("UPDATE orgs SET path = ? WHERE id = ?", {path, id}));
      created = Org{OrgId{id}, parent, kind, name, path, region, now_ms};
      return Ok();
    }));
    return created;
  }

  Result<std::optional<Org>> Get(OrgId id) override {
    LEP_ASSIGN_OR_RETURN(auto row, db_.QueryOne(std::string("SELECT ") + kCols +
                                                    " FROM orgs WHERE id = ?",
                                                {id.value}));
    if (!row) return std::optional<Org>();
    return std::optional<Org>(FromRow(*row));
  }

  Result<std::optional<Org>> Root() override {
    LEP_ASSIGN_OR_RETURN(auto row, db_.QueryOne(std::string("SELECT ") + kCols +
                                                " FROM orgs WHERE parent_id IS NULL ORDER BY id LIMIT 1"));
    if (!row) return std::optional<Org>();
    return std::optional<Org>(FromRow(*row));
  }

  Result<std::vector<Org>> Children(OrgId id) override {
    return List(std::string("SELECT ") + kCols + " FROM orgs WHERE parent_id = ? ORDER BY id",
                {id.value});
  }

  Result<std::vector<Org>> Subtree(OrgId id) override {
    LEP_ASSIGN_OR_RETURN(auto self, Get(id));
    if (!self) return std::vector<Org>();
    // Tree order: a parent's path is a prefix of its children's paths.
    return List(std::string("SELECT ") + kCols +
                    " FROM orgs WHERE substr(path, 1, ?) = ? ORDER BY path",
                {static_cast<int64_t>(self->path.size()), self->path});
  }

  Result<std::optional<Contact>> GetContact(OrgId id) override {
    LEP_ASSIGN_OR_RETURN(
        auto row, db_.QueryOne("SELECT name, title, office_phone, mobile, email, updated_at "
                               "FROM org_contacts WHERE org_id = ?",
                               {id.value}));
    if (!row) return std::optional<Contact>();
    return std::optional<Contact>(Contact{row->Text(0), row->Text(1), row->Text(2), row->Text(3),
                                          row->Text(4), row->Int(5)});
  }

  Status PutContact(OrgId id, const Contact& c, int64_t by_user) override {
    return db_
        .Exec("INSERT INTO org_contacts (org_id, name, title, office_phone, mobile, email, "
              "updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
              "ON CONFLICT (org_id) DO UPDATE SET name = excluded.name, title = excluded.title, "
              "office_phone = excluded.office_phone, mobile = excluded.mobile, "
              "email = excluded.email, updated_at = excluded.updated_at, "
              "updated_by = excluded.updated_by",
              {id.value, c.name, c.title, c.office_phone, c.mobile, c.email, c.updated_at,
               by_user})
        .map([](auto&&) {});
  }

 private:
  Result<std::vector<Org>> List(const std::string& sql, const std::vector<Value>& params) {
    LEP_ASSIGN_OR_RETURN(auto res, db_.Exec(sql, params));
    std::vector<Org> out;
    out.reserve(res.rows.size());
    for (const auto& r : res.rows) out.push_back(FromRow(r));
    return out;
  }

  storage::Database& db_;
};

}  // namespace

std::unique_ptr<OrgRepository> NewSqlOrgRepository(storage::Database& db) {
  return std::make_unique<SqlOrgRepository>(db);
}

}  // namespace lep::orgs
