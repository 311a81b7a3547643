#include "app/security_parsers.h"

#include <algorithm>
#include <charconv>

namespace lep::app {
namespace {

std::optional<int64_t> Number(const std::optional<std::string>& s) {
  if (!s || s->empty()) return std::nullopt;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
  if (ec != std::errc() || end != s->data() + s->size()) return std::nullopt;
  return v;
}

}  // namespace

Result<auth::PolicyPatch> PolicyPatchFromJson(const nlohmann::json& body) {
  auth::PolicyPatch patch;
  std::vector<FieldError> errors;
  auto field = [&](const char* name, const char* label, std::optional<int>& out) {
    auto it = body.find(name);
    if (it == body.end()) return;
    if (!it->is_number_integer() || it->get<int64_t>() < INT32_MIN ||
        it->get<int64_t>() > INT32_MAX) {
      errors.push_back({name, label, std::string(label) + "应为整数"});
      return;
    }
    out = it->get<int>();
  };
  field("password_min_length", "密码最小长度", patch.password_min_length);
  field("lockout_threshold", "锁定前允许的失败次数", patch.lockout_threshold);
  field("lockout_window_minutes", "失败计数时间窗（分钟）", patch.lockout_window_minutes);
  field("lockout_minutes", "锁定时长（分钟）", patch.lockout_minutes);
  field("session_idle_minutes", "会话空闲超时（分钟）", patch.session_idle_minutes);
  field("totp_grace_days", "双因素认证宽限期（天）", patch.totp_grace_days);
  if (!errors.empty()) return Fail(Error::InvalidArgument("安全策略格式错误", errors));
  return patch;
}

security::AuditQuery AuditQueryFrom(const http::Request& req) {
  security::AuditQuery q;
  q.before_id = Number(req.Query("before_id"));
  q.action_prefix = req.Query("action").value_or("");
  q.actor_username = req.Query("actor").value_or("");
  q.from_ms = Number(req.Query("from"));
  q.to_ms = Number(req.Query("to"));
  q.limit = static_cast<int>(std::clamp<int64_t>(Number(req.Query("limit")).value_or(100), 1, 500));
  return q;
}

}  // namespace lep::app
