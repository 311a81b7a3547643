// AuthService: sign-in with throttling by account and client address (atomic counts, back-off,
// no user enumeration by answer or timing), sessions with idle/absolute expiry, learner
// self-registration and account creation under the Authorizer's rules.
// Thread-safe: state lives in the repositories; the clock is injected.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>

#include "auth/password.h"
#include "auth/user.h"
#include "auth/user_repository.h"
#include "core/clock.h"
#include "core/result.h"
#include "orgs/org_repository.h"
#include "security/audit_chain.h"
#include "security/field_cipher.h"

namespace lep::auth {

struct AuthOptions {
  std::chrono::minutes idle_timeout{30};
  std::chrono::hours absolute_timeout{12};
  // Failures of one account from one client address (IPv6: its /64) within the window lock
  // that pair; each further lock in a row lasts twice as long, up to lockout_max; a day
  // without a lock restarts the back-off.
  int lockout_threshold = 5;
  std::chrono::minutes lockout_window{15};
  std::chrono::minutes lockout_duration{15};
  std::chrono::hours lockout_max{24};
  // Failures of one account from all the addresses it has not signed in from within
  // known_address_memory lock the account for such addresses only (a distributed attack);
  // addresses it did sign in from are still served. At least lockout_threshold.
  int unknown_address_threshold = 20;
  std::chrono::hours known_address_memory{24 * 90};
  int password_min_length = 8;
  bool require_two_factor = true;               // for the roles of RequiresTwoFactor()
  std::chrono::hours two_factor_grace{24 * 7};  // from account creation
};

// One sign-in attempt. A second factor is needed when the account has TOTP enabled:
// either a 6-digit code or one of its recovery codes.
struct LoginRequest {
  std::string username;
  std::string password;
  std::string totp_code;
  std::string recovery_code;
  std::string ip;
  std::string user_agent;
};

struct TotpSetup {
  std::string secret_b32;
  std::string otpauth_uri;
};

struct LoginResult {
  User user;
  std::string token;  // goes only into the cookie; stored hashed
  std::string csrf_token;
};

struct NewUser {
  std::string username;
  std::string password;
  std::string display_name;
  Role role = Role::kUploader;
  bool privacy_consent = false;  // learners' sign-up: the privacy notice was accepted
  bool must_change_password = false;  // a temporary password (changed at the next sign-in)
};

class AuthService {
 public:
  AuthService(UserRepository& users, SessionRepository& sessions, orgs::OrgRepository& orgs,
              const PasswordHasher& hasher, const Clock& clock, AuthOptions options,
              const security::FieldCipher& cipher);

  // Policy values change at run time (the security administrator's policy).
  void SetOptions(const AuthOptions& options);
  AuthOptions options() const;
  // Receives one record per security event (sign-in success/failure/lock, two-factor
  // changes, account creation); the caller appends it to the audit chain. Fails closed: a
  // sign-in or sign-out whose record the sink refuses does not happen (its error is
  // returned instead), and other events report the sink's error to their caller.
  void SetAuditSink(std::function<Status(const security::AuditRecord&)> sink) {
    audit_ = std::move(sink);
  }

  [[nodiscard]] Result<LoginResult> Login(const LoginRequest& req);
  [[nodiscard]] Result<LoginResult> Login(const std::string& username, const std::string& password,
                                          const std::string& ip, const std::string& user_agent) {
    return Login(LoginRequest{username, password, "", "", ip, user_agent});
  }
  [[nodiscard]] Result<Principal> Authenticate(const std::string& token);
  TwoFactorStatus TwoFactorOf(const User& u) const;

  // Two-factor enrolment by the signed-in user: a fresh secret (pending until confirmed by
  // a first valid code), then ten recovery codes shown once.
  [[nodiscard]] Result<TotpSetup> BeginTotpSetup(const Principal& p);
  [[nodiscard]] Result<std::vector<std::string>> ConfirmTotp(const Principal& p,
                                                             const std::string& code);
  [[nodiscard]] Result<std::vector<std::string>> RegenerateRecoveryCodes(const Principal& p,
                                                                         const std::string& code);
  // Security administrator: remove a user's second factor (lost phone) / lift a lockout.
  [[nodiscard]] Status ResetTotp(const Principal& actor, UserId target);
  [[nodiscard]] Status Unlock(const Principal& actor, UserId target);
  [[nodiscard]] Status Logout(const Principal& p);
  [[nodiscard]] Result<User> RegisterLearner(NewUser u);
  // Creates an account in unit org_id on behalf of actor.
  [[nodiscard]] Result<User> CreateUser(const Principal& actor, orgs::OrgId org_id, NewUser u);
  // Shell bootstrap (lep user add): no actor; still validated.
  [[nodiscard]] Result<User> CreateUserUnchecked(std::optional<orgs::OrgId> org_id, NewUser u);
  [[nodiscard]] Result<std::vector<User>> ListUsers(const Principal& actor, orgs::OrgId org_id);

  // A signed-in user's own password, checked before a change under the sign-in throttling
  // of its account × address (counted before the check, locked at the threshold: 429), so a
  // stolen session cannot guess it. A wrong one is kInvalidArgument naming `field`.
  [[nodiscard]] Status VerifyOwnPassword(const User& user, const std::string& password,
                                         const std::string& ip, const std::string& field,
                                         const std::string& label);
  // The user's current TOTP code (once only), when two-factor is enabled; OK otherwise.
  [[nodiscard]] Status VerifyOwnTotp(const User& user, const std::string& code);
  [[nodiscard]] Result<User> GetUser(const Principal& actor, UserId id);

 private:
  // Validates and inserts; `errors` are reported together with the account's own.
  Result<User> Insert(std::optional<orgs::OrgId> org_id, NewUser u,
                      std::optional<UserId> created_by, std::vector<FieldError> errors = {});
  struct Attempt;  // one sign-in attempt's keys and claims (auth_service.cpp)
  Result<int64_t> ApplyLock(const Attempt& a, std::string_view address, const LoginClaim& c);
  Error Refuse(const Attempt& a, int64_t locked_until);
  Error Failed(const Attempt& a, const std::string& why, Error answer);
  Status ReleaseClaims(const Attempt& a);
  void MaybePrune(int64_t now, const AuthOptions& opt);
  std::string AccountKey(std::string_view username) const;
  Result<bool> CheckSecondFactor(const User& user, const LoginRequest& req);
  [[nodiscard]] Status Audit(const std::string& action, std::optional<int64_t> actor,
                             std::optional<int64_t> org, const std::string& ip,
                             const std::string& object, const std::string& result,
                             const std::string& detail) const;
  std::string SecretContext(UserId id) const { return "users.totp:" + std::to_string(id.value); }

  UserRepository& users_;
  SessionRepository& sessions_;
  orgs::OrgRepository& orgs_;
  const PasswordHasher& hasher_;
  const Clock& clock_;
  mutable std::mutex options_mu_;
  AuthOptions options_;
  const security::FieldCipher& cipher_;
  std::function<Status(const security::AuditRecord&)> audit_;
  // An Argon2id hash of a random password with the hasher's parameters: an unknown user
  // name is checked against it, so it costs the same time as a real account.
  std::string dummy_hash_;
  std::atomic<int64_t> last_prune_{0};
};

// The throttling key of a client address: an IPv4 address (also IPv4-mapped IPv6) as is,
// an IPv6 address as its /64 (one subscriber's prefix), anything else unchanged.
std::string ThrottleAddress(std::string_view ip);

// Validates a username: 3–32 of [A-Za-z0-9_.-], starting with a letter.
std::optional<std::string> ValidateUsername(std::string_view s);
// Learners may also sign up with what older learners actually type: a mobile number (11
// digits starting with 1) or a name in Chinese characters (2–16 characters of Han, letters
// and digits). The rule is shown on the sign-up form before submit.
std::optional<std::string> ValidateLearnerUsername(std::string_view s);

}  // namespace lep::auth
