// The notification rules (who hears about which transition), deadline-reminder scheduling on
// Asia/Shanghai days with a FakeClock, and the e-mail message building. No database.
#include "review/notifications.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "core/clock.h"
#include "review/mailer.h"

namespace lep::review {
namespace {

using S = resources::ResourceState;

// Unix ms of yyyy-mm-dd hh:mm:ss Beijing time.
int64_t Beijing(const char* date, int h = 0, int m = 0, int s = 0) {
  return ShanghaiMidnightMs(*ParseIsoDate(date)) + ((h * 60 + m) * 60 + s) * 1000LL;
}

TransitionInfo Info(Action a, S from, S to) {
  TransitionInfo t;
  t.action = a;
  t.from = from;
  t.to = to;
  t.title = "太极拳入门";
  t.owner_unit = "岭南示范职业技术学院（演示）";
  t.actor_unit = "广东省教育厅";
  t.comment = "封面不清晰";
  t.first_review_deadline = "2022-05-22";
  t.final_review_deadline = "2022-05-31";
  return t;
}

TEST(NoticesFor, SubmissionOfACollegeQueuesForTheProvince) {
  auto n = NoticesFor(Info(Action::kSubmit, S::kDraft, S::kFirstReview));
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].kind, NotificationKind::kQueued);
  EXPECT_EQ(n[0].audience, Audience::kFirstReviewUnit);
  EXPECT_NE(n[0].title.find("待初审"), std::string::npos);
  EXPECT_NE(n[0].body.find("岭南示范职业技术学院"), std::string::npos);
  EXPECT_NE(n[0].body.find("2022-05-22"), std::string::npos);
  // Resubmission after a return runs the chain again.
  auto again = NoticesFor(Info(Action::kSubmit, S::kReturned, S::kFirstReview));
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].audience, Audience::kFirstReviewUnit);
}

TEST(NoticesFor, EverythingEnteringFinalReviewQueuesForNou) {
  for (auto [action, from] :
       {std::pair{Action::kSubmit, S::kDraft}, std::pair{Action::kApprove, S::kFirstReview},
        std::pair{Action::kTakeOver, S::kFirstReview}}) {
    auto n = NoticesFor(Info(action, from, S::kFinalReview));
    ASSERT_EQ(n.size(), 1u) << ActionName(action);
    EXPECT_EQ(n[0].kind, NotificationKind::kQueued);
    EXPECT_EQ(n[0].audience, Audience::kFinalReviewUnit);
    EXPECT_NE(n[0].body.find("2022-05-31"), std::string::npos);
  }
  EXPECT_NE(
      NoticesFor(Info(Action::kTakeOver, S::kFirstReview, S::kFinalReview))[0].body.find("接管"),
      std::string::npos);
  EXPECT_NE(NoticesFor(Info(Action::kApprove, S::kFirstReview, S::kFinalReview))[0].body.find(
                "「广东省教育厅」初审通过"),
            std::string::npos);
}

TEST(NoticesFor, ReturnRejectAndPublishTellTheUploader) {
  auto ret = NoticesFor(Info(Action::kReturn, S::kFinalReview, S::kReturned));
  ASSERT_EQ(ret.size(), 1u);
  EXPECT_EQ(ret[0].kind, NotificationKind::kReturned);
  EXPECT_EQ(ret[0].audience, Audience::kUploader);
  EXPECT_NE(ret[0].body.find("封面不清晰"), std::string::npos);

  auto rej = NoticesFor(Info(Action::kReject, S::kFirstReview, S::kRejected));
  ASSERT_EQ(rej.size(), 1u);
  EXPECT_EQ(rej[0].kind, NotificationKind::kRejected);
  EXPECT_EQ(rej[0].audience, Audience::kUploader);
  EXPECT_NE(rej[0].body.find("封面不清晰"), std::string::npos);

  auto in_batch = Info(Action::kPublish, S::kApproved, S::kPublished);
  in_batch.batch_name = "第3批";
  auto pub = NoticesFor(in_batch);
  ASSERT_EQ(pub.size(), 1u);
  EXPECT_EQ(pub[0].kind, NotificationKind::kPublished);
  EXPECT_NE(pub[0].body.find("第3批"), std::string::npos);
  auto re = NoticesFor(Info(Action::kRepublish, S::kWithdrawn, S::kPublished));
  ASSERT_EQ(re.size(), 1u);
  EXPECT_NE(re[0].body.find("重新上线"), std::string::npos);
}

TEST(NoticesFor, ClaimsAndApprovalsIntoApprovedAreSilent) {
  EXPECT_TRUE(NoticesFor(Info(Action::kClaim, S::kFirstReview, S::kFirstReview)).empty());
  EXPECT_TRUE(NoticesFor(Info(Action::kUnclaim, S::kFinalReview, S::kFinalReview)).empty());
  EXPECT_TRUE(NoticesFor(Info(Action::kApprove, S::kFinalReview, S::kApproved)).empty());
}

TEST(NoticesFor, AWithdrawalTellsTheUploaderWhy) {
  TransitionInfo t = Info(Action::kWithdraw, S::kPublished, S::kWithdrawn);
  t.actor_unit = "国家开放大学";
  t.comment = "版权方撤回授权";
  auto n = NoticesFor(t);
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].kind, NotificationKind::kWithdrawn);
  EXPECT_EQ(NotificationKindName(n[0].kind), "withdrawn");
  EXPECT_EQ(n[0].audience, Audience::kUploader);
  EXPECT_EQ(n[0].title, "资源已下线：《太极拳入门》");
  EXPECT_NE(n[0].body.find("版权方撤回授权"), std::string::npos);
}

TEST(DigestNotice, CountsTheDayAndNamesTheLatest) {
  const int64_t now = Beijing("2022-05-10", 23, 59);
  TransitionInfo t = Info(Action::kSubmit, S::kDraft, S::kFirstReview);
  Notice one = NoticesFor(t)[0];
  EXPECT_EQ(DigestKey(one, 4, now), "digest:queued:first:4:2022-05-10");
  EXPECT_EQ(DigestKey(one, 4, Beijing("2022-05-11")), "digest:queued:first:4:2022-05-11");
  EXPECT_EQ(DigestNotice(one, t, 1, now).title, one.title);
  Notice many = DigestNotice(one, t, 500, now);
  EXPECT_EQ(many.kind, NotificationKind::kQueued);
  EXPECT_EQ(many.title, "待初审：今日新增 500 个资源");
  EXPECT_EQ(many.body,
            "今日（2022-05-10）已有 500 个资源进入本单位的初审队列，最近一个是"
            "「岭南示范职业技术学院（演示）」的《太极拳入门》；初审截止时间为 2022-05-22。"
            "请在审核队列中及时处理。");
  Notice nou = NoticesFor(Info(Action::kApprove, S::kFirstReview, S::kFinalReview))[0];
  EXPECT_EQ(DigestKey(nou, 0, now), "digest:queued:final:0:2022-05-10");
  EXPECT_EQ(DigestNotice(nou, t, 2, now).title, "待终审：今日新增 2 个资源");
}

CampaignDates Campaign() {
  CampaignDates c;
  c.id = 4;
  c.name = "2022年终身教育数字化学习资源征集";
  c.submission = ParseIsoDate("2022-05-15");
  return c;
}

std::vector<int> Lefts(const std::vector<DueReminder>& v) {
  std::vector<int> out;
  for (const auto& r : v) out.push_back(r.days_before * 100 + r.days_left);
  return out;
}

TEST(DueReminders, FollowBeijingDaysNotUtcDays) {
  const std::vector<int> days = {7, 1};
  CampaignDates c = Campaign();
  // 2022-05-07 23:59:59 Beijing: 8 days left, nothing due.
  EXPECT_TRUE(DueReminders(c, days, Beijing("2022-05-07", 23, 59, 59)).empty());
  // One second later it is 2022-05-08 in Beijing (still 05-07 16:00 UTC): the 7-day reminder.
  auto due = DueReminders(c, days, Beijing("2022-05-08"));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].kind, DeadlineKind::kSubmission);
  EXPECT_EQ(due[0].days_before, 7);
  EXPECT_EQ(due[0].days_left, 7);
  EXPECT_EQ(due[0].deadline.ToString(), "2022-05-15");
  // 07:59 Beijing on 05-08 is 23:59 UTC on 05-07: still the same Beijing day.
  EXPECT_EQ(Lefts(DueReminders(c, days, Beijing("2022-05-08", 7, 59))), (std::vector<int>{707}));
  // Days 6..2 left: the 7-day one stays due (catch-up for a server that was down).
  EXPECT_EQ(Lefts(DueReminders(c, days, Beijing("2022-05-10", 12))), (std::vector<int>{705}));
  EXPECT_EQ(Lefts(DueReminders(c, days, Beijing("2022-05-13", 23, 59, 59))),
            (std::vector<int>{702}));
  EXPECT_EQ(Lefts(DueReminders(c, days, Beijing("2022-05-14"))), (std::vector<int>{101}));
  // The deadline day itself is still inside the deadline (inclusive).
  EXPECT_EQ(Lefts(DueReminders(c, days, Beijing("2022-05-15", 23, 59, 59))),
            (std::vector<int>{100}));
  EXPECT_TRUE(DueReminders(c, days, Beijing("2022-05-16")).empty());
}

TEST(DueReminders, EachDeadlineOfACampaignIsConsidered) {
  CampaignDates c = Campaign();
  c.contact = ParseIsoDate("2022-05-01");
  c.first_review = ParseIsoDate("2022-05-22");
  c.final_review = ParseIsoDate("2022-05-21");
  auto due = DueReminders(c, {7, 1}, Beijing("2022-05-15", 9));
  std::map<DeadlineKind, int> left;
  for (const auto& r : due) left[r.kind] = r.days_left;
  EXPECT_FALSE(left.count(DeadlineKind::kContact));  // over
  EXPECT_EQ(left[DeadlineKind::kSubmission], 0);
  EXPECT_EQ(left[DeadlineKind::kFirstReview], 7);
  EXPECT_EQ(left[DeadlineKind::kFinalReview], 6);
}

TEST(DueReminders, ConfiguredDaysAreNormalised) {
  CampaignDates c = Campaign();
  int64_t now = Beijing("2022-05-12");
  EXPECT_EQ(Lefts(DueReminders(c, {1, 7, 7, -3}, now)), Lefts(DueReminders(c, {7, 1}, now)));
  EXPECT_TRUE(DueReminders(c, {}, now).empty());
  EXPECT_TRUE(DueReminders(c, {0}, now).empty());
  EXPECT_EQ(Lefts(DueReminders(c, {0}, Beijing("2022-05-15", 1))), (std::vector<int>{0}));
  EXPECT_EQ(Lefts(DueReminders(c, {3, 10}, now)), (std::vector<int>{303}));
}

// Driving a FakeClock hour by hour over three weeks and keeping the keys the way the job's
// unique index does: exactly one 7-day and one 1-day reminder, first due at Beijing
// midnight; an extended deadline gets its own pair.
TEST(DueReminders, HourlyTicksYieldOneReminderPerDeadlineAndN) {
  FakeClock clock(Beijing("2022-05-01"));
  CampaignDates c = Campaign();
  std::map<std::string, int64_t> first_seen;
  while (clock.NowMs() < Beijing("2022-05-25")) {
    if (clock.NowMs() == Beijing("2022-05-12")) c.submission = ParseIsoDate("2022-05-20");
    for (const auto& r : DueReminders(c, {7, 1}, clock.NowMs())) {
      first_seen.emplace(ReminderKey(c.id, r), clock.NowMs());
    }
    clock.Advance(std::chrono::hours(1));
  }
  std::map<std::string, int64_t> expected = {
      {"deadline:4:submission:2022-05-15:7", Beijing("2022-05-08")},
      {"deadline:4:submission:2022-05-20:7", Beijing("2022-05-13")},
      {"deadline:4:submission:2022-05-20:1", Beijing("2022-05-19")},
  };
  EXPECT_EQ(first_seen, expected);
}

TEST(ReminderNotice, NamesTheDateAndDaysLeftInChinese) {
  CampaignDates c = Campaign();
  auto due = DueReminders(c, {7, 1}, Beijing("2022-05-10"));
  ASSERT_EQ(due.size(), 1u);
  Notice n = ReminderNotice(c, due[0]);
  EXPECT_EQ(n.kind, NotificationKind::kDeadline);
  EXPECT_EQ(n.title, "截止提醒：资源提交截止还有 5 天");
  EXPECT_NE(n.body.find("2022-05-15"), std::string::npos);
  EXPECT_NE(n.body.find("2022年终身教育数字化学习资源征集"), std::string::npos);
  auto today = DueReminders(c, {7, 1}, Beijing("2022-05-15", 10));
  EXPECT_EQ(ReminderNotice(c, today[0]).title, "截止提醒：资源提交今天截止");
}

TEST(ReminderReaches, EachDeadlineReachesThoseWhoMustAct) {
  using auth::Role;
  using orgs::OrgKind;
  EXPECT_TRUE(
      ReminderReaches(DeadlineKind::kSubmission, Role::kUploader, OrgKind::kProvincialCollege));
  EXPECT_TRUE(ReminderReaches(DeadlineKind::kSubmission, Role::kUnitAdmin, OrgKind::kProvinceDept));
  EXPECT_FALSE(ReminderReaches(DeadlineKind::kSubmission, Role::kReviewer, OrgKind::kProvinceDept));
  EXPECT_TRUE(ReminderReaches(DeadlineKind::kContact, Role::kUnitAdmin, OrgKind::kEnterprise));
  EXPECT_FALSE(ReminderReaches(DeadlineKind::kContact, Role::kUploader, OrgKind::kEnterprise));
  EXPECT_TRUE(ReminderReaches(DeadlineKind::kFirstReview, Role::kReviewer, OrgKind::kProvinceDept));
  EXPECT_TRUE(
      ReminderReaches(DeadlineKind::kFirstReview, Role::kReviewer, OrgKind::kIndustryCommittee));
  // A 部属高校 has no second-level units to review; NOU reviews last.
  EXPECT_FALSE(
      ReminderReaches(DeadlineKind::kFirstReview, Role::kReviewer, OrgKind::kMinistryUniversity));
  EXPECT_FALSE(
      ReminderReaches(DeadlineKind::kFirstReview, Role::kReviewer, OrgKind::kOpenUniversity));
  EXPECT_TRUE(
      ReminderReaches(DeadlineKind::kFinalReview, Role::kReviewer, OrgKind::kOpenUniversity));
  EXPECT_TRUE(
      ReminderReaches(DeadlineKind::kFinalReview, Role::kPlatformAdmin, OrgKind::kOpenUniversity));
  EXPECT_FALSE(
      ReminderReaches(DeadlineKind::kFinalReview, Role::kReviewer, OrgKind::kProvinceDept));
  for (auto k : {DeadlineKind::kContact, DeadlineKind::kSubmission, DeadlineKind::kFirstReview,
                 DeadlineKind::kFinalReview}) {
    for (Role r : {Role::kLearner, Role::kAuditor, Role::kSecurityAdmin}) {
      EXPECT_FALSE(ReminderReaches(k, r, OrgKind::kOpenUniversity));
    }
    EXPECT_FALSE(ReminderReaches(k, Role::kUnitAdmin, OrgKind::kMinistryDept));
  }
}

std::string Unbase64(const std::string& in) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    size_t v = kAlphabet.find(c);
    if (v == std::string::npos) continue;  // '=', CR, LF
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

TEST(Mailer, BuildsAnRfc5322MessageWithEncodedChineseHeaders) {
  MailMessage m{"noreply@example.org",
                "gd-contact@example.org",
                "资源被退回修改：《太极拳入门——二十四式简化太极拳分解教学》",
                "第一行\n第二行：意见",
                1652140800000,
                "n1.lep@example.org"};
  std::string msg = BuildMimeMessage(m);
  EXPECT_NE(msg.find("Date: Tue, 10 May 2022 08:00:00 +0800\r\n"), std::string::npos) << msg;
  EXPECT_NE(msg.find("To: <gd-contact@example.org>\r\n"), std::string::npos);
  EXPECT_NE(msg.find("Message-ID: <n1.lep@example.org>\r\n"), std::string::npos);
  EXPECT_NE(msg.find("Content-Type: text/plain; charset=UTF-8\r\n"), std::string::npos);
  // Every line ends in CRLF and stays under the 78-character recommendation.
  size_t start = 0;
  while (start < msg.size()) {
    size_t end = msg.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - start, 78u) << msg.substr(start, end - start);
    EXPECT_EQ(msg.substr(start, end - start).find('\n'), std::string::npos);
    start = end + 2;
  }
  // The subject's encoded words decode back to the UTF-8 text.
  size_t s = msg.find("Subject: ");
  size_t e = msg.find("\r\nMessage-ID");
  std::string subject = msg.substr(s, e - s);
  std::string decoded;
  for (size_t pos = 0; (pos = subject.find("=?UTF-8?B?", pos)) != std::string::npos;) {
    size_t close = subject.find("?=", pos + 10);
    decoded += Unbase64(subject.substr(pos + 10, close - pos - 10));
    pos = close + 2;
  }
  EXPECT_EQ(decoded, m.subject);
  std::string body = msg.substr(msg.find("\r\n\r\n") + 4);
  EXPECT_EQ(Unbase64(body), m.body);
  // The body travels base64-encoded: its text cannot end up among the headers.
  EXPECT_EQ(msg.find("第一行"), std::string::npos);
}

TEST(Mailer, AcceptsOnlyPlainAddresses) {
  EXPECT_TRUE(IsPlainAddress("gd-contact@example.org"));
  EXPECT_FALSE(IsPlainAddress(""));
  EXPECT_FALSE(IsPlainAddress("no-at-sign"));
  EXPECT_FALSE(IsPlainAddress("a@b@c"));
  EXPECT_FALSE(IsPlainAddress("a@example.org\r\nBcc: x@evil.example"));
  EXPECT_FALSE(IsPlainAddress("<a@example.org>"));
  EXPECT_FALSE(IsPlainAddress("a b@example.org"));
}

TEST(LinkBroken, TellsTheOwningUnitWhatBrokeAndWhatToDo) {
  BrokenLink b;
  b.resource_id = 7;
  b.owner = orgs::OrgId{40};
  b.title = "老年人智能手机课";
  b.state_label = "已发布";
  b.url = "https://course.example.org/c/1";
  b.reason = "HTTP 404";
  Notice n = LinkBrokenNotice(b);
  EXPECT_EQ(n.kind, NotificationKind::kLinkBroken);
  EXPECT_EQ(n.audience, Audience::kOwnerUnit);
  EXPECT_EQ(NotificationKindName(n.kind), "link_broken");
  EXPECT_NE(n.title.find("老年人智能手机课"), std::string::npos);
  for (const char* part : {"https://course.example.org/c/1", "HTTP 404", "已发布", "更新"}) {
    EXPECT_NE(n.body.find(part), std::string::npos) << part << " in " << n.body;
  }
}

}  // namespace
}  // namespace lep::review
