// The public learning portal API (no login): home, search, detail with its series, playback
// heartbeats and the public catalog. Transport only: parse, one call to portal::PortalService
// (or the counters), render. Only published resources are ever reachable here.
#include "app/api_common.h"
#include "app/portal_catalog.h"
#include "app/portal_json.h"
#include "app/portal_requests.h"
#include "app/resources_io.h"
#include "app/routes.h"
#include "portal/counters.h"
#include "portal/portal_service.h"
#include "portal/visitor_ids.h"
#include "resources/metadata.h"
#include "resources/sheet_mapping.h"
#include "xlsx/spreadsheet.h"

namespace lep::app {
namespace {

using Deps = PortalRouteDeps;

using http::Request;
using http::Response;

constexpr const char* kVisitorCookie = "lep_vid";

// The visitor: the id of a valid signed lep_vid cookie. A request without one gets a new
// random id as its cookie (rationed per client address; none left: nothing counts); a forged
// or outdated cookie counts nothing and is replaced.
struct Visitor {
  std::string id;      // "" when this request may not count
  std::string cookie;  // a new cookie value to set, if any
};

Visitor VisitorOf(const Deps& d, const Request& req) {
  auto presented = req.Cookie(kVisitorCookie);
  if (presented) {
    if (auto id = d.visitor_ids.Verify(*presented)) return {*id, ""};
  }
  auto issued = d.visitor_ids.Issue(req.remote_ip);
  if (!issued) return {};
  return {presented ? "" : issued->id, issued->cookie};
}

void SetVisitorCookie(Response& resp, const Visitor& v) {
  if (v.cookie.empty()) return;
  resp.SetHeader("Set-Cookie", std::string(kVisitorCookie) + "=" + v.cookie +
                                   "; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly");
}

// A public page: 304 when the client holds it, else its bytes; cacheable by browsers, a CDN
// and the nginx microcache (what is withdrawn disappears within max-age).
Response Page(const Request& req, const portal::PublicPage& page) {
  Response resp;
  resp.SetHeader("ETag", page.etag);
  resp.SetHeader("Cache-Control", "public, max-age=60");
  if (auto inm = req.Header("if-none-match"); inm && *inm == page.etag) {
    resp.status = 304;
    resp.content_type.clear();
    return resp;
  }
  resp.status = 200;
  resp.body = *page.body;
  return resp;
}

Response Home(const Deps& d, Request& req) {
  auto page = d.portal.HomePage();
  if (!page) return Response::FromError(page.error());
  return Page(req, *page);
}

Response Search(const Deps& d, Request& req) {
  auto q = ParseSearchQuery(req);
  if (!q) return Response::FromError(q.error());
  auto result = d.portal.Search(*q);
  if (!result) return Response::FromError(result.error());
  // The entries come rendered from the index: spliced, not parsed again.
  std::string body = "{\"items\":[";
  for (size_t i = 0; i < result->hits.size(); ++i) {
    const auto& h = result->hits[i];
    if (h.card.size() < 2 || h.card.back() != '}') continue;
    if (body.back() != '[') body += ',';
    body.append(h.card, 0, h.card.size() - 1);
    body += ",\"title_html\":" + json(h.title_html).dump() +
            ",\"snippet_html\":" + json(h.snippet_html).dump() + "}";
  }
  const std::string count = std::to_string(result->total);
  json meta = {{"total", result->total},
               {"total_relation", result->total_exact ? "eq" : "gte"},
               {"total_lower_bound", result->total_lower_bound},
               {"total_text", result->total_exact ? count + " 条" : "约 " + count + " 条"},
               {"page", result->page},
               {"facets", result->facets},
               {"facets_exact", result->facets_exact}};
  std::string tail = meta.dump();
  body += "]," + tail.substr(1);
  return Response::Text(200, std::move(body), "application/json; charset=utf-8");
}

Response Detail(const Deps& d, Request& req) {
  auto id = req.IdParam("id");
  if (!id) return Response::FromError(Error::NotFound("资源不存在或未发布"));
  auto page = d.portal.DetailPage(resources::ResourceId{*id});
  if (!page) return Response::FromError(page.error());
  return Page(req, *page);
}

// The fast lane of the two cacheable pages (run on the I/O thread, see http::FastHandler):
// the page from memory when it is fresh and nothing has left the portal since; else nullopt
// and the handler above answers on the worker pool.
std::optional<Response> CachedDetail(portal::PortalService& portal, Request& req) {
  auto id = req.IdParam("id");
  if (!id) return std::nullopt;
  auto page = portal.CachedDetailPage(resources::ResourceId{*id});
  if (!page) return std::nullopt;
  return Page(req, *page);
}

std::optional<Response> CachedHome(portal::PortalService& portal, Request& req) {
  auto page = portal.CachedHomePage();
  if (!page) return std::nullopt;
  return Page(req, *page);
}

// The click beacon: a view of the detail page, counted once per visitor and window.
Response View(const Deps& d, Request& req) {
  auto id = req.IdParam("id");
  if (!id) return Response::FromError(Error::NotFound("资源不存在或未发布"));
  auto r = d.portal.IsPublished(resources::ResourceId{*id});
  if (!r) return Response::FromError(r.error());
  Visitor visitor = VisitorOf(d, req);
  bool counted =
      d.counters && d.counters->Click(*id, visitor.id, req.Header("user-agent").value_or(""));
  Response resp = Response::Json(200, {{"counted", counted}});
  resp.SetHeader("Cache-Control", "no-store");
  SetVisitorCookie(resp, visitor);
  return resp;
}

Response Progress(const Deps& d, Request& req) {
  auto id = req.IdParam("id");
  if (!id) return Response::FromError(Error::NotFound("资源不存在或未发布"));
  auto r = d.portal.Published(resources::ResourceId{*id});
  if (!r) return Response::FromError(r.error());
  Visitor visitor = VisitorOf(d, req);
  std::string_view ua = req.Header("user-agent").value_or("");
  const resources::Metadata& m = r->resource.meta;
  bool counted = false;
  if (d.counters) {
    counted = m.type == resources::ResourceType::kCourse
                  ? d.counters->OpenedLink(*id, visitor.id, ua)  // link-out
                  : d.counters->Played(*id, visitor.id, ua, ParseProgressSeconds(req.body),
                                       std::max<int64_t>(0, resources::ParseDuration(m.duration)));
  }
  Response resp = Response::Json(200, {{"learner_counted", counted}});
  SetVisitorCookie(resp, visitor);
  return resp;
}

// The catalog is a prepared file (rebuilt at publication and withdrawal): sent as it is.
Response Catalog(const Deps& d, Request& req) {
  auto format = ParseCatalogFormat(req);
  if (!format) return Response::FromError(format.error());
  const char* ext = *format == CatalogFormat::kJson  ? "json"
                    : *format == CatalogFormat::kCsv ? "csv"
                                                     : "xlsx";
  auto file = d.catalog.Current(ext);
  if (!file) return Response::FromError(file.error());
  if (*format == CatalogFormat::kJson) return ServePreparedFile(req, *file, 60, "");
  return ServePreparedFile(req, *file, 60, std::string("catalog.") + ext,
                           std::string("国家终身教育数字化学习资源目录.") + ext);
}

Response Categories(const Deps& d, Request&) {
  auto tree = d.portal.CategoryTree();
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

void AddPortalRoutes(http::Router& router, const PortalRouteDeps& d) {
  portal::PortalService* portal = &d.portal;
  http::Route home{"GET", "/api/v1/portal/home", Bind(d, Home), 1024,
                   "门户首页：各范围资源数、最新、点击最多、学习最多"};
  home.fast = [portal](Request& req) { return CachedHome(*portal, req); };
  router.Add(std::move(home));
  router.Add({"GET", "/api/v1/portal/search", Bind(d, Search), 1024,
              "中文全文检索（q、domain、type、category、province、unit、时长范围、sort、分页）"});
  http::Route detail{"GET", "/api/v1/portal/resources/{id}", Bind(d, Detail), 1024,
                     "资源详情（公开，可缓存：ETag/304，Cache-Control；不计点击）"};
  detail.fast = [portal](Request& req) { return CachedDetail(*portal, req); };
  router.Add(std::move(detail));
  router.Add({"POST", "/api/v1/portal/resources/{id}/view", Bind(d, View), 1024,
              "点击计数（详情页打开时发送；同一访客 30 分钟内只计一次）"});
  router.Add({"POST", "/api/v1/portal/resources/{id}/progress", Bind(d, Progress), 1024,
              "播放心跳（seconds）；服务器观察到的播放时长累计 ≥30 秒（短于 30 秒的资源 "
              "≥90%）计为一名学习者（每资源每访客一次）"});
  router.Add({"GET", "/api/v1/portal/catalog", Bind(d, Catalog), 1024,
              "资源目录（format=json|xlsx|csv）：发布、撤回时预先生成的文件，ETag/Range"});
}

void AddPortalBrowseRoutes(http::Router& router, const PortalRouteDeps& d) {
  router.Add({"GET", "/api/v1/portal/categories", Bind(d, Categories), 1024,
              "按分类浏览：分类树及各节点子树中已发布资源数（公开）"});
}

}  // namespace lep::app
