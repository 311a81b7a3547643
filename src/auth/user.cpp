#include "auth/user.h"

namespace lep::auth {
namespace {
struct RoleInfo {
  Role role;
  std::string_view name;
  std::string_view label;
};
constexpr RoleInfo kRoles[] = {
    {Role::kPlatformAdmin, "platform_admin", "平台管理员"},
    {Role::kSecurityAdmin, "security_admin", "安全管理员"},
    {Role::kAuditor, "auditor", "审计员"},
    {Role::kUnitAdmin, "unit_admin", "单位管理员"},
    {Role::kUploader, "uploader", "录入员"},
    {Role::kReviewer, "reviewer", "审核员"},
    {Role::kLearner, "learner", "学习者"},
};
}  // namespace

std::string_view RoleName(Role r) {
  for (const auto& i : kRoles) {
    if (i.role == r) return i.name;
  }
  return "";
}

std::string_view RoleLabel(Role r) {
  for (const auto& i : kRoles) {
    if (i.role == r) return i.label;
  }
  return "";
}

std::optional<Role> ParseRole(std::string_view s) {
  for (const auto& i : kRoles) {
    if (i.name == s) return i.role;
  }
  return std::nullopt;
}

const std::vector<Role>& AllRoles() {
  static const std::vector<Role> kAll = [] {
    std::vector<Role> v;
    for (const auto& i : kRoles) v.push_back(i.role);
    return v;
  }();
  return kAll;
}

bool RequiresTwoFactor(Role r) {
  return IsPlatformRole(r) || r == Role::kUnitAdmin || r == Role::kReviewer;
}

bool IsPlatformRole(Role r) {
  return r == Role::kPlatformAdmin || r == Role::kSecurityAdmin || r == Role::kAuditor;
}

}  // namespace lep::auth
