// NotificationRepository: what the review workflow tells people — the inbox (`notifications`,
// one row per user × dedup key), the deadline-reminder runs (`reminder_runs`), the e-mail
// outbox (`mail_outbox`) — and the read-only view of who belongs where that resolves
// recipients. The only code that reads or writes those three tables. Methods taking a
// SqlExecutor run inside the caller's transaction. Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/user.h"
#include "core/result.h"
#include "orgs/org.h"
#include "storage/db/database.h"

namespace lep::review {

struct Notification {
  int64_t id = 0;
  std::string kind, title, body;
  std::optional<int64_t> resource_id;
  int64_t created_at = 0;
  std::optional<int64_t> read_at;
  int64_t count = 1;  // a digest: how many events it stands for
};

struct NewNotification {
  int64_t user_id = 0;
  std::string kind, title, body;
  std::optional<int64_t> resource_id;
  std::string dedup_key;
  int64_t at = 0;
};

// An enabled account and its unit, as recipient resolution sees it.
struct Member {
  int64_t user_id = 0;
  std::optional<auth::Role> role;  // nullopt: a role this build does not know
  std::optional<int64_t> org_id;
  std::optional<orgs::OrgKind> org_kind;
};

// Which enabled accounts to list; empty members match everyone.
struct MemberFilter {
  std::optional<int64_t> user_id;
  std::optional<int64_t> org_id;
  std::optional<orgs::OrgKind> org_kind;
};

// One queued e-mail to the contact person (负责人) of a unit.
struct QueuedMail {
  int64_t id = 0;
  int64_t org_id = 0;
  std::string subject, body;
  int64_t attempts = 0;
  int64_t next_attempt_at = 0;
  std::optional<int64_t> to_user;  // to this account's own address instead of the 负责人
};

class NotificationRepository {
 public:
  virtual ~NotificationRepository() = default;

  // Inbox. Insert writes nothing (false) when the user already has the dedup key.
  [[nodiscard]] virtual Result<bool> Insert(storage::SqlExecutor& tx, const NewNotification& n) = 0;
  // A digest (one row per user × dedup key that counts events): inserts n with count 1, or
  // adds one to the existing row, points it at n's resource, makes it unread again and moves
  // its time to n.at. Atomic (one upsert), so concurrent decisions never lose a count.
  // Returns the count after this event.
  [[nodiscard]] virtual Result<int64_t> BumpDigest(storage::SqlExecutor& tx,
                                                   const NewNotification& n) = 0;
  // Rewrites the title and body of the user's notification with that dedup key.
  [[nodiscard]] virtual Status SetText(storage::SqlExecutor& tx, int64_t user_id,
                                       const std::string& dedup_key, const std::string& title,
                                       const std::string& body) = 0;
  // Newest first: at most `limit`, only unread ones, only ids below before_id, as asked.
  [[nodiscard]] virtual Result<std::vector<Notification>> List(
      int64_t user_id, bool unread_only, int limit, std::optional<int64_t> before_id) = 0;
  [[nodiscard]] virtual Result<int64_t> CountUnread(int64_t user_id) = 0;
  // Marks the user's notification read (a second time keeps the first time); false when the
  // user has no such notification.
  [[nodiscard]] virtual Result<bool> MarkRead(int64_t user_id, int64_t id, int64_t at) = 0;
  [[nodiscard]] virtual Status MarkAllRead(int64_t user_id, int64_t at) = 0;

  // Recipients: enabled accounts matching f, by user id.
  [[nodiscard]] virtual Result<std::vector<Member>> Members(storage::SqlExecutor& tx,
                                                            const MemberFilter& f) = 0;
  // The first unit of a kind (by id), e.g. 国家开放大学.
  [[nodiscard]] virtual Result<std::optional<int64_t>> FirstUnitOfKind(storage::SqlExecutor& tx,
                                                                       orgs::OrgKind kind) = 0;

  // Deadline reminders: a run is marked once (false when it already was).
  [[nodiscard]] virtual Result<bool> ReminderRan(const std::string& key) = 0;
  [[nodiscard]] virtual Result<bool> MarkReminderRun(storage::SqlExecutor& tx,
                                                     const std::string& key, int64_t at) = 0;

  // E-mail outbox. QueueMail writes nothing (false) when the unit already has the dedup key.
  [[nodiscard]] virtual Result<bool> QueueMail(storage::SqlExecutor& tx, int64_t org_id,
                                               const std::string& dedup_key,
                                               const std::string& subject, const std::string& body,
                                               int64_t at) = 0;
  // The same for a message to one account's own address (org_id: the platform unit).
  [[nodiscard]] virtual Result<bool> QueueUserMail(storage::SqlExecutor& tx, int64_t org_id,
                                                   int64_t user_id, const std::string& dedup_key,
                                                   const std::string& subject,
                                                   const std::string& body, int64_t at) = 0;
  // Unsent mail with attempts < max_attempts whose next attempt is due at `now`, oldest first.
  [[nodiscard]] virtual Result<std::vector<QueuedMail>> DueMail(int64_t now, int64_t max_attempts,
                                                                int limit) = 0;
  // Compare-and-set on next_attempt_at, so two servers never send the same message: true
  // when this caller now holds the mail until `until`.
  [[nodiscard]] virtual Result<bool> ClaimMail(int64_t id, int64_t seen_next_attempt_at,
                                               int64_t until) = 0;
  [[nodiscard]] virtual Status MailSent(int64_t id, int64_t at, int64_t attempts) = 0;
  // Records a failed attempt: the count, when to try again and why (Chinese).
  [[nodiscard]] virtual Status MailFailed(int64_t id, int64_t attempts, int64_t next_attempt_at,
                                          const std::string& error) = 0;
};

std::unique_ptr<NotificationRepository> NewSqlNotificationRepository(storage::Database& db);

}  // namespace lep::review
