#include "security/audit_recorder.h"

#include <cstdio>

namespace lep::security {

Status AuditRecorder::Record(const AuditRecord& r) {
  // Appends are serialised inside AppendAudit; the retries only cover a transient failure
  // (a deadlock victim or serialisation failure on PostgreSQL, the unique-index backstop).
  Status st = Ok();
  for (int attempt = 0; attempt < 5; ++attempt) {
    st = db_.Transaction(
        [&](storage::SqlExecutor& tx) -> Status { return AppendAudit(tx, r).map([](auto&&) {}); });
    if (st) return st;
    if (!st.error().Is(ErrorCode::kAlreadyExists) && !st.error().Is(ErrorCode::kConflict) &&
        !st.error().Is(ErrorCode::kUnavailable)) {
      break;
    }
  }
  std::fprintf(stderr, "审计日志写入失败（%s %s）：%s\n", r.action.c_str(), r.object.c_str(),
               st.error().message.c_str());
  return Fail(Error{ErrorCode::kUnavailable,
                    "安全审计日志暂时无法写入，操作未执行，请稍后重试",
                    {},
                    std::nullopt});
}

Status AuditRecorder::Record(const AuditActor& who, const std::string& action,
                             const std::string& object, const std::string& detail,
                             const std::string& result) {
  AuditRecord r;
  r.at = clock_.NowMs();
  r.actor_id = who.user_id;
  r.org_id = who.org_id;
  r.ip = who.ip;
  r.action = action;
  r.object = object;
  r.result = result;
  r.detail = detail;
  return Record(r);
}

}  // namespace lep::security
