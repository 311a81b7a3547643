// Users and roles. A user belongs to one unit with one role; learners belong to none.
// Principal is the signed-in caller as seen by services. Value types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "orgs/org.h"

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
};

struct Principal {
  UserId user_id;
  std::string username;
  std::string display_name;
  Role role = Role::kLearner;
  std::optional<orgs::Org> org;  // the user's unit (empty for learners)
  int64_t session_id = 0;
  std::string csrf_token;
};

}  // namespace lep::auth
