// AuditRecorder: appends records to the hash-chained audit log (audit_chain.h), each in a
// transaction of its own, for code that has no transaction open (adapters, the sign-in path,
// command-line tools). Writes inside a caller's transaction use AppendAudit directly.
// Thread-safe (holds only the database and the clock).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/result.h"
#include "security/audit_chain.h"
#include "storage/db/database.h"

namespace lep::security {

// Who did it, from where (auth::AuditActorOf makes one from a signed-in account).
struct AuditActor {
  std::optional<int64_t> user_id;
  std::optional<int64_t> org_id;
  std::string ip;
};

class AuditRecorder {
 public:
  AuditRecorder(storage::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  // Appends r (retried on a transient database failure). A record that cannot be written is
  // logged and returned as kUnavailable: security events fail closed (the sign-in path
  // refuses to go on).
  Status Record(const AuditRecord& r);
  // The same for an action of `who`, now.
  Status Record(const AuditActor& who, const std::string& action, const std::string& object,
                const std::string& detail = "", const std::string& result = "ok");

 private:
  storage::Database& db_;
  const Clock& clock_;
};

}  // namespace lep::security
