// SecurityAdminService: the 三权分立 functions of 等保三级 outside sign-in — the security
// administrator's policy (stored once for every server, applied to AuthService and re-read
// at most every 30 s so that several servers follow a change), and the auditor's read-only
// view of the hash-chained audit log and its verification. Each call checks its one role
// through Authorizer. Thread-safe.
#pragma once

#include <atomic>
#include <optional>
#include <string>

#include "auth/auth_service.h"
#include "auth/user.h"
#include "core/clock.h"
#include "security/audit_chain.h"
#include "security/security_policy.h"
#include "storage/db/database.h"

namespace lep::auth {

// The members a change gives; absent ones keep their stored value.
struct PolicyPatch {
  std::optional<int> password_min_length, lockout_threshold, lockout_window_minutes,
      lockout_minutes, session_idle_minutes, totp_grace_days;
};

class SecurityAdminService {
 public:
  // db holds the policy row and the audit log; anchor_path is the audit anchor file.
  SecurityAdminService(storage::Database& db, AuthService& auth, const Clock& clock,
                       security::SecurityPolicy defaults, std::string anchor_path);

  [[nodiscard]] Result<security::SecurityPolicy> Policy(const Principal& p);
  // Validates, stores with its audit row, and applies at once on this server.
  [[nodiscard]] Result<security::SecurityPolicy> UpdatePolicy(const Principal& p,
                                                              const PolicyPatch& patch);
  // Reads the stored policy into AuthService (start-up, after a change).
  [[nodiscard]] Status RefreshPolicy();
  // The same at most every 30 s (another server may have changed it); cheap otherwise.
  void MaybeRefreshPolicy();

  [[nodiscard]] Result<security::AuditPage> AuditLog(const Principal& p,
                                                     const security::AuditQuery& q);
  [[nodiscard]] Result<security::VerifyReport> VerifyAudit(const Principal& p);

 private:
  storage::Database& db_;
  AuthService& auth_;
  const Clock& clock_;
  security::SecurityPolicy defaults_;
  std::string anchor_path_;
  std::atomic<int64_t> loaded_at_{0};
};

}  // namespace lep::auth
