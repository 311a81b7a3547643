// StatsService: statistics for administrators (issue 6.7) — usage per day, top lists by
// clicks/learners, the broken links of online courses (A03), and campaign submissions grouped
// by province, unit, state, domain or type with overdue counts. Platform roles and the
// ministry see everything, unit admins their own subtree (auth::Authorizer); a unit_id
// narrows the scope and is kNotFound outside the caller's subtree. Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "auth/user.h"
#include "core/clock.h"
#include "orgs/org_repository.h"
#include "review/review_service.h"
#include "stats/stats_repository.h"

namespace lep::stats {

struct UsageQuery {
  UsageGroup group = UsageGroup::kDomain;
  int64_t from_day = 0;               // inclusive, days since 1970-01-01 (Beijing)
  int64_t to_day = int64_t{1} << 40;  // inclusive
};

struct TopQuery {
  Metric metric = Metric::kClicks;
  int days = 30;  // the last `days` Beijing days, today included; 0 = all time
  int limit = 10;
  std::optional<int64_t> unit_id;
};

enum class SubmissionGroup { kProvince, kUnit, kState, kDomain, kType };

struct SubmissionsQuery {
  SubmissionGroup group = SubmissionGroup::kProvince;
  // default: the latest campaign (none yet: 0); 0 = the resources in no campaign (未关联征集)
  std::optional<int64_t> campaign_id;
  std::optional<int64_t> unit_id;
};

struct SubmissionCount {
  std::string key;
  std::string label;
  int64_t count = 0;
  int64_t overdue = 0;
};

// A unit whose 负责人 (附件3) is not registered, or registered with fields that do not pass
// the rules today (records stored before a rule existed).
struct MissingContactRow {
  orgs::Org org;
  std::string parent_name;
  bool registered = false;              // a record exists but is incomplete
  std::vector<std::string> missing;     // labels of the missing or invalid fields
};

struct MissingContacts {
  std::optional<review::Campaign> campaign;  // whose contact deadline applies (default: latest)
  std::optional<review::Deadline> deadline;  // none when the campaign sets no contact deadline
  bool overdue = false;                      // the deadline has passed
  std::string scope;                         // the unit whose descendants are listed
  int64_t units = 0;                         // units in scope that must register one
  std::vector<MissingContactRow> rows;       // tree order
};

class StatsService {
 public:
  StatsService(StatsRepository& repo, orgs::OrgRepository& orgs, review::ReviewService& review,
               const Clock& clock)
      : repo_(repo), orgs_(orgs), review_(review), clock_(clock) {}

  [[nodiscard]] Result<std::vector<UsageRow>> Usage(const auth::Principal& p, const UsageQuery& q);
  [[nodiscard]] Result<std::vector<TopRow>> Top(const auth::Principal& p, const TopQuery& q);
  [[nodiscard]] Result<std::vector<BrokenLinkRow>> BrokenLinks(const auth::Principal& p,
                                                               std::optional<int64_t> unit_id);
  [[nodiscard]] Result<std::vector<SubmissionCount>> Submissions(const auth::Principal& p,
                                                                 const SubmissionsQuery& q);
  // The units below the caller's unit (or below unit_id) whose contact person is missing or
  // incomplete, with the campaign's contact deadline (campaign_id; default the latest one).
  // The caller's own unit and the ministry's oversight unit are not listed.
  [[nodiscard]] Result<MissingContacts> MissingContactList(const auth::Principal& p,
                                                           std::optional<int64_t> campaign_id,
                                                           std::optional<int64_t> unit_id);

 private:
  struct Scope {
    std::string prefix;     // org path prefix of the subtree
    orgs::OrgId root;       // the unit at the top of the scope
    bool narrowed = false;  // unit_id was given
  };
  Result<Scope> ScopeOf(const auth::Principal& p, std::optional<int64_t> unit_id);

  StatsRepository& repo_;
  orgs::OrgRepository& orgs_;
  review::ReviewService& review_;
  const Clock& clock_;
};

}  // namespace lep::stats
