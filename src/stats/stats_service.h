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
