// SqlProbe: test-only SQL on rows no repository exposes for inspection — the audit log's
// rows, a resource's uploads, a row put into a state an older build could leave — and row
// counts. Tests use it to look at what a service wrote without widening the production
// interfaces; production code never includes it. Not thread-safe (one test at a time).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/db/database.h"

namespace lep::testing {

struct AuditRow {
  std::string action, object, result, detail;
  int64_t actor_id = 0;
  std::string ip;
};

class SqlProbe {
 public:
  explicit SqlProbe(storage::Database& db) : db_(db) {}

  std::vector<AuditRow> Audit() {
    auto rows = db_.Exec(
        "SELECT action, object, result, detail, actor_id, ip FROM audit_log "
        "ORDER BY id");
    std::vector<AuditRow> out;
    if (!rows) return out;
    for (const auto& r : rows->rows) {
      out.push_back({r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Int(4), r.Text(5)});
    }
    return out;
  }

  // Rows of one of the tables a review decision writes.
  int64_t Rows(const std::string& table) {
    for (const char* known : {"review_history", "audit_log", "notifications", "mail_outbox",
                              "campaigns", "batches", "resources"}) {
      if (table == known) return One("SELECT COUNT(*) FROM " + table, {});
    }
    return -1;
  }

  int64_t MailTo(int64_t org_id) {
    return One("SELECT COUNT(*) FROM mail_outbox WHERE org_id = ?", {org_id});
  }

  // An upload of the resource (unfinished when completed_at is 0).
  bool AddUpload(const std::string& id, int64_t resource_id, int64_t org_id, int64_t user_id,
                 int64_t now, int64_t expires_at, int64_t completed_at) {
    return static_cast<bool>(
        db_.Exec("INSERT INTO uploads (id, resource_id, org_id, user_id, kind, filename, length, "
                 "hash_state, created_at, expires_at, completed_at) VALUES (?, ?, ?, ?, 'media', "
                 "'a.mp4', 100, '', ?, ?, ?)",
                 {id, resource_id, org_id, user_id, now, expires_at, completed_at}));
  }
  int64_t UploadExpiresAt(const std::string& id) {
    return One("SELECT expires_at FROM uploads WHERE id = ?", {id});
  }

  // What an older build or a manual repair could leave behind.
  bool ForceState(int64_t resource_id, const std::string& state) {
    return static_cast<bool>(
        db_.Exec("UPDATE resources SET state = ? WHERE id = ?", {state, resource_id}));
  }
  bool DisableUser(int64_t user_id) {
    return static_cast<bool>(db_.Exec("UPDATE users SET disabled = 1 WHERE id = ?", {user_id}));
  }
  bool ForceCategory(int64_t resource_id, const std::string& category) {
    return static_cast<bool>(
        db_.Exec("UPDATE resources SET category = ? WHERE id = ?", {category, resource_id}));
  }

 private:
  int64_t One(const std::string& sql, const std::vector<storage::Value>& params) {
    auto row = db_.QueryOne(sql, params);
    return row && *row ? (*row)->Int(0) : -1;
  }

  storage::Database& db_;
};

}  // namespace lep::testing
