#include "orgs/org_service.h"

#include "auth/authorizer.h"
#include "core/text.h"

namespace lep::orgs {

using auth::Authorizer;

Result<Org> OrgService::Get(const auth::Principal& p, OrgId id) {
  LEP_ASSIGN_OR_RETURN(auto org, repo_.Get(id));
  if (!org || !Authorizer::CanSeeOrg(p, *org)) return Fail(Error::NotFound("单位不存在"));
  return *org;
}

Result<std::vector<Org>> OrgService::Children(const auth::Principal& p, OrgId id) {
  LEP_RETURN_IF_ERROR(Get(p, id));
  return repo_.Children(id);
}

Result<std::vector<Org>> OrgService::Roots(const auth::Principal& p) {
  if (Authorizer::CanSeeAll(p)) {
    LEP_ASSIGN_OR_RETURN(auto root, repo_.Root());
    if (!root) return std::vector<Org>();
    return std::vector<Org>{*root};
  }
  if (!p.org) return std::vector<Org>();
  return std::vector<Org>{*p.org};
}

Result<Org> OrgService::OpenChild(const auth::Principal& p, OrgId parent_id,
                                  const std::string& name, const std::string& kind_name) {
  LEP_ASSIGN_OR_RETURN(Org parent, Get(p, parent_id));
  std::vector<FieldError> errors;
  std::string trimmed = text::Trim(name);
  if (auto e = ValidateOrgName(trimmed)) errors.push_back({"name", "单位名称", *e});
  auto kind = ParseKind(kind_name);
  if (!kind) {
    errors.push_back({"kind", "单位类型", "单位类型无效：" + kind_name});
  }
  if (kind) {
    auto allowed = Authorizer::CheckOpenChild(p, parent, *kind);
    if (!allowed) {
      if (!allowed.error().Is(ErrorCode::kInvalidArgument)) return Fail(allowed.error());
      for (auto& f : allowed.error().fields) errors.push_back(f);
    }
  } else if (p.role != auth::Role::kPlatformAdmin &&
             !(p.role == auth::Role::kUnitAdmin && p.org && p.org->id == parent.id)) {
    return Fail(Error::PermissionDenied("只有本单位管理员可以在本单位下开设单位"));
  }
  if (!errors.empty()) {
    return Fail(Error::InvalidArgument("单位信息有误：" + errors.front().message, errors));
  }
  return repo_.Create(parent.id, *kind, trimmed, parent.region, clock_.NowMs());
}

Result<Org> OrgService::Rename(const auth::Principal& p, OrgId id, const std::string& name) {
  LEP_ASSIGN_OR_RETURN(Org org, Get(p, id));
  const bool parent_admin = p.role == auth::Role::kUnitAdmin && p.org && org.parent_id &&
                            *org.parent_id == p.org->id;
  if (p.role != auth::Role::kPlatformAdmin && !parent_admin) {
    return Fail(Error::PermissionDenied("只有上级单位管理员或平台管理员可以修改单位名称"));
  }
  const std::string trimmed = text::Trim(name);
  if (auto e = ValidateOrgName(trimmed)) {
    return Fail(Error::InvalidArgument("单位名称有误：" + *e, {{"name", "单位名称", *e}}));
  }
  security::AuditRecord r;
  r.at = clock_.NowMs();
  r.actor_id = p.user_id.value;
  if (p.org) r.org_id = p.org->id.value;
  r.ip = p.ip;
  r.action = "org.rename";
  r.object = "org:" + std::to_string(id.value);
  r.detail = org.name + " → " + trimmed;
  return repo_.Rename(id, trimmed, r);
}

Result<std::optional<Contact>> OrgService::GetContact(const auth::Principal& p, OrgId id) {
  LEP_ASSIGN_OR_RETURN(Org org, Get(p, id));
  LEP_ASSIGN_OR_RETURN(auto c, repo_.GetContact(id));
  // Personal data in full only for those who manage the unit (个人信息保护: least exposure).
  if (c && !Authorizer::CheckManageUnit(p, org)) c = MaskContact(std::move(*c));
  return c;
}

Result<Contact> OrgService::PutContact(const auth::Principal& p, OrgId id, Contact c) {
  LEP_ASSIGN_OR_RETURN(Org org, Get(p, id));
  LEP_RETURN_IF_ERROR(Authorizer::CheckManageUnit(p, org));
  LEP_ASSIGN_OR_RETURN(Contact valid, ValidateContact(std::move(c)));
  valid.updated_at = clock_.NowMs();
  LEP_RETURN_IF_ERROR(repo_.PutContact(id, valid, p.user_id.value));
  return valid;
}

Result<std::string> OrgService::ContactsXlsx(const auth::Principal& p, OrgId id) {
  LEP_ASSIGN_OR_RETURN(Org org, Get(p, id));
  if (!Authorizer::CanSeeAll(p)) LEP_RETURN_IF_ERROR(Authorizer::CheckManageUnit(p, org));
  LEP_ASSIGN_OR_RETURN(auto units, repo_.Subtree(id));
  std::vector<OrgWithContact> rows;
  for (Org& o : units) {
    LEP_ASSIGN_OR_RETURN(auto c, repo_.GetContact(o.id));
    if (c && !Authorizer::CheckManageUnit(p, o)) c = MaskContact(std::move(*c));
    rows.emplace_back(std::move(o), std::move(c));
  }
  return BuildContactsXlsx(rows);
}

}  // namespace lep::orgs
