// HTTP adapter for the signed-in user's notifications (站内通知): list, mark one read, mark
// all read. Only the owner reaches a notification (anyone else: 404). Transport only.
#include "app/api_common.h"
#include "app/review_requests.h"
#include "app/routes.h"

namespace lep::app {
namespace {

using auth::Principal;
using http::Request;
using http::Response;
using review::NotificationService;

json NotificationJson(const review::Notification& n) {
  return {{"id", n.id},
          {"kind", n.kind},
          {"title", n.title},
          {"body", n.body},
          {"resource_id", n.resource_id ? json(*n.resource_id) : json(nullptr)},
          {"created_at", n.created_at},
          {"read_at", n.read_at ? json(*n.read_at) : json(nullptr)}};
}

Response ListNotifications(NotificationService& notifications, Request& req, const Principal& p) {
  auto q = ParseInboxQuery(req.query);
  if (!q) return Response::FromError(q.error());
  auto inbox = notifications.List(p.user_id.value, q->unread_only, q->limit, q->before_id);
  if (!inbox) return Response::FromError(inbox.error());
  json items = json::array();
  for (const auto& n : inbox->items) items.push_back(NotificationJson(n));
  return Response::Json(200, {{"items", items}, {"unread", inbox->unread}});
}

Response MarkRead(NotificationService& notifications, Request& req, const Principal& p) {
  auto id = req.IdParam("id");
  if (!id) return Response::FromError(Error::NotFound("通知不存在"));
  LEP_RETURN_RESPONSE_IF_ERROR(notifications.MarkRead(p.user_id.value, *id));
  return Response::NoContent();
}

Response MarkAllRead(NotificationService& notifications, Request&, const Principal& p) {
  LEP_RETURN_RESPONSE_IF_ERROR(notifications.MarkAllRead(p.user_id.value));
  return Response::NoContent();
}

}  // namespace

void AddNotificationRoutes(http::Router& router, const RouteGuard& authed,
                           NotificationService& notifications) {
  using Fn = Response (*)(NotificationService&, Request&, const Principal&);
  auto with = [&](Fn fn) {
    return authed([&notifications, fn](Request& req, const Principal& p) {
      return fn(notifications, req, p);
    });
  };
  router.Add({"GET", "/api/v1/me/notifications", with(ListNotifications), 1024,
              "我的通知（unread=1 只看未读，limit，before_id 翻页）"});
  router.Add(
      {"POST", "/api/v1/me/notifications/{id}/read", with(MarkRead), 1024, "标记一条通知为已读"});
  router.Add(
      {"POST", "/api/v1/me/notifications/read-all", with(MarkAllRead), 1024, "全部标记为已读"});
}

}  // namespace lep::app
