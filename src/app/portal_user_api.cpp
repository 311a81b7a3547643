// Learner-facing extras of the portal over HTTP: 使用评价 (ratings and comments, moderated by
// the owning unit's admin chain or the platform), favourites and learning history with the
// resume position. Transport only: parse, one call to portal::LearnerService, render.
#include "app/api_common.h"
#include "app/portal_requests.h"
#include "app/routes.h"
#include "portal/learner_service.h"

namespace lep::app {
namespace {

// What the handlers use; copied into each one.
struct Deps {
  RouteGuard authed;
  portal::LearnerService& learners;
};

using auth::Principal;
using http::Request;
using http::Response;

json RatingJson(const portal::Rating& r, bool moderation) {
  json j = {{"id", r.id},
            {"resource_id", r.resource_id},
            {"user", r.user_name},
            {"score", r.score},
            {"comment", r.comment},
            {"state", r.state},
            {"created_at", r.created_at}};
  if (moderation) {
    j["flagged_words"] = r.flagged_words;
    j["resource_title"] = r.resource_title;
  }
  return j;
}

json ItemsJson(const std::vector<portal::LearnerItem>& items, bool history) {
  json out = json::array();
  for (const auto& i : items) {
    json j = {{"resource_id", i.resource_id}, {"title", i.title}, {"at", i.at}};
    if (history) j["position_s"] = i.position_s;
    out.push_back(std::move(j));
  }
  return out;
}

std::optional<resources::ResourceId> ResourceParam(const Request& req) {
  auto id = req.IdParam("id");
  if (!id) return std::nullopt;
  return resources::ResourceId{*id};
}

Response PublicRatings(const Deps& d, Request& req) {
  auto id = ResourceParam(req);
  if (!id) return Response::FromError(Error::NotFound("资源不存在或未发布"));
  auto r = d.learners.Ratings(*id);
  if (!r) return Response::FromError(r.error());
  json items = json::array();
  for (const auto& g : r->items) items.push_back(RatingJson(g, false));
  return Response::Json(200, {{"count", r->summary.count},
                              {"average", std::round(r->summary.average * 10) / 10},
                              {"items", items}});
}

Response Rate(const Deps& d, Request& req, const Principal& p) {
  auto id = ResourceParam(req);
  if (!id) return Response::FromError(Error::NotFound("资源不存在或未发布"));
  auto body = ParseJsonObject(req);
  if (!body) return Response::FromError(body.error());
  auto in = ParseRatingInput(*body);
  if (!in) return Response::FromError(in.error());
  auto created = d.learners.Rate(p, *id, *in);
  if (!created) return Response::FromError(created.error());
  return Response::Json(
      201, {{"id", *created}, {"state", "pending"}, {"message", "评价已提交，审核通过后显示"}});
}

Response Pending(const Deps& d, Request&, const Principal& p) {
  auto pending = d.learners.Pending(p);
  if (!pending) return Response::FromError(pending.error());
  json items = json::array();
  for (const auto& g : *pending) items.push_back(RatingJson(g, true));
  return Response::Json(200, {{"items", items}});
}

Response Moderate(const Deps& d, Request& req, const Principal& p) {
  auto id = req.IdParam("id");
  if (!id) return Response::FromError(Error::NotFound("评价不存在"));
  auto body = ParseJsonObject(req);
  if (!body) return Response::FromError(body.error());
  auto approve = ParseModeration(*body);
  if (!approve) return Response::FromError(approve.error());
  LEP_RETURN_RESPONSE_IF_ERROR(d.learners.Moderate(p, *id, *approve));
  return Response::Json(200, {{"id", *id}, {"state", *approve ? "approved" : "rejected"}});
}

Response Favourites(const Deps& d, Request&, const Principal& p) {
  auto items = d.learners.Favourites(p);
  if (!items) return Response::FromError(items.error());
  return Response::Json(200, {{"items", ItemsJson(*items, false)}});
}

Response AddFavourite(const Deps& d, Request& req, const Principal& p) {
  auto id = ResourceParam(req);
  if (!id) return Response::FromError(Error::NotFound("资源不存在或未发布"));
  LEP_RETURN_RESPONSE_IF_ERROR(d.learners.AddFavourite(p, *id));
  return Response::NoContent();
}

Response RemoveFavourite(const Deps& d, Request& req, const Principal& p) {
  auto id = ResourceParam(req);
  if (!id) return Response::FromError(Error::NotFound("资源不存在"));
  LEP_RETURN_RESPONSE_IF_ERROR(d.learners.RemoveFavourite(p, *id));
  return Response::NoContent();
}

Response History(const Deps& d, Request&, const Principal& p) {
  auto items = d.learners.History(p);
  if (!items) return Response::FromError(items.error());
  return Response::Json(200, {{"items", ItemsJson(*items, true)}});
}

Response PutHistory(const Deps& d, Request& req, const Principal& p) {
  auto id = ResourceParam(req);
  if (!id) return Response::FromError(Error::NotFound("资源不存在或未发布"));
  auto body = ParseJsonObject(req);
  if (!body) return Response::FromError(body.error());
  auto pos = ParsePosition(*body);
  if (!pos) return Response::FromError(pos.error());
  LEP_RETURN_RESPONSE_IF_ERROR(d.learners.PutHistory(p, *id, *pos));
  return Response::NoContent();
}

}  // namespace

void AddPortalUserRoutes(http::Router& router, const RouteGuard& authed,
                         portal::LearnerService& learners) {
  const Deps d{authed, learners};
  router.Add({"GET", "/api/v1/portal/resources/{id}/ratings", Bind(d, PublicRatings), 1024,
              "已审核通过的使用评价与平均分（公开）"});
  router.Add({"POST", "/api/v1/portal/resources/{id}/ratings", BindAuthed(d, Rate), 16 * 1024,
              "提交使用评价（登录；待审核后公开）"});
  router.Add({"GET", "/api/v1/ratings/pending", BindAuthed(d, Pending), 1024,
              "待审核的使用评价（所属单位或平台管理员）"});
  router.Add({"POST", "/api/v1/ratings/{id}/moderate", BindAuthed(d, Moderate), 1024,
              "审核使用评价：{decision: approve|reject}"});
  router.Add({"GET", "/api/v1/me/favourites", BindAuthed(d, Favourites), 1024, "我的收藏"});
  router.Add({"PUT", "/api/v1/me/favourites/{id}", BindAuthed(d, AddFavourite), 1024, "收藏资源"});
  router.Add(
      {"DELETE", "/api/v1/me/favourites/{id}", BindAuthed(d, RemoveFavourite), 1024, "取消收藏"});
  router.Add(
      {"GET", "/api/v1/me/history", BindAuthed(d, History), 1024, "我的学习记录（含续播位置）"});
  router.Add({"PUT", "/api/v1/me/history/{id}", BindAuthed(d, PutHistory), 1024,
              "记录学习进度（position_s）"});
}

}  // namespace lep::app
