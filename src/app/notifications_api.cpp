// HTTP adapter for the signed-in user's notifications (站内通知): list, mark one read, mark
// all read. Only the owner reaches a notification (anyone else: 404).
#include <charconv>

#include "app/api_common.h"
#include "app/routes.h"

namespace lep::app {
namespace {

using auth::Principal;
using http::Request;
using http::Response;

// An optional positive integer query parameter; a field error when malformed.
std::optional<int64_t> PositiveQuery(const Request& req, const char* name, const char* label,
                                     std::vector<FieldError>& errors) {
  auto v = req.Query(name);
  if (!v || v->empty()) return std::nullopt;
  int64_t n = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || p != v->data() + v->size() || n < 1) {
    errors.push_back({name, label, std::string(label) + "应为正整数"});
    return std::nullopt;
  }
  return n;
}

}  // namespace

void AddNotificationRoutes(AppContext& ctx, http::Router& router) {
  router.Add(
      {"GET", "/api/v1/me/notifications",
       Authed(ctx,
              [&ctx](Request& req, const Principal& p) {
                std::vector<FieldError> errors;
                auto limit = PositiveQuery(req, "limit", "条数", errors);
                auto before = PositiveQuery(req, "before_id", "起始通知", errors);
                if (limit && *limit > 200) {
                  errors.push_back({"limit", "条数", "条数最多为 200"});
                }
                if (!errors.empty()) {
                  return Response::FromError(Error::InvalidArgument(errors[0].message, errors));
                }
                std::string unread = req.Query("unread").value_or("");
                bool unread_only = unread == "1" || unread == "true";
                auto inbox = ctx.notifications->List(p.user_id.value, unread_only,
                                                     static_cast<int>(limit.value_or(50)), before);
                if (!inbox) return Response::FromError(inbox.error());
                json items = json::array();
                for (const auto& n : inbox->items) {
                  items.push_back(
                      {{"id", n.id},
                       {"kind", n.kind},
                       {"title", n.title},
                       {"body", n.body},
                       {"resource_id", n.resource_id ? json(*n.resource_id) : json(nullptr)},
                       {"created_at", n.created_at},
                       {"read_at", n.read_at ? json(*n.read_at) : json(nullptr)}});
                }
                return Response::Json(200, {{"items", items}, {"unread", inbox->unread}});
              }),
       1024, "我的通知（unread=1 只看未读，limit，before_id 翻页）"});

  router.Add({"POST", "/api/v1/me/notifications/{id}/read",
              Authed(ctx,
                     [&ctx](Request& req, const Principal& p) {
                       auto id = req.IdParam("id");
                       if (!id) return Response::FromError(Error::NotFound("通知不存在"));
                       LEP_RETURN_RESPONSE_IF_ERROR(
                           ctx.notifications->MarkRead(p.user_id.value, *id));
                       return Response::NoContent();
                     }),
              1024, "标记一条通知为已读"});

  router.Add({"POST", "/api/v1/me/notifications/read-all",
              Authed(ctx,
                     [&ctx](Request&, const Principal& p) {
                       LEP_RETURN_RESPONSE_IF_ERROR(
                           ctx.notifications->MarkAllRead(p.user_id.value));
                       return Response::NoContent();
                     }),
              1024, "全部标记为已读"});
}

}  // namespace lep::app
