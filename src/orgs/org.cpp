#include "orgs/org.h"

#include "core/text.h"

namespace lep::orgs {

namespace {
struct KindInfo {
  OrgKind kind;
  std::string_view name;
  std::string_view label;
};
constexpr KindInfo kKinds[] = {
    {OrgKind::kOpenUniversity, "open_university", "国家开放大学"},
    {OrgKind::kMinistryDept, "ministry_dept", "教育部职成司"},
    {OrgKind::kProvinceDept, "province_dept", "省级教育行政部门"},
    {OrgKind::kMinistryUniversity, "ministry_university", "部属高等学校"},
    {OrgKind::kExamAuthority, "exam_authority", "教育部教育考试院"},
    {OrgKind::kIndustryCommittee, "industry_committee", "教育部行业职业教育教学指导委员会工作办公室"},
    {OrgKind::kCommunityCenter, "community_center", "教育部社区教育研究培训中心"},
    {OrgKind::kProvincialCollege, "provincial_college", "省属院校"},
    {OrgKind::kEnterprise, "enterprise", "行业企业及其他社会机构"},
    {OrgKind::kCommunityInstitution, "community_institution", "社区教育机构"},
};
}  // namespace

std::string_view KindName(OrgKind k) {
  for (const auto& i : kKinds) {
    if (i.kind == k) return i.name;
  }
  return "";
}

std::string_view KindLabel(OrgKind k) {
  for (const auto& i : kKinds) {
    if (i.kind == k) return i.label;
  }
  return "";
}

std::optional<OrgKind> ParseKind(std::string_view s) {
  for (const auto& i : kKinds) {
    if (i.name == s) return i.kind;
  }
  return std::nullopt;
}

const std::vector<OrgKind>& AllKinds() {
  static const std::vector<OrgKind> kAll = [] {
    std::vector<OrgKind> v;
    for (const auto& i : kKinds) v.push_back(i.kind);
    return v;
  }();
  return kAll;
}

std::vector<OrgKind> AllowedChildKinds(OrgKind parent) {
  switch (parent) {
    case OrgKind::kOpenUniversity:
      return {OrgKind::kMinistryDept,      OrgKind::kProvinceDept,
              OrgKind::kMinistryUniversity, OrgKind::kExamAuthority,
              OrgKind::kIndustryCommittee, OrgKind::kCommunityCenter};
    case OrgKind::kProvinceDept: return {OrgKind::kProvincialCollege};
    case OrgKind::kIndustryCommittee: return {OrgKind::kEnterprise};
    case OrgKind::kCommunityCenter: return {OrgKind::kCommunityInstitution};
    default: return {};
  }
}

bool IsSecondLevel(OrgKind k) {
  return k == OrgKind::kProvincialCollege || k == OrgKind::kEnterprise ||
         k == OrgKind::kCommunityInstitution;
}

std::optional<std::string> ValidateOrgName(std::string_view name) {
  std::string t = text::Trim(name);
  if (!text::IsValidUtf8(t)) return "单位名称不是有效的 UTF-8 文本";
  size_t n = text::CodePointCount(t);
  if (n < 2) return "单位名称至少 2 个字";
  if (n > 100) return "单位名称不能超过 100 个字";
  return std::nullopt;
}

}  // namespace lep::orgs
