// Tamper-evident audit log: every audit_log row carries prev_hash and
// hash = hex SHA-256(prev_hash || canonical(record)), and the chain head is periodically
// anchored as a line in an append-only file kept outside the database writer's reach.
// Functions are stateless and thread-safe; appends are serialised by the unique index on
// prev_hash (a concurrent append that read the same head fails instead of forking the chain).
//
// Schema (see AuditChainMigrationSql(), to be added as a numbered migration):
//   ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
//   ALTER TABLE audit_log ADD COLUMN hash TEXT;
//   CREATE UNIQUE INDEX audit_log_prev_hash ON audit_log (prev_hash);
// Rows written before the migration keep NULL hashes and are reported as legacy, not broken,
// as long as they all precede the first chained row.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "storage/db/database.h"

namespace lep::security {

// prev_hash of the very first chained row.
inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";
// Retention floor: six calendar months can be 184 days (网络安全法 第二十一条).
inline constexpr int64_t kMinRetentionMs = int64_t{184} * 24 * 3600 * 1000;

struct AuditRecord {
  int64_t at = 0;  // ms since the Unix epoch
  std::optional<int64_t> actor_id;
  std::optional<int64_t> org_id;
  std::string ip;
  std::string action;
  std::string object;
  std::string result = "ok";
  std::string detail;
};

std::vector<std::string> AuditChainMigrationSql();

// The hashed byte string: versioned, every field length-prefixed, NULL distinct from 0/"".
std::string CanonicalAuditRecord(const AuditRecord& r);
std::string AuditHash(std::string_view prev_hash, const AuditRecord& r);

// Appends r after the current head inside the caller's transaction; returns the new id.
[[nodiscard]] Result<int64_t> AppendAudit(storage::SqlExecutor& tx, const AuditRecord& r);

struct VerifyReport {
  bool ok = true;
  int64_t rows_checked = 0;
  int64_t legacy_rows = 0;        // unchained rows before the chain starts (pre-migration)
  int64_t skipped_purgeable = 0;  // rows before the anchored genesis (purge interrupted)
  std::optional<int64_t> first_id, last_id;
  std::optional<int64_t> broken_id;  // the first row that does not verify
  std::string reason;                // Chinese, for the audit administrator
};

// Walks the chain in id order. With anchor_path, also checks the recorded genesis (after a
// purge) and that every anchored {id, hash} is still present, which catches a deleted tail.
// Errors are for I/O only; a broken chain is an ok Result with report.ok == false.
// Without an anchor file the first chained row must start at kGenesisHash, so a chain that
// was purged can only be verified with its anchor file.
[[nodiscard]] Result<VerifyReport> VerifyChain(
    storage::Database& db, const std::optional<std::string>& anchor_path = std::nullopt);

// One page of the audit log for the auditor, newest first.
struct AuditQuery {
  std::optional<int64_t> before_id;  // paging: rows with a smaller id
  std::string action_prefix;         // e.g. "auth." ("" = every action)
  std::string actor_username;        // exact ("" = anyone)
  std::optional<int64_t> from_ms, to_ms;
  int limit = 100;  // 1..500
};
struct AuditEntry {
  int64_t id = 0, at = 0;
  std::optional<int64_t> actor_id, org_id;
  std::string actor_name, ip, action, object, result, detail, hash;
};
struct AuditPage {
  std::vector<AuditEntry> items;
  std::optional<int64_t> next_before_id;
};
[[nodiscard]] Result<AuditPage> ListAudit(storage::SqlExecutor& db, const AuditQuery& q);

struct Anchor {
  int64_t id = 0;
  std::string hash;
  int64_t at = 0;
};
// Appends {"kind":"head","id","hash","at"} for the current head (O_APPEND + fsync).
// nullopt when the chain is empty.
[[nodiscard]] Result<std::optional<Anchor>> AnchorHead(storage::Database& db,
                                                       const std::string& anchor_path,
                                                       const Clock& clock);

// Retention: verifies the chain first (never destroys evidence of tampering), refuses a
// cutoff newer than now - kMinRetentionMs, records the first kept row as the new genesis in
// the anchor file, then deletes the older prefix. The head row is always kept. Returns the
// number of rows deleted.
[[nodiscard]] Result<int64_t> PurgeBefore(storage::Database& db, int64_t cutoff_ms,
                                          const std::string& anchor_path, const Clock& clock);

}  // namespace lep::security
