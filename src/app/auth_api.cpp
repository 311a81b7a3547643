// HTTP adapter for sign-in, sign-out, registration and /me.
#include "app/api_common.h"
#include "app/routes.h"

namespace lep::app {
namespace {

std::string SessionCookie(const AppContext& ctx, const std::string& token, int max_age) {
  std::string c = std::string(kSessionCookie) + "=" + token +
                  "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age);
  if (ctx.config.secure_cookies) c += "; Secure";
  return c;
}

// Per-IP token bucket for sign-in and sign-up (100 at once, then one per second).
std::optional<http::Response> Throttle(AppContext& ctx, const http::Request& req) {
  auto d = ctx.login_limiter->Take("ip:" + req.remote_ip);
  if (d.allowed) return std::nullopt;
  return http::Response::FromError(Error::TooManyRequests(
      "请求过于频繁，请在 " + std::to_string(d.retry_after_s) + " 秒后重试", d.retry_after_s));
}

}  // namespace

void AddAuthRoutes(AppContext& ctx, http::Router& router) {
  router.Add({"POST", "/api/v1/auth/login",
              [&ctx](http::Request& req) {
                if (auto limited = Throttle(ctx, req)) return *limited;
                auto body = ParseJsonObject(req);
                if (!body) return http::Response::FromError(body.error());
                std::vector<FieldError> errors;
                auth::LoginRequest login;
                login.username = StringField(*body, "username", "用户名", errors);
                login.password = StringField(*body, "password", "密码", errors);
                login.totp_code = StringField(*body, "totp_code", "动态验证码", errors);
                login.recovery_code = StringField(*body, "recovery_code", "恢复码", errors);
                if (!errors.empty()) {
                  return http::Response::FromError(Error::InvalidArgument("请求格式错误", errors));
                }
                login.ip = req.remote_ip;
                login.user_agent = std::string(req.Header("user-agent").value_or(""));
                auto r = ctx.auth->Login(login);
                if (!r) return http::Response::FromError(r.error());
                auto principal = ctx.auth->Authenticate(r->token);
                if (!principal) return http::Response::FromError(principal.error());
                auto resp = http::Response::Json(
                    200, {{"user", PrincipalJson(*principal)}, {"csrf_token", r->csrf_token}});
                resp.SetHeader("Set-Cookie",
                               SessionCookie(ctx, r->token, ctx.config.session_absolute_hours * 3600));
                resp.SetHeader("Cache-Control", "no-store");
                return resp;
              },
              16 * 1024,
              "登录（已启用双因素认证的账号须同时提交 totp_code 或 recovery_code），返回用户信息与 "
              "CSRF 令牌并设置会话 Cookie"});

  router.Add({"POST", "/api/v1/auth/logout",
              Authed(ctx,
                     [&ctx](http::Request&, const auth::Principal& p) {
                       auto st = ctx.auth->Logout(p);
                       if (!st) return http::Response::FromError(st.error());
                       auto resp = http::Response::NoContent();
                       resp.SetHeader("Set-Cookie", SessionCookie(ctx, "", 0));
                       return resp;
                     }),
              1024, "退出登录"});

  router.Add({"POST", "/api/v1/auth/register",
              [&ctx](http::Request& req) {
                if (auto limited = Throttle(ctx, req)) return *limited;
                auto body = ParseJsonObject(req);
                if (!body) return http::Response::FromError(body.error());
                std::vector<FieldError> errors;
                auth::NewUser u;
                u.username = StringField(*body, "username", "用户名", errors);
                u.password = StringField(*body, "password", "密码", errors);
                u.display_name = StringField(*body, "display_name", "姓名", errors);
                if (!errors.empty()) {
                  return http::Response::FromError(Error::InvalidArgument("请求格式错误", errors));
                }
                auto user = ctx.auth->RegisterLearner(std::move(u));
                if (!user) return http::Response::FromError(user.error());
                return http::Response::Json(201, {{"user", UserJson(*user)}});
              },
              16 * 1024, "学习者自行注册"});

  router.Add({"GET", "/api/v1/me",
              Authed(ctx,
                     [](http::Request&, const auth::Principal& p) {
                       auto resp = http::Response::Json(
                           200, {{"user", PrincipalJson(p)}, {"csrf_token", p.csrf_token}});
                       resp.SetHeader("Cache-Control", "no-store");
                       return resp;
                     }),
              1024, "当前登录用户"});
}

}  // namespace lep::app
