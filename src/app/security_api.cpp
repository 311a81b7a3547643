// HTTP adapter for the security controls of 等保三级: two-factor enrolment (every privileged
// user), the security administrator's policy and account actions, and the auditor's
// read-only view of the hash-chained audit log. 三权分立: each route checks the one role it
// belongs to.
#include <filesystem>

#include "app/api_common.h"
#include "app/routes.h"
#include "app/security_parsers.h"
#include "security/qr_svg.h"

namespace lep::app {
namespace {

// What the handlers use; copied into each one.
struct Deps {
  RouteGuard authed;
  auth::AuthService& auth;
  auth::SecurityAdminService& security_admin;
};

using auth::Principal;
using http::Request;
using http::Response;

json PolicyJson(const security::SecurityPolicy& p) {
  return {{"password_min_length", p.password_min_length},
          {"lockout_threshold", p.lockout_threshold},
          {"lockout_window_minutes", p.lockout_window_minutes},
          {"lockout_minutes", p.lockout_minutes},
          {"session_idle_minutes", p.session_idle_minutes},
          {"totp_grace_days", p.totp_grace_days}};
}

std::string CodeField(const json& body, std::vector<FieldError>& errors) {
  std::string code = StringField(body, "code", "验证码", errors);
  if (code.empty() && errors.empty()) errors.push_back({"code", "验证码", "请输入 6 位验证码"});
  return code;
}

std::optional<auth::UserId> UserIdParam(const Request& req) {
  auto id = req.IdParam("id");
  if (!id) return std::nullopt;
  return auth::UserId{*id};
}

json AuditPageJson(const security::AuditPage& page) {
  json items = json::array();
  auto opt = [](const std::optional<int64_t>& v) { return v ? json(*v) : json(nullptr); };
  for (const auto& e : page.items) {
    items.push_back({{"id", e.id},
                     {"at", e.at},
                     {"actor_id", opt(e.actor_id)},
                     {"actor_name", e.actor_name},
                     {"org_id", opt(e.org_id)},
                     {"ip", e.ip},
                     {"action", e.action},
                     {"object", e.object},
                     {"result", e.result},
                     {"detail", e.detail},
                     {"hash", e.hash}});
  }
  return {{"items", items}, {"next_before_id", opt(page.next_before_id)}};
}

json VerifyJson(const security::VerifyReport& rep) {
  std::string message = rep.ok ? "审计日志完整：校验 " + std::to_string(rep.rows_checked) + " 条记录"
                               : "审计日志被篡改：第一条异常记录 ID " +
                                     std::to_string(rep.broken_id.value_or(0)) + "，" + rep.reason;
  return {{"ok", rep.ok},
          {"checked", rep.rows_checked},
          {"first_broken_id", rep.broken_id ? json(*rep.broken_id) : json(nullptr)},
          {"message", message}};
}

}  // namespace

void AddSecurityRoutes(http::Router& router, const RouteGuard& authed, auth::AuthService& auth,
                       auth::SecurityAdminService& security_admin) {
  const Deps d{authed, auth, security_admin};
  // --- two-factor enrolment (self-service; allowed while enrolment is required) ---
  router.Add({"POST", "/api/v1/me/totp/setup", d.authed([d](Request&, const Principal& p) {
                auto setup = d.auth.BeginTotpSetup(p);
                if (!setup) return Response::FromError(setup.error());
                auto svg = security::QrSvg(setup->otpauth_uri);
                if (!svg) return Response::FromError(svg.error());
                auto resp = Response::Json(200, {{"secret", setup->secret_b32},
                                                 {"otpauth_uri", setup->otpauth_uri},
                                                 {"qr_svg", *svg}});
                resp.SetHeader("Cache-Control", "no-store");
                return resp;
              }),
              1024, "开始绑定双因素认证：返回密钥与二维码（确认前不生效）"});

  // Both take {"code"} and answer fresh recovery codes (shown once, never cached).
  using CodesFn = Result<std::vector<std::string>> (auth::AuthService::*)(const Principal&,
                                                                          const std::string&);
  auto codes_route = [d](CodesFn fn) {
    return d.authed([d, fn](Request& req, const Principal& p) {
      auto body = ParseJsonObject(req);
      if (!body) return Response::FromError(body.error());
      std::vector<FieldError> errors;
      std::string code = CodeField(*body, errors);
      if (!errors.empty())
        return Response::FromError(Error::InvalidArgument("请输入验证码", errors));
      auto codes = ((d.auth).*fn)(p, code);
      if (!codes) return Response::FromError(codes.error());
      auto resp = Response::Json(200, {{"recovery_codes", *codes}});
      resp.SetHeader("Cache-Control", "no-store");
      return resp;
    });
  };
  router.Add({"POST", "/api/v1/me/totp/confirm", codes_route(&auth::AuthService::ConfirmTotp),
              1024, "输入第一个验证码完成绑定，返回 10 个一次性恢复码（只显示一次）"});
  router.Add({"POST", "/api/v1/me/totp/recovery-codes",
              codes_route(&auth::AuthService::RegenerateRecoveryCodes), 1024,
              "重新生成恢复码（旧恢复码全部作废）"});

  // --- security administrator ---
  router.Add({"GET", "/api/v1/security/policy", d.authed([d](Request&, const Principal& p) {
                auto policy = d.security_admin.Policy(p);
                if (!policy) return Response::FromError(policy.error());
                return Response::Json(200, PolicyJson(*policy));
              }),
              1024, "安全策略（密码、锁定、会话、双因素宽限期）"});

  router.Add({"PUT", "/api/v1/security/policy", d.authed([d](Request& req, const Principal& p) {
                auto body = ParseJsonObject(req);
                if (!body) return Response::FromError(body.error());
                auto patch = PolicyPatchFromJson(*body);
                if (!patch) return Response::FromError(patch.error());
                auto next = d.security_admin.UpdatePolicy(p, *patch);
                if (!next) return Response::FromError(next.error());
                return Response::Json(200, PolicyJson(*next));
              }),
              4096, "修改安全策略（仅安全管理员；写入审计日志）"});

  router.Add({"POST", "/api/v1/users/{id}/totp/reset",
              d.authed([d](Request& req, const Principal& p) {
                auto id = UserIdParam(req);
                if (!id) return Response::FromError(Error::NotFound("账号不存在"));
                LEP_RETURN_RESPONSE_IF_ERROR(d.auth.ResetTotp(p, *id));
                return Response::NoContent();
              }),
              1024, "重置账号的双因素认证（仅安全管理员）"});

  router.Add({"POST", "/api/v1/users/{id}/unlock", d.authed([d](Request& req, const Principal& p) {
                auto id = UserIdParam(req);
                if (!id) return Response::FromError(Error::NotFound("账号不存在"));
                LEP_RETURN_RESPONSE_IF_ERROR(d.auth.Unlock(p, *id));
                return Response::NoContent();
              }),
              1024, "解除账号锁定（仅安全管理员）"});

  // --- auditor (read-only) ---
  router.Add({"GET", "/api/v1/audit", d.authed([d](Request& req, const Principal& p) {
                auto page = d.security_admin.AuditLog(p, AuditQueryFrom(req));
                if (!page) return Response::FromError(page.error());
                auto resp = Response::Json(200, AuditPageJson(*page));
                resp.SetHeader("Cache-Control", "no-store");
                return resp;
              }),
              1024, "审计日志（仅审计员；倒序分页，可按动作、账号、时间筛选）"});

  router.Add({"GET", "/api/v1/audit/verify", d.authed([d](Request&, const Principal& p) {
                auto rep = d.security_admin.VerifyAudit(p);
                if (!rep) return Response::FromError(rep.error());
                return Response::Json(200, VerifyJson(*rep));
              }),
              1024, "校验审计日志哈希链（仅审计员）"});
}

}  // namespace lep::app
