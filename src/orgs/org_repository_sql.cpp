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
  SqlOrgRepository(storage::Database& db, const security::FieldCipher& cipher)
      : db_(db), cipher_(cipher) {}

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

  Result<Org> Rename(OrgId id, const std::string& name,
                     const security::AuditRecord& audit) override {
    Org renamed;
    LEP_RETURN_IF_ERROR(db_.Transaction([&](storage::SqlExecutor& tx) -> Status {
      LEP_ASSIGN_OR_RETURN(auto row, tx.QueryOne(std::string("SELECT ") + kCols +
                                                     " FROM orgs WHERE id = ?",
                                                 {id.value}));
      if (!row) return Fail(Error::NotFound("单位不存在"));
      renamed = FromRow(*row);
      if (renamed.name == name) return Ok();
      auto dup = tx.QueryOne(
          "SELECT id FROM orgs WHERE COALESCE(parent_id, 0) = ? AND name = ? AND id <> ?",
          {renamed.parent_id ? renamed.parent_id->value : int64_t{0}, name, id.value});
      if (!dup) return Fail(dup.error());
      if (*dup) {
        return Fail(Error::AlreadyExists("同一上级单位下已有同名单位",
                                         {{"name", "单位名称", "同一上级单位下已有同名单位"}}));
      }
      LEP_RETURN_IF_ERROR(tx.Exec("UPDATE orgs SET name = ? WHERE id = ?", {name, id.value}));
      renamed.name = name;
      return security::AppendAudit(tx, audit).map([](int64_t) {});
    }));
    return renamed;
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
    Contact c;
    LEP_ASSIGN_OR_RETURN(c.name, cipher_.Decrypt(row->Text(0), Context("name", id)));
    c.title = row->Text(1);
    LEP_ASSIGN_OR_RETURN(c.office_phone, cipher_.Decrypt(row->Text(2), Context("office_phone", id)));
    LEP_ASSIGN_OR_RETURN(c.mobile, cipher_.Decrypt(row->Text(3), Context("mobile", id)));
    LEP_ASSIGN_OR_RETURN(c.email, cipher_.Decrypt(row->Text(4), Context("email", id)));
    c.updated_at = row->Int(5);
    return std::optional<Contact>(std::move(c));
  }

  Status PutContact(OrgId id, const Contact& c, int64_t by_user) override {
    return db_
        .Exec("INSERT INTO org_contacts (org_id, name, title, office_phone, mobile, email, "
              "updated_at, updated_by, mobile_hash, email_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
              "?, ?) "
              "ON CONFLICT (org_id) DO UPDATE SET name = excluded.name, title = excluded.title, "
              "office_phone = excluded.office_phone, mobile = excluded.mobile, "
              "email = excluded.email, updated_at = excluded.updated_at, "
              "updated_by = excluded.updated_by, mobile_hash = excluded.mobile_hash, "
              "email_hash = excluded.email_hash",
              {id.value, cipher_.Encrypt(c.name, Context("name", id)), c.title,
               cipher_.Encrypt(c.office_phone, Context("office_phone", id)),
               cipher_.Encrypt(c.mobile, Context("mobile", id)),
               cipher_.Encrypt(c.email, Context("email", id)), c.updated_at, by_user,
               LookupHash(c.mobile), LookupHash(c.email)})
        .map([](auto&&) {});
  }

  Result<std::vector<OrgId>> FindByContact(const std::string& mobile_or_email) override {
    std::string h = LookupHash(mobile_or_email);
    if (h.empty()) return std::vector<OrgId>{};
    LEP_ASSIGN_OR_RETURN(auto res, db_.Exec("SELECT org_id FROM org_contacts WHERE mobile_hash = ? "
                                            "OR email_hash = ? ORDER BY org_id",
                                            {h, h}));
    std::vector<OrgId> out;
    for (const auto& r : res.rows) out.push_back(OrgId{r.Int(0)});
    return out;
  }

  Result<int> EncryptLegacyContacts() override {
    LEP_ASSIGN_OR_RETURN(auto res, db_.Exec("SELECT org_id, updated_by FROM org_contacts WHERE "
                                            "mobile NOT LIKE 'enc1:%' OR email NOT LIKE 'enc1:%' "
                                            "OR name NOT LIKE 'enc1:%'"));
    int n = 0;
    for (const auto& r : res.rows) {
      OrgId id{r.Int(0)};
      LEP_ASSIGN_OR_RETURN(auto c, GetContact(id));
      if (!c) continue;
      LEP_RETURN_IF_ERROR(PutContact(id, *c, r.OptInt(1).value_or(0)));
      ++n;
    }
    return n;
  }

 private:
  Result<std::vector<Org>> List(const std::string& sql, const std::vector<Value>& params) {
    LEP_ASSIGN_OR_RETURN(auto res, db_.Exec(sql, params));
    std::vector<Org> out;
    out.reserve(res.rows.size());
    for (const auto& r : res.rows) out.push_back(FromRow(r));
    return out;
  }

  static std::string Context(const char* field, OrgId id) {
    return std::string("org_contacts.") + field + ":" + std::to_string(id.value);
  }
  // One hash space for mobiles and e-mails (lower-cased, trimmed), so one lookup finds either.
  std::string LookupHash(std::string_view v) const {
    std::string norm;
    for (char ch : v) {
      if (ch == ' ' || ch == '\t') continue;
      norm += (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
    }
    return cipher_.KeyedHash(norm, "org_contacts.lookup");
  }

  storage::Database& db_;
  const security::FieldCipher& cipher_;
};

}  // namespace

std::unique_ptr<OrgRepository> NewSqlOrgRepository(storage::Database& db,
                                                   const security::FieldCipher& cipher) {
  return std::make_unique<SqlOrgRepository>(db, cipher);
}

}  // namespace lep::orgs
