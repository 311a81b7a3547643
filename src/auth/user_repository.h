// Repositories for users and sign-in sessions. Implementations are thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/user.h"
#include "core/result.h"
#include "storage/db/database.h"

namespace lep::auth {

class UserRepository {
 public:
  virtual ~UserRepository() = default;
  // Inserts; username must be unique (else kAlreadyExists naming the username field).
  [[nodiscard]] virtual Result<User> Create(const User& u, std::optional<UserId> created_by) = 0;
  [[nodiscard]] virtual Result<std::optional<User>> Get(UserId id) = 0;
  [[nodiscard]] virtual Result<std::optional<User>> GetByUsername(const std::string& name) = 0;
  [[nodiscard]] virtual Result<std::vector<User>> ListByOrg(orgs::OrgId org) = 0;
  // Stores failed-login bookkeeping (count, window start, lock end).
  [[nodiscard]] virtual Status SaveLoginState(UserId id, int failed_count, int64_t first_failed_at,
                                              int64_t locked_until) = 0;
  [[nodiscard]] virtual Status SetPasswordHash(UserId id, const std::string& hash) = 0;
  // Stores the two-factor fields of u (secret, pending secret, enabled, step, recovery).
  [[nodiscard]] virtual Status SaveTotp(const User& u) = 0;
  // Records step as used when it is newer than the stored one (compare-and-set, so one code
  // is accepted once even across servers); false when it was already used.
  [[nodiscard]] virtual Result<bool> UseTotpStep(UserId id, int64_t step) = 0;
  // Compare-and-set of the recovery-code hashes; false when they changed meanwhile.
  [[nodiscard]] virtual Result<bool> ReplaceRecoveryCodes(
      UserId id, const std::vector<std::string>& expected,
      const std::vector<std::string>& replacement) = 0;
};

struct Session {
  int64_t id = 0;
  UserId user_id;
  std::string csrf_token;
  int64_t created_at = 0;
  int64_t last_seen_at = 0;
};

class SessionRepository {
 public:
  virtual ~SessionRepository() = default;
  [[nodiscard]] virtual Result<Session> Create(const std::string& token_hash, UserId user,
                                               const std::string& csrf, int64_t now,
                                               const std::string& ip, const std::string& ua) = 0;
  [[nodiscard]] virtual Result<std::optional<Session>> GetByTokenHash(const std::string& h) = 0;
  [[nodiscard]] virtual Status Touch(int64_t session_id, int64_t now) = 0;
  [[nodiscard]] virtual Status Delete(int64_t session_id) = 0;
  [[nodiscard]] virtual Status DeleteForUser(UserId user) = 0;
};

std::unique_ptr<UserRepository> NewSqlUserRepository(storage::Database& db);
std::unique_ptr<SessionRepository> NewSqlSessionRepository(storage::Database& db);

}  // namespace lep::auth
