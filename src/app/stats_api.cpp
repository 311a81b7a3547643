// Statistics for administrators (issue 6.7): top lists by clicks/learners, the broken-link
// list of online courses (A03), and campaign submissions grouped by province, unit, state,
// domain or type with overdue counts (what a province needs to chase its colleges).
// Platform roles see everything; unit admins their own subtree; `unit_id` narrows the scope
// and answers 404 outside the caller's subtree.
#include <charconv>
#include <map>

#include "app/api_common.h"
#include "app/routes.h"
#include "auth/authorizer.h"

namespace lep::app {
namespace {

using auth::Principal;
using http::Request;
using http::Response;

struct Scope {
  std::string prefix;     // org path prefix of the subtree
  orgs::OrgId root;       // the unit at the top of the scope
  bool narrowed = false;  // unit_id was given
};

// An integer query parameter: fallback when absent; a field error when malformed or outside
// [lo, hi].
int64_t IntQuery(const Request& req, const char* name, const char* label, int64_t fallback,
                 int64_t lo, int64_t hi, std::vector<FieldError>& errors) {
  auto v = req.Query(name);
  if (!v || v->empty()) return fallback;
  int64_t n = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || p != v->data() + v->size() || n < lo || n > hi) {
    errors.push_back(
        {name, label,
         std::string(label) + "应为 " + std::to_string(lo) + "–" + std::to_string(hi) + " 的整数"});
    return fallback;
  }
  return n;
}

Result<Scope> StatsScope(AppContext& ctx, const Request& req, const Principal& p) {
  bool all = auth::Authorizer::CanSeeAll(p);
  if (!all && !(p.role == auth::Role::kUnitAdmin && p.org)) {
    return Fail(Error::PermissionDenied("只有管理员可以查看统计"));
  }
  Scope s;
  if (all) {
    LEP_ASSIGN_OR_RETURN(auto root, ctx.org_repo->Root());
    if (!root) return Fail(Error::NotFound("单位不存在"));
    s.prefix = root->path;
    s.root = root->id;
  } else {
    s.prefix = p.org->path;
    s.root = p.org->id;
  }
  if (auto v = req.Query("unit_id"); v && !v->empty()) {
    int64_t id = 0;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), id);
    if (ec != std::errc() || end != v->data() + v->size())
      return Fail(Error::NotFound("单位不存在"));
    LEP_ASSIGN_OR_RETURN(auto org, ctx.org_repo->Get(orgs::OrgId{id}));
    if (!org || !auth::Authorizer::CanSeeOrg(p, *org)) return Fail(Error::NotFound("单位不存在"));
    s.prefix = org->path;
    s.root = org->id;
    s.narrowed = true;
  }
  return s;
}

Result<json> TopList(AppContext& ctx, const Request& req, const Principal& p) {
  LEP_ASSIGN_OR_RETURN(Scope s, StatsScope(ctx, req, p));
  std::vector<FieldError> errors;
  std::string metric = req.Query("metric").value_or("clicks");
  if (metric != "clicks" && metric != "learners") {
    errors.push_back({"metric", "指标", "指标应为 clicks（点击量）或 learners（学习人数）"});
  }
  int64_t days = IntQuery(req, "days", "统计天数", 30, 0, 3660, errors);
  int64_t limit = IntQuery(req, "limit", "条数", 10, 1, 100, errors);
  if (!errors.empty()) return Fail(Error::InvalidArgument(errors[0].message, errors));
  const std::string column = metric == "clicks" ? "clicks" : "learners";  // from the whitelist
  storage::QueryResult rows;
  if (days == 0) {
    // All time: the resource's figure, imported initial value included.
    LEP_ASSIGN_OR_RETURN(
        rows, ctx.db->Exec("SELECT r.id, r.title, o.name, r." + column +
                               " FROM resources r "
                               "JOIN orgs o ON o.id = r.org_id WHERE r.state = 'published' AND "
                               "substr(o.path, 1, ?) = ? AND r." +
                               column + " > 0 ORDER BY r." + column + " DESC, r.id LIMIT ?",
                           {static_cast<int64_t>(s.prefix.size()), s.prefix, limit}));
  } else {
    // The last `days` Beijing calendar days, today included (usage_daily.day is one).
    int64_t today = (ctx.clock->NowMs() + 8 * 3600 * 1000) / 86'400'000;
    LEP_ASSIGN_OR_RETURN(
        rows,
        ctx.db->Exec("SELECT r.id, r.title, o.name, SUM(u." + column +
                         ") FROM "
                         "usage_daily u JOIN resources r ON r.id = u.resource_id JOIN orgs o "
                         "ON o.id = r.org_id WHERE substr(o.path, 1, ?) = ? AND u.day >= ? "
                         "GROUP BY r.id, r.title, o.name HAVING SUM(u." +
                         column +
                         ") > 0 "
                         "ORDER BY SUM(u." +
                         column + ") DESC, r.id LIMIT ?",
                     {static_cast<int64_t>(s.prefix.size()), s.prefix, today - days + 1, limit}));
  }
  json items = json::array();
  for (const auto& r : rows.rows) {
    items.push_back({{"resource_id", r.Int(0)},
                     {"title", r.Text(1)},
                     {"unit", r.Text(2)},
                     {"value", r.Int(3)}});
  }
  return json{{"items", items}};
}

Result<json> BrokenLinks(AppContext& ctx, const Request& req, const Principal& p) {
  LEP_ASSIGN_OR_RETURN(Scope s, StatsScope(ctx, req, p));
  // The stored check is the latest one; it is current only while the link is unchanged.
  LEP_ASSIGN_OR_RETURN(
      auto rows,
      ctx.db->Exec("SELECT r.id, r.title, o.name, l.url, l.status, l.error, l.checked_at FROM "
                   "link_checks l JOIN resources r ON r.id = l.resource_id JOIN orgs o ON o.id = "
                   "r.org_id WHERE l.reachable = 0 AND r.type = 'A03' AND l.url = r.link AND "
                   "r.state NOT IN ('draft', 'rejected') AND substr(o.path, 1, ?) = ? ORDER BY "
                   "l.checked_at DESC, r.id LIMIT 1000",
                   {static_cast<int64_t>(s.prefix.size()), s.prefix}));
  json items = json::array();
  for (const auto& r : rows.rows) {
    items.push_back({{"resource_id", r.Int(0)},
                     {"title", r.Text(1)},
                     {"unit", r.Text(2)},
                     {"url", r.Text(3)},
                     {"status", r.Int(4)},
                     {"error", r.Text(5)},
                     {"checked_at", r.Int(6)}});
  }
  return json{{"items", items}};
}

// The top-level unit (一级单位) of an org path: its second id, or the root itself.
int64_t TopOf(const std::string& path) {
  size_t a = path.find('/', 1);
  if (a == std::string::npos) return 0;
  size_t b = path.find('/', a + 1);
  std::string part = b == std::string::npos ? path.substr(1, a - 1) : path.substr(a + 1, b - a - 1);
  return std::stoll(part);
}

Result<json> Submissions(AppContext& ctx, const Request& req, const Principal& p) {
  LEP_ASSIGN_OR_RETURN(Scope s, StatsScope(ctx, req, p));
  std::string group = req.Query("group").value_or("province");
  if (group != "province" && group != "unit" && group != "state" && group != "domain" &&
      group != "type") {
    return Fail(Error::InvalidArgument(
        "分组应为 province、unit、state、domain 或 type",
        {{"group", "分组",
          "分组应为 province（一级单位）、unit（单位）、state（状态）、domain（范围）或 "
          "type（类型）"}}));
  }
  std::optional<int64_t> campaign_id;
  if (auto v = req.Query("campaign_id"); v && !v->empty()) {
    int64_t id = 0;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), id);
    if (ec != std::errc() || end != v->data() + v->size()) {
      return Fail(Error::NotFound("征集批次不存在"));
    }
    campaign_id = id;
  } else {
    LEP_ASSIGN_OR_RETURN(auto latest,
                         ctx.db->QueryOne("SELECT id FROM campaigns ORDER BY id DESC LIMIT 1"));
    if (!latest) return json{{"groups", json::array()}};
    campaign_id = latest->Int(0);
  }
  std::optional<orgs::OrgId> unit;
  if (s.narrowed) unit = s.root;
  LEP_ASSIGN_OR_RETURN(auto rows, ctx.review->ProgressRows(p, *campaign_id, unit));

  struct Group {
    std::string label;
    int64_t count = 0, overdue = 0;
  };
  std::vector<std::string> order;  // keys in display order
  std::map<std::string, Group> groups;
  auto add_key = [&](const std::string& key, const std::string& label) {
    if (groups.emplace(key, Group{label}).second) order.push_back(key);
  };
  if (group == "province" || group == "unit") {
    // Every unit in scope, also those that submitted nothing: they are the ones to chase.
    LEP_ASSIGN_OR_RETURN(auto subtree, ctx.org_repo->Subtree(s.root));
    std::map<int64_t, std::string> names;
    for (const auto& o : subtree) names[o.id.value] = o.name;
    for (const auto& o : subtree) {
      if (o.kind == orgs::OrgKind::kMinistryDept) continue;
      if (group == "unit") {
        add_key(std::to_string(o.id.value), o.name);
      } else {
        int64_t top = TopOf(o.path);
        std::string label = names.count(top) ? names[top] : o.name;
        if (!names.count(top)) {
          if (auto t = ctx.org_repo->Get(orgs::OrgId{top}); t && *t) label = (*t)->name;
        }
        add_key(std::to_string(top), label);
      }
    }
  } else if (group == "domain") {
    for (const auto& d : resources::Domains()) add_key(d, d);
  } else if (group == "type") {
    for (auto t : {resources::ResourceType::kVideo, resources::ResourceType::kAudio,
                   resources::ResourceType::kCourse}) {
      add_key(std::string(resources::TypeCode(t)), std::string(resources::TypeLabel(t)));
    }
  }
  std::vector<std::string> state_order;
  for (const auto& r : rows) {
    std::string key, label;
    if (group == "province") {
      key = std::to_string(r.top_id);
      label = r.top_name;
    } else if (group == "unit") {
      key = std::to_string(r.org_id);
      label = r.org_name;
    } else if (group == "state") {
      key = r.state;
      auto st = resources::ParseState(r.state);
      label = st ? std::string(resources::StateLabel(*st)) : r.state;
    } else if (group == "domain") {
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
  if (group == "state") {
    // Workflow order rather than first appearance.
    std::vector<std::string> sorted;
    for (auto st : {resources::ResourceState::kDraft, resources::ResourceState::kSubmitted,
                    resources::ResourceState::kFirstReview, resources::ResourceState::kFinalReview,
                    resources::ResourceState::kApproved, resources::ResourceState::kPublished,
                    resources::ResourceState::kReturned, resources::ResourceState::kRejected,
                    resources::ResourceState::kWithdrawn}) {
      std::string k(resources::StateName(st));
      if (groups.count(k)) sorted.push_back(k);
    }
    order = std::move(sorted);
  }
  json out = json::array();
  for (const auto& k : order) {
    const Group& g = groups[k];
    out.push_back({{"key", k}, {"label", g.label}, {"count", g.count}, {"overdue", g.overdue}});
  }
  return json{{"groups", out}};
}

}  // namespace

void AddStatsRoutes(AppContext& ctx, http::Router& router) {
  router.Add(
      {"GET", "/api/v1/stats/top",
       Authed(ctx, [&ctx](Request& req,
                          const Principal& p) { return Reply(200, TopList(ctx, req, p)); }),
       1024, "排行榜：metric=clicks|learners，days（0 为累计，默认 30 个北京日），limit，unit_id"});
  router.Add(
      {"GET", "/api/v1/stats/broken-links",
       Authed(ctx, [&ctx](Request& req,
                          const Principal& p) { return Reply(200, BrokenLinks(ctx, req, p)); }),
       1024, "失效链接：网络课程（A03）最近一次检查不可访问的资源，unit_id"});
  router.Add(
      {"GET", "/api/v1/stats/submissions",
       Authed(ctx, [&ctx](Request& req,
                          const Principal& p) { return Reply(200, Submissions(ctx, req, p)); }),
       1024, "征集统计：campaign_id（默认最新），group=province|unit|state|domain|type，unit_id"});
}

}  // namespace lep::app
