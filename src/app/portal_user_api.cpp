// Learner-facing extras of the portal: 使用评价 (ratings and comments, moderated by the owning
// unit or the platform, comments screened for sensitive words), favourites, learning history
// with resume position; and usage statistics for administrators.
#include "app/api_common.h"
#include "app/portal.h"
#include "app/routes.h"
#include "auth/authorizer.h"
#include "core/date.h"

namespace lep::app {
namespace {

using auth::Principal;
using http::Request;
using http::Response;

// Moderators of a resource's ratings: platform admins, and unit admins whose subtree holds it.
bool CanModerate(AppContext& ctx, const Principal& p, int64_t resource_id) {
  if (p.role == auth::Role::kPlatformAdmin) return true;
  if (p.role != auth::Role::kUnitAdmin) return false;
  auto r = ctx.resource_repo->Get(resources::ResourceId{resource_id});
  if (!r || !*r) return false;
  auto org = ctx.org_repo->Get((*r)->org_id);
  return org && *org && auth::Authorizer::CanSeeOrg(p, **org);
}

json RatingRow(const storage::Row& r) {
  return {{"id", r.Int(0)},          {"resource_id", r.Int(1)}, {"user", r.Text(2)},
          {"score", r.Int(3)},       {"comment", r.Text(4)},    {"state", r.Text(5)},
          {"flagged_words", r.Text(6)}, {"created_at", r.Int(7)}};
}

constexpr const char* kRatingCols =
    "g.id, g.resource_id, u.display_name, g.score, g.comment, g.state, g.flagged_words, "
    "g.created_at FROM ratings g JOIN users u ON u.id = g.user_id";

}  // namespace

void AddPortalUserRoutes(AppContext& ctx, http::Router& router) {
  router.Add({"GET", "/api/v1/portal/resources/{id}/ratings",
              [&ctx](Request& req) {
                auto r = PublishedResource(ctx, req);
                if (!r) return Response::FromError(r.error());
                auto avg = ctx.db->QueryOne("SELECT COUNT(*), COALESCE(AVG(score), 0) FROM ratings "
                                            "WHERE resource_id = ? AND state = 'approved'",
                                            {r->id.value});
                auto rows = ctx.db->Exec(std::string("SELECT ") + kRatingCols +
                                             " WHERE g.resource_id = ? AND g.state = 'approved' "
                                             "ORDER BY g.id DESC LIMIT 100",
                                         {r->id.value});
                if (!avg || !rows) return Response::FromError(Error::Internal());
                json items = json::array();
                for (const auto& row : rows->rows) {
                  json j = RatingRow(row);
                  j.erase("flagged_words");
                  items.push_back(std::move(j));
                }
                double average = (*avg)->Real(1);
                return Response::Json(200, {{"count", (*avg)->Int(0)},
                                            {"average", std::round(average * 10) / 10},
                                            {"items", items}});
              },
              1024, "已审核通过的使用评价与平均分（公开）"});

  router.Add({"POST", "/api/v1/portal/resources/{id}/ratings",
              Authed(ctx, [&ctx](Request& req, const Principal& p) {
                auto r = PublishedResource(ctx, req);
                if (!r) return Response::FromError(r.error());
                auto body = ParseJsonObject(req);
                if (!body) return Response::FromError(body.error());
                std::vector<FieldError> errors;
                int64_t score = body->contains("score") && (*body)["score"].is_number_integer()
                                    ? (*body)["score"].get<int64_t>()
                                    : 0;
                if (score < 1 || score > 5) errors.push_back({"score", "评分", "评分应为 1–5 的整数"});
                std::string comment = text::Trim(StringField(*body, "comment", "评价内容", errors));
                if (!text::IsValidUtf8(comment) || text::CodePointCount(comment) > 500) {
                  errors.push_back({"comment", "评价内容", "评价内容不能超过 500 个字"});
                }
                if (!errors.empty()) {
                  return Response::FromError(Error::InvalidArgument(errors[0].message, errors));
                }
                std::string flagged;
                {
                  std::lock_guard lock(ctx.screen_mu);
                  if (ctx.screen) {
                    for (const auto& h : ctx.screen->ScreenText("comment", comment)) {
                      if (!flagged.empty()) flagged += ";";
                      flagged += h.word;
                    }
                  }
                }
                auto ins = ctx.db->QueryOne(
                    "INSERT INTO ratings (resource_id, user_id, score, comment, flagged_words, "
                    "created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                    {r->id.value, p.user_id.value, score, comment, flagged, ctx.clock->NowMs()});
                if (!ins) {
                  if (ins.error().Is(ErrorCode::kAlreadyExists)) {
                    return Response::FromError(Error::AlreadyExists("您已评价过该资源"));
                  }
                  return Response::FromError(ins.error());
                }
                return Response::Json(201, {{"id", (*ins)->Int(0)},
                                            {"state", "pending"},
                                            {"message", "评价已提交，审核通过后显示"}});
              }), 16 * 1024, "提交使用评价（登录；待审核后公开）"});

  router.Add({"GET", "/api/v1/ratings/pending", Authed(ctx, [&ctx](Request&, const Principal& p) {
                auto rows = ctx.db->Exec(std::string("SELECT ") + kRatingCols +
                                         " WHERE g.state = 'pending' ORDER BY g.id LIMIT 500");
                if (!rows) return Response::FromError(rows.error());
                json items = json::array();
                for (const auto& row : rows->rows) {
                  if (CanModerate(ctx, p, row.Int(1))) items.push_back(RatingRow(row));
                }
                if (p.role != auth::Role::kPlatformAdmin && p.role != auth::Role::kUnitAdmin) {
                  return Response::FromError(Error::PermissionDenied("只有单位管理员可以审核评价"));
                }
                return Response::Json(200, {{"items", items}});
              }), 1024, "待审核的使用评价（所属单位或平台管理员）"});

  router.Add({"POST", "/api/v1/ratings/{id}/moderate",
              Authed(ctx, [&ctx](Request& req, const Principal& p) {
                auto id = req.IdParam("id");
                if (!id) return Response::FromError(Error::NotFound("评价不存在"));
                auto row = ctx.db->QueryOne("SELECT resource_id FROM ratings WHERE id = ?", {*id});
                if (!row || !*row) return Response::FromError(Error::NotFound("评价不存在"));
                if (!CanModerate(ctx, p, (*row)->Int(0))) {
                  return Response::FromError(Error::NotFound("评价不存在"));
                }
                auto body = ParseJsonObject(req);
                if (!body) return Response::FromError(body.error());
                std::string decision = body->value("decision", "");
                if (decision != "approve" && decision != "reject") {
                  return Response::FromError(Error::InvalidArgument(
                      "审核结果应为 approve 或 reject",
                      {{"decision", "审核结果", "应为 approve（通过）或 reject（不通过）"}}));
                }
                auto res = ctx.db->Exec("UPDATE ratings SET state = ?, moderated_by = ?, "
                                        "moderated_at = ? WHERE id = ?",
                                        {std::string(decision == "approve" ? "approved" : "rejected"),
                                         p.user_id.value, ctx.clock->NowMs(), *id});
                if (!res) return Response::FromError(res.error());
                return Response::Json(200, {{"id", *id},
                                            {"state", decision == "approve" ? "approved" : "rejected"}});
              }), 1024, "审核使用评价：{decision: approve|reject}"});

  router.Add({"GET", "/api/v1/me/favourites", Authed(ctx, [&ctx](Request&, const Principal& p) {
                auto rows = ctx.db->Exec("SELECT f.resource_id, r.title, f.created_at FROM "
                                         "favourites f JOIN resources r ON r.id = f.resource_id "
                                         "WHERE f.user_id = ? AND r.state = 'published' ORDER BY "
                                         "f.created_at DESC",
                                         {p.user_id.value});
                if (!rows) return Response::FromError(rows.error());
                json items = json::array();
                for (const auto& r : rows->rows) {
                  items.push_back({{"resource_id", r.Int(0)}, {"title", r.Text(1)}, {"at", r.Int(2)}});
                }
                return Response::Json(200, {{"items", items}});
              }), 1024, "我的收藏"});

  router.Add({"PUT", "/api/v1/me/favourites/{id}", Authed(ctx, [&ctx](Request& req, const Principal& p) {
                auto r = PublishedResource(ctx, req);
                if (!r) return Response::FromError(r.error());
                auto res = ctx.db->Exec("INSERT INTO favourites (user_id, resource_id, created_at) "
                                        "VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                                        {p.user_id.value, r->id.value, ctx.clock->NowMs()});
                if (!res) return Response::FromError(res.error());
                return Response::NoContent();
              }), 1024, "收藏资源"});

  router.Add({"DELETE", "/api/v1/me/favourites/{id}",
              Authed(ctx, [&ctx](Request& req, const Principal& p) {
                auto id = req.IdParam("id");
                if (!id) return Response::FromError(Error::NotFound("资源不存在"));
                auto res = ctx.db->Exec("DELETE FROM favourites WHERE user_id = ? AND resource_id = ?",
                                        {p.user_id.value, *id});
                if (!res) return Response::FromError(res.error());
                return Response::NoContent();
              }), 1024, "取消收藏"});

  router.Add({"GET", "/api/v1/me/history", Authed(ctx, [&ctx](Request&, const Principal& p) {
                auto rows = ctx.db->Exec("SELECT h.resource_id, r.title, h.position_s, h.updated_at "
                                         "FROM learning_history h JOIN resources r ON r.id = "
                                         "h.resource_id WHERE h.user_id = ? AND r.state = "
                                         "'published' ORDER BY h.updated_at DESC LIMIT 200",
                                         {p.user_id.value});
                if (!rows) return Response::FromError(rows.error());
                json items = json::array();
                for (const auto& r : rows->rows) {
                  items.push_back({{"resource_id", r.Int(0)}, {"title", r.Text(1)},
                                   {"position_s", r.Int(2)}, {"at", r.Int(3)}});
                }
                return Response::Json(200, {{"items", items}});
              }), 1024, "我的学习记录（含续播位置）"});

  router.Add({"PUT", "/api/v1/me/history/{id}", Authed(ctx, [&ctx](Request& req, const Principal& p) {
                auto r = PublishedResource(ctx, req);
                if (!r) return Response::FromError(r.error());
                auto body = ParseJsonObject(req);
                if (!body) return Response::FromError(body.error());
                int64_t pos = body->contains("position_s") && (*body)["position_s"].is_number()
                                  ? static_cast<int64_t>((*body)["position_s"].get<double>())
                                  : -1;
                if (pos < 0 || pos > 100 * 3600) {
                  return Response::FromError(Error::InvalidArgument(
                      "播放位置无效", {{"position_s", "播放位置", "应为不小于 0 的秒数"}}));
                }
                auto res = ctx.db->Exec(
                    "INSERT INTO learning_history (user_id, resource_id, position_s, updated_at) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (user_id, resource_id) DO UPDATE SET "
                    "position_s = excluded.position_s, updated_at = excluded.updated_at",
                    {p.user_id.value, r->id.value, pos, ctx.clock->NowMs()});
                if (!res) return Response::FromError(res.error());
                return Response::NoContent();
              }), 1024, "记录学习进度（position_s）"});

  router.Add({"GET", "/api/v1/stats/usage", Authed(ctx, [&ctx](Request& req, const Principal& p) {
                std::string prefix;
                if (auth::Authorizer::CanSeeAll(p)) {
                  prefix = "/";
                } else if (p.role == auth::Role::kUnitAdmin && p.org) {
                  prefix = p.org->path;
                } else {
                  return Response::FromError(Error::PermissionDenied("只有管理员可以查看统计"));
                }
                std::string group = req.Query("group").value_or("domain");
                std::string key = group == "resource"   ? "r.title"
                                  : group == "unit"     ? "o.name"
                                  : group == "province" ? "o.region"
                                                        : "r.domain";
                auto day_of = [](const std::optional<std::string>& s, int64_t fallback) {
                  if (!s) return fallback;
                  auto d = ParseIsoDate(*s);
                  return d ? (ShanghaiMidnightMs(*d) + 8 * 3600 * 1000) / 86400000 : fallback;
                };
                int64_t from = day_of(req.Query("from"), 0);
                int64_t to = day_of(req.Query("to"), int64_t{1} << 40);
                auto rows = ctx.db->Exec(
                    "SELECT " + key + ", u.day, SUM(u.clicks), SUM(u.learners) FROM usage_daily u "
                    "JOIN resources r ON r.id = u.resource_id JOIN orgs o ON o.id = r.org_id "
                    "WHERE substr(o.path, 1, length(?)) = ? AND u.day >= ? AND u.day <= ? "
                    "GROUP BY " + key + ", u.day ORDER BY u.day, " + key,
                    {prefix, prefix, from, to});
                if (!rows) return Response::FromError(rows.error());
                json items = json::array();
                for (const auto& r : rows->rows) {
                  items.push_back({{"key", r.Text(0)},
                                   {"date", DateFromUnixMs(r.Int(1) * 86400000, 0).ToString()},
                                   {"clicks", r.Int(2)},
                                   {"learners", r.Int(3)}});
                }
                return Response::Json(200, {{"group", group}, {"items", items}});
              }), 1024, "使用统计：按日 × (resource|unit|province|domain) 的点击量与学习人数"});
}

}  // namespace lep::app
