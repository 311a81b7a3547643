// HTTP adapter for sign-in, sign-out, registration and /me.
#include <cctype>
#include <utility>

#include "app/api_common.h"
#include "app/routes.h"

namespace lep::app {
namespace {

using Deps = AuthRouteDeps;

std::string SessionCookie(const Deps& d, const std::string& token, int max_age) {
  std::string c = std::string(kSessionCookie) + "=" + token +
                  "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age);
  if (d.secure_cookies) c += "; Secure";
  return c;
}

// Per-IP token bucket for sign-in and sign-up (100 at once, then one per second).
std::optional<http::Response> Throttle(const Deps& d, const http::Request& req) {
  auto taken = d.login_limiter.Take("ip:" + req.remote_ip);
  if (taken.allowed) return std::nullopt;
  return http::Response::FromError(Error::TooManyRequests(
      "请求过于频繁，请在 " + std::to_string(taken.retry_after_s) + " 秒后重试",
      taken.retry_after_s));
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// host and port of an authority ("Example.cn:8443", "[::1]:8080"); port "" when absent.
std::pair<std::string, std::string> SplitAuthority(std::string_view a) {
  if (!a.empty() && a.front() == '[') {
    size_t close = a.find(']');
    if (close == std::string_view::npos) return {Lower(a), ""};
    std::string_view rest = a.substr(close + 1);
    return {Lower(a.substr(0, close + 1)),
            rest.size() > 1 && rest.front() == ':' ? std::string(rest.substr(1)) : ""};
  }
  size_t colon = a.rfind(':');
  if (colon == std::string_view::npos) return {Lower(a), ""};
  return {Lower(a.substr(0, colon)), std::string(a.substr(colon + 1))};
}

// Does the browser's Origin name this server, as the Host header shows it? The port is
// compared only when Host carries one: a reverse proxy that passes `Host $host` (deploy/)
// drops it, and the browser's port is then the proxy's.
bool SameOrigin(std::string_view origin, std::string_view host) {
  size_t scheme_end = origin.find("://");
  if (scheme_end == std::string_view::npos) return false;  // "null" and other opaque origins
  std::string scheme = Lower(origin.substr(0, scheme_end));
  std::string_view authority = origin.substr(scheme_end + 3);
  if (authority.find('/') != std::string_view::npos) return false;
  auto [o_host, o_port] = SplitAuthority(authority);
  auto [h_host, h_port] = SplitAuthority(host);
  if (o_host.empty() || o_host != h_host) return false;
  if (h_port.empty()) return true;
  if (o_port.empty()) o_port = scheme == "https" ? "443" : "80";
  return o_port == h_port;
}

// Sign-in and sign-up are the unsafe routes without a session, so no CSRF token can protect
// them; a page elsewhere could sign the visitor in as the attacker (login CSRF) or open
// accounts from the visitor's address. They take only application/json, which a cross-site
// form or a no-cors fetch cannot send without a CORS preflight that lep never grants, and a
// browser's cross-site request is refused by its Sec-Fetch-Site or, from a browser too old to
// send that, by its Origin. Clients that send neither are not browsers (scripts, curl): they
// carry no visitor's cookies or address to abuse, and are let through.
std::optional<http::Response> RefuseCrossSite(const http::Request& req) {
  std::string type = Lower(req.Header("content-type").value_or(""));
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  if (type != "application/json") {
    return http::Response::FromError(Error{ErrorCode::kUnsupportedMedia,
                                           "请求内容类型（Content-Type）必须为 application/json",
                                           {},
                                           std::nullopt});
  }
  const Error cross_site{ErrorCode::kCsrfFailed,
                         "拒绝来自其他网站的登录或注册请求，请直接在本平台页面上操作",
                         {},
                         std::nullopt};
  if (auto site = req.Header("sec-fetch-site")) {
    std::string v = Lower(*site);
    if (v == "same-origin" || v == "none") return std::nullopt;
    return http::Response::FromError(cross_site);
  }
  if (auto origin = req.Header("origin")) {
    if (!SameOrigin(*origin, req.Header("host").value_or(""))) {
      return http::Response::FromError(cross_site);
    }
  }
  return std::nullopt;
}

}  // namespace

void AddAuthRoutes(http::Router& router, const AuthRouteDeps& d) {
  router.Add({"POST", "/api/v1/auth/login",
              [d](http::Request& req) {
                if (auto limited = Throttle(d, req)) return *limited;
                if (auto refused = RefuseCrossSite(req)) return *refused;
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
                auto r = d.auth.Login(login);
                if (!r) return http::Response::FromError(r.error());
                auto principal = d.auth.Authenticate(r->token);
                if (!principal) return http::Response::FromError(principal.error());
                auto resp = http::Response::Json(
                    200, {{"user", PrincipalJson(*principal)}, {"csrf_token", r->csrf_token}});
                resp.SetHeader("Set-Cookie",
                               SessionCookie(d, r->token, d.session_absolute_hours * 3600));
                resp.SetHeader("Cache-Control", "no-store");
                return resp;
              },
              16 * 1024,
              "登录（已启用双因素认证的账号须同时提交 totp_code 或 recovery_code），返回用户信息与 "
              "CSRF 令牌并设置会话 Cookie"});

  router.Add({"POST", "/api/v1/auth/logout",
              d.authed([d](http::Request&, const auth::Principal& p) {
                auto st = d.auth.Logout(p);
                if (!st) return http::Response::FromError(st.error());
                auto resp = http::Response::NoContent();
                resp.SetHeader("Set-Cookie", SessionCookie(d, "", 0));
                return resp;
              }),
              1024, "退出登录"});

  router.Add(
      {"POST", "/api/v1/auth/register",
       [d](http::Request& req) {
         if (auto limited = Throttle(d, req)) return *limited;
         if (auto refused = RefuseCrossSite(req)) return *refused;
         auto body = ParseJsonObject(req);
         if (!body) return http::Response::FromError(body.error());
         std::vector<FieldError> errors;
         auth::NewUser u;
         u.username = StringField(*body, "username", "用户名", errors);
         u.password = StringField(*body, "password", "密码", errors);
         u.display_name = StringField(*body, "display_name", "姓名", errors);
         std::string email = StringField(*body, "email", "电子邮箱", errors);
         if (auto consent = body->find("privacy_consent"); consent != body->end()) {
           if (!consent->is_boolean()) {
             errors.push_back({"privacy_consent", "隐私政策", "应为 true 或 false"});
           } else {
             u.privacy_consent = consent->get<bool>();
           }
         }
         if (!errors.empty()) {
           return http::Response::FromError(Error::InvalidArgument("请求格式错误", errors));
         }
         auto user = d.accounts.RegisterLearner(std::move(u), email);
         if (!user) return http::Response::FromError(user.error());
         return http::Response::Json(201, {{"user", UserJson(*user)}});
       },
       16 * 1024,
       "学习者自行注册（须 privacy_consent: true，同意隐私政策；email 可选，用于忘记密码）"});

  // 忘记密码 (learners): one answer whatever the account, so nobody learns which usernames or
  // addresses exist; sign-in's per-address limit, and one mail per account per interval.
  router.Add({"POST", "/api/v1/auth/password-reset",
              [d](http::Request& req) {
                if (auto limited = Throttle(d, req)) return *limited;
                if (auto refused = RefuseCrossSite(req)) return *refused;
                auto body = ParseJsonObject(req);
                if (!body) return http::Response::FromError(body.error());
                std::vector<FieldError> errors;
                std::string login = StringField(*body, "login", "用户名或电子邮箱", errors);
                if (!errors.empty()) {
                  return http::Response::FromError(Error::InvalidArgument("请求格式错误", errors));
                }
                if (text::Trim(login).empty()) {
                  return http::Response::FromError(Error::InvalidArgument(
                      "请填写用户名或电子邮箱",
                      {{"login", "用户名或电子邮箱", "请填写注册时的用户名或登记的电子邮箱"}}));
                }
                LEP_RETURN_RESPONSE_IF_ERROR(d.accounts.RequestPasswordReset(login, req.remote_ip));
                auto resp = http::Response::Json(
                    202, {{"message",
                           "如果该学习账号存在并登记了电子邮箱，重置密码的链接已发往该邮箱，请在 2 "
                           "小时内打开链接设置新密码。没有收到邮件时，请检查垃圾邮件，或 10 分钟后再试。"}});
                resp.SetHeader("Cache-Control", "no-store");
                return resp;
              },
              4096,
              "学习者忘记密码：按用户名或登记的电子邮箱发送一次性重置链接；无论账号是否存在都返回同"
              "样的 202"});

  // The activation page (a one-time link from an administrator): no session, so the same
  // rules as sign-in against cross-site requests and floods. The token travels in the body,
  // never in a URL the server logs (the page keeps it in the fragment).
  router.Add({"POST", "/api/v1/auth/activation/check",
              [d](http::Request& req) {
                if (auto limited = Throttle(d, req)) return *limited;
                if (auto refused = RefuseCrossSite(req)) return *refused;
                auto body = ParseJsonObject(req);
                if (!body) return http::Response::FromError(body.error());
                std::vector<FieldError> errors;
                std::string token = StringField(*body, "token", "激活码", errors);
                if (!errors.empty()) {
                  return http::Response::FromError(Error::InvalidArgument("请求格式错误", errors));
                }
                auto info = d.accounts.CheckToken(token);
                if (!info) return http::Response::FromError(info.error());
                auto resp = http::Response::Json(
                    200, {{"username", info->username},
                          {"display_name", info->display_name},
                          {"purpose", std::string(auth::TokenPurposeName(info->purpose))},
                          {"expires_at", info->expires_at}});
                resp.SetHeader("Cache-Control", "no-store");
                return resp;
              },
              4096, "查看一次性激活（重置）链接对应的账号；无效、已使用或已过期时 410"});

  router.Add({"POST", "/api/v1/auth/activate",
              [d](http::Request& req) {
                if (auto limited = Throttle(d, req)) return *limited;
                if (auto refused = RefuseCrossSite(req)) return *refused;
                auto body = ParseJsonObject(req);
                if (!body) return http::Response::FromError(body.error());
                std::vector<FieldError> errors;
                std::string token = StringField(*body, "token", "激活码", errors);
                std::string password = StringField(*body, "password", "密码", errors);
                if (!errors.empty()) {
                  return http::Response::FromError(Error::InvalidArgument("请求格式错误", errors));
                }
                auto user = d.accounts.Activate(token, password, req.remote_ip);
                if (!user) return http::Response::FromError(user.error());
                return http::Response::Json(200, {{"user", UserJson(*user)}});
              },
              4096, "通过一次性链接设置密码（链接只能使用一次），之后用新密码登录"});

  router.Add({"GET", "/api/v1/me", d.authed([](http::Request&, const auth::Principal& p) {
                auto resp = http::Response::Json(
                    200, {{"user", PrincipalJson(p)}, {"csrf_token", p.csrf_token}});
                resp.SetHeader("Cache-Control", "no-store");
                return resp;
              }),
              1024, "当前登录用户"});
}

}  // namespace lep::app
