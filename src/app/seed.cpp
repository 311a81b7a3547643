#include "app/seed.h"

namespace lep::app {
namespace {

using orgs::OrgKind;

// 31 provinces + 新疆生产建设兵团, as their education departments are named.
constexpr const char* kProvinces[][2] = {
    {"北京", "北京市教育委员会"},       {"天津", "天津市教育委员会"},
    {"河北", "河北省教育厅"},           {"山西", "山西省教育厅"},
    {"内蒙古", "内蒙古自治区教育厅"},   {"辽宁", "辽宁省教育厅"},
    {"吉林", "吉林省教育厅"},           {"黑龙江", "黑龙江省教育厅"},
    {"上海", "上海市教育委员会"},       {"江苏", "江苏省教育厅"},
    {"浙江", "浙江省教育厅"},           {"安徽", "安徽省教育厅"},
    {"福建", "福建省教育厅"},           {"江西", "江西省教育厅"},
    {"山东", "山东省教育厅"},           {"河南", "河南省教育厅"},
    {"湖北", "湖北省教育厅"},           {"湖南", "湖南省教育厅"},
    {"广东", "广东省教育厅"},           {"广西", "广西壮族自治区教育厅"},
    {"海南", "海南省教育厅"},           {"重庆", "重庆市教育委员会"},
    {"四川", "四川省教育厅"},           {"贵州", "贵州省教育厅"},
    {"云南", "云南省教育厅"},           {"西藏", "西藏自治区教育厅"},
    {"陕西", "陕西省教育厅"},           {"甘肃", "甘肃省教育厅"},
    {"青海", "青海省教育厅"},           {"宁夏", "宁夏回族自治区教育厅"},
    {"新疆", "新疆维吾尔自治区教育厅"}, {"兵团", "新疆生产建设兵团教育局"},
};

}  // namespace

const std::vector<DemoAccount>& DemoAccounts() {
  static const std::vector<DemoAccount> kAccounts = {
      {"nou_admin", "platform_admin", "国家开放大学"},
      {"nou_security", "security_admin", "国家开放大学"},
      {"nou_auditor", "auditor", "国家开放大学"},
      {"nou_reviewer", "reviewer", "国家开放大学"},
      {"gd_admin", "unit_admin", "广东省教育厅"},
      {"gd_reviewer", "reviewer", "广东省教育厅"},
      {"gd_uploader", "uploader", "岭南示范职业技术学院（演示）"},
      {"bj_admin", "unit_admin", "北京市教育委员会"},
      {"bj_uploader", "uploader", "京华演示城市学院（演示）"},
  };
  return kAccounts;
}

Result<orgs::Org> EnsureRoot(AppContext& ctx) {
  LEP_ASSIGN_OR_RETURN(auto root, ctx.org_repo->Root());
  if (root) return *root;
  return ctx.org_repo->Create(std::nullopt, OrgKind::kOpenUniversity, "国家开放大学", "",
                              ctx.clock->NowMs());
}

Status EnsureBaseData(AppContext& ctx) {
  LEP_RETURN_IF_ERROR(EnsureRoot(ctx));
  return resources::SeedDefaultCategories(*ctx.categories, ctx.clock->NowMs());
}

Result<bool> SeedDemo(AppContext& ctx) {
  LEP_RETURN_IF_ERROR(EnsureBaseData(ctx));
  LEP_ASSIGN_OR_RETURN(orgs::Org root, EnsureRoot(ctx));
  LEP_ASSIGN_OR_RETURN(auto existing, ctx.user_repo->GetByUsername("nou_admin"));
  if (existing) return false;  // seeded before
  int64_t now = ctx.clock->NowMs();
  std::map<std::string, orgs::Org> by_name{{root.name, root}};
  auto add = [&](const orgs::Org& parent, OrgKind kind, const std::string& name,
                 const std::string& region) -> Status {
    LEP_ASSIGN_OR_RETURN(auto o, ctx.org_repo->Create(parent.id, kind, name, region, now));
    by_name[name] = o;
    return Ok();
  };
  LEP_RETURN_IF_ERROR(add(root, OrgKind::kMinistryDept, "教育部职业教育与成人教育司", ""));
  for (const auto& p : kProvinces) LEP_RETURN_IF_ERROR(add(root, OrgKind::kProvinceDept, p[1], p[0]));
  LEP_RETURN_IF_ERROR(add(root, OrgKind::kMinistryUniversity, "华夏演示大学（演示）", ""));
  LEP_RETURN_IF_ERROR(add(root, OrgKind::kExamAuthority, "教育部教育考试院", ""));
  LEP_RETURN_IF_ERROR(add(root, OrgKind::kIndustryCommittee,
                          "教育部行业职业教育教学指导委员会工作办公室", ""));
  LEP_RETURN_IF_ERROR(add(root, OrgKind::kCommunityCenter, "教育部社区教育研究培训中心", ""));
  const orgs::Org gd = by_name.at("广东省教育厅");
  const orgs::Org bj = by_name.at("北京市教育委员会");
  LEP_RETURN_IF_ERROR(add(gd, OrgKind::kProvincialCollege, "岭南示范职业技术学院（演示）", "广东"));
  LEP_RETURN_IF_ERROR(add(gd, OrgKind::kProvincialCollege, "珠江演示开放大学（演示）", "广东"));
  LEP_RETURN_IF_ERROR(add(bj, OrgKind::kProvincialCollege, "京华演示城市学院（演示）", "北京"));
  LEP_RETURN_IF_ERROR(add(by_name.at("教育部行业职业教育教学指导委员会工作办公室"),
                          OrgKind::kEnterprise, "演示智造科技有限公司（演示）", ""));
  LEP_RETURN_IF_ERROR(add(by_name.at("教育部社区教育研究培训中心"),
                          OrgKind::kCommunityInstitution, "演示街道社区学校（演示）", ""));

  for (const DemoAccount& a : DemoAccounts()) {
    auth::NewUser u{a.username, kDemoPassword, a.username, *auth::ParseRole(a.role)};
    LEP_RETURN_IF_ERROR(ctx.auth->CreateUserUnchecked(by_name.at(a.unit).id, u));
  }
  auth::NewUser learner{"demo_learner", kDemoPassword, "演示学习者", auth::Role::kLearner};
  LEP_RETURN_IF_ERROR(ctx.auth->CreateUserUnchecked(std::nullopt, learner));

  // Fictitious contact persons (reserved example.org addresses, 000 numbers).
  orgs::Contact gd_contact{"演示联系人甲", "处长", "020-00000001", "13800000001",
                           "gd-contact@example.org", now};
  orgs::Contact bj_contact{"演示联系人乙", "副处长", "010-00000002", "13800000002",
                           "bj-contact@example.org", now};
  LEP_RETURN_IF_ERROR(ctx.org_repo->PutContact(gd.id, gd_contact, 0));
  LEP_RETURN_IF_ERROR(ctx.org_repo->PutContact(bj.id, bj_contact, 0));
  return true;
}

}  // namespace lep::app
