// HTTP adapter for the account lifecycle (issue 17 §1): one's own password, and the
// administrators' resets, disabling and role changes. Transport only: AccountService decides.
#include "app/account_api.h"

#include "app/api_common.h"
#include "app/routes.h"

namespace lep::app {
namespace {

// What the handlers use; copied into each one.
struct Deps {
  RouteGuard authed;
  auth::AccountService& accounts;
};

using auth::Principal;
using http::Request;
using http::Response;

std::optional<auth::UserId> UserIdParam(const Request& req) {
  auto id = req.IdParam("id");
  if (!id) return std::nullopt;
  return auth::UserId{*id};
}

Response NoUser() { return Response::FromError(Error::NotFound("账号不存在")); }

// {"delivery": "link" | "temporary_password"}, link when absent.
Result<auth::Delivery> DeliveryField(const json& body) {
  std::vector<FieldError> errors;
  std::string d = StringField(body, "delivery", "交付方式", errors);
  auto parsed = auth::ParseDelivery(d);
  if (!errors.empty() || !parsed) {
    const std::string msg =
        "交付方式只能是 link（一次性激活链接）或 temporary_password（临时密码）";
    return Fail(Error::InvalidArgument(msg, {{"delivery", "交付方式", msg}}));
  }
  return *parsed;
}

}  // namespace

json CredentialJson(const auth::Credential& c) {
  const bool link = c.delivery == auth::Delivery::kLink;
  return {{"delivery", link ? "link" : "temporary_password"},
          {"activation_path",
           link && !c.token.empty() ? json("/activate#token=" + c.token) : json(nullptr)},
          {"expires_at", link ? json(c.expires_at) : json(nullptr)},
          {"temporary_password", link ? json(nullptr) : json(c.temporary_password)},
          {"mailed", c.mailed},
          {"mailed_to", c.mailed ? json(c.mailed_to) : json(nullptr)}};
}

void AddAccountRoutes(http::Router& router, const RouteGuard& authed,
                      auth::AccountService& accounts) {
  const Deps d{authed, accounts};
  router.Add({"POST", "/api/v1/me/password", d.authed([d](Request& req, const Principal& p) {
                auto body = ParseJsonObject(req);
                if (!body) return Response::FromError(body.error());
                std::vector<FieldError> errors;
                auth::PasswordChange c;
                c.current_password = StringField(*body, "current_password", "当前密码", errors);
                c.new_password = StringField(*body, "new_password", "新密码", errors);
                c.totp_code = StringField(*body, "totp_code", "动态验证码", errors);
                if (!errors.empty()) {
                  return Response::FromError(Error::InvalidArgument("请求格式错误", errors));
                }
                LEP_RETURN_RESPONSE_IF_ERROR(d.accounts.ChangeOwnPassword(p, c));
                return Response::NoContent();
              }),
              4096,
              "修改本人密码（当前密码，已启用双因素认证时另需动态验证码）；结束本人其他会话，"
              "保留当前会话"});

  router.Add({"GET", "/api/v1/me/email", d.authed([d](Request&, const Principal& p) {
                auto email = d.accounts.OwnEmail(p);
                if (!email) return Response::FromError(email.error());
                auto resp = Response::Json(200, {{"email", *email}});
                resp.SetHeader("Cache-Control", "no-store");
                return resp;
              }),
              1024, "学习者本人登记的电子邮箱（用于忘记密码；未登记为空字符串）"});

  router.Add({"PUT", "/api/v1/me/email", d.authed([d](Request& req, const Principal& p) {
                auto body = ParseJsonObject(req);
                if (!body) return Response::FromError(body.error());
                std::vector<FieldError> errors;
                std::string email = StringField(*body, "email", "电子邮箱", errors);
                if (!errors.empty()) {
                  return Response::FromError(Error::InvalidArgument("请求格式错误", errors));
                }
                auto saved = d.accounts.SetOwnEmail(p, email);
                if (!saved) return Response::FromError(saved.error());
                return Response::Json(200, {{"email", *saved}});
              }),
              4096, "学习者登记或修改本人的电子邮箱（空字符串为清除）；写入审计日志"});

  router.Add({"POST", "/api/v1/users/{id}/password-reset",
              d.authed([d](Request& req, const Principal& p) {
                auto id = UserIdParam(req);
                if (!id) return NoUser();
                // The body is optional: {} (a link) when empty.
                auto body = req.body.empty() ? Result<json>(json::object()) : ParseJsonObject(req);
                if (!body) return Response::FromError(body.error());
                auto delivery = DeliveryField(*body);
                if (!delivery) return Response::FromError(delivery.error());
                auto cred = d.accounts.ResetPassword(p, *id, *delivery);
                if (!cred) return Response::FromError(cred.error());
                auto resp = Response::Json(200, {{"credential", CredentialJson(*cred)}});
                resp.SetHeader("Cache-Control", "no-store");
                return resp;
              }),
              1024,
              "重置账号密码（单位管理员：本单位及直属下级单位；安全管理员：所有账号）：返回一次性"
              "激活链接或临时密码（只显示一次），已配置邮件时链接发往单位负责人"});

  auto toggle = [d](bool disabled) {
    return d.authed([d, disabled](Request& req, const Principal& p) {
      auto id = UserIdParam(req);
      if (!id) return NoUser();
      auto user = d.accounts.SetDisabled(p, *id, disabled);
      if (!user) return Response::FromError(user.error());
      return Response::Json(200, {{"user", UserJson(*user)}});
    });
  };
  router.Add({"POST", "/api/v1/users/{id}/disable", toggle(true), 1024,
              "停用账号（不能登录，现有会话立即结束）"});
  router.Add({"POST", "/api/v1/users/{id}/enable", toggle(false), 1024, "启用账号"});

  router.Add({"PUT", "/api/v1/users/{id}/role", d.authed([d](Request& req, const Principal& p) {
                auto id = UserIdParam(req);
                if (!id) return NoUser();
                auto body = ParseJsonObject(req);
                if (!body) return Response::FromError(body.error());
                std::vector<FieldError> errors;
                std::string role = StringField(*body, "role", "角色", errors);
                auto parsed = auth::ParseRole(role);
                if (errors.empty() && !parsed)
                  errors.push_back({"role", "角色", "角色无效：" + role});
                if (!errors.empty()) {
                  return Response::FromError(Error::InvalidArgument("角色无效", errors));
                }
                auto user = d.accounts.ChangeRole(p, *id, *parsed);
                if (!user) return Response::FromError(user.error());
                return Response::Json(200, {{"user", UserJson(*user)}});
              }),
              1024, "调整账号角色（按开设账号的规则；平台管理员、安全管理员、审计员不在此调整）"});
}

}  // namespace lep::app
