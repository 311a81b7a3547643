// Users and roles. A user belongs to one unit with one role; learners belong to none.
// Principal is the signed-in caller as seen by services. Value types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "orgs/org.h"
#include "security/audit_recorder.h"

namespace lep::auth {

struct UserId {
  int64_t value = 0;
  auto operator<=>(const UserId&) const = default;
};

enum class Role {
  kPlatformAdmin,
  kSecurityAdmin,
  kAuditor,
  kUnitAdmin,
  kUploader,
  kReviewer,
  kLearner,
};

std::string_view RoleName(Role r);   // "platform_admin"
std::string_view RoleLabel(Role r);  // "平台管理员"
std::optional<Role> ParseRole(std::string_view s);
const std::vector<Role>& AllRoles();
// Platform-wide roles (三权分立): they see every unit and live in the platform unit.
bool IsPlatformRole(Role r);

struct User {
  UserId id;
  std::optional<orgs::OrgId> org_id;
  std::string username;
  std::string display_name;
  Role role = Role::kLearner;
  std::string password_hash;
  int failed_count = 0;
  int64_t first_failed_at = 0;
  int64_t locked_until = 0;
  bool disabled = false;
  int64_t created_at = 0;
  // Two-factor (TOTP): the secret is stored encrypted (security::FieldCipher), recovery codes
  // only as hashes.
  std::string totp_secret;   // encrypted; "" when not enrolled
  std::string totp_pending;  // encrypted secret shown at setup, awaiting the first code
  bool totp_enabled = false;
  int64_t totp_last_step = 0;               // last accepted time step (no replay)
  std::vector<std::string> totp_recovery;  // hashes of unused recovery codes
  // Account lifecycle: a temporary password must be replaced at the next sign-in (the
  // session reaches only /api/v1/me… until then).
  bool must_change_password = false;
  int64_t password_changed_at = 0;
  int64_t privacy_consent_at = 0;  // learners: when they accepted the privacy notice
};

// Roles that must sign in with a second factor (等保三级 身份鉴别: admins and reviewers).
bool RequiresTwoFactor(Role r);

struct TwoFactorStatus {
  bool enabled = false;
  bool required = false;
  int64_t grace_until = 0;          // ms; 0 when not required or already enabled
  bool enrolment_required = false;  // required, not enabled and the grace period is over
};

struct Principal {
  UserId user_id;
  std::string username;
  std::string display_name;
  Role role = Role::kLearner;
  std::optional<orgs::Org> org;  // the user's unit (empty for learners)
  int64_t session_id = 0;
  std::string csrf_token;
  TwoFactorStatus two_factor;
  bool password_change_required = false;  // signed in with a temporary password
  std::string ip;  // of the request, for audit rows (set by the HTTP layer)
};

// The account, unit and address of p, as an audit row names them.
inline security::AuditActor AuditActorOf(const Principal& p) {
  security::AuditActor a;
  if (p.user_id.value) a.user_id = p.user_id.value;
  if (p.org) a.org_id = p.org->id.value;
  a.ip = p.ip;
  return a;
}

}  // namespace lep::auth
