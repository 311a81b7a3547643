#include "review/notifications.h"

#include <algorithm>
#include <map>
#include <set>

#include "orgs/org_repository.h"
#include "review/mailer.h"

namespace lep::review {
namespace {

constexpr int64_t kDayMs = 86'400'000;
constexpr int kMaxMailAttempts = 5;

std::string Quote(const std::string& title) { return "《" + title + "》"; }
std::string Unit(const std::string& name) { return "「" + name + "」"; }

std::optional<Date> DateOf(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return ParseIsoDate(s);
}

}  // namespace

std::string_view NotificationKindName(NotificationKind k) {
  switch (k) {
    case NotificationKind::kReturned:
      return "returned";
    case NotificationKind::kRejected:
      return "rejected";
    case NotificationKind::kPublished:
      return "published";
    case NotificationKind::kQueued:
      return "queued";
    case NotificationKind::kDeadline:
      return "deadline";
  }
  return "queued";
}

std::string_view DeadlineKindName(DeadlineKind k) {
  switch (k) {
    case DeadlineKind::kContact:
      return "contact";
    case DeadlineKind::kSubmission:
      return "submission";
    case DeadlineKind::kFirstReview:
      return "first_review";
    case DeadlineKind::kFinalReview:
      return "final_review";
  }
  return "submission";
}

std::string_view DeadlineKindLabel(DeadlineKind k) {
  switch (k) {
    case DeadlineKind::kContact:
      return "联系人报送截止";
    case DeadlineKind::kSubmission:
      return "资源提交截止";
    case DeadlineKind::kFirstReview:
      return "初审截止";
    case DeadlineKind::kFinalReview:
      return "终审截止";
  }
  return "";
}

std::vector<Notice> NoticesFor(const TransitionInfo& t) {
  std::vector<Notice> out;
  const std::string title = Quote(t.title);
  if (t.to == ResourceState::kFirstReview && t.from != ResourceState::kFirstReview) {
    std::string body = Unit(t.owner_unit) + "提交了资源" + title + "，已进入本单位的初审队列";
    if (!t.first_review_deadline.empty()) body += "，初审截止日期为 " + t.first_review_deadline;
    out.push_back({NotificationKind::kQueued, Audience::kFirstReviewUnit, "待初审：" + title,
                   body + "。请及时审核。"});
  } else if (t.to == ResourceState::kFinalReview && t.from != ResourceState::kFinalReview) {
    std::string body;
    if (t.action == Action::kTakeOver) {
      body = Unit(t.owner_unit) + "的资源" + title + "初审逾期，已由" + Unit(t.actor_unit) +
             "接管，进入终审队列";
    } else if (t.from == ResourceState::kFirstReview) {
      body = Unit(t.actor_unit) + "初审通过了" + Unit(t.owner_unit) + "的资源" + title +
             "，已进入终审队列";
    } else {
      body = Unit(t.owner_unit) + "提交了资源" + title + "，已进入终审队列";
    }
    if (!t.final_review_deadline.empty()) body += "，终审截止日期为 " + t.final_review_deadline;
    out.push_back({NotificationKind::kQueued, Audience::kFinalReviewUnit, "待终审：" + title,
                   body + "。请及时审核。"});
  }
  if (t.action == Action::kReturn) {
    out.push_back({NotificationKind::kReturned, Audience::kUploader, "资源被退回修改：" + title,
                   Unit(t.actor_unit) + "退回了资源" + title + "，意见：" + t.comment +
                       "。请按意见修改后重新提交。"});
  } else if (t.action == Action::kReject) {
    out.push_back(
        {NotificationKind::kRejected, Audience::kUploader, "资源未通过审核：" + title,
         Unit(t.actor_unit) + "审核认为资源" + title + "不予通过，意见：" + t.comment + "。"});
  } else if (t.to == ResourceState::kPublished && t.from != ResourceState::kPublished) {
    std::string body = t.action == Action::kRepublish ? "资源" + title + "已重新上线"
                       : t.batch_name.empty()
                           ? "资源" + title + "已发布上线"
                           : "资源" + title + "已随" + Unit(t.batch_name) + "发布上线";
    out.push_back({NotificationKind::kPublished, Audience::kUploader, "资源已发布：" + title,
                   body + "，公众可在学习门户免费学习。"});
  }
  return out;
}

std::vector<DueReminder> DueReminders(const CampaignDates& c, const std::vector<int>& reminder_days,
                                      int64_t now_ms) {
  std::vector<int> days;
  for (int n : reminder_days) {
    if (n >= 0) days.push_back(n);
  }
  std::sort(days.begin(), days.end());
  days.erase(std::unique(days.begin(), days.end()), days.end());
  const int64_t today = ShanghaiMidnightMs(DateFromUnixMs(now_ms, 8));
  std::vector<DueReminder> out;
  auto consider = [&](DeadlineKind kind, const std::optional<Date>& deadline) {
    if (!deadline) return;
    int64_t left = (ShanghaiMidnightMs(*deadline) - today) / kDayMs;
    if (left < 0) return;  // the deadline day is over
    for (int n : days) {
      if (left <= n) {
        out.push_back({kind, *deadline, n, static_cast<int>(left)});
        return;
      }
    }
  };
  consider(DeadlineKind::kContact, c.contact);
  consider(DeadlineKind::kSubmission, c.submission);
  consider(DeadlineKind::kFirstReview, c.first_review);
  consider(DeadlineKind::kFinalReview, c.final_review);
  return out;
}

std::string ReminderKey(int64_t campaign_id, const DueReminder& r) {
  return "deadline:" + std::to_string(campaign_id) + ":" + std::string(DeadlineKindName(r.kind)) +
         ":" + r.deadline.ToString() + ":" + std::to_string(r.days_before);
}

Notice ReminderNotice(const CampaignDates& c, const DueReminder& r) {
  std::string label(DeadlineKindLabel(r.kind));  // "资源提交截止"
  std::string step = label.substr(0, label.size() - std::string("截止").size());
  std::string left = "还有 " + std::to_string(r.days_left) + " 天";
  std::string title = "截止提醒：" + step + (r.days_left == 0 ? "今天截止" : "截止" + left);
  std::string body = Unit(c.name) + "的" + label + "日期为 " + r.deadline.ToString() +
                     "（北京时间当日 24 时），" + (r.days_left == 0 ? "今天截止" : "距今" + left) +
                     "，请抓紧办理。";
  return {NotificationKind::kDeadline, Audience::kUploader, title, body};
}

bool ReminderReaches(DeadlineKind k, auth::Role role, orgs::OrgKind unit_kind) {
  using auth::Role;
  using orgs::OrgKind;
  if (unit_kind == OrgKind::kMinistryDept) return false;  // read-only oversight
  switch (k) {
    case DeadlineKind::kContact:
      return role == Role::kUnitAdmin;
    case DeadlineKind::kSubmission:
      return role == Role::kUnitAdmin || role == Role::kUploader;
    case DeadlineKind::kFirstReview:
      // Reviewers of the top-level units that have second-level units to review.
      return role == Role::kReviewer && unit_kind != OrgKind::kOpenUniversity &&
             !orgs::AllowedChildKinds(unit_kind).empty();
    case DeadlineKind::kFinalReview:
      return (role == Role::kReviewer && unit_kind == OrgKind::kOpenUniversity) ||
             role == Role::kPlatformAdmin;
  }
  return false;
}

NotificationService::NotificationService(storage::Database& db, const Clock& clock,
                                         NotificationOptions opts)
    : db_(db), clock_(clock), opts_(std::move(opts)) {}

Status NotificationService::Insert(storage::SqlExecutor& tx, int64_t user_id, const Notice& n,
                                   std::optional<int64_t> resource_id, const std::string& dedup_key,
                                   int64_t now, int64_t* written) {
  storage::Value res = resource_id ? storage::Value(*resource_id) : storage::Value(nullptr);
  LEP_ASSIGN_OR_RETURN(
      auto r, tx.Exec("INSERT INTO notifications (user_id, kind, title, body, resource_id, "
                      "dedup_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                      {user_id, std::string(NotificationKindName(n.kind)), n.title, n.body, res,
                       dedup_key, now}));
  if (written) *written += r.affected;
  return Ok();
}

Status NotificationService::QueueMail(storage::SqlExecutor& tx, int64_t org_id,
                                      const std::string& dedup_key, const Notice& n, int64_t now) {
  if (!opts_.mail_enabled) return Ok();
  return tx
      .Exec(
          "INSERT INTO mail_outbox (org_id, dedup_key, subject, body, created_at) VALUES "
          "(?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
          {org_id, dedup_key, n.title, n.body, now})
      .map([](auto&&) {});
}

Status NotificationService::OnTransition(storage::SqlExecutor& tx, const TransitionTarget& target,
                                         const TransitionInfo& info) {
  auto notices = NoticesFor(info);
  if (notices.empty()) return Ok();
  int64_t now = clock_.NowMs();
  for (const Notice& n : notices) {
    std::vector<int64_t> users;
    int64_t mail_org = 0;
    switch (n.audience) {
      case Audience::kUploader: {
        mail_org = target.owner.id.value;
        LEP_ASSIGN_OR_RETURN(
            auto creator,
            tx.QueryOne("SELECT id FROM users WHERE id = ? AND disabled = 0", {target.created_by}));
        if (creator) {
          users.push_back(creator->Int(0));
        } else {  // imported or the account is gone: the unit's uploaders and admins
          LEP_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT id FROM users WHERE org_id = ? AND "
                                                  "disabled = 0 AND role IN ('uploader', "
                                                  "'unit_admin') ORDER BY id",
                                                  {target.owner.id.value}));
          for (const auto& r : rows.rows) users.push_back(r.Int(0));
        }
        break;
      }
      case Audience::kFirstReviewUnit: {
        if (!target.owner.parent_id) break;
        mail_org = target.owner.parent_id->value;
        LEP_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT id FROM users WHERE org_id = ? AND "
                                                "disabled = 0 AND role = 'reviewer' ORDER BY id",
                                                {mail_org}));
        for (const auto& r : rows.rows) users.push_back(r.Int(0));
        break;
      }
      case Audience::kFinalReviewUnit: {
        LEP_ASSIGN_OR_RETURN(auto rows,
                             tx.Exec("SELECT u.id, o.id FROM users u JOIN orgs o ON o.id = "
                                     "u.org_id WHERE o.kind = 'open_university' AND u.disabled = "
                                     "0 AND u.role = 'reviewer' ORDER BY u.id"));
        for (const auto& r : rows.rows) {
          users.push_back(r.Int(0));
          mail_org = r.Int(1);
        }
        if (mail_org == 0) {
          LEP_ASSIGN_OR_RETURN(auto root, tx.QueryOne("SELECT id FROM orgs WHERE kind = "
                                                      "'open_university' ORDER BY id LIMIT 1"));
          if (root) mail_org = root->Int(0);
        }
        break;
      }
    }
    std::string key =
        "h" + std::to_string(target.history_id) + ":" + std::string(NotificationKindName(n.kind));
    for (int64_t u : users) {
      if (u == target.actor_id) continue;
      LEP_RETURN_IF_ERROR(Insert(tx, u, n, target.resource_id, key, now, nullptr));
    }
    if (mail_org != 0) LEP_RETURN_IF_ERROR(QueueMail(tx, mail_org, key, n, now));
  }
  return Ok();
}

Result<int64_t> NotificationService::GenerateReminders() {
  if (opts_.reminder_days.empty()) return int64_t{0};
  int64_t now = clock_.NowMs();
  LEP_ASSIGN_OR_RETURN(auto campaigns,
                       db_.Exec("SELECT id, name, contact_deadline, submission_deadline, "
                                "first_review_deadline, final_review_deadline FROM campaigns "
                                "ORDER BY id"));
  struct Due {
    CampaignDates campaign;
    DueReminder reminder;
    std::string key;
  };
  std::vector<Due> due;
  for (const auto& r : campaigns.rows) {
    CampaignDates c{r.Int(0),          r.Text(1),         DateOf(r.Text(2)),
                    DateOf(r.Text(3)), DateOf(r.Text(4)), DateOf(r.Text(5))};
    for (const auto& d : DueReminders(c, opts_.reminder_days, now)) {
      due.push_back({c, d, ReminderKey(c.id, d)});
    }
  }
  if (due.empty()) return int64_t{0};
  int64_t written = 0;
  std::optional<storage::QueryResult> users;
  for (const Due& d : due) {
    LEP_ASSIGN_OR_RETURN(auto done,
                         db_.QueryOne("SELECT 1 FROM reminder_runs WHERE dedup_key = ?", {d.key}));
    if (done) continue;
    if (!users) {
      LEP_ASSIGN_OR_RETURN(auto rows, db_.Exec("SELECT u.id, u.role, o.id, o.kind FROM users u "
                                               "JOIN orgs o ON o.id = u.org_id WHERE "
                                               "u.disabled = 0 ORDER BY u.id"));
      users = std::move(rows);
    }
    Notice n = ReminderNotice(d.campaign, d.reminder);
    // The run marker and the notifications commit together: a crash in between leaves
    // neither, and the next tick writes them.
    LEP_RETURN_IF_ERROR(db_.Transaction([&](storage::SqlExecutor& tx) -> Status {
      LEP_ASSIGN_OR_RETURN(auto mark, tx.Exec("INSERT INTO reminder_runs (dedup_key, at) VALUES "
                                              "(?, ?) ON CONFLICT DO NOTHING",
                                              {d.key, now}));
      if (mark.affected == 0) return Ok();  // another server got here first
      std::set<int64_t> org_ids;
      for (const auto& u : users->rows) {
        auto role = auth::ParseRole(u.Text(1));
        auto kind = orgs::ParseKind(u.Text(3));
        if (!role || !kind || !ReminderReaches(d.reminder.kind, *role, *kind)) continue;
        LEP_RETURN_IF_ERROR(Insert(tx, u.Int(0), n, std::nullopt, d.key, now, &written));
        org_ids.insert(u.Int(2));
      }
      for (int64_t org : org_ids) LEP_RETURN_IF_ERROR(QueueMail(tx, org, d.key, n, now));
      return Ok();
    }));
  }
  return written;
}

Result<Inbox> NotificationService::List(int64_t user_id, bool unread_only, int limit,
                                        std::optional<int64_t> before_id) {
  limit = std::clamp(limit, 1, 200);
  std::string sql =
      "SELECT id, kind, title, body, resource_id, created_at, read_at FROM notifications "
      "WHERE user_id = ?";
  std::vector<storage::Value> params{user_id};
  if (unread_only) sql += " AND read_at IS NULL";
  if (before_id) {
    sql += " AND id < ?";
    params.push_back(*before_id);
  }
  sql += " ORDER BY id DESC LIMIT ?";
  params.push_back(int64_t{limit});
  LEP_ASSIGN_OR_RETURN(auto rows, db_.Exec(sql, params));
  Inbox inbox;
  for (const auto& r : rows.rows) {
    inbox.items.push_back(
        {r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.OptInt(4), r.Int(5), r.OptInt(6)});
  }
  LEP_ASSIGN_OR_RETURN(auto count, db_.QueryOne("SELECT COUNT(*) FROM notifications WHERE "
                                                "user_id = ? AND read_at IS NULL",
                                                {user_id}));
  inbox.unread = count ? count->Int(0) : 0;
  return inbox;
}

Status NotificationService::MarkRead(int64_t user_id, int64_t id) {
  LEP_ASSIGN_OR_RETURN(auto r, db_.Exec("UPDATE notifications SET read_at = COALESCE(read_at, ?) "
                                        "WHERE id = ? AND user_id = ?",
                                        {clock_.NowMs(), id, user_id}));
  if (r.affected == 0) return Fail(Error::NotFound("通知不存在"));
  return Ok();
}

Status NotificationService::MarkAllRead(int64_t user_id) {
  return db_
      .Exec("UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL",
            {clock_.NowMs(), user_id})
      .map([](auto&&) {});
}

Result<int64_t> NotificationService::DeliverMail(Mailer& mailer, orgs::OrgRepository& org_repo,
                                                 int limit) {
  int64_t now = clock_.NowMs();
  LEP_ASSIGN_OR_RETURN(auto rows, db_.Exec("SELECT id, org_id, subject, body, attempts, "
                                           "next_attempt_at FROM mail_outbox WHERE sent_at IS "
                                           "NULL AND attempts < ? AND next_attempt_at <= ? "
                                           "ORDER BY id LIMIT ?",
                                           {int64_t{kMaxMailAttempts}, now, int64_t{limit}}));
  int64_t sent = 0;
  for (const auto& r : rows.rows) {
    int64_t id = r.Int(0), attempts = r.Int(4);
    // Claim the row (compare-and-set) so that two servers never send the same message.
    LEP_ASSIGN_OR_RETURN(auto claim, db_.Exec("UPDATE mail_outbox SET next_attempt_at = ? WHERE "
                                              "id = ? AND next_attempt_at = ? AND sent_at IS NULL",
                                              {now + 10 * 60'000, id, r.Int(5)}));
    if (claim.affected == 0) continue;
    auto contact = org_repo.GetContact(orgs::OrgId{r.Int(1)});
    if (!contact || !*contact || !IsPlainAddress((*contact)->email)) {
      LEP_RETURN_IF_ERROR(
          db_.Exec("UPDATE mail_outbox SET attempts = ?, last_error = ? WHERE id = ?",
                   {int64_t{kMaxMailAttempts}, std::string("单位未登记有效的负责人电子邮箱"), id}));
      continue;
    }
    MailMessage m{mailer.from(), (*contact)->email,
                  r.Text(2),     r.Text(3),
                  now,           "n" + std::to_string(id) + "." + std::to_string(now) + "@lep"};
    auto st = mailer.Send(m);
    if (st) {
      LEP_RETURN_IF_ERROR(db_.Exec("UPDATE mail_outbox SET sent_at = ?, attempts = ? WHERE id = ?",
                                   {now, attempts + 1, id}));
      ++sent;
    } else {
      int64_t backoff = int64_t{60'000} << std::min<int64_t>(attempts, 6);
      LEP_RETURN_IF_ERROR(
          db_.Exec("UPDATE mail_outbox SET attempts = ?, next_attempt_at = ?, "
                   "last_error = ? WHERE id = ?",
                   {attempts + 1, now + backoff, st.error().message, id}));
    }
  }
  return sent;
}

}  // namespace lep::review
