#include "security/audit_chain.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "crypto/crypto.h"
#include "core/text.h"

namespace lep::security {
namespace {

using storage::Value;

constexpr std::string_view kColumns =
    "id, at, actor_id, org_id, ip, action, object, result, detail, prev_hash, hash";

std::string Sha256Hex(std::string_view data) { return crypto::Sha256Hex(data); }

void Field(std::string& out, std::string_view name, std::string_view v) {
  out += name;
  out += ':';
  out += std::to_string(v.size());
  out += ':';
  out += v;
  out += ';';
}

void Field(std::string& out, std::string_view name, std::optional<int64_t> v) {
  if (!v) {
    out += name;
    out += ":-;";  // NULL: no length prefix, so it can never equal a value
    return;
  }
  Field(out, name, std::to_string(*v));
}

Value OptValue(const std::optional<int64_t>& v) {
  if (v) return *v;
  return nullptr;
}

AuditRecord RecordOf(const storage::Row& r) {
  AuditRecord a;
  a.at = r.Int(1);
  a.actor_id = r.OptInt(2);
  a.org_id = r.OptInt(3);
  a.ip = r.Text(4);
  a.action = r.Text(5);
  a.object = r.Text(6);
  a.result = r.Text(7);
  a.detail = r.Text(8);
  return a;
}

struct Anchors {
  std::optional<int64_t> genesis_id;
  std::string genesis_prev;
  std::vector<Anchor> heads;
};

Result<Anchors> LoadAnchors(const std::string& path, bool missing_ok) {
  Anchors out;
  std::error_code ec;
  if (missing_ok && !std::filesystem::exists(path, ec) && !ec) return out;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(Error::FailedPrecondition("无法读取审计锚定文件"));
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t pos = 0;
  while (pos < content.size()) {
    size_t nl = content.find('\n', pos);
    if (nl == std::string::npos) break;  // a line cut short by a crash mid-write: never synced
    std::string_view line(content.data() + pos, nl - pos);
    pos = nl + 1;
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    auto bad = [] { return Fail(Error::FailedPrecondition("审计锚定文件格式错误")); };
    if (!j.is_object() || !j.contains("kind") || !j["kind"].is_string() || !j.contains("id") ||
        !j["id"].is_number_integer()) {
      return bad();
    }
    std::string kind = j["kind"].get<std::string>();
    int64_t id = j["id"].get<int64_t>();
    if (kind == "genesis" && j.contains("prev_hash") && j["prev_hash"].is_string()) {
      out.genesis_id = id;
      out.genesis_prev = j["prev_hash"].get<std::string>();
    } else if (kind == "head" && j.contains("hash") && j["hash"].is_string()) {
      int64_t at = j.contains("at") && j["at"].is_number_integer() ? j["at"].get<int64_t>() : 0;
      out.heads.push_back({id, j["hash"].get<std::string>(), at});
    } else {
      return bad();
    }
  }
  return out;
}

Status AppendLine(const std::string& path, const std::string& line) {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) return Fail(Error::Internal("无法打开审计锚定文件"));
  std::string data = line + "\n";
  size_t done = 0;
  bool ok = true;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      ok = false;
      break;
    }
    done += static_cast<size_t>(n);
  }
  if (ok && ::fsync(fd) != 0) ok = false;
  if (::close(fd) != 0) ok = false;
  if (!ok) return Fail(Error::Internal("写入审计锚定文件失败"));
  return Ok();
}

}  // namespace

std::vector<std::string> AuditChainMigrationSql() {
  return {
      "ALTER TABLE audit_log ADD COLUMN prev_hash TEXT",
      "ALTER TABLE audit_log ADD COLUMN hash TEXT",
      "CREATE UNIQUE INDEX audit_log_prev_hash ON audit_log (prev_hash)",
      "CREATE TABLE audit_chain_head (id BIGINT PRIMARY KEY, appends BIGINT NOT NULL)",
  };
}

std::string CanonicalAuditRecord(const AuditRecord& r) {
  std::string out = "lep-audit-v1;";
  Field(out, "at", std::optional<int64_t>(r.at));
  Field(out, "actor_id", r.actor_id);
  Field(out, "org_id", r.org_id);
  Field(out, "ip", r.ip);
  Field(out, "action", r.action);
  Field(out, "object", r.object);
  Field(out, "result", r.result);
  Field(out, "detail", r.detail);
  return out;
}

std::string AuditHash(std::string_view prev_hash, const AuditRecord& r) {
  std::string data(prev_hash);
  data += CanonicalAuditRecord(r);
  return Sha256Hex(data);
}

Result<int64_t> AppendAudit(storage::SqlExecutor& tx, const AuditRecord& r) {
  // Serialise appenders before reading the head: the upsert takes the row lock of the one
  // audit_chain_head row (PostgreSQL: held until commit, a waiter re-reads the head after the
  // holder committed; SQLite: BEGIN IMMEDIATE already serialises writers). Without it two
  // transactions read the same head and the unique index on prev_hash rejects one of them.
  LEP_RETURN_IF_ERROR(
      tx.Exec("INSERT INTO audit_chain_head (id, appends) VALUES (1, 1) ON CONFLICT (id) DO UPDATE "
              "SET appends = audit_chain_head.appends + 1"));
  LEP_ASSIGN_OR_RETURN(auto head, tx.QueryOne("SELECT hash FROM audit_log WHERE hash IS NOT NULL "
                                              "ORDER BY id DESC LIMIT 1"));
  std::string prev = head ? head->Text(0) : std::string(kGenesisHash);
  std::string hash = AuditHash(prev, r);
  LEP_ASSIGN_OR_RETURN(
      auto res,
      tx.Exec("INSERT INTO audit_log (at, actor_id, org_id, ip, action, object, result, detail, "
              "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
              {r.at, OptValue(r.actor_id), OptValue(r.org_id), r.ip, r.action, r.object, r.result,
               r.detail, prev, hash}));
  if (res.rows.empty()) return Fail(Error::Internal("写入审计日志失败"));
  return res.rows.front().Int(0);
}

namespace {

Result<VerifyReport> VerifyWith(storage::Database& db, const Anchors& anchors) {
  // Anchored heads still expected in the table: those not legitimately purged.
  std::map<int64_t, std::string> expected_heads;
  for (const auto& a : anchors.heads) {
    if (!anchors.genesis_id || a.id >= *anchors.genesis_id) expected_heads[a.id] = a.hash;
  }

  VerifyReport rep;
  auto broken = [&rep](int64_t id, std::string reason) {
    rep.ok = false;
    rep.broken_id = id;
    rep.reason = std::move(reason);
    return rep;
  };
  bool started = false;
  std::string expected_prev;
  int64_t prev_id = 0;
  int64_t after = std::numeric_limits<int64_t>::min();
  const std::string page_sql =
      "SELECT " + std::string(kColumns) + " FROM audit_log WHERE id > ? ORDER BY id LIMIT 1000";
  for (;;) {
    LEP_ASSIGN_OR_RETURN(auto page, db.Exec(page_sql, {after}));
    if (page.rows.empty()) break;
    for (const auto& row : page.rows) {
      const int64_t id = row.Int(0);
      after = id;
      if (anchors.genesis_id && id < *anchors.genesis_id) {
        ++rep.skipped_purgeable;  // older than the recorded genesis: a purge was interrupted
        continue;
      }
      const bool chained = !row.IsNull(10);
      if (!started) {
        if (!chained) {
          if (anchors.genesis_id) return broken(id, "记录未加入哈希链");
          ++rep.legacy_rows;
          continue;
        }
        started = true;
        rep.first_id = id;
        if (anchors.genesis_id) {
          if (id != *anchors.genesis_id) {
            return broken(
                id, "链首记录 " + std::to_string(*anchors.genesis_id) + " 缺失（记录被删除）");
          }
          expected_prev = anchors.genesis_prev;
        } else {
          expected_prev = std::string(kGenesisHash);
        }
      } else if (!chained) {
        return broken(id, "记录未加入哈希链（绕过审计链写入）");
      }
      const std::string prev_hash = row.Text(9);
      const std::string hash = row.Text(10);
      if (AuditHash(prev_hash, RecordOf(row)) != hash) {
        return broken(id, "记录内容与哈希不符（记录被修改）");
      }
      if (prev_hash != expected_prev) {
        if (rep.last_id && id != prev_id + 1) {
          return broken(id, "记录 " + std::to_string(prev_id) + " 与 " + std::to_string(id) +
                                " 之间的记录缺失（被删除），链接断开");
        }
        return broken(id, rep.last_id ? "前序哈希不匹配（记录被删除、重排或重算）"
                                      : "链首的前序哈希不匹配（链首记录被删除）");
      }
      if (auto it = expected_heads.find(id); it != expected_heads.end()) {
        if (it->second != hash) return broken(id, "记录哈希与锚定值不一致（日志被重写）");
        expected_heads.erase(it);
      }
      expected_prev = hash;
      prev_id = id;
      rep.last_id = id;
      ++rep.rows_checked;
    }
  }
  if (!expected_heads.empty()) {
    const int64_t missing = expected_heads.begin()->first;
    return broken(missing,
                  "已锚定的记录 " + std::to_string(missing) + " 不存在（日志尾部被截断或删除）");
  }
  return rep;
}

}  // namespace

Result<VerifyReport> VerifyChain(storage::Database& db,
                                 const std::optional<std::string>& anchor_path) {
  Anchors anchors;
  if (anchor_path) {
    LEP_ASSIGN_OR_RETURN(anchors, LoadAnchors(*anchor_path, /*missing_ok=*/false));
  }
  return VerifyWith(db, anchors);
}

Result<std::optional<Anchor>> AnchorHead(storage::Database& db, const std::string& anchor_path,
                                         const Clock& clock) {
  LEP_ASSIGN_OR_RETURN(auto head, db.QueryOne("SELECT id, hash FROM audit_log WHERE hash IS NOT "
                                              "NULL ORDER BY id DESC LIMIT 1"));
  if (!head) return std::optional<Anchor>();
  Anchor a{head->Int(0), head->Text(1), clock.NowMs()};
  nlohmann::json j = {{"kind", "head"}, {"id", a.id}, {"hash", a.hash}, {"at", a.at}};
  LEP_RETURN_IF_ERROR(AppendLine(anchor_path, j.dump()));
  return std::optional<Anchor>(std::move(a));
}

Result<int64_t> PurgeBefore(storage::Database& db, int64_t cutoff_ms,
                            const std::string& anchor_path, const Clock& clock) {
  if (cutoff_ms > clock.NowMs() - kMinRetentionMs) {
    return Fail(Error::InvalidArgument("审计日志至少保留 184 天（六个月）"));
  }
  // No anchor file yet (first purge before any AnchorHead): verify the bare chain.
  LEP_ASSIGN_OR_RETURN(auto anchors, LoadAnchors(anchor_path, /*missing_ok=*/true));
  LEP_ASSIGN_OR_RETURN(auto rep, VerifyWith(db, anchors));
  if (!rep.ok) {
    return Fail(Error::FailedPrecondition("审计链校验未通过（记录 " +
                                          std::to_string(rep.broken_id.value_or(0)) +
                                          "），拒绝清理以保留证据"));
  }
  // Keep a contiguous suffix: the first row young enough, or at least the head.
  LEP_ASSIGN_OR_RETURN(auto first,
                       db.QueryOne("SELECT MIN(id) FROM audit_log WHERE at >= ?", {cutoff_ms}));
  std::optional<int64_t> keep_from = first ? first->OptInt(0) : std::nullopt;
  if (!keep_from) {
    LEP_ASSIGN_OR_RETURN(auto last, db.QueryOne("SELECT MAX(id) FROM audit_log"));
    keep_from = last ? last->OptInt(0) : std::nullopt;
  }
  if (!keep_from) return int64_t{0};
  LEP_ASSIGN_OR_RETURN(
      auto keep, db.QueryOne("SELECT prev_hash, hash FROM audit_log WHERE id = ?", {*keep_from}));
  if (!keep) return Fail(Error::Conflict("审计日志在清理期间发生变化，请重试"));
  if (!keep->IsNull(1)) {
    // The genesis line goes first: if the DELETE then fails, verification just skips the
    // rows before it.
    nlohmann::json j = {{"kind", "genesis"},
                        {"id", *keep_from},
                        {"prev_hash", keep->Text(0)},
                        {"at", clock.NowMs()}};
    LEP_RETURN_IF_ERROR(AppendLine(anchor_path, j.dump()));
  }
  LEP_ASSIGN_OR_RETURN(auto del, db.Exec("DELETE FROM audit_log WHERE id < ?", {*keep_from}));
  return del.affected;
}

Result<AuditPage> ListAudit(storage::SqlExecutor& db, const AuditQuery& q) {
  int limit = std::clamp(q.limit, 1, 500);
  std::string sql =
      "SELECT a.id, a.at, a.actor_id, COALESCE(u.username, ''), a.org_id, a.ip, a.action, "
      "a.object, a.result, a.detail, COALESCE(a.hash, '') FROM audit_log a LEFT JOIN users u ON "
      "u.id = a.actor_id WHERE 1 = 1";
  std::vector<Value> params;
  if (q.before_id) {
    sql += " AND a.id < ?";
    params.push_back(*q.before_id);
  }
  if (!q.action_prefix.empty()) {
    sql += " AND a.action LIKE ?";
    params.push_back(q.action_prefix + "%");
  }
  if (!q.actor_username.empty()) {
    sql += " AND u.username = ?";
    params.push_back(q.actor_username);
  }
  if (q.from_ms) {
    sql += " AND a.at >= ?";
    params.push_back(*q.from_ms);
  }
  if (q.to_ms) {
    sql += " AND a.at < ?";
    params.push_back(*q.to_ms);
  }
  sql += " ORDER BY a.id DESC LIMIT ?";
  params.push_back(int64_t{limit} + 1);
  LEP_ASSIGN_OR_RETURN(auto rows, db.Exec(sql, params));
  AuditPage page;
  for (size_t i = 0; i < rows.rows.size(); ++i) {
    if (static_cast<int>(i) == limit) {
      page.next_before_id = page.items.back().id;
      break;
    }
    const auto& r = rows.rows[i];
    page.items.push_back({r.Int(0), r.Int(1), r.OptInt(2), r.OptInt(4), r.Text(3), r.Text(5),
                          r.Text(6), r.Text(7), r.Text(8), r.Text(9), r.Text(10)});
  }
  return page;
}

}  // namespace lep::security
