// Notifications (站内通知) of the review workflow: who hears about what (pure rules:
// NoticesFor, DueReminders, ReminderReaches — unit-tested without a database), and
// NotificationService, which writes them inside the caller's transaction, generates the
// deadline reminders (idempotent: one per user × deadline × N days) and serves a user's inbox.
// Optional e-mail goes through an outbox drained outside any transaction (mailer.h).
// Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/user.h"
#include "core/clock.h"
#include "core/date.h"
#include "core/result.h"
#include "orgs/org.h"
#include "orgs/org_repository.h"
#include "resources/resource.h"
#include "review/campaign_repository.h"
#include "review/notification_repository.h"
#include "review/workflow.h"
#include "storage/db/database.h"

namespace lep::review {

class Mailer;

enum class NotificationKind {
  kReturned,
  kRejected,
  kPublished,
  kQueued,
  kDeadline,
  kWithdrawn,
  kLinkBroken,  // the periodic re-check found an A03 link newly unreachable
};
std::string_view NotificationKindName(NotificationKind k);  // "returned"

// Whose inbox a notice goes to, relative to the resource.
enum class Audience {
  kUploader,         // the account that created the resource (else its unit's uploaders)
  kFirstReviewUnit,  // reviewers of the owner's parent top-level unit (初审)
  kFinalReviewUnit,  // reviewers of 国家开放大学 (终审)
  kOwnerUnit,        // the owning unit's uploaders and unit admins
};

struct Notice {
  NotificationKind kind = NotificationKind::kQueued;
  Audience audience = Audience::kUploader;
  std::string title, body;
};

// What the rules need to know about one recorded transition.
struct TransitionInfo {
  Action action = Action::kSubmit;
  ResourceState from = ResourceState::kDraft;
  ResourceState to = ResourceState::kDraft;
  std::string title;       // resource title
  std::string owner_unit;  // name of the owning unit
  std::string actor_unit;  // name of the acting unit
  std::string comment;
  std::string batch_name;             // publish in a batch: 第N批
  std::string first_review_deadline;  // "" when none
  std::string final_review_deadline;
  int64_t campaign_id = 0;  // 0: none (digests are per campaign)
};

// The notices one transition produces:
//   into first_review  → queued for the 初审 unit's reviewers
//   into final_review  → queued for NOU's reviewers (after 初审, take-over, or a top-level
//                        unit's own submission)
//   return / reject    → returned / rejected for the uploader, with the comment
//   publish/republish  → published for the uploader
//   withdraw           → withdrawn for the uploader, with the reason
// Claims and approvals into "approved" produce none.
// "queued" notices are grouped: one digest per reviewer × review step × campaign × Beijing
// day (DigestKey), counted and updated in place, so 500 submissions make one message.
std::vector<Notice> NoticesFor(const TransitionInfo& t);

// "digest:queued:<first|final>:<campaign>:<yyyy-mm-dd>" of a queued notice at now_ms.
std::string DigestKey(const Notice& n, int64_t campaign_id, int64_t now_ms);
// The text of a digest that now stands for `count` queued items, the latest being `latest`
// (a count of 1 is the notice itself).
Notice DigestNotice(const Notice& latest, const TransitionInfo& t, int64_t count, int64_t now_ms);

enum class DeadlineKind { kContact, kSubmission, kFirstReview, kFinalReview };
std::string_view DeadlineKindName(DeadlineKind k);   // "submission"
std::string_view DeadlineKindLabel(DeadlineKind k);  // "资源提交截止"

struct CampaignDates {
  int64_t id = 0;
  std::string name;
  std::optional<Date> contact, submission, first_review, final_review;
};

struct DueReminder {
  DeadlineKind kind = DeadlineKind::kSubmission;
  Date deadline;
  int days_before = 0;  // the configured N this reminder stands for
  int days_left = 0;    // whole Beijing days from today to the deadline day (0 = today)
};

// Reminders due at now_ms (Asia/Shanghai days). For each deadline not yet over, the due one
// is the smallest N in reminder_days with days_left ≤ N: a server that was down on the day
// of the 7-day reminder still sends it later, but never a 7-day and a 1-day one together.
// Callers make it idempotent with ReminderKey.
std::vector<DueReminder> DueReminders(const CampaignDates& c, const std::vector<int>& reminder_days,
                                      int64_t now_ms);
// "deadline:<campaign>:<kind>:<date>:<N>" — an extended deadline gets fresh reminders.
std::string ReminderKey(int64_t campaign_id, const DueReminder& r);
Notice ReminderNotice(const CampaignDates& c, const DueReminder& r);
// Who is reminded of which deadline: unit admins of contact registration; uploaders and unit
// admins of submission; reviewers of top-level units of first review; NOU's reviewers and the
// platform admins of final review. Learners, auditors and security admins never.
bool ReminderReaches(DeadlineKind k, auth::Role role, orgs::OrgKind unit_kind);

struct NotificationOptions {
  std::vector<int> reminder_days = {7, 1};
  bool mail_enabled = false;  // also queue e-mail to the recipients' unit contact (负责人)
};

struct Inbox {
  std::vector<Notification> items;
  int64_t unread = 0;
};

// The resource side of a transition, for resolving audiences.
struct TransitionTarget {
  int64_t resource_id = 0;
  int64_t history_id = 0;  // dedup key of the e-mail
  int64_t created_by = 0;
  orgs::Org owner;
  int64_t actor_id = 0;  // never notified of their own decision
};

// An A03 link that a re-check found unreachable while the previous check of the same address
// had reached it: one break. A link that recovers and breaks again is a new break.
struct BrokenLink {
  int64_t resource_id = 0;
  orgs::OrgId owner;        // the owning unit
  std::string title;        // resource title
  std::string state_label;  // e.g. "已发布"
  std::string url;
  std::string reason;       // the checker's Chinese error, or "HTTP 404"
  int64_t checked_at = 0;   // the failing check: with resource_id, the break's identity
};
Notice LinkBrokenNotice(const BrokenLink& b);

// Campaign dates as the reminder rules take them.
CampaignDates DatesOf(const Campaign& c);

class NotificationService {
 public:
  NotificationService(storage::Transactor& tx, NotificationRepository& repo,
                      CampaignRepository& campaigns, const Clock& clock, NotificationOptions opts);

  // Writes the notices of one transition inside tx (the decision's transaction).
  [[nodiscard]] Status OnTransition(storage::SqlExecutor& tx, const TransitionTarget& target,
                                    const TransitionInfo& info);

  // Tells the owning unit's uploaders and admins (and its 负责人 by e-mail, when mail is on)
  // that the link broke, inside tx (the one that stores the failing check). Idempotent per
  // break (dedup key "link_broken:<resource>:<checked_at>").
  [[nodiscard]] Status OnLinkBroken(storage::SqlExecutor& tx, const BrokenLink& b);

  // The background job: writes every due deadline reminder not written before. Returns how
  // many notifications it wrote.
  [[nodiscard]] Result<int64_t> GenerateReminders();

  [[nodiscard]] Result<Inbox> List(int64_t user_id, bool unread_only, int limit,
                                   std::optional<int64_t> before_id);
  // kNotFound unless the notification belongs to user_id. Marking twice keeps the first time.
  [[nodiscard]] Status MarkRead(int64_t user_id, int64_t id);
  [[nodiscard]] Status MarkAllRead(int64_t user_id);

  // Sends up to `limit` queued e-mails (outside any transaction) to the contact person (负责人)
  // of each recipient unit; returns how many went out. A failing message is retried on later
  // calls with back-off, at most 5 times.
  [[nodiscard]] Result<int64_t> DeliverMail(Mailer& mailer, orgs::OrgRepository& org_repo,
                                            int limit = 50);

  // How DeliverMail finds an account's own address (a learner's password reset); set by the
  // app before the background round starts. Without it such mail fails as undeliverable.
  void SetPersonalAddress(std::function<Result<std::string>(int64_t user_id)> resolve) {
    personal_address_ = std::move(resolve);
  }

  const NotificationOptions& options() const { return opts_; }

 private:
  // Whose inbox one notice goes to, and the unit whose contact person gets the e-mail (0: none).
  struct Recipients {
    std::vector<int64_t> users;
    int64_t mail_org = 0;
  };
  Result<Recipients> RecipientsOf(storage::SqlExecutor& tx, Audience audience,
                                  const TransitionTarget& target);
  Result<bool> Insert(storage::SqlExecutor& tx, int64_t user_id, const Notice& n,
                      std::optional<int64_t> resource_id, const std::string& dedup_key,
                      int64_t now);
  Status QueueMail(storage::SqlExecutor& tx, int64_t org_id, const std::string& dedup_key,
                   const Notice& n, int64_t now);

  storage::Transactor& tx_;
  NotificationRepository& repo_;
  CampaignRepository& campaigns_;
  const Clock& clock_;
  NotificationOptions opts_;
  std::function<Result<std::string>(int64_t)> personal_address_;
};

}  // namespace lep::review
