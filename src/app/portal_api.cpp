// The public learning portal API (no login): home, search, detail with its series, playback
// heartbeats and the public catalog. Transport only: parse, one call to portal::PortalService
// (or the counters), render. Only published resources are ever reachable here.
#include "app/api_common.h"
#include "app/portal_requests.h"
#include "app/resources_io.h"
#include "app/resources_json.h"
#include "app/routes.h"
#include "portal/counters.h"
#include "portal/portal_service.h"
#include "portal/visitor_ids.h"
#include "resources/metadata.h"
#include "resources/sheet_mapping.h"
#include "xlsx/spreadsheet.h"

namespace lep::app {
namespace {

using http::Request;
using http::Response;

constexpr const char* kVisitorCookie = "lep_vid";

json PublicJson(const resources::PublishedResource& p, bool detail) {
  const resources::Resource& r = p.resource;
  json j = ResourceJson(r, detail);
  for (const char* hidden : {"version", "created_at", "updated_at", "state", "state_label"}) {
    j.erase(hidden);
  }
  j["unit"] = p.unit_name;
  j["province"] = p.unit_region;
  if (r.meta.type != resources::ResourceType::kCourse) {
    j["media_url"] = "/media/resources/" + std::to_string(r.id.value);
  }
  return j;
}

json ListJson(const std::vector<resources::PublishedResource>& v) {
  json items = json::array();
  for (const auto& r : v) items.push_back(PublicJson(r, false));
  return items;
}

// The visitor: the id of a valid signed lep_vid cookie. A request without one gets a new
// random id as its cookie (rationed per client address; none left: nothing counts); a forged
// or outdated cookie counts nothing and is replaced.
struct Visitor {
  std::string id;      // "" when this request may not count
  std::string cookie;  // a new cookie value to set, if any
};

Visitor VisitorOf(AppContext& ctx, const Request& req) {
  auto presented = req.Cookie(kVisitorCookie);
  if (presented) {
    if (auto id = ctx.visitor_ids->Verify(*presented)) return {*id, ""};
  }
  auto issued = ctx.visitor_ids->Issue(req.remote_ip);
  if (!issued) return {};
  return {presented ? "" : issued->id, issued->cookie};
}

void SetVisitorCookie(Response& resp, const Visitor& v) {
  if (v.cookie.empty()) return;
  resp.SetHeader("Set-Cookie", std::string(kVisitorCookie) + "=" + v.cookie +
                                   "; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly");
}

Response Home(AppContext& ctx, Request&) {
  auto home = ctx.portal->Home();
  if (!home) return Response::FromError(home.error());
  json domains = json::array();
  for (const auto& [d, n] : home->domains) domains.push_back({{"domain", d}, {"count", n}});
  return Response::Json(200, {{"domains", domains},
                              {"newest", ListJson(home->newest)},
                              {"most_clicked", ListJson(home->most_clicked)},
                              {"most_learned", ListJson(home->most_learned)}});
}

Response Search(AppContext& ctx, Request& req) {
  auto q = ParseSearchQuery(req);
  if (!q) return Response::FromError(q.error());
  auto result = ctx.portal->Search(*q);
  if (!result) return Response::FromError(result.error());
  json hits = json::array();
  for (const auto& h : result->hits) {
    json j = PublicJson(h.resource, false);
    j["title_html"] = h.title_html;
    j["snippet_html"] = h.snippet_html;
    hits.push_back(std::move(j));
  }
  return Response::Json(200, {{"total", result->total},
                              {"page", result->page},
                              {"items", hits},
                              {"facets", result->facets}});
}

Response Detail(AppContext& ctx, Request& req) {
  auto id = req.IdParam("id");
  if (!id) return Response::FromError(Error::NotFound("资源不存在或未发布"));
  auto d = ctx.portal->Detail(resources::ResourceId{*id});
  if (!d) return Response::FromError(d.error());
  Visitor visitor = VisitorOf(ctx, req);
  if (ctx.counters) ctx.counters->Click(*id, visitor.id, req.Header("user-agent").value_or(""));
  json j = PublicJson(d->resource, true);
  if (!d->resource.resource.meta.series.empty()) {
    json list = json::array();
    for (const auto& s : d->series) {
      list.push_back({{"id", s.id.value},
                      {"title", s.title},
                      {"series_order", s.order},
                      {"current", s.id.value == *id}});
    }
    j["series_items"] = list;
  }
  Response resp = Response::Json(200, j);
  SetVisitorCookie(resp, visitor);
  return resp;
}

Response Progress(AppContext& ctx, Request& req) {
  auto id = req.IdParam("id");
  if (!id) return Response::FromError(Error::NotFound("资源不存在或未发布"));
  auto r = ctx.portal->Published(resources::ResourceId{*id});
  if (!r) return Response::FromError(r.error());
  Visitor visitor = VisitorOf(ctx, req);
  std::string_view ua = req.Header("user-agent").value_or("");
  const resources::Metadata& m = r->resource.meta;
  bool counted = false;
  if (ctx.counters) {
    counted =
        m.type == resources::ResourceType::kCourse
            ? ctx.counters->OpenedLink(*id, visitor.id, ua)  // link-out
            : ctx.counters->Played(*id, visitor.id, ua, ParseProgressSeconds(req.body),
                                   std::max<int64_t>(0, resources::ParseDuration(m.duration)));
  }
  Response resp = Response::Json(200, {{"learner_counted", counted}});
  SetVisitorCookie(resp, visitor);
  return resp;
}

Response Catalog(AppContext& ctx, Request& req) {
  auto format = ParseCatalogFormat(req);
  if (!format) return Response::FromError(format.error());
  auto all = ctx.portal->Catalog();
  if (!all) return Response::FromError(all.error());
  if (*format == CatalogFormat::kJson) return Response::Json(200, {{"items", ListJson(*all)}});
  resources::SheetData sheet;
  sheet.header = resources::ExportHeader();
  for (const auto& p : *all) sheet.rows.push_back(resources::ExportRow(p.resource));
  if (*format == CatalogFormat::kCsv) {
    auto resp = Response::Text(200, WriteSafeCsv(sheet), "text/csv; charset=utf-8");
    resp.SetHeader("Content-Disposition", "attachment; filename=\"catalog.csv\"");
    return resp;
  }
  auto bytes = xlsx::WriteXlsx(
      {{"国家终身教育数字化学习资源目录", sheet.header, sheet.rows, ExportColumnWidths()}});
  if (!bytes) return Response::FromError(bytes.error());
  auto resp = Response::Text(200, std::move(*bytes),
                             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  resp.SetHeader("Content-Disposition", "attachment; filename=\"catalog.xlsx\"");
  return resp;
}

Response Categories(AppContext& ctx, Request&) {
  auto tree = ctx.portal->CategoryTree();
  if (!tree) return Response::FromError(tree.error());
  std::function<json(const portal::CategoryCount&)> node = [&](const portal::CategoryCount& c) {
    json children = json::array();
    for (const auto& child : c.children) children.push_back(node(child));
    return json{{"id", c.id},
                {"name", c.name},
                {"path", c.path},
                {"count", c.count},
                {"children", children}};
  };
  json items = json::array();
  for (const auto& c : *tree) items.push_back(node(c));
  return Response::Json(200, {{"items", items}});
}

}  // namespace

void AddPortalRoutes(AppContext& ctx, http::Router& router) {
  router.Add({"GET", "/api/v1/portal/home", Bind(ctx, Home), 1024,
              "门户首页：各范围资源数、最新、点击最多、学习最多"});
  router.Add({"GET", "/api/v1/portal/search", Bind(ctx, Search), 1024,
              "中文全文检索（q、domain、type、category、province、unit、时长范围、sort、分页）"});
  router.Add({"GET", "/api/v1/portal/resources/{id}", Bind(ctx, Detail), 1024,
              "资源详情（公开；计一次点击，同一访客 30 分钟内只计一次）"});
  router.Add({"POST", "/api/v1/portal/resources/{id}/progress", Bind(ctx, Progress), 1024,
              "播放心跳（seconds）；服务器观察到的播放时长累计 ≥30 秒（短于 30 秒的资源 "
              "≥90%）计为一名学习者（每资源每访客一次）"});
  router.Add({"GET", "/api/v1/portal/catalog", Bind(ctx, Catalog), 1024,
              "国家终身教育数字化学习资源目录（format=json|xlsx|csv）"});
}

void AddPortalBrowseRoutes(AppContext& ctx, http::Router& router) {
  router.Add({"GET", "/api/v1/portal/categories", Bind(ctx, Categories), 1024,
              "按分类浏览：分类树及各节点子树中已发布资源数（公开）"});
}

}  // namespace lep::app
