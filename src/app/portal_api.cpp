// The public learning portal API (no login): home, browse, detail with series and toc,
// Chinese full-text search, counters, and the public catalog. Only published resources are
// ever reachable here.
#include <random>

#include "app/api_common.h"
#include "app/portal.h"
#include "app/resources_io.h"
#include "app/resources_json.h"
#include "app/routes.h"
#include "auth/password.h"
#include "resources/sheet_mapping.h"
#include "xlsx/spreadsheet.h"

namespace lep::app {
namespace {

using http::Request;
using http::Response;

constexpr const char* kVisitorCookie = "lep_vid";

json PublicJson(AppContext& ctx, const resources::Resource& r, bool detail) {
  json j = ResourceJson(r, detail);
  for (const char* hidden : {"version", "created_at", "updated_at", "state", "state_label"}) {
    j.erase(hidden);
  }
  if (auto org = ctx.org_repo->Get(r.org_id); org && *org) {
    j["unit"] = (*org)->name;
    j["province"] = (*org)->region;
  }
  if (r.meta.type != resources::ResourceType::kCourse) {
    j["media_url"] = "/media/resources/" + std::to_string(r.id.value);
  }
  return j;
}

// The visitor id: the lep_vid cookie, else a hash of IP and User-Agent.
std::string VisitorOf(const Request& req, bool* set_cookie, std::string* new_id) {
  if (auto v = req.Cookie(kVisitorCookie); v && v->size() == 32) return *v;
  // First visit: the id is derived from IP and User-Agent and handed out as the cookie, so a
  // visitor counts as the same one before and after the cookie exists.
  *set_cookie = true;
  *new_id = auth::TokenHash(req.remote_ip + "|" +
                            std::string(req.Header("user-agent").value_or("")))
                .substr(0, 32);
  return *new_id;
}

Result<std::vector<resources::Resource>> PublishedWhere(AppContext& ctx, const std::string& order,
                                                       int limit, const std::string& where = "",
                                                       const std::vector<storage::Value>& p = {}) {
  std::vector<storage::Value> params = p;
  params.push_back(int64_t{limit});
  LEP_ASSIGN_OR_RETURN(auto rows, ctx.db->Exec("SELECT id FROM resources WHERE state = "
                                               "'published'" + where + " ORDER BY " + order +
                                               " LIMIT ?",
                                               params));
  std::vector<resources::Resource> out;
  for (const auto& row : rows.rows) {
    LEP_ASSIGN_OR_RETURN(auto r, ctx.resource_repo->Get(resources::ResourceId{row.Int(0)}));
    if (r) out.push_back(std::move(*r));
  }
  return out;
}

json List(AppContext& ctx, const std::vector<resources::Resource>& v) {
  json items = json::array();
  for (const auto& r : v) items.push_back(PublicJson(ctx, r, false));
  return items;
}

}  // namespace

void AddPortalRoutes(AppContext& ctx, http::Router& router) {
  router.Add({"GET", "/api/v1/portal/home",
              [&ctx](Request&) {
                json domains = json::array();
                for (const auto& d : resources::Domains()) {
                  auto n = ctx.db->QueryOne("SELECT COUNT(*) FROM resources WHERE state = "
                                            "'published' AND domain = ?",
                                            {d});
                  domains.push_back({{"domain", d}, {"count", n && *n ? (*n)->Int(0) : 0}});
                }
                auto newest = PublishedWhere(ctx, "published_at DESC, id DESC", 8);
                auto clicked = PublishedWhere(ctx, "clicks DESC, id DESC", 8);
                auto learned = PublishedWhere(ctx, "learners DESC, id DESC", 8);
                if (!newest || !clicked || !learned) {
                  return Response::FromError(Error::Internal());
                }
                return Response::Json(200, {{"domains", domains},
                                            {"newest", List(ctx, *newest)},
                                            {"most_clicked", List(ctx, *clicked)},
                                            {"most_learned", List(ctx, *learned)}});
              },
              1024, "门户首页：各范围资源数、最新、点击最多、学习最多"});

  router.Add({"GET", "/api/v1/portal/search",
              [&ctx](Request& req) {
                if (!ctx.search) return Response::FromError(Error::Internal("搜索暂不可用"));
                search::SearchQuery q;
                q.q = req.Query("q").value_or("");
                auto opt = [&](const char* k) -> std::optional<std::string> {
                  auto v = req.Query(k);
                  if (!v || v->empty()) return std::nullopt;
                  return v;
                };
                q.domain = opt("domain");
                if (q.domain) {
                  if (auto d = resources::ParseDomain(*q.domain)) q.domain = *d;
                }
                q.type = opt("type");
                q.category_prefix = opt("category");
                q.province = opt("province");
                q.unit = opt("unit");
                if (auto v = opt("min_duration")) q.min_duration_s = std::atoll(v->c_str());
                if (auto v = opt("max_duration")) q.max_duration_s = std::atoll(v->c_str());
                std::string sort = req.Query("sort").value_or("relevance");
                q.sort = sort == "clicks"     ? search::SearchQuery::Sort::kClicks
                         : sort == "learners" ? search::SearchQuery::Sort::kLearners
                         : sort == "newest"   ? search::SearchQuery::Sort::kNewest
                                              : search::SearchQuery::Sort::kRelevance;
                if (auto v = opt("page")) q.page = std::atoi(v->c_str());
                if (auto v = opt("page_size")) q.page_size = std::atoi(v->c_str());
                auto result = ctx.search->Search(q);
                if (!result) return Response::FromError(result.error());
                json hits = json::array();
                for (const auto& h : result->hits) {
                  auto r = ctx.resource_repo->Get(resources::ResourceId{h.id});
                  if (!r || !*r || (*r)->state != resources::ResourceState::kPublished) continue;
                  json j = PublicJson(ctx, **r, false);
                  j["title_html"] = h.title_html;
                  j["snippet_html"] = h.snippet_html;
                  hits.push_back(std::move(j));
                }
                return Response::Json(200, {{"total", result->total},
                                            {"page", std::max(1, q.page)},
                                            {"items", hits},
                                            {"facets", result->facets}});
              },
              1024, "中文全文检索（q、domain、type、category、province、unit、时长范围、sort、分页）"});

  router.Add({"GET", "/api/v1/portal/resources/{id}",
              [&ctx](Request& req) {
                auto r = PublishedResource(ctx, req);
                if (!r) return Response::FromError(r.error());
                bool set_cookie = false;
                std::string new_id;
                std::string visitor = VisitorOf(req, &set_cookie, &new_id);
                ctx.counters->Click(r->id.value, visitor,
                                    std::string(req.Header("user-agent").value_or("")));
                json j = PublicJson(ctx, *r, true);
                if (!r->meta.series.empty()) {
                  auto siblings = PublishedWhere(
                      ctx, "series_order = '', series_order, id", 200,
                      " AND org_id = ? AND series = ?", {r->org_id.value, r->meta.series});
                  json list = json::array();
                  if (siblings) {
                    for (const auto& s : *siblings) {
                      list.push_back({{"id", s.id.value},
                                      {"title", s.meta.title},
                                      {"series_order", s.meta.series_order},
                                      {"current", s.id == r->id}});
                    }
                  }
                  j["series_items"] = list;
                }
                Response resp = Response::Json(200, j);
                if (set_cookie) {
                  resp.SetHeader("Set-Cookie", std::string(kVisitorCookie) + "=" + new_id +
                                                   "; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly");
                }
                return resp;
              },
              1024, "资源详情（公开；计一次点击，同一访客 30 分钟内只计一次）"});

  router.Add({"POST", "/api/v1/portal/resources/{id}/progress",
              [&ctx](Request& req) {
                auto r = PublishedResource(ctx, req);
                if (!r) return Response::FromError(r.error());
                auto body = json::parse(req.body, nullptr, false);
                int seconds = 0;
                if (body.is_object() && body.contains("seconds") && body["seconds"].is_number()) {
                  seconds = static_cast<int>(body["seconds"].get<double>());
                }
                if (r->meta.type == resources::ResourceType::kCourse) seconds = 30;  // link-out
                bool set_cookie = false;
                std::string new_id;
                std::string visitor = VisitorOf(req, &set_cookie, &new_id);
                bool counted = ctx.counters->Played(
                    r->id.value, visitor, std::string(req.Header("user-agent").value_or("")),
                    seconds);
                return Response::Json(200, {{"learner_counted", counted}});
              },
              1024, "播放心跳（seconds）；累计 ≥30 秒计为一名学习者（每资源每访客一次）"});

  router.Add({"GET", "/api/v1/portal/catalog",
              [&ctx](Request& req) {
                auto all = PublishedWhere(ctx, "batch_id, id", 100000);
                if (!all) return Response::FromError(all.error());
                std::string format = req.Query("format").value_or("json");
                if (format == "json") return Response::Json(200, {{"items", List(ctx, *all)}});
                resources::SheetData sheet;
                sheet.header = resources::ExportHeader();
                for (const auto& r : *all) sheet.rows.push_back(resources::ExportRow(r));
                if (format == "csv") {
                  auto resp = Response::Text(200, WriteSafeCsv(sheet), "text/csv; charset=utf-8");
                  resp.SetHeader("Content-Disposition", "attachment; filename=\"catalog.csv\"");
                  return resp;
                }
                auto bytes = xlsx::WriteXlsx(
                    {{"国家终身教育数字化学习资源目录", sheet.header, sheet.rows, ExportColumnWidths()}});
                if (!bytes) return Response::FromError(bytes.error());
                auto resp = Response::Text(
                    200, std::move(*bytes),
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
                resp.SetHeader("Content-Disposition", "attachment; filename=\"catalog.xlsx\"");
                return resp;
              },
              1024, "国家终身教育数字化学习资源目录（format=json|xlsx|csv）"});
}

}  // namespace lep::app
