// The review state machine: the full state × action × actor table, deadlines around midnight
// in Asia/Shanghai with a FakeClock, the three chains of issue 5, take-over, field checks.
#include "review/workflow.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/clock.h"

namespace lep::review {
namespace {

using auth::Role;
using orgs::OrgKind;
using resources::StateName;
using S = ResourceState;
using A = Action;

// ---------------------------------------------------------------------------------------------
// The table. The resource belongs to a 广东 college (second-level, so it has a first review by
// 广东省教育厅). Every request is complete (comment, all four ticks, attestation), nothing is
// claimed, there is no submission deadline and the first-review deadline has passed, so each
// cell shows only what state and actor allow.

enum ActorKind {
  kOwnerUploader,   // 录入员 of the college
  kOwnerUnitAdmin,  // 单位管理员 of the college
  kFirstReviewer,   // 审核员 of 广东省教育厅 (the college's parent)
  kOtherReviewer,   // 审核员 of 北京市教育委员会
  kNouReviewer,     // 审核员 of 国家开放大学 (终审)
  kPlatformAdmin,   // 平台管理员
  kAuditor,         // 审计员
  kLearner,         // 学习者
  kActorKinds,
};

const char* ActorKindName(int k) {
  static const char* kNames[] = {
      "owner uploader", "owner unit admin", "first reviewer", "other province's reviewer",
      "NOU reviewer",   "platform admin",   "auditor",        "learner"};
  return kNames[k];
}

Actor ActorOf(int kind) {
  switch (kind) {
    case kOwnerUploader:
      return {Role::kUploader, true, false, false};
    case kOwnerUnitAdmin:
      return {Role::kUnitAdmin, true, false, false};
    case kFirstReviewer:
      return {Role::kReviewer, false, true, false};
    case kOtherReviewer:
      return {Role::kReviewer, false, false, false};
    case kNouReviewer:
      return {Role::kReviewer, false, false, true};
    case kPlatformAdmin:
      return {Role::kPlatformAdmin, false, false, true};
    case kAuditor:
      return {Role::kAuditor, false, false, true};
    default:
      return {Role::kLearner, false, false, false};
  }
}

struct Cell {
  std::optional<ErrorCode> error;  // empty: allowed
  S to = S::kDraft;                // next state when allowed
};
const Cell D{ErrorCode::kPermissionDenied};    // wrong actor: 403
const Cell P{ErrorCode::kFailedPrecondition};  // wrong state or not this actor's step: 409
const Cell FR{std::nullopt, S::kFirstReview};
const Cell FN{std::nullopt, S::kFinalReview};
const Cell AP{std::nullopt, S::kApproved};
const Cell PB{std::nullopt, S::kPublished};
const Cell RT{std::nullopt, S::kReturned};
const Cell RJ{std::nullopt, S::kRejected};
const Cell WD{std::nullopt, S::kWithdrawn};

struct Row {
  S state;
  A action;
  Cell cells[kActorKinds];
};

// clang-format off
const Row kTable[] = {
  //                               uploader admin first other  NOU  padmin auditor learner
  {S::kDraft,       A::kSubmit,    {FR,      FR,   D,    D,    D,    D,    D,    D}},
  {S::kDraft,       A::kClaim,     {D,       D,    P,    D,    P,    D,    D,    D}},
  {S::kDraft,       A::kUnclaim,   {D,       D,    P,    D,    P,    D,    D,    D}},
  {S::kDraft,       A::kApprove,   {D,       D,    P,    D,    P,    D,    D,    D}},
  {S::kDraft,       A::kReturn,    {D,       D,    P,    D,    P,    D,    D,    D}},
  {S::kDraft,       A::kReject,    {D,       D,    P,    D,    P,    D,    D,    D}},
  {S::kDraft,       A::kPublish,   {D,       D,    D,    D,    P,    P,    D,    D}},
  {S::kDraft,       A::kWithdraw,  {D,       D,    D,    D,    D,    P,    D,    D}},
  {S::kDraft,       A::kRepublish, {D,       D,    D,    D,    D,    P,    D,    D}},
  {S::kDraft,       A::kTakeOver,  {D,       D,    D,    D,    P,    D,    D,    D}},

  // Never produced by Decide(); a stray row can only be (re)submitted, which routes it.
  {S::kSubmitted,   A::kSubmit,    {FR,      FR,   D,    D,    D,    D,    D,    D}},
  {S::kSubmitted,   A::kClaim,     {D,       D,    P,    D,    P,    D,    D,    D}},
  {S::kSubmitted,   A::kUnclaim,   {D,       D,    P,    D,    P,    D,    D,    D}},
  {S::kSubmitted,   A::kApprove,   {D,       D,    P,    D,    P,    D,    D,    D}},
  {S::kSubmitted,   A::kReturn,    {D,       D,    P,    D,    P,    D,    D,    D}},
  {S::kSubmitted,   A::kReject,    {D,       D,    P,    D,    P,    D,    D,    D}},
  {S::kSubmitted,   A::kPublish,   {D,       D,    D,    D,    P,    P,    D,    D}},
  {S::kSubmitted,   A::kWithdraw,  {D,       D,    D,    D,    D,    P,    D,    D}},
  {S::kSubmitted,   A::kRepublish, {D,       D,    D,    D,    D,    P,    D,    D}},
  {S::kSubmitted,   A::kTakeOver,  {D,       D,    D,    D,    P,    D,    D,    D}},

  // First review belongs to 广东省教育厅; NOU may only take it over (the deadline has passed).
  {S::kFirstReview, A::kSubmit,    {P,       P,    D,    D,    D,    D,    D,    D}},
  {S::kFirstReview, A::kClaim,     {D,       D,    FR,   D,    P,    D,    D,    D}},
  {S::kFirstReview, A::kUnclaim,   {D,       D,    FR,   D,    P,    D,    D,    D}},
  {S::kFirstReview, A::kApprove,   {D,       D,    FN,   D,    P,    D,    D,    D}},
  {S::kFirstReview, A::kReturn,    {D,       D,    RT,   D,    P,    D,    D,    D}},
  {S::kFirstReview, A::kReject,    {D,       D,    RJ,   D,    P,    D,    D,    D}},
  {S::kFirstReview, A::kPublish,   {D,       D,    D,    D,    P,    P,    D,    D}},
  {S::kFirstReview, A::kWithdraw,  {D,       D,    D,    D,    D,    P,    D,    D}},
  {S::kFirstReview, A::kRepublish, {D,       D,    D,    D,    D,    P,    D,    D}},
  {S::kFirstReview, A::kTakeOver,  {D,       D,    D,    D,    FN,   D,    D,    D}},

  // Final review belongs to NOU; the first reviewer's step is over.
  {S::kFinalReview, A::kSubmit,    {P,       P,    D,    D,    D,    D,    D,    D}},
  {S::kFinalReview, A::kClaim,     {D,       D,    P,    D,    FN,   D,    D,    D}},
  {S::kFinalReview, A::kUnclaim,   {D,       D,    P,    D,    FN,   D,    D,    D}},
  {S::kFinalReview, A::kApprove,   {D,       D,    P,    D,    AP,   D,    D,    D}},
  {S::kFinalReview, A::kReturn,    {D,       D,    P,    D,    RT,   D,    D,    D}},
  {S::kFinalReview, A::kReject,    {D,       D,    P,    D,    RJ,   D,    D,    D}},
  {S::kFinalReview, A::kPublish,   {D,       D,    D,    D,    P,    P,    D,    D}},
  {S::kFinalReview, A::kWithdraw,  {D,       D,    D,    D,    D,    P,    D,    D}},
  {S::kFinalReview, A::kRepublish, {D,       D,    D,    D,    D,    P,    D,    D}},
  {S::kFinalReview, A::kTakeOver,  {D,       D,    D,    D,    P,    D,    D,    D}},

  {S::kApproved,    A::kSubmit,    {P,       P,    D,    D,    D,    D,    D,    D}},
  {S::kApproved,    A::kClaim,     {D,       D,    P,    D,    P,    D,    D,    D}},
  {S::kApproved,    A::kUnclaim,   {D,       D,    P,    D,    P,    D,    D,    D}},
  {S::kApproved,    A::kApprove,   {D,       D,    P,    D,    P,    D,    D,    D}},
  {S::kApproved,    A::kReturn,    {D,       D,    P,    D,    P,    D,    D,    D}},
  {S::kApproved,    A::kReject,    {D,       D,    P,    D,    P,    D,    D,    D}},
  {S::kApproved,    A::kPublish,   {D,       D,    D,    D,    PB,   PB,   D,    D}},
  {S::kApproved,    A::kWithdraw,  {D,       D,    D,    D,    D,    P,    D,    D}},
  {S::kApproved,    A::kRepublish, {D,       D,    D,    D,    D,    P,    D,    D}},
  {S::kApproved,    A::kTakeOver,  {D,       D,    D,    D,    P,    D,    D,    D}},

  {S::kPublished,   A::kSubmit,    {P,       P,    D,    D,    D,    D,    D,    D}},
  {S::kPublished,   A::kClaim,     {D,       D,    P,    D,    P,    D,    D,    D}},
  {S::kPublished,   A::kUnclaim,   {D,       D,    P,    D,    P,    D,    D,    D}},
  {S::kPublished,   A::kApprove,   {D,       D,    P,    D,    P,    D,    D,    D}},
  {S::kPublished,   A::kReturn,    {D,       D,    P,    D,    P,    D,    D,    D}},
  {S::kPublished,   A::kReject,    {D,       D,    P,    D,    P,    D,    D,    D}},
  {S::kPublished,   A::kPublish,   {D,       D,    D,    D,    P,    P,    D,    D}},
  {S::kPublished,   A::kWithdraw,  {D,       D,    D,    D,    D,    WD,   D,    D}},
  {S::kPublished,   A::kRepublish, {D,       D,    D,    D,    D,    P,    D,    D}},
  {S::kPublished,   A::kTakeOver,  {D,       D,    D,    D,    P,    D,    D,    D}},

  // Returned goes back to the uploader; resubmission runs the chain again.
  {S::kReturned,    A::kSubmit,    {FR,      FR,   D,    D,    D,    D,    D,    D}},
  {S::kReturned,    A::kClaim,     {D,       D,    P,    D,    P,    D,    D,    D}},
  {S::kReturned,    A::kUnclaim,   {D,       D,    P,    D,    P,    D,    D,    D}},
  {S::kReturned,    A::kApprove,   {D,       D,    P,    D,    P,    D,    D,    D}},
  {S::kReturned,    A::kReturn,    {D,       D,    P,    D,    P,    D,    D,    D}},
  {S::kReturned,    A::kReject,    {D,       D,    P,    D,    P,    D,    D,    D}},
  {S::kReturned,    A::kPublish,   {D,       D,    D,    D,    P,    P,    D,    D}},
  {S::kReturned,    A::kWithdraw,  {D,       D,    D,    D,    D,    P,    D,    D}},
  {S::kReturned,    A::kRepublish, {D,       D,    D,    D,    D,    P,    D,    D}},
  {S::kReturned,    A::kTakeOver,  {D,       D,    D,    D,    P,    D,    D,    D}},

  // Rejected is final.
  {S::kRejected,    A::kSubmit,    {P,       P,    D,    D,    D,    D,    D,    D}},
  {S::kRejected,    A::kClaim,     {D,       D,    P,    D,    P,    D,    D,    D}},
  {S::kRejected,    A::kUnclaim,   {D,       D,    P,    D,    P,    D,    D,    D}},
  {S::kRejected,    A::kApprove,   {D,       D,    P,    D,    P,    D,    D,    D}},
  {S::kRejected,    A::kReturn,    {D,       D,    P,    D,    P,    D,    D,    D}},
  {S::kRejected,    A::kReject,    {D,       D,    P,    D,    P,    D,    D,    D}},
  {S::kRejected,    A::kPublish,   {D,       D,    D,    D,    P,    P,    D,    D}},
  {S::kRejected,    A::kWithdraw,  {D,       D,    D,    D,    D,    P,    D,    D}},
  {S::kRejected,    A::kRepublish, {D,       D,    D,    D,    D,    P,    D,    D}},
  {S::kRejected,    A::kTakeOver,  {D,       D,    D,    D,    P,    D,    D,    D}},

  {S::kWithdrawn,   A::kSubmit,    {P,       P,    D,    D,    D,    D,    D,    D}},
  {S::kWithdrawn,   A::kClaim,     {D,       D,    P,    D,    P,    D,    D,    D}},
  {S::kWithdrawn,   A::kUnclaim,   {D,       D,    P,    D,    P,    D,    D,    D}},
  {S::kWithdrawn,   A::kApprove,   {D,       D,    P,    D,    P,    D,    D,    D}},
  {S::kWithdrawn,   A::kReturn,    {D,       D,    P,    D,    P,    D,    D,    D}},
  {S::kWithdrawn,   A::kReject,    {D,       D,    P,    D,    P,    D,    D,    D}},
  {S::kWithdrawn,   A::kPublish,   {D,       D,    D,    D,    P,    P,    D,    D}},
  {S::kWithdrawn,   A::kWithdraw,  {D,       D,    D,    D,    D,    P,    D,    D}},
  {S::kWithdrawn,   A::kRepublish, {D,       D,    D,    D,    D,    PB,   D,    D}},
  {S::kWithdrawn,   A::kTakeOver,  {D,       D,    D,    D,    P,    D,    D,    D}},
};
// clang-format on

const std::vector<S>& AllStates() {
  static const std::vector<S> kAll = {S::kDraft,       S::kSubmitted, S::kFirstReview,
                                      S::kFinalReview, S::kApproved,  S::kPublished,
                                      S::kReturned,    S::kRejected,  S::kWithdrawn};
  return kAll;
}

// 2022-05-23 10:00 in Asia/Shanghai: the day after the first-review deadline.
constexpr int64_t kTableNowMs = 1653271200000;

WorkflowInput TableInput(S state, A action, int actor) {
  WorkflowInput in;
  in.resource.state = state;
  in.resource.version = 5;
  in.resource.type = resources::ResourceType::kVideo;
  in.resource.owner_second_level = true;
  in.resource.metadata_valid = true;
  in.resource.has_cover = true;
  in.resource.technical_check = TechnicalVerdict::kPassed;
  in.actor = ActorOf(actor);
  in.request.action = action;
  in.request.comment = "请补充版权证明材料";
  in.request.checklist = {true, true, true, true};
  in.request.attestation = true;
  in.deadlines.first_review = Date{2022, 5, 22};
  in.now_ms = kTableNowMs;
  return in;
}

std::string Describe(S state, A action, int actor) {
  return std::string(StateName(state)) + " × " + std::string(ActionName(action)) + " × " +
         ActorKindName(actor);
}

TEST(WorkflowTable, CoversEveryStateAndActionExactlyOnce) {
  std::set<std::pair<S, A>> seen;
  for (const Row& row : kTable) {
    EXPECT_TRUE(seen.insert({row.state, row.action}).second)
        << "duplicate row " << StateName(row.state) << " × " << ActionName(row.action);
  }
  EXPECT_EQ(seen.size(), AllStates().size() * AllActions().size());
}

TEST(WorkflowTable, EveryCellMatchesDecide) {
  for (const Row& row : kTable) {
    for (int actor = 0; actor < kActorKinds; ++actor) {
      SCOPED_TRACE(Describe(row.state, row.action, actor));
      const Cell& want = row.cells[actor];
      auto got = Decide(TableInput(row.state, row.action, actor));
      if (want.error) {
        ASSERT_FALSE(got) << "unexpectedly allowed, to " << StateName(got->next_state);
        EXPECT_EQ(ErrorCodeName(got.error().code), ErrorCodeName(*want.error))
            << got.error().message;
        EXPECT_FALSE(got.error().message.empty());
      } else {
        ASSERT_TRUE(got) << got.error().message;
        EXPECT_EQ(StateName(got->next_state), StateName(want.to));
        EXPECT_NE(got->next_state, S::kSubmitted);
        EXPECT_EQ(got->record.from, row.state);
        EXPECT_EQ(got->record.to, want.to);
        EXPECT_EQ(got->record.action, row.action);
        EXPECT_EQ(got->expected_version, 5);
        EXPECT_EQ(got->next_version, 6);
        EXPECT_EQ(got->record.at_ms, kTableNowMs);
      }
    }
  }
}

// AllowedActions() offers exactly the allowed cells (unclaim only when the actor holds a claim;
// the table's items are unclaimed).
TEST(WorkflowTable, AllowedActionsAgreeWithTheTable) {
  for (S state : AllStates()) {
    for (int actor = 0; actor < kActorKinds; ++actor) {
      SCOPED_TRACE(std::string(StateName(state)) + " × " + ActorKindName(actor));
      std::vector<A> want;
      for (const Row& row : kTable) {
        if (row.state == state && !row.cells[actor].error && row.action != A::kUnclaim) {
          want.push_back(row.action);
        }
      }
      std::vector<A> got = AllowedActions(TableInput(state, A::kSubmit, actor));
      std::sort(want.begin(), want.end());
      std::sort(got.begin(), got.end());
      EXPECT_EQ(got, want);
    }
  }
}

// A top-level owner (部属高校) has no first review: nobody qualifies as its first reviewer, even
// if a caller set the flag by mistake.
TEST(WorkflowTable, TopLevelOwnerHasNoFirstReviewer) {
  for (S state : AllStates()) {
    for (A action : {A::kClaim, A::kUnclaim, A::kApprove, A::kReturn, A::kReject}) {
      SCOPED_TRACE(std::string(StateName(state)) + " × " + std::string(ActionName(action)));
      WorkflowInput in = TableInput(state, action, kFirstReviewer);
      in.resource.owner_second_level = false;
      auto got = Decide(in);
      ASSERT_FALSE(got);
      EXPECT_TRUE(got.error().Is(ErrorCode::kPermissionDenied));
    }
  }
  WorkflowInput in = TableInput(S::kDraft, A::kSubmit, kOwnerUploader);
  in.resource.owner_second_level = false;
  auto got = Decide(in);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->next_state, S::kFinalReview);
}

TEST(WorkflowActions, NamesRoundTrip) {
  for (A a : AllActions()) {
    EXPECT_EQ(ParseAction(ActionName(a)), a);
    EXPECT_FALSE(ActionLabel(a).empty());
  }
  EXPECT_EQ(ActionName(A::kTakeOver), "take_over");
  EXPECT_EQ(ActionLabel(A::kReturn), "退回修改");
  EXPECT_FALSE(ParseAction("skip"));
}

// ---------------------------------------------------------------------------------------------
// Deadlines: dates are whole days in Asia/Shanghai, the clock is a FakeClock.

TEST(WorkflowDeadlines, SubmissionClosesAtMidnightShanghai) {
  // 2022-05-16 00:00 in Shanghai is 2022-05-15 16:00 UTC.
  constexpr int64_t kMidnight = 1652630400000;
  ASSERT_EQ(ShanghaiMidnightMs(Date{2022, 5, 16}), kMidnight);

  FakeClock clock(kMidnight - 1);  // 2022-05-15 23:59:59.999 in Shanghai
  WorkflowInput in = TableInput(S::kDraft, A::kSubmit, kOwnerUploader);
  in.deadlines = {Date{2022, 5, 15}, Date{2022, 5, 22}};
  in.now_ms = clock.NowMs();
  ASSERT_TRUE(Decide(in)) << "the deadline day itself is still open";

  clock.Advance(std::chrono::milliseconds(1));
  in.now_ms = clock.NowMs();
  auto late = Decide(in);
  ASSERT_FALSE(late);
  EXPECT_TRUE(late.error().Is(ErrorCode::kFailedPrecondition));
  EXPECT_EQ(late.error().message, "提交截止时间 2022-05-15 已过");

  // Resubmission after 退回修改 is a submission too.
  in.resource.state = S::kReturned;
  EXPECT_EQ(Decide(in).error().message, "提交截止时间 2022-05-15 已过");
  // The deadline wins over missing fields: fixing them would not help.
  in.request.attestation = false;
  EXPECT_TRUE(Decide(in).error().Is(ErrorCode::kFailedPrecondition));

  // A platform admin extends the deadline.
  in.request.attestation = true;
  in.deadlines.submission = Date{2022, 5, 20};
  EXPECT_TRUE(Decide(in));
}

TEST(WorkflowDeadlines, DeadlinesReadBeijingLocalTimeWithOrWithoutATimeOfDay) {
  // 2022-05-09 12:00 Beijing = 04:00 UTC.
  const int64_t noon = ShanghaiMidnightMs(Date{2022, 5, 9}) + 12 * 3'600'000;
  for (const char* text : {"2022-05-09 12:00", "2022-05-09T12:00"}) {
    auto d = ParseDeadline(text);
    ASSERT_TRUE(d) << text;
    EXPECT_EQ(d->at_ms, noon);
    EXPECT_EQ(d->text, "2022-05-09 12:00");
  }
  EXPECT_EQ(ParseDeadline("2022-05-09")->at_ms, ShanghaiMidnightMs(Date{2022, 5, 10}));
  EXPECT_EQ(ParseDeadline("2022-05-09")->text, "2022-05-09");
  EXPECT_EQ(ParseStart("2022-05-09")->at_ms, ShanghaiMidnightMs(Date{2022, 5, 9}));
  EXPECT_EQ(ParseStart("2022-05-09 08:30")->at_ms,
            ShanghaiMidnightMs(Date{2022, 5, 9}) + 510 * 60'000);
  for (const char* bad :
       {"", "2022-05-9", "2022-02-30", "2022-05-09 24:00", "2022-05-09 12:60",
        "2022-05-09 12:00:00", "2022-05-09 12:00+08:00", "2022-05-09 1200", "2022/05/09"}) {
    EXPECT_FALSE(ParseDeadline(bad)) << bad;
  }
  WorkflowInput in = TableInput(S::kDraft, A::kSubmit, kOwnerUploader);
  in.deadlines.submission = ParseDeadline("2022-05-09 12:00");
  in.now_ms = noon - 1;
  EXPECT_TRUE(Decide(in));
  in.now_ms = noon;
  EXPECT_EQ(Decide(in).error().message, "提交截止时间 2022-05-09 12:00 已过");
}

TEST(WorkflowDeadlines, AReturnedItemIsHeldToTheReviewDeadlineOfTheStepThatReturnedIt) {
  WorkflowInput in = TableInput(S::kReturned, A::kSubmit, kOwnerUploader);
  in.deadlines = {Date{2022, 5, 15}, Date{2022, 5, 22}, Date{2022, 5, 31}};
  in.now_ms = ShanghaiMidnightMs(Date{2022, 5, 20});  // after the upload deadline
  in.resource.returned_at = S::kFirstReview;
  auto d = Decide(in);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->next_state, S::kFirstReview);
  in.now_ms = ShanghaiMidnightMs(Date{2022, 5, 23});
  EXPECT_EQ(Decide(in).error().message,
            "退回修改的资源须在初审截止时间 2022-05-22 前重新提交，现已过期");
  // 终审 returned it: back to 终审 until the final deadline.
  in.resource.returned_at = S::kFinalReview;
  d = Decide(in);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->next_state, S::kFinalReview);
  in.now_ms = ShanghaiMidnightMs(Date{2022, 6, 1});
  EXPECT_EQ(Decide(in).error().message,
            "退回修改的资源须在终审截止时间 2022-05-31 前重新提交，现已过期");
  // A province's internal deadline binds new submissions only, and only when earlier.
  WorkflowInput fresh = TableInput(S::kDraft, A::kSubmit, kOwnerUploader);
  fresh.deadlines = in.deadlines;
  fresh.deadlines.unit_submission = ParseDeadline("2022-05-09 12:00");
  fresh.now_ms = ShanghaiMidnightMs(Date{2022, 5, 9}) + 13 * 3'600'000;
  EXPECT_EQ(Decide(fresh).error().message,
            "本省（初审单位）规定的提交截止时间 2022-05-09 12:00 已过");
  in.deadlines.unit_submission = fresh.deadlines.unit_submission;
  in.resource.returned_at = S::kFirstReview;
  in.now_ms = fresh.now_ms;
  EXPECT_TRUE(Decide(in));
}

TEST(WorkflowDeadlines, UtcDateIsNotTheShanghaiDate) {
  // 2022-05-15 17:00 UTC is already 2022-05-16 01:00 in Shanghai: too late.
  FakeClock clock(1652634000000);
  WorkflowInput in = TableInput(S::kDraft, A::kSubmit, kOwnerUploader);
  in.deadlines.submission = Date{2022, 5, 15};
  in.now_ms = clock.NowMs();
  EXPECT_FALSE(Decide(in));
  // 2022-05-14 23:30 UTC is 2022-05-15 07:30 in Shanghai: still open.
  clock.SetMs(1652571000000);
  in.now_ms = clock.NowMs();
  EXPECT_TRUE(Decide(in));
}

TEST(WorkflowDeadlines, OverdueForFirstReviewFromTheDayAfterTheDeadline) {
  const int64_t end_of_day = ShanghaiMidnightMs(Date{2022, 5, 23});
  FakeClock clock(end_of_day - 1);
  WorkflowInput in = TableInput(S::kFirstReview, A::kTakeOver, kNouReviewer);
  in.deadlines.first_review = Date{2022, 5, 22};
  in.now_ms = clock.NowMs();
  EXPECT_FALSE(IsOverdueForFirstReview(in));
  auto early = Decide(in);
  ASSERT_FALSE(early);
  EXPECT_TRUE(early.error().Is(ErrorCode::kFailedPrecondition));
  EXPECT_EQ(early.error().message, "初审截止时间 2022-05-22 尚未过，不能接管");

  clock.Advance(std::chrono::milliseconds(1));
  in.now_ms = clock.NowMs();
  EXPECT_TRUE(IsOverdueForFirstReview(in));
  EXPECT_TRUE(Decide(in));

  // Only items still in first review are overdue for it.
  in.resource.state = S::kFinalReview;
  EXPECT_FALSE(IsOverdueForFirstReview(in));
}

TEST(WorkflowDeadlines, NoDeadlineMeansNoLimitAndNoTakeOver) {
  WorkflowInput in = TableInput(S::kDraft, A::kSubmit, kOwnerUploader);
  in.deadlines = {};
  in.now_ms = 4102444800000;  // 2100-01-01
  EXPECT_TRUE(Decide(in));
  EXPECT_FALSE(DeadlinePassed(std::nullopt, in.now_ms));

  in = TableInput(S::kFirstReview, A::kTakeOver, kNouReviewer);
  in.deadlines = {};
  auto got = Decide(in);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().message, "本批次未设初审截止时间，不能接管");
}

// First reviewers may still finish a late item until NOU takes it over.
TEST(WorkflowDeadlines, FirstReviewerMayStillActWhenOverdue) {
  WorkflowInput in = TableInput(S::kFirstReview, A::kApprove, kFirstReviewer);
  ASSERT_TRUE(IsOverdueForFirstReview(in));
  EXPECT_TRUE(Decide(in));
}

// ---------------------------------------------------------------------------------------------
// Full chains over real unit values, the way the service will call it.

orgs::Org MakeOrg(int64_t id, std::optional<int64_t> parent, OrgKind kind, std::string name) {
  orgs::Org o;
  o.id = orgs::OrgId{id};
  if (parent) o.parent_id = orgs::OrgId{*parent};
  o.kind = kind;
  o.name = std::move(name);
  return o;
}

auth::Principal Person(int64_t uid, Role role, std::optional<orgs::Org> org) {
  auth::Principal p;
  p.user_id = auth::UserId{uid};
  p.role = role;
  p.org = std::move(org);
  return p;
}

// A resource row plus its timeline, advanced only through Decide().
class Chain {
 public:
  Chain(orgs::Org owner, FakeClock& clock) : owner_(std::move(owner)), clock_(clock) {
    facts_.owner_second_level = orgs::IsSecondLevel(owner_.kind);
    facts_.metadata_valid = true;
    facts_.has_cover = true;
    facts_.technical_check = TechnicalVerdict::kPassed;
    deadlines_ = {Date{2022, 5, 15}, Date{2022, 5, 22}};
  }

  Result<Decision> Try(const auth::Principal& who, A action, std::string comment = "",
                       Checklist checklist = {}, bool attestation = false) {
    WorkflowInput in;
    in.resource = facts_;
    in.resource.claim = !claimed_by_                        ? ClaimStatus::kUnclaimed
                        : *claimed_by_ == who.user_id.value ? ClaimStatus::kClaimedByActor
                                                            : ClaimStatus::kClaimedByOther;
    in.actor = MakeActor(who, owner_);
    in.request = {action, std::move(comment), checklist, attestation};
    in.deadlines = deadlines_;
    in.now_ms = clock_.NowMs();
    auto d = Decide(in);
    if (!d) return d;
    // What the repository does: compare-and-set, then apply.
    EXPECT_EQ(d->expected_version, facts_.version);
    facts_.state = d->next_state;
    facts_.version = d->next_version;
    if (d->claim == ClaimEffect::kSetToActor) claimed_by_ = who.user_id.value;
    if (d->claim == ClaimEffect::kClear) claimed_by_.reset();
    if (d->record.from != d->record.to) timeline_.push_back(d->record);
    return d;
  }

  std::vector<std::string> Timeline() const {
    std::vector<std::string> out;
    for (const auto& t : timeline_) {
      out.push_back(std::string(StateName(t.from)) + "-" + std::string(ActionName(t.action)) +
                    "->" + std::string(StateName(t.to)));
    }
    return out;
  }

  S state() const { return facts_.state; }
  const std::vector<Transition>& timeline() const { return timeline_; }
  Deadlines& deadlines() { return deadlines_; }

 private:
  orgs::Org owner_;
  FakeClock& clock_;
  ResourceFacts facts_;
  Deadlines deadlines_;
  std::optional<int64_t> claimed_by_;
  std::vector<Transition> timeline_;
};

constexpr Checklist kAllTicked{true, true, true, true};

class WorkflowChain : public ::testing::Test {
 protected:
  FakeClock clock_{1652400000000};  // 2022-05-13 08:00 in Shanghai
  orgs::Org nou_ = MakeOrg(1, std::nullopt, OrgKind::kOpenUniversity, "国家开放大学");
  orgs::Org gd_ = MakeOrg(2, 1, OrgKind::kProvinceDept, "广东省教育厅");
  orgs::Org bj_ = MakeOrg(3, 1, OrgKind::kProvinceDept, "北京市教育委员会");
  orgs::Org college_ = MakeOrg(4, 2, OrgKind::kProvincialCollege, "广东开放大学");
  orgs::Org ministry_univ_ = MakeOrg(5, 1, OrgKind::kMinistryUniversity, "北京师范大学");
  orgs::Org committee_ = MakeOrg(6, 1, OrgKind::kIndustryCommittee, "行指委办");
  orgs::Org enterprise_ = MakeOrg(7, 6, OrgKind::kEnterprise, "某职业培训有限公司");

  auth::Principal nou_reviewer_ = Person(100, Role::kReviewer, nou_);
  auth::Principal nou_reviewer2_ = Person(101, Role::kReviewer, nou_);
  auth::Principal platform_admin_ = Person(102, Role::kPlatformAdmin, nou_);
  auth::Principal gd_reviewer_ = Person(200, Role::kReviewer, gd_);
  auth::Principal gd_reviewer2_ = Person(201, Role::kReviewer, gd_);
  auth::Principal bj_reviewer_ = Person(300, Role::kReviewer, bj_);
  auth::Principal college_uploader_ = Person(400, Role::kUploader, college_);
  auth::Principal univ_uploader_ = Person(500, Role::kUploader, ministry_univ_);
  auth::Principal committee_reviewer_ = Person(600, Role::kReviewer, committee_);
  auth::Principal enterprise_admin_ = Person(700, Role::kUnitAdmin, enterprise_);
};

TEST_F(WorkflowChain, GuangdongCollegeThroughProvinceAndNouToPublication) {
  Chain c(college_, clock_);
  // Attestation is required and recorded.
  auto no_promise = c.Try(college_uploader_, A::kSubmit);
  ASSERT_FALSE(no_promise);
  EXPECT_EQ(no_promise.error().fields.at(0).field, "attestation");
  auto submitted = c.Try(college_uploader_, A::kSubmit, "", {}, true);
  ASSERT_TRUE(submitted) << submitted.error().message;
  EXPECT_TRUE(submitted->record.attested);
  EXPECT_EQ(c.state(), S::kFirstReview);

  // Outside the province: 403. NOU cannot skip the first review: 409.
  EXPECT_TRUE(
      c.Try(bj_reviewer_, A::kApprove, "", kAllTicked).error().Is(ErrorCode::kPermissionDenied));
  EXPECT_TRUE(
      c.Try(nou_reviewer_, A::kApprove, "", kAllTicked).error().Is(ErrorCode::kFailedPrecondition));

  // 广东省教育厅 claims; a colleague can no longer decide; the claimant returns it.
  ASSERT_TRUE(c.Try(gd_reviewer_, A::kClaim));
  EXPECT_TRUE(c.Try(gd_reviewer2_, A::kApprove, "", kAllTicked).error().Is(ErrorCode::kConflict));
  ASSERT_TRUE(c.Try(gd_reviewer_, A::kReturn, "封面分辨率过低，请更换"));
  EXPECT_EQ(c.state(), S::kReturned);

  // Resubmission runs the whole chain again.
  clock_.Advance(std::chrono::hours(24));
  ASSERT_TRUE(c.Try(college_uploader_, A::kSubmit, "", {}, true));
  EXPECT_EQ(c.state(), S::kFirstReview);
  ASSERT_TRUE(c.Try(gd_reviewer2_, A::kApprove, "同意推荐", kAllTicked));
  EXPECT_EQ(c.state(), S::kFinalReview);
  EXPECT_TRUE(c.Try(gd_reviewer2_, A::kReturn, "撤回").error().Is(ErrorCode::kFailedPrecondition));

  ASSERT_TRUE(c.Try(nou_reviewer_, A::kApprove, "", kAllTicked));
  EXPECT_EQ(c.state(), S::kApproved);
  EXPECT_TRUE(
      c.Try(nou_reviewer_, A::kApprove, "", kAllTicked).error().Is(ErrorCode::kFailedPrecondition));

  ASSERT_TRUE(c.Try(platform_admin_, A::kPublish, "第1批"));
  EXPECT_EQ(c.state(), S::kPublished);
  EXPECT_TRUE(c.Try(platform_admin_, A::kWithdraw).error().Is(ErrorCode::kInvalidArgument));
  ASSERT_TRUE(c.Try(platform_admin_, A::kWithdraw, "版权方提出异议"));
  ASSERT_TRUE(c.Try(platform_admin_, A::kRepublish, "异议已处理"));

  EXPECT_EQ(c.Timeline(), (std::vector<std::string>{
                              "draft-submit->first_review", "first_review-return->returned",
                              "returned-submit->first_review", "first_review-approve->final_review",
                              "final_review-approve->approved", "approved-publish->published",
                              "published-withdraw->withdrawn", "withdrawn-republish->published"}));
  EXPECT_EQ(c.timeline()[1].comment, "封面分辨率过低，请更换");
  EXPECT_EQ(c.timeline()[3].checklist, kAllTicked);
  EXPECT_EQ(c.timeline()[2].at_ms, 1652400000000 + 86'400'000);
}

TEST_F(WorkflowChain, MinistryUniversityGoesStraightToNou) {
  Chain c(ministry_univ_, clock_);
  ASSERT_TRUE(c.Try(univ_uploader_, A::kSubmit, "", {}, true));
  EXPECT_EQ(c.state(), S::kFinalReview);
  // No province reviews a 部属高校.
  EXPECT_TRUE(c.Try(gd_reviewer_, A::kClaim).error().Is(ErrorCode::kPermissionDenied));
  ASSERT_TRUE(c.Try(nou_reviewer_, A::kApprove, "", kAllTicked));
  ASSERT_TRUE(c.Try(nou_reviewer2_, A::kPublish));
  EXPECT_EQ(c.Timeline(), (std::vector<std::string>{"draft-submit->final_review",
                                                    "final_review-approve->approved",
                                                    "approved-publish->published"}));
}

TEST_F(WorkflowChain, EnterpriseUnderIndustryCommittee) {
  Chain c(enterprise_, clock_);
  ASSERT_TRUE(c.Try(enterprise_admin_, A::kSubmit, "", {}, true));
  EXPECT_EQ(c.state(), S::kFirstReview);
  EXPECT_TRUE(
      c.Try(gd_reviewer_, A::kApprove, "", kAllTicked).error().Is(ErrorCode::kPermissionDenied));
  ASSERT_TRUE(c.Try(committee_reviewer_, A::kApprove, "", kAllTicked));
  EXPECT_EQ(c.state(), S::kFinalReview);
  ASSERT_TRUE(c.Try(nou_reviewer_, A::kReject, "内容与征集范围不符"));
  EXPECT_EQ(c.state(), S::kRejected);
  // Rejected is final.
  EXPECT_TRUE(c.Try(enterprise_admin_, A::kSubmit, "", {}, true)
                  .error()
                  .Is(ErrorCode::kFailedPrecondition));
}

TEST_F(WorkflowChain, NouTakesOverAnOverdueFirstReview) {
  Chain c(college_, clock_);
  ASSERT_TRUE(c.Try(college_uploader_, A::kSubmit, "", {}, true));
  ASSERT_TRUE(c.Try(gd_reviewer_, A::kClaim));

  // Before the first-review deadline is over: no take-over, no skipping.
  clock_.SetMs(ShanghaiMidnightMs(Date{2022, 5, 22}) + 12 * 3'600'000);  // 05-22 12:00
  EXPECT_TRUE(c.Try(nou_reviewer_, A::kTakeOver).error().Is(ErrorCode::kFailedPrecondition));

  clock_.SetMs(ShanghaiMidnightMs(Date{2022, 5, 23}));  // 05-23 00:00: overdue
  auto skip = c.Try(nou_reviewer_, A::kApprove, "", kAllTicked);
  ASSERT_FALSE(skip);
  EXPECT_TRUE(skip.error().Is(ErrorCode::kFailedPrecondition));
  EXPECT_NE(skip.error().message.find("可先接管"), std::string::npos) << skip.error().message;
  // Only NOU takes over, not the first reviewers themselves.
  EXPECT_TRUE(c.Try(gd_reviewer_, A::kTakeOver).error().Is(ErrorCode::kPermissionDenied));

  auto taken = c.Try(nou_reviewer_, A::kTakeOver, "初审逾期，由国家开放大学接管");
  ASSERT_TRUE(taken) << taken.error().message;
  EXPECT_TRUE(taken->record.took_over);
  EXPECT_EQ(taken->claim, ClaimEffect::kSetToActor);  // the province's claim is overridden
  EXPECT_EQ(c.state(), S::kFinalReview);
  // The province's step is over; the NOU reviewer who took it holds it.
  EXPECT_TRUE(
      c.Try(gd_reviewer_, A::kApprove, "", kAllTicked).error().Is(ErrorCode::kFailedPrecondition));
  EXPECT_TRUE(c.Try(nou_reviewer2_, A::kApprove, "", kAllTicked).error().Is(ErrorCode::kConflict));
  ASSERT_TRUE(c.Try(nou_reviewer_, A::kApprove, "", kAllTicked));
  EXPECT_EQ(c.Timeline(), (std::vector<std::string>{"draft-submit->first_review",
                                                    "first_review-take_over->final_review",
                                                    "final_review-approve->approved"}));
  EXPECT_TRUE(c.timeline()[1].took_over);
  EXPECT_FALSE(c.timeline()[2].took_over);
}

TEST(WorkflowMakeActor, DerivesUnitRelations) {
  auto nou = MakeOrg(1, std::nullopt, OrgKind::kOpenUniversity, "国家开放大学");
  auto gd = MakeOrg(2, 1, OrgKind::kProvinceDept, "广东省教育厅");
  auto college = MakeOrg(4, 2, OrgKind::kProvincialCollege, "广东开放大学");

  Actor a = MakeActor(Person(1, Role::kReviewer, gd), college);
  EXPECT_TRUE(a.in_first_review_unit);
  EXPECT_FALSE(a.in_owner_unit);
  EXPECT_FALSE(a.in_final_review_unit);

  // The province's own resources have no first review by the province.
  a = MakeActor(Person(1, Role::kReviewer, gd), gd);
  EXPECT_FALSE(a.in_first_review_unit);
  EXPECT_TRUE(a.in_owner_unit);

  a = MakeActor(Person(1, Role::kReviewer, nou), college);
  EXPECT_TRUE(a.in_final_review_unit);

  a = MakeActor(Person(1, Role::kLearner, std::nullopt), college);
  EXPECT_FALSE(a.in_owner_unit || a.in_first_review_unit || a.in_final_review_unit);
  EXPECT_EQ(a.role, Role::kLearner);
}

// ---------------------------------------------------------------------------------------------
// Comments, checklist, attestation and the submit prerequisites.

std::vector<std::string> FieldNames(const Error& e) {
  std::vector<std::string> out;
  for (const auto& f : e.fields) out.push_back(f.field);
  return out;
}

TEST(WorkflowFields, ReturnAndRejectNeedAComment) {
  for (A action : {A::kReturn, A::kReject}) {
    for (const char* blank : {"", "   ", "\xE3\x80\x80\t\n"}) {
      WorkflowInput in = TableInput(S::kFinalReview, action, kNouReviewer);
      in.request.comment = blank;
      auto got = Decide(in);
      ASSERT_FALSE(got);
      EXPECT_TRUE(got.error().Is(ErrorCode::kInvalidArgument));
      ASSERT_EQ(got.error().fields.size(), 1u);
      EXPECT_EQ(got.error().fields[0].field, "comment");
      EXPECT_EQ(got.error().fields[0].label, "审核意见");
    }
  }
}

TEST(WorkflowFields, WithdrawNeedsAReason) {
  WorkflowInput in = TableInput(S::kPublished, A::kWithdraw, kPlatformAdmin);
  in.request.comment = " ";
  auto got = Decide(in);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().fields.at(0).label, "下线原因");
  EXPECT_EQ(got.error().fields.at(0).message, "下线须填写原因");
}

TEST(WorkflowFields, CommentIsTrimmedAndBounded) {
  WorkflowInput in = TableInput(S::kFirstReview, A::kReturn, kFirstReviewer);
  in.request.comment = "  请补充版权证明　";
  auto got = Decide(in);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->record.comment, "请补充版权证明");

  std::string long_comment;
  for (int i = 0; i < 2001; ++i) long_comment += "字";
  in.request.comment = long_comment;
  EXPECT_TRUE(Decide(in).error().Is(ErrorCode::kInvalidArgument));
  long_comment.resize(long_comment.size() - 3);  // exactly 2000
  in.request.comment = long_comment;
  EXPECT_TRUE(Decide(in));

  in.request.comment = "bad \xFF utf-8";
  EXPECT_EQ(FieldNames(Decide(in).error()), std::vector<std::string>{"comment"});
}

TEST(WorkflowFields, ApprovalNeedsEveryChecklistItem) {
  WorkflowInput in = TableInput(S::kFinalReview, A::kApprove, kNouReviewer);
  in.request.comment.clear();  // optional for approval
  in.request.checklist = {true, false, true, false};
  auto got = Decide(in);
  ASSERT_FALSE(got);
  EXPECT_TRUE(got.error().Is(ErrorCode::kInvalidArgument));
  ASSERT_EQ(got.error().fields.size(), 2u);
  EXPECT_EQ(got.error().fields[0].field, "checklist.copyright");
  EXPECT_EQ(got.error().fields[0].label, "版权与知识产权");
  EXPECT_EQ(got.error().fields[1].field, "checklist.science");
  EXPECT_EQ(got.error().fields[1].label, "科学性与规范性");

  in.request.checklist = {};
  EXPECT_EQ(FieldNames(Decide(in).error()),
            (std::vector<std::string>{"checklist.ideology", "checklist.copyright",
                                      "checklist.secrecy", "checklist.science"}));

  in.request.checklist = kAllTicked;
  got = Decide(in);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->record.checklist, kAllTicked);
  EXPECT_TRUE(got->record.comment.empty());
}

// Returning does not need the checklist, but the ticks given are recorded.
TEST(WorkflowFields, ReturnRecordsPartialChecklist) {
  WorkflowInput in = TableInput(S::kFirstReview, A::kReturn, kFirstReviewer);
  in.request.checklist = {true, false, false, false};
  auto got = Decide(in);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->record.checklist, (Checklist{true, false, false, false}));
}

TEST(WorkflowFields, SubmitReportsEveryMissingPrerequisiteTogether) {
  WorkflowInput in = TableInput(S::kDraft, A::kSubmit, kOwnerUploader);
  in.resource.metadata_valid = false;
  in.resource.has_cover = false;
  in.resource.technical_check = TechnicalVerdict::kFailed;
  in.request.attestation = false;
  auto got = Decide(in);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().message, "提交条件不满足");
  EXPECT_EQ(FieldNames(got.error()),
            (std::vector<std::string>{"metadata", "cover", "technical_check", "attestation"}));

  // A03 online course: the reachable link is its technical check.
  in.resource.type = resources::ResourceType::kCourse;
  in.resource.metadata_valid = true;
  in.resource.has_cover = true;
  in.request.attestation = true;
  got = Decide(in);
  ASSERT_FALSE(got);
  EXPECT_EQ(FieldNames(got.error()), std::vector<std::string>{"link"});
  EXPECT_EQ(got.error().fields[0].message, "资源链接无法访问或尚未检测");
}

// A link whose check has not run yet is not a fault of the submission: the answer says to
// wait a few seconds, alone when nothing else is missing and among the others otherwise.
TEST(WorkflowFields, APendingLinkCheckAsksToWait) {
  WorkflowInput in = TableInput(S::kDraft, A::kSubmit, kOwnerUploader);
  in.resource.type = resources::ResourceType::kCourse;
  in.resource.technical_check = TechnicalVerdict::kPending;
  in.request.attestation = true;
  auto got = Decide(in);
  ASSERT_FALSE(got);
  EXPECT_TRUE(got.error().Is(ErrorCode::kInvalidArgument));
  EXPECT_EQ(got.error().message, "正在检测课程链接，请稍候几秒后再提交");
  EXPECT_EQ(FieldNames(got.error()), std::vector<std::string>{"link"});

  in.resource.has_cover = false;
  got = Decide(in);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().message, "提交条件不满足");
  EXPECT_EQ(FieldNames(got.error()), (std::vector<std::string>{"cover", "link"}));
  EXPECT_EQ(got.error().fields[1].message, "正在检测课程链接，请稍候几秒后再提交");
}

// CheckStepAllowed is Decide() without the request fields: same answer for every
// non-field error, success where Decide() fails only on fields.
TEST(WorkflowFields, CheckStepAllowedIsDecideWithoutTheFields) {
  WorkflowInput in = TableInput(S::kDraft, A::kSubmit, kOwnerUploader);
  in.resource.metadata_valid = false;
  in.request.attestation = false;
  EXPECT_TRUE(CheckStepAllowed(in));
  EXPECT_TRUE(Decide(in).error().Is(ErrorCode::kInvalidArgument));
  for (auto state : {S::kFirstReview, S::kPublished, S::kRejected}) {
    in.resource.state = state;
    auto decided = Decide(in);
    auto checked = CheckStepAllowed(in);
    ASSERT_FALSE(decided);
    ASSERT_FALSE(checked);
    EXPECT_EQ(checked.error().code, decided.error().code);
    EXPECT_EQ(checked.error().message, decided.error().message);
  }
}

TEST(WorkflowClaims, ClaimsAreIdempotentForTheHolderAndExclusive) {
  WorkflowInput in = TableInput(S::kFinalReview, A::kClaim, kNouReviewer);
  in.resource.claim = ClaimStatus::kClaimedByActor;
  auto again = Decide(in);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->claim, ClaimEffect::kSetToActor);
  EXPECT_EQ(again->next_state, S::kFinalReview);

  in.request.action = A::kUnclaim;
  auto released = Decide(in);
  ASSERT_TRUE(released);
  EXPECT_EQ(released->claim, ClaimEffect::kClear);

  in.resource.claim = ClaimStatus::kClaimedByOther;
  for (A action : {A::kClaim, A::kUnclaim, A::kApprove, A::kReturn, A::kReject}) {
    in.request.action = action;
    EXPECT_TRUE(Decide(in).error().Is(ErrorCode::kConflict)) << ActionName(action);
  }
  // Claims do not block publication decisions of other kinds.
  in.resource.state = S::kApproved;
  in.request.action = A::kPublish;
  EXPECT_TRUE(Decide(in));
}

TEST(WorkflowClaims, AllowedActionsOfferUnclaimOnlyToTheHolder) {
  WorkflowInput in = TableInput(S::kFirstReview, A::kSubmit, kFirstReviewer);
  in.resource.claim = ClaimStatus::kClaimedByActor;
  auto got = AllowedActions(in);
  EXPECT_EQ(std::count(got.begin(), got.end(), A::kUnclaim), 1);
  EXPECT_EQ(std::count(got.begin(), got.end(), A::kClaim), 0);
  in.resource.claim = ClaimStatus::kClaimedByOther;
  EXPECT_TRUE(AllowedActions(in).empty());
}

}  // namespace
}  // namespace lep::review
