// Statistics for administrators over HTTP (issue 6.7): usage per day, top lists, broken links
// of online courses (A03) and campaign submissions. Transport only: parse, one call to
// stats::StatsService (which scopes everything to the caller's subtree), render.
#include "app/api_common.h"
#include "app/portal_requests.h"
#include "app/routes.h"
#include "core/date.h"
#include "stats/stats_service.h"

namespace lep::app {
namespace {

// What the handlers use; copied into each one.
struct Deps {
  RouteGuard authed;
  stats::StatsService& stats;
};

using auth::Principal;
using http::Request;
using http::Response;

const char* GroupName(stats::UsageGroup g) {
  switch (g) {
    case stats::UsageGroup::kResource:
      return "resource";
    case stats::UsageGroup::kUnit:
      return "unit";
    case stats::UsageGroup::kProvince:
      return "province";
    case stats::UsageGroup::kDomain:
      break;
  }
  return "domain";
}

Response Usage(const Deps& d, Request& req, const Principal& p) {
  auto q = ParseUsageQuery(req);
  if (!q) return Response::FromError(q.error());
  auto rows = d.stats.Usage(p, *q);
  if (!rows) return Response::FromError(rows.error());
  json items = json::array();
  for (const auto& r : *rows) {
    items.push_back({{"key", r.key},
                     {"date", DateFromUnixMs(r.day * 86'400'000, 0).ToString()},
                     {"clicks", r.clicks},
                     {"learners", r.learners}});
  }
  return Response::Json(200, {{"group", GroupName(q->group)}, {"items", items}});
}

Response Top(const Deps& d, Request& req, const Principal& p) {
  auto q = ParseTopQuery(req);
  if (!q) return Response::FromError(q.error());
  auto rows = d.stats.Top(p, *q);
  if (!rows) return Response::FromError(rows.error());
  json items = json::array();
  for (const auto& r : *rows) {
    items.push_back(
        {{"resource_id", r.resource_id}, {"title", r.title}, {"unit", r.unit}, {"value", r.value}});
  }
  return Response::Json(200, {{"items", items}});
}

Response BrokenLinks(const Deps& d, Request& req, const Principal& p) {
  auto unit = ParseUnitId(req);
  if (!unit) return Response::FromError(unit.error());
  auto rows = d.stats.BrokenLinks(p, *unit);
  if (!rows) return Response::FromError(rows.error());
  json items = json::array();
  for (const auto& r : *rows) {
    items.push_back({{"resource_id", r.resource_id},
                     {"title", r.title},
                     {"unit", r.unit},
                     {"url", r.url},
                     {"status", r.status},
                     {"error", r.error},
                     {"checked_at", r.checked_at}});
  }
  return Response::Json(200, {{"items", items}});
}

Response Submissions(const Deps& d, Request& req, const Principal& p) {
  auto q = ParseSubmissionsQuery(req);
  if (!q) return Response::FromError(q.error());
  auto groups = d.stats.Submissions(p, *q);
  if (!groups) return Response::FromError(groups.error());
  json out = json::array();
  for (const auto& g : *groups) {
    out.push_back({{"key", g.key}, {"label", g.label}, {"count", g.count}, {"overdue", g.overdue}});
  }
  return Response::Json(200, {{"groups", out}});
}

}  // namespace

void AddStatsRoutes(http::Router& router, const RouteGuard& authed, stats::StatsService& stats) {
  const Deps d{authed, stats};
  router.Add({"GET", "/api/v1/stats/usage", BindAuthed(d, Usage), 1024,
              "使用统计：按日 × (resource|unit|province|domain) 的点击量与学习人数"});
  router.Add(
      {"GET", "/api/v1/stats/top", BindAuthed(d, Top), 1024,
       "排行榜：metric=clicks|learners，days（0 为累计，默认 30 个北京日），limit，unit_id"});
  router.Add({"GET", "/api/v1/stats/broken-links", BindAuthed(d, BrokenLinks), 1024,
              "失效链接：网络课程（A03）最近一次检查不可访问的资源，unit_id"});
  router.Add({"GET", "/api/v1/stats/submissions", BindAuthed(d, Submissions), 1024,
              "征集统计：campaign_id（默认最新），group=province|unit|state|domain|type，unit_id"});
}

}  // namespace lep::app
