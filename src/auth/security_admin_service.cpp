#include "auth/security_admin_service.h"

#include <cstdio>
#include <filesystem>

#include "auth/authorizer.h"

namespace lep::auth {

SecurityAdminService::SecurityAdminService(storage::Database& db, AuthService& auth,
                                           const Clock& clock, security::SecurityPolicy defaults,
                                           std::string anchor_path)
    : db_(db),
      auth_(auth),
      clock_(clock),
      defaults_(defaults),
      anchor_path_(std::move(anchor_path)) {}

Result<security::SecurityPolicy> SecurityAdminService::Policy(const Principal& p) {
  LEP_RETURN_IF_ERROR(Authorizer::CheckSecurityAdmin(p));
  return security::LoadPolicy(db_, defaults_);
}

Result<security::SecurityPolicy> SecurityAdminService::UpdatePolicy(const Principal& p,
                                                                    const PolicyPatch& patch) {
  LEP_RETURN_IF_ERROR(Authorizer::CheckSecurityAdmin(p));
  LEP_ASSIGN_OR_RETURN(security::SecurityPolicy next, security::LoadPolicy(db_, defaults_));
  auto apply = [](const std::optional<int>& v, int& out) {
    if (v) out = *v;
  };
  apply(patch.password_min_length, next.password_min_length);
  apply(patch.lockout_threshold, next.lockout_threshold);
  apply(patch.lockout_window_minutes, next.lockout_window_minutes);
  apply(patch.lockout_minutes, next.lockout_minutes);
  apply(patch.session_idle_minutes, next.session_idle_minutes);
  apply(patch.totp_grace_days, next.totp_grace_days);
  LEP_RETURN_IF_ERROR(security::SavePolicy(db_, next, clock_.NowMs(), p.user_id.value,
                                           p.org ? std::optional(p.org->id.value) : std::nullopt,
                                           p.ip));
  LEP_RETURN_IF_ERROR(RefreshPolicy());
  return next;
}

Status SecurityAdminService::RefreshPolicy() {
  LEP_ASSIGN_OR_RETURN(auto policy, security::LoadPolicy(db_, defaults_));
  AuthOptions opts = auth_.options();
  opts.idle_timeout = std::chrono::minutes(policy.session_idle_minutes);
  opts.lockout_threshold = policy.lockout_threshold;
  opts.lockout_window = std::chrono::minutes(policy.lockout_window_minutes);
  opts.lockout_duration = std::chrono::minutes(policy.lockout_minutes);
  opts.password_min_length = policy.password_min_length;
  opts.two_factor_grace = std::chrono::hours(24 * policy.totp_grace_days);
  auth_.SetOptions(opts);
  loaded_at_ = clock_.NowMs();
  return Ok();
}

void SecurityAdminService::MaybeRefreshPolicy() {
  int64_t now = clock_.NowMs();
  int64_t last = loaded_at_.load();
  if (now - last < 30'000 && now >= last) return;
  // One request refreshes; the others go on with the values they have.
  if (!loaded_at_.compare_exchange_strong(last, now)) return;
  if (auto st = RefreshPolicy(); !st) {
    std::fprintf(stderr, "读取安全策略失败：%s\n", st.error().message.c_str());
  }
}

Result<security::AuditPage> SecurityAdminService::AuditLog(const Principal& p,
                                                           const security::AuditQuery& q) {
  LEP_RETURN_IF_ERROR(Authorizer::CheckAuditor(p));
  return security::ListAudit(db_, q);
}

Result<security::VerifyReport> SecurityAdminService::VerifyAudit(const Principal& p) {
  LEP_RETURN_IF_ERROR(Authorizer::CheckAuditor(p));
  std::optional<std::string> anchor;
  std::error_code ec;
  if (std::filesystem::exists(anchor_path_, ec)) anchor = anchor_path_;
  return security::VerifyChain(db_, anchor);
}

}  // namespace lep::auth
