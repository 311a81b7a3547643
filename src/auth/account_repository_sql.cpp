#include "auth/account_repository.h"

namespace lep::auth {
namespace {

using storage::Value;

Status Done(const Result<storage::QueryResult>& r) {
  if (!r) return Fail(r.error());
  return Ok();
}

class SqlAccountRepository final : public AccountRepository {
 public:
  Status SetPassword(Tx& tx, UserId id, const std::string& hash, bool must_change,
                     int64_t now) override {
    return Done(tx.Exec(
        "UPDATE users SET password_hash = ?, must_change_password = ?, password_changed_at = ? "
        "WHERE id = ?",
        {hash, int64_t{must_change ? 1 : 0}, now, id.value}));
  }

  Status SetDisabled(Tx& tx, UserId id, bool disabled) override {
    return Done(tx.Exec("UPDATE users SET disabled = ? WHERE id = ?",
                        {int64_t{disabled ? 1 : 0}, id.value}));
  }

  Status SetRole(Tx& tx, UserId id, Role role) override {
    return Done(
        tx.Exec("UPDATE users SET role = ? WHERE id = ?", {std::string(RoleName(role)), id.value}));
  }

  Result<int64_t> EndSessions(Tx& tx, UserId id, std::optional<int64_t> keep) override {
    LEP_ASSIGN_OR_RETURN(
        auto r,
        keep ? tx.Exec("DELETE FROM sessions WHERE user_id = ? AND id <> ?", {id.value, *keep})
             : tx.Exec("DELETE FROM sessions WHERE user_id = ?", {id.value}));
    return r.affected;
  }

  Status InsertToken(Tx& tx, const AccountToken& t) override {
    return Done(tx.Exec(
        "INSERT INTO account_tokens (user_id, token_hash, purpose, created_at, expires_at, "
        "created_by) VALUES (?, ?, ?, ?, ?, ?)",
        {t.user_id.value, t.token_hash, std::string(TokenPurposeName(t.purpose)), t.created_at,
         t.expires_at, t.created_by ? Value(*t.created_by) : Value(nullptr)}));
  }

  Status RevokeTokens(Tx& tx, UserId id, int64_t now) override {
    return Done(
        tx.Exec("UPDATE account_tokens SET used_at = ? WHERE user_id = ? AND used_at IS NULL",
                {now, id.value}));
  }

  Result<std::optional<AccountToken>> FindToken(Tx& tx, const std::string& token_hash) override {
    LEP_ASSIGN_OR_RETURN(auto row, tx.QueryOne("SELECT id, user_id, token_hash, purpose, "
                                               "created_at, expires_at, used_at, created_by "
                                               "FROM account_tokens WHERE token_hash = ?",
                                               {token_hash}));
    if (!row) return std::optional<AccountToken>();
    AccountToken t;
    t.id = row->Int(0);
    t.user_id = UserId{row->Int(1)};
    t.token_hash = row->Text(2);
    t.purpose = row->Text(3) == "reset" ? TokenPurpose::kReset : TokenPurpose::kActivate;
    t.created_at = row->Int(4);
    t.expires_at = row->Int(5);
    t.used_at = row->OptInt(6);
    t.created_by = row->OptInt(7);
    return std::optional<AccountToken>(t);
  }

  Result<bool> UseToken(Tx& tx, int64_t id, int64_t now) override {
    LEP_ASSIGN_OR_RETURN(auto r, tx.Exec("UPDATE account_tokens SET used_at = ? WHERE id = ? AND "
                                         "used_at IS NULL AND expires_at > ?",
                                         {now, id, now}));
    return r.affected == 1;
  }

  Status SetPrivacyConsent(Tx& tx, UserId id, int64_t at) override {
    return Done(tx.Exec("UPDATE users SET privacy_consent_at = ? WHERE id = ?", {at, id.value}));
  }

  Status SetEmail(Tx& tx, UserId id, const std::string& stored,
                  const std::string& hash) override {
    return Done(tx.Exec("UPDATE users SET email = ?, email_hash = ? WHERE id = ?",
                        {stored, hash, id.value}));
  }

  Result<std::string> GetEmail(Tx& tx, UserId id) override {
    LEP_ASSIGN_OR_RETURN(auto row, tx.QueryOne("SELECT email FROM users WHERE id = ?", {id.value}));
    return row ? row->Text(0) : std::string();
  }

  Result<std::vector<UserId>> FindByEmailHash(Tx& tx, const std::string& hash) override {
    std::vector<UserId> out;
    if (hash.empty()) return out;
    LEP_ASSIGN_OR_RETURN(auto r, tx.Exec("SELECT id FROM users WHERE email_hash = ? ORDER BY id",
                                         {hash}));
    for (const auto& row : r.rows) out.push_back(UserId{row.Int(0)});
    return out;
  }

  Result<std::optional<int64_t>> LastTokenAt(Tx& tx, UserId id, TokenPurpose purpose) override {
    LEP_ASSIGN_OR_RETURN(auto row,
                         tx.QueryOne("SELECT MAX(created_at) FROM account_tokens WHERE user_id = ? "
                                     "AND purpose = ?",
                                     {id.value, std::string(TokenPurposeName(purpose))}));
    if (!row) return std::optional<int64_t>();
    return row->OptInt(0);
  }
};

}  // namespace

std::string_view TokenPurposeName(TokenPurpose p) {
  return p == TokenPurpose::kReset ? "reset" : "activate";
}

std::unique_ptr<AccountRepository> NewSqlAccountRepository() {
  return std::make_unique<SqlAccountRepository>();
}

}  // namespace lep::auth
