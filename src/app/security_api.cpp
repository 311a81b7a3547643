// HTTP adapter for the security controls of 等保三级: two-factor enrolment (every privileged
// user), the security administrator's policy and account actions, and the auditor's
// read-only view of the hash-chained audit log. 三权分立: each route checks the one role it
// belongs to.
#include <filesystem>

#include "app/api_common.h"
#include "app/routes.h"
#include "security/qr_svg.h"

namespace lep::app {
namespace {

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

Result<security::SecurityPolicy> PolicyFromJson(const json& body,
                                                security::SecurityPolicy base) {
  std::vector<FieldError> errors;
  auto field = [&](const char* name, const char* label, int& out) {
    auto it = body.find(name);
    if (it == body.end()) return;
    if (!it->is_number_integer()) {
      errors.push_back({name, label, std::string(label) + "应为整数"});
      return;
    }
    out = it->get<int>();
  };
  field("password_min_length", "密码最小长度", base.password_min_length);
  field("lockout_threshold", "锁定前允许的失败次数", base.lockout_threshold);
  field("lockout_window_minutes", "失败计数时间窗（分钟）", base.lockout_window_minutes);
  field("lockout_minutes", "锁定时长（分钟）", base.lockout_minutes);
  field("session_idle_minutes", "会话空闲超时（分钟）", base.session_idle_minutes);
  field("totp_grace_days", "双因素认证宽限期（天）", base.totp_grace_days);
  if (!errors.empty()) return Fail(Error::InvalidArgument("安全策略格式错误", errors));
  return base;
}

Status RequireRole(const Principal& p, auth::Role role, const char* who) {
  if (p.role == role) return Ok();
  return Fail(Error::PermissionDenied(std::string("只有") + who + "可以执行此操作（三权分立）"));
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

}  // namespace

void AddSecurityRoutes(AppContext& ctx, http::Router& router) {
  // --- two-factor enrolment (self-service; allowed while enrolment is required) ---
  router.Add({"POST", "/api/v1/me/totp/setup",
              Authed(ctx, [&ctx](Request&, const Principal& p) {
                auto setup = ctx.auth->BeginTotpSetup(p);
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
  auto codes_route = [&ctx](CodesFn fn) {
    return Authed(ctx, [&ctx, fn](Request& req, const Principal& p) {
      auto body = ParseJsonObject(req);
      if (!body) return Response::FromError(body.error());
      std::vector<FieldError> errors;
      std::string code = CodeField(*body, errors);
      if (!errors.empty()) return Response::FromError(Error::InvalidArgument("请输入验证码", errors));
      auto codes = ((*ctx.auth).*fn)(p, code);
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
  router.Add({"GET", "/api/v1/security/policy",
              Authed(ctx, [&ctx](Request&, const Principal& p) {
                LEP_RETURN_RESPONSE_IF_ERROR(RequireRole(p, auth::Role::kSecurityAdmin, "安全管理员"));
                auto policy = security::LoadPolicy(*ctx.db, PolicyDefaults(ctx.config));
                if (!policy) return Response::FromError(policy.error());
                return Response::Json(200, PolicyJson(*policy));
              }),
              1024, "安全策略（密码、锁定、会话、双因素宽限期）"});

  router.Add({"PUT", "/api/v1/security/policy",
              Authed(ctx, [&ctx](Request& req, const Principal& p) {
                LEP_RETURN_RESPONSE_IF_ERROR(RequireRole(p, auth::Role::kSecurityAdmin, "安全管理员"));
                auto body = ParseJsonObject(req);
                if (!body) return Response::FromError(body.error());
                auto current = security::LoadPolicy(*ctx.db, PolicyDefaults(ctx.config));
                if (!current) return Response::FromError(current.error());
                auto next = PolicyFromJson(*body, *current);
                if (!next) return Response::FromError(next.error());
                LEP_RETURN_RESPONSE_IF_ERROR(security::SavePolicy(
                    *ctx.db, *next, ctx.clock->NowMs(), p.user_id.value,
                    p.org ? std::optional(p.org->id.value) : std::nullopt, req.remote_ip));
                LEP_RETURN_RESPONSE_IF_ERROR(RefreshSecurityPolicy(ctx));
                return Response::Json(200, PolicyJson(*next));
              }),
              4096, "修改安全策略（仅安全管理员；写入审计日志）"});

  router.Add({"POST", "/api/v1/users/{id}/totp/reset",
              Authed(ctx, [&ctx](Request& req, const Principal& p) {
                auto id = UserIdParam(req);
                if (!id) return Response::FromError(Error::NotFound("账号不存在"));
                LEP_RETURN_RESPONSE_IF_ERROR(ctx.auth->ResetTotp(p, *id));
                return Response::NoContent();
              }),
              1024, "重置账号的双因素认证（仅安全管理员）"});

  router.Add({"POST", "/api/v1/users/{id}/unlock",
              Authed(ctx, [&ctx](Request& req, const Principal& p) {
                auto id = UserIdParam(req);
                if (!id) return Response::FromError(Error::NotFound("账号不存在"));
                LEP_RETURN_RESPONSE_IF_ERROR(ctx.auth->Unlock(p, *id));
                return Response::NoContent();
              }),
              1024, "解除账号锁定（仅安全管理员）"});

  // --- auditor (read-only) ---
  router.Add({"GET", "/api/v1/audit",
              Authed(ctx, [&ctx](Request& req, const Principal& p) {
                LEP_RETURN_RESPONSE_IF_ERROR(RequireRole(p, auth::Role::kAuditor, "审计员"));
                int64_t limit = 100;
                if (auto l = req.Query("limit")) limit = std::clamp<int64_t>(std::atoll(l->c_str()), 1, 500);
                std::string sql =
                    "SELECT a.id, a.at, a.actor_id, COALESCE(u.username, ''), a.org_id, a.ip, "
                    "a.action, a.object, a.result, a.detail, COALESCE(a.hash, '') FROM audit_log a "
                    "LEFT JOIN users u ON u.id = a.actor_id WHERE 1 = 1";
                std::vector<storage::Value> params;
                if (auto b = req.Query("before_id"); b && !b->empty()) {
                  sql += " AND a.id < ?";
                  params.push_back(int64_t{std::atoll(b->c_str())});
                }
                if (auto a = req.Query("action"); a && !a->empty()) {
                  sql += " AND a.action LIKE ?";
                  params.push_back(*a + "%");
                }
                if (auto a = req.Query("actor"); a && !a->empty()) {
                  sql += " AND u.username = ?";
                  params.push_back(*a);
                }
                if (auto f = req.Query("from"); f && !f->empty()) {
                  sql += " AND a.at >= ?";
                  params.push_back(int64_t{std::atoll(f->c_str())});
                }
                if (auto t = req.Query("to"); t && !t->empty()) {
                  sql += " AND a.at < ?";
                  params.push_back(int64_t{std::atoll(t->c_str())});
                }
                sql += " ORDER BY a.id DESC LIMIT ?";
                params.push_back(limit + 1);
                auto rows = ctx.db->Exec(sql, params);
                if (!rows) return Response::FromError(rows.error());
                json items = json::array();
                json next = nullptr;
                for (size_t i = 0; i < rows->rows.size(); ++i) {
                  const auto& r = rows->rows[i];
                  if (static_cast<int64_t>(i) == limit) {
                    next = rows->rows[i - 1].Int(0);
                    break;
                  }
                  items.push_back({{"id", r.Int(0)},
                                   {"at", r.Int(1)},
                                   {"actor_id", r.IsNull(2) ? json(nullptr) : json(r.Int(2))},
                                   {"actor_name", r.Text(3)},
                                   {"org_id", r.IsNull(4) ? json(nullptr) : json(r.Int(4))},
                                   {"ip", r.Text(5)},
                                   {"action", r.Text(6)},
                                   {"object", r.Text(7)},
                                   {"result", r.Text(8)},
                                   {"detail", r.Text(9)},
                                   {"hash", r.Text(10)}});
                }
                auto resp = Response::Json(200, {{"items", items}, {"next_before_id", next}});
                resp.SetHeader("Cache-Control", "no-store");
                return resp;
              }),
              1024, "审计日志（仅审计员；倒序分页，可按动作、账号、时间筛选）"});

  router.Add({"GET", "/api/v1/audit/verify",
              Authed(ctx, [&ctx](Request&, const Principal& p) {
                LEP_RETURN_RESPONSE_IF_ERROR(RequireRole(p, auth::Role::kAuditor, "审计员"));
                std::string anchor = ctx.config.data_dir + "/audit.anchor";
                std::optional<std::string> anchor_path;
                if (std::filesystem::exists(anchor)) anchor_path = anchor;
                auto rep = security::VerifyChain(*ctx.db, anchor_path);
                if (!rep) return Response::FromError(rep.error());
                std::string message =
                    rep->ok ? "审计日志完整：校验 " + std::to_string(rep->rows_checked) + " 条记录"
                            : "审计日志被篡改：第一条异常记录 ID " +
                                  std::to_string(rep->broken_id.value_or(0)) + "，" + rep->reason;
                return Response::Json(
                    200, {{"ok", rep->ok},
                          {"checked", rep->rows_checked},
                          {"first_broken_id", rep->broken_id ? json(*rep->broken_id) : json(nullptr)},
                          {"message", message}});
              }),
              1024, "校验审计日志哈希链（仅审计员）"});
}

}  // namespace lep::app
