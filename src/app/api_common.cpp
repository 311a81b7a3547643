#include "app/api_common.h"
#include "app/uploaded_sheet.h"

#include "auth/password.h"
#include "http/multipart.h"

namespace lep::app {

Result<json> ParseJsonObject(const http::Request& req) {
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return Fail(Error::InvalidArgument("请求内容不是有效的 JSON 对象"));
  }
  return body;
}

std::string StringField(const json& obj, const char* name, const char* label,
                        std::vector<FieldError>& errors) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return {};
  if (!it->is_string()) {
    errors.push_back({name, label, std::string(label) + "应为文本"});
    return {};
  }
  return it->get<std::string>();
}

http::Response Reply(int status, const Result<json>& r) {
  if (!r) return http::Response::FromError(r.error());
  return http::Response::Json(status, *r);
}

bool IsSelfServicePath(std::string_view path) {
  return path == "/api/v1/me" || path.starts_with("/api/v1/me/") ||
         path == "/api/v1/auth/logout";
}

Status CheckSessionScope(const auth::Principal& p, const http::Request& req) {
  bool self = IsSelfServicePath(req.path);
  if (p.two_factor.enrolment_required && !self) {
    return Fail(Error{ErrorCode::kTotpEnrolmentRequired,
                      "双因素认证宽限期已过：请先启用双因素认证（绑定动态验证码）后再继续操作",
                      {}, std::nullopt});
  }
  if (p.password_change_required && !self) {
    return Fail(Error{ErrorCode::kPasswordChangeRequired,
                      "当前使用的是临时密码：请先修改密码后再继续操作",
                      {}, std::nullopt});
  }
  // 三权分立: the auditor reads; it changes nothing but its own sign-in.
  if (p.role == auth::Role::kAuditor && req.IsUnsafeMethod() && !self) {
    return Fail(Error::PermissionDenied("审计员只能查看，不能修改任何数据（三权分立）"));
  }
  return Ok();
}

Result<auth::Principal> RouteGuard::Authenticate(const http::Request& req) const {
  std::optional<std::string_view> csrf;
  if (req.IsUnsafeMethod()) {
    csrf = req.Header("x-csrf-token");
    if (!csrf || csrf->empty()) {
      return Fail(Error{ErrorCode::kCsrfFailed,
                        "缺少 CSRF 令牌（X-CSRF-Token），请刷新页面后重试", {}, std::nullopt});
    }
  }
  auto token = req.Cookie(kSessionCookie);
  if (!token) return Fail(Error::Unauthenticated());
  security_admin_->MaybeRefreshPolicy();
  LEP_ASSIGN_OR_RETURN(auth::Principal principal, auth_->Authenticate(*token));
  if (csrf && !auth::ConstantTimeEquals(*csrf, principal.csrf_token)) {
    return Fail(Error{ErrorCode::kCsrfFailed, "CSRF 令牌不正确，请刷新页面后重试", {},
                      std::nullopt});
  }
  principal.ip = req.remote_ip;
  LEP_RETURN_IF_ERROR(CheckSessionScope(principal, req));
  return principal;
}

Result<resources::Resource> ReadableResource(resources::ResourceService& resources,
                                             const RouteGuard& guard, const http::Request& req) {
  auto id = req.IdParam("id");
  if (!id) return Fail(Error::NotFound("资源不存在"));
  return resources.LoadReadable(
      [&]() -> std::optional<auth::Principal> {
        auto p = guard.Authenticate(req);
        return p ? std::optional<auth::Principal>(std::move(*p)) : std::nullopt;
      },
      resources::ResourceId{*id});
}

// 等保 安全审计: a refused request (403, a missing or wrong CSRF token) of a signed-in account
// goes to the audit chain with who, from where and what was asked. Requests without a valid
// session are not recorded, so that anonymous traffic cannot fill the log, and one account's
// rows are capped by refused_audit_limiter (30 at once, then one per 20 s): the chained
// appends are serialised, and a flood from one account must not slow everybody's writes.
void RouteGuard::AuditRefused(const http::Request& req, const auth::Principal* known,
                              ErrorCode code) const {
  std::optional<auth::Principal> who;
  if (known) {
    who = *known;
  } else if (auto token = req.Cookie(kSessionCookie)) {
    auto p = auth_->Authenticate(*token);
    if (!p) return;
    who = std::move(*p);
    who->ip = req.remote_ip;
  } else {
    return;
  }
  if (refused_audit_limiter_ &&
      !refused_audit_limiter_->Take("user:" + std::to_string(who->user_id.value)).allowed) {
    return;
  }
  (void)audit_->Record(auth::AuditActorOf(*who), "http.refused", req.method + " " + req.path,
                       std::string(ErrorCodeName(code)), "refused");
}

http::Handler RouteGuard::operator()(AuthedHandler h) const {
  return [guard = *this, h = std::move(h)](http::Request& req) -> http::Response {
    auto principal = guard.Authenticate(req);
    if (!principal) {
      ErrorCode code = principal.error().code;
      if (code == ErrorCode::kCsrfFailed || code == ErrorCode::kPermissionDenied) {
        guard.AuditRefused(req, nullptr, code);
      }
      return http::Response::FromError(principal.error());
    }
    http::Response res = h(req, *principal);
    if (res.status == 403) guard.AuditRefused(req, &*principal, ErrorCode::kPermissionDenied);
    return res;
  };
}

json OrgJson(const orgs::Org& o) {
  json j = {{"id", o.id.value},
            {"parent_id", o.parent_id ? json(o.parent_id->value) : json(nullptr)},
            {"kind", std::string(orgs::KindName(o.kind))},
            {"kind_label", std::string(orgs::KindLabel(o.kind))},
            {"name", o.name},
            {"level", orgs::IsSecondLevel(o.kind) ? 2 : (o.parent_id ? 1 : 0)},
            {"created_at", o.created_at}};
  json kinds = json::array();
  for (auto k : orgs::AllowedChildKinds(o.kind)) kinds.push_back(std::string(orgs::KindName(k)));
  j["child_kinds"] = kinds;
  return j;
}

json UserJson(const auth::User& u) {
  return {{"id", u.id.value},
          {"username", u.username},
          {"display_name", u.display_name},
          {"role", std::string(auth::RoleName(u.role))},
          {"role_label", std::string(auth::RoleLabel(u.role))},
          {"org_id", u.org_id ? json(u.org_id->value) : json(nullptr)},
          {"created_at", u.created_at},
          {"totp_enabled", u.totp_enabled},
          {"locked_until", u.locked_until},
          {"disabled", u.disabled},
          {"must_change_password", u.must_change_password}};
}

json TwoFactorJson(const auth::TwoFactorStatus& s) {
  return {{"enabled", s.enabled},
          {"required", s.required},
          {"grace_until", s.grace_until ? json(s.grace_until) : json(nullptr)},
          {"enrolment_required", s.enrolment_required}};
}

json PrincipalJson(const auth::Principal& p) {
  json j = {{"id", p.user_id.value},
            {"username", p.username},
            {"display_name", p.display_name},
            {"role", std::string(auth::RoleName(p.role))},
            {"role_label", std::string(auth::RoleLabel(p.role))},
            {"org_id", p.org ? json(p.org->id.value) : json(nullptr)},
            {"totp", TwoFactorJson(p.two_factor)},
            {"password_change_required", p.password_change_required}};
  if (p.org) j["org"] = OrgJson(*p.org);
  return j;
}

Result<xlsx::Table> ReadUploadedSheet(const http::Request& req) {
  std::string_view data = req.body;
  std::string name_hint(req.Header("content-type").value_or(""));
  if (auto part = http::FirstFilePart(name_hint, req.body)) {
    data = part->data;
    name_hint = part->filename;
  }
  if (data.empty()) {
    return Fail(Error::InvalidArgument("请上传 xlsx 或 UTF-8 编码的 CSV 文件",
                                       {{"file", "文件", "未收到文件内容"}}));
  }
  return xlsx::ReadSpreadsheet(data, name_hint);
}

}  // namespace lep::app
