// Authorizer: the one place that knows who may see and change which unit.
// Rule: a user reaches only its own unit's subtree (platform roles and the ministry's
// oversight unit: everything). Outside the subtree callers answer 404, so ids don't reveal
// existence; inside it, a missing permission is 403. Pure functions; thread-safe.
#pragma once

#include "auth/user.h"
#include "core/result.h"
#include "orgs/org.h"

namespace lep::auth {

class Authorizer {
 public:
  static bool CanSeeAll(const Principal& p);
  static bool CanSeeOrg(const Principal& p, const orgs::Org& org);
  // Opening a unit directly under parent (platform admin, or unit admin of parent).
  [[nodiscard]] static Status CheckOpenChild(const Principal& p, const orgs::Org& parent,
                                             orgs::OrgKind kind);
  [[nodiscard]] static Status CheckCreateUser(const Principal& p, const orgs::Org& target,
                                              Role role);
  [[nodiscard]] static Status CheckManageUnit(const Principal& p, const orgs::Org& org);
  // The category tree and other platform-wide vocabularies: platform admins only.
  [[nodiscard]] static Status CheckManagePlatform(const Principal& p);
  // Creating and editing a unit's resources: its uploaders and unit admins only.
  [[nodiscard]] static Status CheckWriteResources(const Principal& p, const orgs::Org& owner);
  // Importing a spreadsheet of resources into a unit (new rows and updates by 资源ID): as
  // CheckWriteResources, and on behalf of a descendant unit the uploaders and unit admins of
  // an ancestor (a province for its colleges, 国家开放大学 for any), and platform admins.
  // Callers check visibility (CanSeeOrg → 404) first.
  [[nodiscard]] static Status CheckImportFor(const Principal& p, const orgs::Org& owner);
  // Moderating learners' ratings (使用评价): platform admins everywhere, unit admins for the
  // resources of their subtree. CheckModerateRatings: whether the role moderates at all.
  [[nodiscard]] static Status CheckModerateRatings(const Principal& p);
  static bool CanModerateRatings(const Principal& p, const orgs::Org& owner);
  // Statistics (usage, top lists, submissions): platform roles and the ministry see every
  // unit, a unit admin its own subtree; anyone else kPermissionDenied.
  [[nodiscard]] static Status CheckSeeStatistics(const Principal& p);

  // A unit's stamped 登记表 scan: seen by the unit's own accounts, the admins of the unit and of
  // every unit above it, platform admins and the ministry's oversight; nobody else (→ 404).
  static bool CanSeeRegistrationForm(const Principal& p, const orgs::Org& org);
  // Uploaded by the unit's own admins and uploaders, its parent's admins or platform admins.
  [[nodiscard]] static Status CheckUploadRegistrationForm(const Principal& p, const orgs::Org& org);
  // The overview of which children of org have uploaded: org's admins and those above them.
  static bool CanSeeChildRegistrationForms(const Principal& p, const orgs::Org& org);

  // Review (审核). The national desk — platform admins and the reviewers of 国家开放大学 —
  // assembles, schedules and publishes the publication batches.
  static bool IsNationalReviewDesk(const Principal& p);
  // Publication batches are shown to the national desk and to the platform-wide readers.
  static bool CanViewBatches(const Principal& p);
  // A review queue belongs to reviewers (and platform admins, who oversee them).
  static bool CanOpenReviewQueue(const Principal& p);
  // The sensitive-word list: security admins maintain it; platform admins may read it.
  static bool CanReadSensitiveWords(const Principal& p);
  static bool CanEditSensitiveWords(const Principal& p);
  // 三权分立: the security policy, two-factor resets and unlocks belong to the security
  // administrator; the audit log (read only) to the auditor.
  [[nodiscard]] static Status CheckSecurityAdmin(const Principal& p);
  [[nodiscard]] static Status CheckAuditor(const Principal& p);
};

}  // namespace lep::auth
