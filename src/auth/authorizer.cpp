#include "auth/authorizer.h"

namespace lep::auth {

using orgs::Org;
using orgs::OrgKind;

bool Authorizer::CanSeeAll(const Principal& p) {
  if (IsPlatformRole(p.role)) return true;
  return p.org && p.org->kind == OrgKind::kMinistryDept;  // 职成司: read-only oversight
}

bool Authorizer::CanSeeOrg(const Principal& p, const Org& org) {
  if (CanSeeAll(p)) return true;
  return p.org && org.IsInSubtreeOf(*p.org);
}

Status Authorizer::CheckManageUnit(const Principal& p, const Org& org) {
  if (p.role == Role::kPlatformAdmin) return Ok();
  if (p.role == Role::kUnitAdmin && p.org &&
      (org.id == p.org->id || (org.parent_id && *org.parent_id == p.org->id))) {
    return Ok();
  }
  return Fail(Error::PermissionDenied("只有本单位或上级单位的管理员可以管理该单位"));
}

Status Authorizer::CheckManagePlatform(const Principal& p) {
  if (p.role == Role::kPlatformAdmin) return Ok();
  return Fail(Error::PermissionDenied("只有平台管理员可以执行此操作"));
}

Status Authorizer::CheckWriteResources(const Principal& p, const Org& owner) {
  if ((p.role == Role::kUploader || p.role == Role::kUnitAdmin) && p.org &&
      p.org->id == owner.id) {
    return Ok();
  }
  return Fail(Error::PermissionDenied("只有本单位的录入员或管理员可以录入、修改资源"));
}

Status Authorizer::CheckImportFor(const Principal& p, const Org& owner) {
  if (p.role == Role::kPlatformAdmin) return Ok();
  if ((p.role == Role::kUploader || p.role == Role::kUnitAdmin) && p.org &&
      owner.IsInSubtreeOf(*p.org)) {
    return Ok();
  }
  return Fail(Error::PermissionDenied("只有本单位或上级单位的录入员、管理员可以为该单位导入资源"));
}

Status Authorizer::CheckModerateRatings(const Principal& p) {
  if (p.role == Role::kPlatformAdmin || p.role == Role::kUnitAdmin) return Ok();
  return Fail(Error::PermissionDenied("只有单位管理员可以审核评价"));
}

bool Authorizer::CanModerateRatings(const Principal& p, const Org& owner) {
  if (p.role == Role::kPlatformAdmin) return true;
  return p.role == Role::kUnitAdmin && CanSeeOrg(p, owner);
}

Status Authorizer::CheckSeeStatistics(const Principal& p) {
  if (CanSeeAll(p) || (p.role == Role::kUnitAdmin && p.org)) return Ok();
  return Fail(Error::PermissionDenied("只有管理员可以查看统计"));
}

namespace {
bool IsOversight(const Principal& p) {
  return p.role == Role::kPlatformAdmin || (p.org && p.org->kind == OrgKind::kMinistryDept);
}
}  // namespace

bool Authorizer::CanSeeRegistrationForm(const Principal& p, const Org& org) {
  if (IsOversight(p)) return true;
  if (!p.org || p.role == Role::kLearner) return false;
  if (p.org->id == org.id) return true;
  return p.role == Role::kUnitAdmin && org.IsInSubtreeOf(*p.org);
}

Status Authorizer::CheckUploadRegistrationForm(const Principal& p, const Org& org) {
  if (p.org && p.org->id == org.id && (p.role == Role::kUnitAdmin || p.role == Role::kUploader)) {
    return Ok();
  }
  if (p.role == Role::kPlatformAdmin ||
      (p.role == Role::kUnitAdmin && p.org && org.parent_id && *org.parent_id == p.org->id)) {
    return Ok();
  }
  return Fail(Error::PermissionDenied("只有本单位的管理员、上传人员或上级单位管理员可以上传登记表"));
}

bool Authorizer::CanSeeChildRegistrationForms(const Principal& p, const Org& org) {
  if (IsOversight(p)) return true;
  return p.role == Role::kUnitAdmin && p.org && org.IsInSubtreeOf(*p.org);
}

bool Authorizer::IsNationalReviewDesk(const Principal& p) {
  return p.role == Role::kPlatformAdmin ||
         (p.role == Role::kReviewer && p.org && p.org->kind == OrgKind::kOpenUniversity);
}

bool Authorizer::CanViewBatches(const Principal& p) {
  return CanSeeAll(p) || IsNationalReviewDesk(p);
}

bool Authorizer::CanOpenReviewQueue(const Principal& p) {
  return p.role == Role::kReviewer || p.role == Role::kPlatformAdmin;
}

bool Authorizer::CanReadSensitiveWords(const Principal& p) {
  return p.role == Role::kSecurityAdmin || p.role == Role::kPlatformAdmin;
}

bool Authorizer::CanEditSensitiveWords(const Principal& p) {
  return p.role == Role::kSecurityAdmin;
}

Status Authorizer::CheckOpenChild(const Principal& p, const Org& parent, OrgKind kind) {
  bool allowed = p.role == Role::kPlatformAdmin ||
                 (p.role == Role::kUnitAdmin && p.org && p.org->id == parent.id);
  if (!allowed) return Fail(Error::PermissionDenied("只有本单位管理员可以在本单位下开设单位"));
  auto kinds = orgs::AllowedChildKinds(parent.kind);
  for (OrgKind k : kinds) {
    if (k == kind) return Ok();
  }
  std::string msg = std::string("“") + std::string(orgs::KindLabel(parent.kind)) + "”下";
  if (kinds.empty()) {
    msg += "不能开设下级单位";
  } else {
    msg += "只能开设：";
    for (size_t i = 0; i < kinds.size(); ++i) {
      if (i) msg += "、";
      msg += orgs::KindLabel(kinds[i]);
    }
  }
  return Fail(Error::InvalidArgument(msg, {{"kind", "单位类型", msg}}));
}

Status Authorizer::CheckCreateUser(const Principal& p, const Org& target, Role role) {
  auto bad_role = [](std::string msg) {
    return Fail(Error::InvalidArgument(msg, {{"role", "角色", msg}}));
  };
  if (role == Role::kLearner) return bad_role("学习者账号请通过注册页面自行注册");
  if (IsPlatformRole(role) && target.kind != OrgKind::kOpenUniversity) {
    return bad_role("平台管理员、安全管理员、审计员只能设在国家开放大学");
  }
  if (IsPlatformRole(role)) {
    // 三权分立: nobody grants these roles through the product (a platform admin could
    // otherwise make itself an auditor); they are opened from the shell (lep user add).
    return bad_role("平台管理员、安全管理员、审计员账号只能由系统初始化命令（lep user add）开设");
  }
  if (role == Role::kReviewer && orgs::IsSecondLevel(target.kind)) {
    return bad_role("审核员只能设在一级单位或国家开放大学");
  }
  if (p.role == Role::kPlatformAdmin) return Ok();
  if (p.role == Role::kUnitAdmin && p.org) {
    bool own = target.id == p.org->id;
    bool child = target.parent_id && *target.parent_id == p.org->id;
    if ((own || child) && !IsPlatformRole(role)) {
      if (child && role == Role::kReviewer) return bad_role("下级单位不设审核员");
      return Ok();
    }
  }
  return Fail(Error::PermissionDenied("只有本单位或上级单位的管理员可以开设账号"));
}

Status Authorizer::CheckSecurityAdmin(const Principal& p) {
  if (p.role == Role::kSecurityAdmin) return Ok();
  return Fail(Error::PermissionDenied("只有安全管理员可以执行此操作（三权分立）"));
}

Status Authorizer::CheckAuditor(const Principal& p) {
  if (p.role == Role::kAuditor) return Ok();
  return Fail(Error::PermissionDenied("只有审计员可以执行此操作（三权分立）"));
}

}  // namespace lep::auth
