// Repositories for users and sign-in sessions. Implementations are thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/user.h"
#include "core/result.h"
#include "storage/db/database.h"

namespace lep::auth {

// One counted sign-in attempt (see UserRepository::ClaimLoginAttempt).
struct LoginClaim {
  bool locked = false;          // a lock is in force: nothing was counted
  int64_t locked_until = 0;     // its end, when locked
  int failures = 0;             // failures in the window, this attempt included
  int lockouts = 0;             // locks applied in a row before (the back-off exponent)
  int64_t last_success_at = 0;  // last successful sign-in from this address; 0 never
};

struct LoginLock {
  int64_t locked_until = 0;  // the end of the lock in force
  bool applied = false;      // false: another attempt's lock was already in force
};

// Address key of the throttle row that counts an account over the addresses it never
// signed in from.
inline constexpr std::string_view kAnyUnknownAddress = "*";

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
  // Records that a lock until `until` applies to the account (shown to its administrators);
  // never moves an existing later end back.
  [[nodiscard]] virtual Status NoteLock(UserId id, int64_t until) = 0;

  // Sign-in throttling (table login_throttle), keyed by an opaque account key (a keyed hash
  // of the typed user name, so unknown names are throttled like real ones) and an address
  // key (the client address, or kAnyUnknownAddress). Each call is one atomic statement, so
  // concurrent attempts on any number of servers are counted exactly.
  //
  // Counts one attempt BEFORE the password is checked, unless a lock is in force: failures
  // + 1 (starting a new window when the current one began at or before window_start_min);
  // the back-off exponent restarts when the last lock ended at or before backoff_reset_before.
  [[nodiscard]] virtual Result<LoginClaim> ClaimLoginAttempt(const std::string& account,
                                                             std::string_view address, int64_t now,
                                                             int64_t window_start_min,
                                                             int64_t backoff_reset_before) = 0;
  // Gives back a counted attempt that was no failure (second factor still to be entered).
  [[nodiscard]] virtual Status ReleaseLoginAttempt(const std::string& account,
                                                   std::string_view address) = 0;
  // Locks until `until` unless a lock is already in force (the first of several concurrent
  // lockers wins); returns the lock in force and whether this call applied it.
  [[nodiscard]] virtual Result<LoginLock> LockLogin(const std::string& account,
                                                    std::string_view address, int64_t until,
                                                    int64_t now) = 0;
  // A successful sign-in: clears that address's failures, lock and back-off and remembers
  // the address as one the account signs in from.
  [[nodiscard]] virtual Status LoginSucceeded(const std::string& account, std::string_view address,
                                              int64_t now) = 0;
  // The security administrator's unlock: every failure and lock of the account, all
  // addresses (known addresses stay known).
  [[nodiscard]] virtual Status ClearLoginThrottle(const std::string& account) = 0;
  // Deletes rows not touched since stale_before that hold no lock in force at now and no
  // success since known_since.
  [[nodiscard]] virtual Status PruneLoginThrottle(int64_t stale_before, int64_t now,
                                                  int64_t known_since) = 0;
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
