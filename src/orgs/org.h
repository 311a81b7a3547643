// Organisations (单位): kinds, the tree rule of who may open which child kind, and the
// Org value type. Pure data and functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lep::orgs {

struct OrgId {
  int64_t value = 0;
  auto operator<=>(const OrgId&) const = default;
};

enum class OrgKind {
  kOpenUniversity,        // 国家开放大学: platform operator, root of the tree
  kMinistryDept,          // 教育部职成司: read-only oversight
  kProvinceDept,          // 省级教育行政部门
  kMinistryUniversity,    // 部属高等学校
  kExamAuthority,         // 教育部教育考试院
  kIndustryCommittee,     // 行指委办
  kCommunityCenter,       // 社区教育研究培训中心
  kProvincialCollege,     // 省属院校 (under a province)
  kEnterprise,            // 行业企业及其他社会机构 (under 行指委办)
  kCommunityInstitution,  // 社区教育机构 (under the community centre)
};

std::string_view KindName(OrgKind k);   // API value, e.g. "province_dept"
std::string_view KindLabel(OrgKind k);  // Chinese, e.g. "省级教育行政部门"
std::optional<OrgKind> ParseKind(std::string_view s);
const std::vector<OrgKind>& AllKinds();
// Kinds a unit of kind `parent` may open directly under itself.
std::vector<OrgKind> AllowedChildKinds(OrgKind parent);
bool IsSecondLevel(OrgKind k);

struct Org {
  OrgId id;
  std::optional<OrgId> parent_id;
  OrgKind kind = OrgKind::kProvinceDept;
  std::string name;
  std::string path;  // "/1/5/23/": ids from the root, used for subtree checks
  std::string region;
  int64_t created_at = 0;

  bool IsInSubtreeOf(const Org& ancestor) const { return path.rfind(ancestor.path, 0) == 0; }
};

// Validates a unit name: 2–100 characters after trimming.
std::optional<std::string> ValidateOrgName(std::string_view name);

}  // namespace lep::orgs
