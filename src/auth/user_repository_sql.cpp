#include "auth/user_repository.h"

namespace lep::auth {
namespace {

using storage::Row;

constexpr const char* kCols =
    "id, org_id, username, display_name, role, password_hash, failed_count, first_failed_at, "
    "locked_until, disabled, created_at, totp_secret, totp_pending, totp_enabled, totp_last_step, "
    "totp_recovery, must_change_password, password_changed_at, privacy_consent_at";

std::vector<std::string> SplitHashes(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t end = s.find(',', start);
    if (end == std::string::npos) end = s.size();
    if (end > start) out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string JoinHashes(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& h : v) {
    if (!out.empty()) out += ',';
    out += h;
  }
  return out;
}

User FromRow(const Row& r) {
  User u;
  u.id = UserId{r.Int(0)};
  if (auto o = r.OptInt(1)) u.org_id = orgs::OrgId{*o};
  u.username = r.Text(2);
  u.display_name = r.Text(3);
  u.role = ParseRole(r.Text(4)).value_or(Role::kLearner);
  u.password_hash = r.Text(5);
  u.failed_count = static_cast<int>(r.Int(6));
  u.first_failed_at = r.Int(7);
  u.locked_until = r.Int(8);
  u.disabled = r.Int(9) != 0;
  u.created_at = r.Int(10);
  u.totp_secret = r.Text(11);
  u.totp_pending = r.Text(12);
  u.totp_enabled = r.Int(13) != 0;
  u.totp_last_step = r.Int(14);
  u.totp_recovery = SplitHashes(r.Text(15));
  u.must_change_password = r.Int(16) != 0;
  u.password_changed_at = r.Int(17);
  u.privacy_consent_at = r.Int(18);
  return u;
}

class SqlUserRepository final : public UserRepository {
 public:
  explicit SqlUserRepository(storage::Database& db) : db_(db) {}

  Result<User> Create(const User& u, std::optional<UserId> created_by) override {
    storage::Value org = u.org_id ? storage::Value(u.org_id->value) : storage::Value(nullptr);
    storage::Value by = created_by ? storage::Value(created_by->value) : storage::Value(nullptr);
    auto row = db_.QueryOne(
        "INSERT INTO users (org_id, username, display_name, role, password_hash, created_at, "
        "created_by, must_change_password, privacy_consent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
        "?) RETURNING id",
        {org, u.username, u.display_name, std::string(RoleName(u.role)), u.password_hash,
         u.created_at, by, int64_t{u.must_change_password ? 1 : 0}, u.privacy_consent_at});
    if (!row) {
      if (row.error().Is(ErrorCode::kAlreadyExists)) {
        return Fail(Error::AlreadyExists("用户名已被使用",
                                         {{"username", "用户名", "用户名已被使用，请换一个"}}));
      }
      return Fail(row.error());
    }
    User out = u;
    out.id = UserId{(*row)->Int(0)};
    return out;
  }

  Result<std::optional<User>> Get(UserId id) override {
    return One(std::string("SELECT ") + kCols + " FROM users WHERE id = ?", {id.value});
  }

  Result<std::optional<User>> GetByUsername(const std::string& name) override {
    return One(std::string("SELECT ") + kCols + " FROM users WHERE username = ?", {name});
  }

  Result<std::vector<User>> ListByOrg(orgs::OrgId org) override {
    LEP_ASSIGN_OR_RETURN(auto res, db_.Exec(std::string("SELECT ") + kCols +
                                                " FROM users WHERE org_id = ? ORDER BY id",
                                            {org.value}));
    std::vector<User> out;
    for (const auto& r : res.rows) out.push_back(FromRow(r));
    return out;
  }

  Status SaveLoginState(UserId id, int failed_count, int64_t first_failed_at,
                        int64_t locked_until) override {
    return db_
        .Exec(
            "UPDATE users SET failed_count = ?, first_failed_at = ?, locked_until = ? "
            "WHERE id = ?",
            {int64_t{failed_count}, first_failed_at, locked_until, id.value})
        .map([](auto&&) {});
  }

  Status SetPasswordHash(UserId id, const std::string& hash) override {
    return db_.Exec("UPDATE users SET password_hash = ? WHERE id = ?", {hash, id.value})
        .map([](auto&&) {});
  }

  Status SaveTotp(const User& u) override {
    return db_
        .Exec(
            "UPDATE users SET totp_secret = ?, totp_pending = ?, totp_enabled = ?, "
            "totp_last_step = ?, totp_recovery = ? WHERE id = ?",
            {u.totp_secret, u.totp_pending, int64_t{u.totp_enabled ? 1 : 0}, u.totp_last_step,
             JoinHashes(u.totp_recovery), u.id.value})
        .map([](auto&&) {});
  }

  Result<bool> UseTotpStep(UserId id, int64_t step) override {
    LEP_ASSIGN_OR_RETURN(auto r, db_.Exec("UPDATE users SET totp_last_step = ? WHERE id = ? AND "
                                          "totp_last_step < ?",
                                          {step, id.value, step}));
    return r.affected == 1;
  }

  Result<bool> ReplaceRecoveryCodes(UserId id, const std::vector<std::string>& expected,
                                    const std::vector<std::string>& replacement) override {
    LEP_ASSIGN_OR_RETURN(auto r,
                         db_.Exec("UPDATE users SET totp_recovery = ? WHERE id = ? AND "
                                  "totp_recovery = ?",
                                  {JoinHashes(replacement), id.value, JoinHashes(expected)}));
    return r.affected == 1;
  }

  Status NoteLock(UserId id, int64_t until) override {
    return db_
        .Exec("UPDATE users SET locked_until = ? WHERE id = ? AND locked_until < ?",
              {until, id.value, until})
        .map([](auto&&) {});
  }

  Result<LoginClaim> ClaimLoginAttempt(const std::string& account, std::string_view address,
                                       int64_t now, int64_t window_start_min,
                                       int64_t backoff_reset_before) override {
    // One upsert: the row lock (PostgreSQL) or the write lock (SQLite) orders concurrent
    // attempts, each sees the count including every attempt before it.
    LEP_ASSIGN_OR_RETURN(
        auto res,
        db_.Exec("INSERT INTO login_throttle (account, address, failures, window_start, "
                 "updated_at) VALUES (?, ?, 1, ?, ?) ON CONFLICT (account, address) DO UPDATE "
                 "SET failures = CASE WHEN login_throttle.window_start <= ? THEN 1 "
                 "ELSE login_throttle.failures + 1 END, "
                 "window_start = CASE WHEN login_throttle.window_start <= ? THEN ? "
                 "ELSE login_throttle.window_start END, "
                 "lockouts = CASE WHEN login_throttle.locked_until <= ? THEN 0 "
                 "ELSE login_throttle.lockouts END, updated_at = ? "
                 "WHERE login_throttle.locked_until <= ? "
                 "RETURNING failures, lockouts, last_success_at",
                 {account, std::string(address), now, now, window_start_min, window_start_min, now,
                  backoff_reset_before, now, now}));
    LoginClaim c;
    if (!res.rows.empty()) {
      const auto& r = res.rows.front();
      c.failures = static_cast<int>(r.Int(0));
      c.lockouts = static_cast<int>(r.Int(1));
      c.last_success_at = r.Int(2);
      return c;
    }
    LEP_ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT locked_until, last_success_at FROM "
                                                "login_throttle WHERE account = ? AND address = ?",
                                                {account, std::string(address)}));
    c.locked = true;
    c.locked_until = row ? row->Int(0) : now;
    c.last_success_at = row ? row->Int(1) : 0;
    return c;
  }

  Status ReleaseLoginAttempt(const std::string& account, std::string_view address) override {
    return db_
        .Exec(
            "UPDATE login_throttle SET failures = failures - 1 WHERE account = ? AND "
            "address = ? AND failures > 0",
            {account, std::string(address)})
        .map([](auto&&) {});
  }

  Result<LoginLock> LockLogin(const std::string& account, std::string_view address, int64_t until,
                              int64_t now) override {
    LEP_ASSIGN_OR_RETURN(auto res,
                         db_.Exec("UPDATE login_throttle SET locked_until = ?, lockouts = "
                                  "lockouts + 1, failures = 0, window_start = 0, updated_at = ? "
                                  "WHERE account = ? AND address = ? AND locked_until <= ?",
                                  {until, now, account, std::string(address), now}));
    if (res.affected == 1) return LoginLock{until, true};
    LEP_ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT locked_until FROM login_throttle WHERE "
                                                "account = ? AND address = ?",
                                                {account, std::string(address)}));
    return LoginLock{row ? row->Int(0) : until, false};
  }

  Status LoginSucceeded(const std::string& account, std::string_view address,
                        int64_t now) override {
    return db_
        .Exec(
            "UPDATE login_throttle SET failures = 0, window_start = 0, locked_until = 0, "
            "lockouts = 0, last_success_at = ?, updated_at = ? WHERE account = ? AND "
            "address = ?",
            {now, now, account, std::string(address)})
        .map([](auto&&) {});
  }

  Status ClearLoginThrottle(const std::string& account) override {
    return db_
        .Exec(
            "UPDATE login_throttle SET failures = 0, window_start = 0, locked_until = 0, "
            "lockouts = 0 WHERE account = ?",
            {account})
        .map([](auto&&) {});
  }

  Status PruneLoginThrottle(int64_t stale_before, int64_t now, int64_t known_since) override {
    return db_
        .Exec(
            "DELETE FROM login_throttle WHERE updated_at < ? AND locked_until <= ? AND "
            "last_success_at < ?",
            {stale_before, now, known_since})
        .map([](auto&&) {});
  }

 private:
  Result<std::optional<User>> One(const std::string& sql, const std::vector<storage::Value>& p) {
    LEP_ASSIGN_OR_RETURN(auto row, db_.QueryOne(sql, p));
    if (!row) return std::optional<User>();
    return std::optional<User>(FromRow(*row));
  }
  storage::Database& db_;
};

class SqlSessionRepository final : public SessionRepository {
 public:
  explicit SqlSessionRepository(storage::Database& db) : db_(db) {}

  Result<Session> Create(const std::string& token_hash, UserId user, const std::string& csrf,
                         int64_t now, const std::string& ip, const std::string& ua) override {
    LEP_ASSIGN_OR_RETURN(
        auto row, db_.QueryOne("INSERT INTO sessions (token_hash, user_id, csrf_token, "
                               "created_at, last_seen_at, ip, user_agent) VALUES (?, ?, ?, ?, "
                               "?, ?, ?) RETURNING id",
                               {token_hash, user.value, csrf, now, now, ip, ua.substr(0, 512)}));
    return Session{row->Int(0), user, csrf, now, now};
  }

  Result<std::optional<Session>> GetByTokenHash(const std::string& h) override {
    LEP_ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT id, user_id, csrf_token, created_at, "
                                                "last_seen_at FROM sessions WHERE token_hash = ?",
                                                {h}));
    if (!row) return std::optional<Session>();
    return std::optional<Session>(
        Session{row->Int(0), UserId{row->Int(1)}, row->Text(2), row->Int(3), row->Int(4)});
  }

  Status Touch(int64_t session_id, int64_t now) override {
    return db_.Exec("UPDATE sessions SET last_seen_at = ? WHERE id = ?", {now, session_id})
        .map([](auto&&) {});
  }

  Status Delete(int64_t session_id) override {
    return db_.Exec("DELETE FROM sessions WHERE id = ?", {session_id}).map([](auto&&) {});
  }

  Status DeleteForUser(UserId user) override {
    return db_.Exec("DELETE FROM sessions WHERE user_id = ?", {user.value}).map([](auto&&) {});
  }

 private:
  storage::Database& db_;
};

}  // namespace

std::unique_ptr<UserRepository> NewSqlUserRepository(storage::Database& db) {
  return std::make_unique<SqlUserRepository>(db);
}
std::unique_ptr<SessionRepository> NewSqlSessionRepository(storage::Database& db) {
  return std::make_unique<SqlSessionRepository>(db);
}

}  // namespace lep::auth
