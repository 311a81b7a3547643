// SecurityPolicy: the settings the security administrator owns (password length, lockout,
// idle timeout, two-factor grace), stored as one JSON row of table `settings` so every
// server of a deployment reads the same values. Validation is pure; Load/Save are
// thread-safe (the database serialises writers) and Save writes its audit row in the same
// transaction.
#pragma once

#include <cstdint>
#include <optional>

#include "core/result.h"
#include "storage/db/database.h"

namespace lep::security {

struct SecurityPolicy {
  int password_min_length = 8;      // 8..64
  int lockout_threshold = 5;        // failed attempts before a lock, 3..10
  int lockout_window_minutes = 15;  // 1..1440
  int lockout_minutes = 15;         // 1..1440
  int session_idle_minutes = 30;    // 5..120
  int totp_grace_days = 7;          // days after account creation before 2FA is enforced, 0..30
  bool operator==(const SecurityPolicy&) const = default;
};

// All out-of-range values at once, as field errors (JSON names, Chinese labels).
[[nodiscard]] Status ValidatePolicy(const SecurityPolicy& p);

// The stored policy, or `defaults` when none was saved yet.
[[nodiscard]] Result<SecurityPolicy> LoadPolicy(storage::SqlExecutor& db,
                                                const SecurityPolicy& defaults);
// Validates, stores and audits ("security.policy" by actor) in one transaction.
[[nodiscard]] Status SavePolicy(storage::Database& db, const SecurityPolicy& p, int64_t now_ms,
                                int64_t actor_id, std::optional<int64_t> actor_org,
                                const std::string& ip);

// A periodic task shared by several servers on one database (e.g. the fixity check): true
// when this caller took the run due at now — the setting `key` holds the last run's time and
// moves by compare-and-set, so exactly one server wins. The first call only schedules the
// first run one interval ahead (not at every boot) and returns false.
[[nodiscard]] Result<bool> ClaimPeriodicRun(storage::Database& db, const std::string& key,
                                            int64_t now_ms, int64_t interval_ms);

}  // namespace lep::security
