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
    case NotificationKind::kWithdrawn:
      return "withdrawn";
    case NotificationKind::kLinkBroken:
      return "link_broken";
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
  } else if (t.action == Action::kWithdraw) {
    out.push_back({NotificationKind::kWithdrawn, Audience::kUploader, "资源已下线：" + title,
                   Unit(t.actor_unit) + "已将资源" + title + "从学习门户下线，原因：" + t.comment +
                       "。如有疑问请联系平台管理员。"});
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

std::string DigestKey(const Notice& n, int64_t campaign_id, int64_t now_ms) {
  std::string step = n.audience == Audience::kFirstReviewUnit ? "first" : "final";
  return "digest:queued:" + step + ":" + std::to_string(campaign_id) + ":" +
         DateFromUnixMs(now_ms, 8).ToString();
}

Notice DigestNotice(const Notice& latest, const TransitionInfo& t, int64_t count, int64_t now_ms) {
  if (count <= 1) return latest;
  const bool first = latest.audience == Audience::kFirstReviewUnit;
  const std::string step = first ? "初审" : "终审";
  const std::string n = std::to_string(count);
  std::string body = "今日（" + DateFromUnixMs(now_ms, 8).ToString() + "）已有 " + n +
                     " 个资源进入本单位的" + step + "队列，最近一个是" + Unit(t.owner_unit) + "的" +
                     Quote(t.title);
  const std::string& deadline = first ? t.first_review_deadline : t.final_review_deadline;
  if (!deadline.empty()) body += "；" + step + "截止时间为 " + deadline;
  return {latest.kind, latest.audience, "待" + step + "：今日新增 " + n + " 个资源",
          body + "。请在审核队列中及时处理。"};
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

Notice LinkBrokenNotice(const BrokenLink& b) {
  Notice n;
  n.kind = NotificationKind::kLinkBroken;
  n.audience = Audience::kOwnerUnit;
  n.title = "课程链接无法访问：" + b.title;
  n.body = "平台定期检测发现，本单位的网络课程《" + b.title + "》（" + b.state_label +
           "）的课程链接现在无法访问：" + b.url + "（" + b.reason +
           "）。此前的检测可以正常访问。请联系课程平台恢复访问，或在资源中更新为可访问的链接；"
           "恢复前该课程会出现在失效链接清单中。";
  return n;
}

CampaignDates DatesOf(const Campaign& c) {
  return {c.id,
          c.name,
          DateOf(c.contact_deadline),
          DateOf(c.submission_deadline),
          DateOf(c.first_review_deadline),
          DateOf(c.final_review_deadline)};
}

NotificationService::NotificationService(storage::Transactor& tx, NotificationRepository& repo,
                                         CampaignRepository& campaigns, const Clock& clock,
                                         NotificationOptions opts)
    : tx_(tx), repo_(repo), campaigns_(campaigns), clock_(clock), opts_(std::move(opts)) {}

Result<bool> NotificationService::Insert(storage::SqlExecutor& tx, int64_t user_id, const Notice& n,
                                         std::optional<int64_t> resource_id,
                                         const std::string& dedup_key, int64_t now) {
  return repo_.Insert(tx, {user_id, std::string(NotificationKindName(n.kind)), n.title, n.body,
                           resource_id, dedup_key, now});
}

Status NotificationService::QueueMail(storage::SqlExecutor& tx, int64_t org_id,
                                      const std::string& dedup_key, const Notice& n, int64_t now) {
  if (!opts_.mail_enabled) return Ok();
  return repo_.QueueMail(tx, org_id, dedup_key, n.title, n.body, now).map([](bool) {});
}

Result<NotificationService::Recipients> NotificationService::RecipientsOf(
    storage::SqlExecutor& tx, Audience audience, const TransitionTarget& target) {
  using auth::Role;
  Recipients out;
  auto members = [&](MemberFilter f, auto wanted) -> Status {
    LEP_ASSIGN_OR_RETURN(auto list, repo_.Members(tx, f));
    for (const Member& m : list) {
      if (m.role && wanted(*m.role)) {
        out.users.push_back(m.user_id);
        if (m.org_id) out.mail_org = *m.org_id;
      }
    }
    return Ok();
  };
  switch (audience) {
    case Audience::kUploader: {
      LEP_RETURN_IF_ERROR(members({target.created_by, {}, {}}, [](Role) { return true; }));
      if (out.users.empty()) {  // imported, or the account is gone: the unit's uploaders/admins
        LEP_RETURN_IF_ERROR(members({{}, target.owner.id.value, {}}, [](Role r) {
          return r == Role::kUploader || r == Role::kUnitAdmin;
        }));
      }
      out.mail_org = target.owner.id.value;
      break;
    }
    case Audience::kFirstReviewUnit: {
      if (!target.owner.parent_id) break;
      LEP_RETURN_IF_ERROR(members({{}, target.owner.parent_id->value, {}},
                                  [](Role r) { return r == Role::kReviewer; }));
      out.mail_org = target.owner.parent_id->value;
      break;
    }
    case Audience::kOwnerUnit: {
      LEP_RETURN_IF_ERROR(members({{}, target.owner.id.value, {}}, [](Role r) {
        return r == Role::kUploader || r == Role::kUnitAdmin;
      }));
      out.mail_org = target.owner.id.value;
      break;
    }
    case Audience::kFinalReviewUnit: {
      LEP_RETURN_IF_ERROR(members({{}, {}, orgs::OrgKind::kOpenUniversity},
                                  [](Role r) { return r == Role::kReviewer; }));
      if (out.mail_org == 0) {
        LEP_ASSIGN_OR_RETURN(auto root, repo_.FirstUnitOfKind(tx, orgs::OrgKind::kOpenUniversity));
        out.mail_org = root.value_or(0);
      }
      break;
    }
  }
  return out;
}

Status NotificationService::OnTransition(storage::SqlExecutor& tx, const TransitionTarget& target,
                                         const TransitionInfo& info) {
  auto notices = NoticesFor(info);
  if (notices.empty()) return Ok();
  int64_t now = clock_.NowMs();
  for (const Notice& n : notices) {
    LEP_ASSIGN_OR_RETURN(Recipients to, RecipientsOf(tx, n.audience, target));
    if (n.kind == NotificationKind::kQueued) {
      // One digest per reviewer, step, campaign and day; the e-mail once per unit and day.
      std::string key = DigestKey(n, info.campaign_id, now);
      for (int64_t u : to.users) {
        if (u == target.actor_id) continue;
        LEP_ASSIGN_OR_RETURN(int64_t count,
                             repo_.BumpDigest(tx, {u, std::string(NotificationKindName(n.kind)),
                                                   n.title, n.body, target.resource_id, key, now}));
        if (count > 1) {
          Notice digest = DigestNotice(n, info, count, now);
          LEP_RETURN_IF_ERROR(repo_.SetText(tx, u, key, digest.title, digest.body));
        }
      }
      if (to.mail_org != 0) LEP_RETURN_IF_ERROR(QueueMail(tx, to.mail_org, key, n, now));
      continue;
    }
    std::string key =
        "h" + std::to_string(target.history_id) + ":" + std::string(NotificationKindName(n.kind));
    for (int64_t u : to.users) {
      if (u == target.actor_id) continue;
      LEP_RETURN_IF_ERROR(Insert(tx, u, n, target.resource_id, key, now));
    }
    if (to.mail_org != 0) LEP_RETURN_IF_ERROR(QueueMail(tx, to.mail_org, key, n, now));
  }
  return Ok();
}

Status NotificationService::OnLinkBroken(storage::SqlExecutor& tx, const BrokenLink& b) {
  Notice n = LinkBrokenNotice(b);
  TransitionTarget target;
  target.resource_id = b.resource_id;
  target.owner.id = b.owner;
  LEP_ASSIGN_OR_RETURN(Recipients to, RecipientsOf(tx, n.audience, target));
  const std::string key =
      "link_broken:" + std::to_string(b.resource_id) + ":" + std::to_string(b.checked_at);
  int64_t now = clock_.NowMs();
  for (int64_t u : to.users) LEP_RETURN_IF_ERROR(Insert(tx, u, n, b.resource_id, key, now));
  if (to.mail_org != 0) LEP_RETURN_IF_ERROR(QueueMail(tx, to.mail_org, key, n, now));
  return Ok();
}

Result<int64_t> NotificationService::GenerateReminders() {
  if (opts_.reminder_days.empty()) return int64_t{0};
  int64_t now = clock_.NowMs();
  LEP_ASSIGN_OR_RETURN(auto campaigns, campaigns_.List());
  std::reverse(campaigns.begin(), campaigns.end());  // oldest first
  struct Due {
    CampaignDates campaign;
    DueReminder reminder;
    std::string key;
  };
  std::vector<Due> due;
  for (const Campaign& c : campaigns) {
    CampaignDates dates = DatesOf(c);
    for (const auto& d : DueReminders(dates, opts_.reminder_days, now)) {
      due.push_back({dates, d, ReminderKey(c.id, d)});
    }
  }
  int64_t written = 0;
  for (const Due& d : due) {
    LEP_ASSIGN_OR_RETURN(bool done, repo_.ReminderRan(d.key));
    if (done) continue;
    Notice n = ReminderNotice(d.campaign, d.reminder);
    // The run marker and the notifications commit together: a crash in between leaves
    // neither, and the next tick writes them.
    int64_t in_run = 0;
    LEP_RETURN_IF_ERROR(tx_.Transaction([&](storage::SqlExecutor& tx) -> Status {
      in_run = 0;
      LEP_ASSIGN_OR_RETURN(bool first, repo_.MarkReminderRun(tx, d.key, now));
      if (!first) return Ok();  // another server got here first
      LEP_ASSIGN_OR_RETURN(auto members, repo_.Members(tx, {}));
      std::set<int64_t> org_ids;
      for (const Member& m : members) {
        if (!m.role || !m.org_kind || !m.org_id) continue;
        if (!ReminderReaches(d.reminder.kind, *m.role, *m.org_kind)) continue;
        LEP_ASSIGN_OR_RETURN(bool wrote, Insert(tx, m.user_id, n, std::nullopt, d.key, now));
        in_run += wrote ? 1 : 0;
        org_ids.insert(*m.org_id);
      }
      for (int64_t org : org_ids) LEP_RETURN_IF_ERROR(QueueMail(tx, org, d.key, n, now));
      return Ok();
    }));
    written += in_run;
  }
  return written;
}

Result<Inbox> NotificationService::List(int64_t user_id, bool unread_only, int limit,
                                        std::optional<int64_t> before_id) {
  Inbox inbox;
  LEP_ASSIGN_OR_RETURN(inbox.items,
                       repo_.List(user_id, unread_only, std::clamp(limit, 1, 200), before_id));
  LEP_ASSIGN_OR_RETURN(inbox.unread, repo_.CountUnread(user_id));
  return inbox;
}

Status NotificationService::MarkRead(int64_t user_id, int64_t id) {
  LEP_ASSIGN_OR_RETURN(bool marked, repo_.MarkRead(user_id, id, clock_.NowMs()));
  if (!marked) return Fail(Error::NotFound("通知不存在"));
  return Ok();
}

Status NotificationService::MarkAllRead(int64_t user_id) {
  return repo_.MarkAllRead(user_id, clock_.NowMs());
}

Result<int64_t> NotificationService::DeliverMail(Mailer& mailer, orgs::OrgRepository& org_repo,
                                                 int limit) {
  int64_t now = clock_.NowMs();
  LEP_ASSIGN_OR_RETURN(auto due, repo_.DueMail(now, kMaxMailAttempts, limit));
  int64_t sent = 0;
  for (const QueuedMail& q : due) {
    // Claim the row (compare-and-set) so that two servers never send the same message.
    int64_t held_until = now + 10 * 60'000;
    LEP_ASSIGN_OR_RETURN(bool claimed, repo_.ClaimMail(q.id, q.next_attempt_at, held_until));
    if (!claimed) continue;
    // To one account's own address (a learner's reset link) or to the unit's 负责人.
    std::string address;
    std::string missing;
    if (q.to_user) {
      if (personal_address_) {
        if (auto a = personal_address_(*q.to_user)) address = std::move(*a);
      }
      missing = "账号未登记有效的电子邮箱";
    } else {
      auto contact = org_repo.GetContact(orgs::OrgId{q.org_id});
      if (contact && *contact) address = (*contact)->email;
      missing = "单位未登记有效的负责人电子邮箱";
    }
    if (!IsPlainAddress(address)) {
      LEP_RETURN_IF_ERROR(repo_.MailFailed(q.id, kMaxMailAttempts, held_until, missing));
      continue;
    }
    MailMessage m{mailer.from(), address, q.subject, q.body, now,
                  "n" + std::to_string(q.id) + "." + std::to_string(now) + "@lep"};
    auto st = mailer.Send(m);
    if (st) {
      LEP_RETURN_IF_ERROR(repo_.MailSent(q.id, now, q.attempts + 1));
      ++sent;
    } else {
      int64_t backoff = int64_t{60'000} << std::min<int64_t>(q.attempts, 6);
      LEP_RETURN_IF_ERROR(
          repo_.MailFailed(q.id, q.attempts + 1, now + backoff, st.error().message));
    }
  }
  return sent;
}

}  // namespace lep::review
