#include "stats/stats_service.h"

#include <map>

#include "auth/authorizer.h"
#include "orgs/contact.h"
#include "resources/resource.h"

namespace lep::stats {
namespace {

int64_t BeijingDay(int64_t unix_ms) { return (unix_ms + 8 * 3600 * 1000) / 86'400'000; }

// The top-level unit (一级单位) of an org path: its second id, or the root itself.
int64_t TopOf(const std::string& path) {
  size_t a = path.find('/', 1);
  if (a == std::string::npos) return 0;
  size_t b = path.find('/', a + 1);
  std::string part = b == std::string::npos ? path.substr(1, a - 1) : path.substr(a + 1, b - a - 1);
  return std::stoll(part);
}

}  // namespace

Result<StatsService::Scope> StatsService::ScopeOf(const auth::Principal& p,
                                                  std::optional<int64_t> unit_id) {
  LEP_RETURN_IF_ERROR(auth::Authorizer::CheckSeeStatistics(p));
  Scope s;
  if (auth::Authorizer::CanSeeAll(p)) {
    LEP_ASSIGN_OR_RETURN(auto root, orgs_.Root());
    if (!root) return Fail(Error::NotFound("单位不存在"));
    s.prefix = root->path;
    s.root = root->id;
  } else {
    s.prefix = p.org->path;
    s.root = p.org->id;
  }
  if (unit_id) {
    LEP_ASSIGN_OR_RETURN(auto org, orgs_.Get(orgs::OrgId{*unit_id}));
    if (!org || !auth::Authorizer::CanSeeOrg(p, *org)) return Fail(Error::NotFound("单位不存在"));
    s.prefix = org->path;
    s.root = org->id;
    s.narrowed = true;
  }
  return s;
}

Result<std::vector<UsageRow>> StatsService::Usage(const auth::Principal& p, const UsageQuery& q) {
  LEP_ASSIGN_OR_RETURN(Scope s, ScopeOf(p, std::nullopt));
  return repo_.UsageByDay(s.prefix, q.group, q.from_day, q.to_day);
}

Result<std::vector<TopRow>> StatsService::Top(const auth::Principal& p, const TopQuery& q) {
  LEP_ASSIGN_OR_RETURN(Scope s, ScopeOf(p, q.unit_id));
  // All time: the resource's figure, imported initial value included.
  if (q.days == 0) return repo_.TopAllTime(s.prefix, q.metric, q.limit);
  int64_t today = BeijingDay(clock_.NowMs());
  return repo_.TopSince(s.prefix, q.metric, today - q.days + 1, q.limit);
}

Result<std::vector<BrokenLinkRow>> StatsService::BrokenLinks(const auth::Principal& p,
                                                             std::optional<int64_t> unit_id) {
  LEP_ASSIGN_OR_RETURN(Scope s, ScopeOf(p, unit_id));
  return repo_.BrokenLinks(s.prefix, 1000);
}

Result<std::vector<SubmissionCount>> StatsService::Submissions(const auth::Principal& p,
                                                               const SubmissionsQuery& q) {
  LEP_ASSIGN_OR_RETURN(Scope s, ScopeOf(p, q.unit_id));
  std::optional<int64_t> campaign_id = q.campaign_id;
  if (!campaign_id) {
    // The latest campaign; with none yet, the resources in no campaign (未关联征集), so a
    // province that has started work never reads "共 0 个资源".
    LEP_ASSIGN_OR_RETURN(auto campaigns, review_.Campaigns());
    campaign_id = review::kNoCampaign;
    for (const auto& c : campaigns) campaign_id = std::max(*campaign_id, c.id);
  }
  std::optional<orgs::OrgId> unit;
  if (s.narrowed) unit = s.root;
  LEP_ASSIGN_OR_RETURN(auto rows, review_.ProgressRows(p, *campaign_id, unit));

  std::vector<std::string> order;  // keys in display order
  std::map<std::string, SubmissionCount> groups;
  auto add_key = [&](const std::string& key, const std::string& label) {
    if (groups.emplace(key, SubmissionCount{key, label}).second) order.push_back(key);
  };
  const SubmissionGroup g = q.group;
  if (g == SubmissionGroup::kProvince || g == SubmissionGroup::kUnit) {
    // Every unit in scope, also those that submitted nothing: they are the ones to chase.
    LEP_ASSIGN_OR_RETURN(auto subtree, orgs_.Subtree(s.root));
    std::map<int64_t, std::string> names;
    for (const auto& o : subtree) names[o.id.value] = o.name;
    for (const auto& o : subtree) {
      if (o.kind == orgs::OrgKind::kMinistryDept) continue;
      if (g == SubmissionGroup::kUnit) {
        add_key(std::to_string(o.id.value), o.name);
        continue;
      }
      int64_t top = TopOf(o.path);
      std::string label = o.name;
      if (auto it = names.find(top); it != names.end()) {
        label = it->second;
      } else if (auto t = orgs_.Get(orgs::OrgId{top}); t && *t) {
        label = (*t)->name;
      }
      add_key(std::to_string(top), label);
    }
  } else if (g == SubmissionGroup::kDomain) {
    for (const auto& d : resources::Domains()) add_key(d, d);
  } else if (g == SubmissionGroup::kType) {
    for (auto t : {resources::ResourceType::kVideo, resources::ResourceType::kAudio,
                   resources::ResourceType::kCourse}) {
      add_key(std::string(resources::TypeCode(t)), std::string(resources::TypeLabel(t)));
    }
  }
  for (const auto& r : rows) {
    std::string key, label;
    if (g == SubmissionGroup::kProvince) {
      key = std::to_string(r.top_id);
      label = r.top_name;
    } else if (g == SubmissionGroup::kUnit) {
      key = std::to_string(r.org_id);
      label = r.org_name;
    } else if (g == SubmissionGroup::kState) {
      key = r.state;
      auto st = resources::ParseState(r.state);
      label = st ? std::string(resources::StateLabel(*st)) : r.state;
    } else if (g == SubmissionGroup::kDomain) {
      key = label = r.domain;
    } else {
      key = r.type;
      auto t = resources::ParseType(r.type);
      label = t ? std::string(resources::TypeLabel(*t)) : r.type;
    }
    add_key(key, label);
    groups[key].count += r.count;
    groups[key].overdue += r.overdue;
  }
  if (g == SubmissionGroup::kState) {
    // Workflow order rather than first appearance.
    std::vector<std::string> sorted;
    using resources::ResourceState;
    for (auto st :
         {ResourceState::kDraft, ResourceState::kSubmitted, ResourceState::kFirstReview,
          ResourceState::kFinalReview, ResourceState::kApproved, ResourceState::kPublished,
          ResourceState::kReturned, ResourceState::kRejected, ResourceState::kWithdrawn}) {
      std::string k(resources::StateName(st));
      if (groups.count(k)) sorted.push_back(k);
    }
    order = std::move(sorted);
  }
  std::vector<SubmissionCount> out;
  for (const auto& k : order) out.push_back(groups[k]);
  return out;
}

Result<MissingContacts> StatsService::MissingContactList(const auth::Principal& p,
                                                        std::optional<int64_t> campaign_id,
                                                        std::optional<int64_t> unit_id) {
  LEP_ASSIGN_OR_RETURN(Scope s, ScopeOf(p, unit_id));
  MissingContacts out;
  LEP_ASSIGN_OR_RETURN(auto campaigns, review_.Campaigns());
  for (const auto& c : campaigns) {
    if (campaign_id ? c.id == *campaign_id : (!out.campaign || c.id > out.campaign->id)) {
      out.campaign = c;
    }
  }
  if (campaign_id && !out.campaign) return Fail(Error::NotFound("征集批次不存在"));
  if (out.campaign && !out.campaign->contact_deadline.empty()) {
    out.deadline = review::ParseDeadline(out.campaign->contact_deadline);
    out.overdue = out.deadline && clock_.NowMs() >= out.deadline->at_ms;
  }
  LEP_ASSIGN_OR_RETURN(auto subtree, orgs_.Subtree(s.root));
  std::map<int64_t, std::string> names;
  for (const auto& o : subtree) names[o.id.value] = o.name;
  for (auto& o : subtree) {
    if (o.id == s.root) out.scope = o.name;
    if (o.id == s.root || o.kind == orgs::OrgKind::kMinistryDept) continue;
    ++out.units;
    LEP_ASSIGN_OR_RETURN(auto contact, orgs_.GetContact(o.id));
    MissingContactRow row;
    if (contact) {
      auto valid = orgs::ValidateContact(*contact);
      if (valid) continue;
      row.registered = true;
      for (const auto& f : valid.error().fields) row.missing.push_back(f.label);
    } else {
      row.missing = {"负责人姓名", "职务", "办公电话", "手机号码", "电子邮箱"};
    }
    if (o.parent_id) {
      if (auto it = names.find(o.parent_id->value); it != names.end()) row.parent_name = it->second;
    }
    row.org = std::move(o);
    out.rows.push_back(std::move(row));
  }
  return out;
}

}  // namespace lep::stats
