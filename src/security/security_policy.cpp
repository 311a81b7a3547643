#include "security/security_policy.h"

#include <nlohmann/json.hpp>

#include "security/audit_chain.h"

namespace lep::security {
namespace {

using json = nlohmann::json;
constexpr const char* kKey = "security_policy";

struct Field {
  const char* name;
  const char* label;
  int SecurityPolicy::*member;
  int min, max;
};

constexpr Field kFields[] = {
    {"password_min_length", "密码最小长度", &SecurityPolicy::password_min_length, 8, 64},
    {"lockout_threshold", "锁定前允许的失败次数", &SecurityPolicy::lockout_threshold, 3, 10},
    {"lockout_window_minutes", "失败计数时间窗（分钟）", &SecurityPolicy::lockout_window_minutes, 1,
     1440},
    {"lockout_minutes", "锁定时长（分钟）", &SecurityPolicy::lockout_minutes, 1, 1440},
    {"session_idle_minutes", "会话空闲超时（分钟）", &SecurityPolicy::session_idle_minutes, 5, 120},
    {"totp_grace_days", "双因素认证宽限期（天）", &SecurityPolicy::totp_grace_days, 0, 30},
};

json ToJson(const SecurityPolicy& p) {
  json j;
  for (const auto& f : kFields) j[f.name] = p.*f.member;
  return j;
}

}  // namespace

Status ValidatePolicy(const SecurityPolicy& p) {
  std::vector<FieldError> errors;
  for (const auto& f : kFields) {
    int v = p.*f.member;
    if (v < f.min || v > f.max) {
      errors.push_back({f.name, f.label,
                        std::string(f.label) + "应在 " + std::to_string(f.min) + "–" +
                            std::to_string(f.max) + " 之间"});
    }
  }
  if (errors.empty()) return Ok();
  std::string msg = "安全策略有误：";
  for (size_t i = 0; i < errors.size(); ++i) msg += (i ? "；" : "") + errors[i].message;
  return Fail(Error::InvalidArgument(msg, std::move(errors)));
}

Result<SecurityPolicy> LoadPolicy(storage::SqlExecutor& db, const SecurityPolicy& defaults) {
  LEP_ASSIGN_OR_RETURN(auto row, db.QueryOne("SELECT value FROM settings WHERE key = ?",
                                             {std::string(kKey)}));
  SecurityPolicy p = defaults;
  if (!row) return p;
  json j = json::parse(row->Text(0), nullptr, false);
  if (!j.is_object()) return p;
  for (const auto& f : kFields) {
    auto it = j.find(f.name);
    if (it != j.end() && it->is_number_integer()) p.*f.member = it->get<int>();
  }
  return p;
}

Status SavePolicy(storage::Database& db, const SecurityPolicy& p, int64_t now_ms,
                  int64_t actor_id, std::optional<int64_t> actor_org, const std::string& ip) {
  LEP_RETURN_IF_ERROR(ValidatePolicy(p));
  std::string value = ToJson(p).dump();
  return db.Transaction([&](storage::SqlExecutor& tx) -> Status {
    LEP_ASSIGN_OR_RETURN(auto updated,
                         tx.Exec("UPDATE settings SET value = ?, updated_at = ?, updated_by = ? "
                                 "WHERE key = ?",
                                 {value, now_ms, actor_id, std::string(kKey)}));
    if (updated.affected == 0) {
      LEP_RETURN_IF_ERROR(tx.Exec("INSERT INTO settings (key, value, updated_at, updated_by) "
                                  "VALUES (?, ?, ?, ?)",
                                  {std::string(kKey), value, now_ms, actor_id}));
    }
    AuditRecord r;
    r.at = now_ms;
    r.actor_id = actor_id;
    r.org_id = actor_org;
    r.ip = ip;
    r.action = "security.policy";
    r.object = "settings:security_policy";
    r.detail = value;
    return AppendAudit(tx, r).map([](auto&&) {});
  });
}

Result<bool> ClaimPeriodicRun(storage::Database& db, const std::string& key, int64_t now_ms,
                              int64_t interval_ms) {
  LEP_ASSIGN_OR_RETURN(auto row, db.QueryOne("SELECT value FROM settings WHERE key = ?", {key}));
  if (!row) {
    LEP_RETURN_IF_ERROR(db.Exec("INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) "
                                "ON CONFLICT (key) DO NOTHING",
                                {key, std::to_string(now_ms), now_ms}));
    return false;
  }
  std::string last = row->Text(0);
  if (now_ms - std::atoll(last.c_str()) < interval_ms) return false;
  LEP_ASSIGN_OR_RETURN(auto claimed,
                       db.Exec("UPDATE settings SET value = ?, updated_at = ? WHERE key = ? AND "
                               "value = ?",
                               {std::to_string(now_ms), now_ms, key, last}));
  return claimed.affected == 1;
}

}  // namespace lep::security
