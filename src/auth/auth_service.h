// AuthService: sign-in with lockout, sessions with idle/absolute expiry, learner
// self-registration and account creation under the Authorizer's rules.
// Thread-safe: state lives in the repositories; the clock is injected.
#pragma once

#include <chrono>
#include <string>

#include "auth/password.h"
#include "auth/user.h"
#include "auth/user_repository.h"
#include "core/clock.h"
#include "core/result.h"
#include "orgs/org_repository.h"

namespace lep::auth {

struct AuthOptions {
  std::chrono::minutes idle_timeout{30};
  std::chrono::hours absolute_timeout{12};
  int lockout_threshold = 5;
  std::chrono::minutes lockout_window{15};
  std::chrono::minutes lockout_duration{15};
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
};

class AuthService {
 public:
  AuthService(UserRepository& users, SessionRepository& sessions, orgs::OrgRepository& orgs,
              const PasswordHasher& hasher, const Clock& clock, AuthOptions options);

  [[nodiscard]] Result<LoginResult> Login(const std::string& username,
                                          const std::string& password, const std::string& ip,
                                          const std::string& user_agent);
  [[nodiscard]] Result<Principal> Authenticate(const std::string& token);
  [[nodiscard]] Status Logout(const Principal& p);
  [[nodiscard]] Result<User> RegisterLearner(NewUser u);
  // Creates an account in unit org_id on behalf of actor.
  [[nodiscard]] Result<User> CreateUser(const Principal& actor, orgs::OrgId org_id, NewUser u);
  // Shell bootstrap (lep user add): no actor; still validated.
  [[nodiscard]] Result<User> CreateUserUnchecked(std::optional<orgs::OrgId> org_id, NewUser u);
  [[nodiscard]] Result<std::vector<User>> ListUsers(const Principal& actor, orgs::OrgId org_id);

 private:
  Result<User> Insert(std::optional<orgs::OrgId> org_id, NewUser u,
                      std::optional<UserId> created_by);

  UserRepository& users_;
  SessionRepository& sessions_;
  orgs::OrgRepository& orgs_;
  const PasswordHasher& hasher_;
  const Clock& clock_;
  AuthOptions options_;
};

// Validates a username: 3–32 of [A-Za-z0-9_.-], starting with a letter.
std::optional<std::string> ValidateUsername(std::string_view s);

}  // namespace lep::auth
