// The review state machine of SPEC §4 / issue 5 as one pure function: given the resource's
// state, the actor, the request and "now", Decide() answers the next state and what to record,
// or a Chinese error with a stable code. No database, no clock, no I/O: the caller loads the
// facts, calls Decide(), then writes the result with a compare-and-set on `expected_version`.
// Pure functions over value types; thread-safe.
//
// States and who moves them (「初审单位」 = the parent top-level unit of a second-level owner;
// 「终审」 = reviewers of 国家开放大学):
//
//   draft/returned --submit(owner uploader|unit admin)--> first_review   (second-level owner)
//                                                      \-> final_review   (top-level owner, or
//                                                          an item 终审 returned for changes)
//   first_review --approve(初审 reviewer)--> final_review
//   first_review --take_over(终审 reviewer, only past the first-review deadline)--> final_review
//   final_review --approve(终审 reviewer)--> approved
//   first_review|final_review --return(reviewer of that step, comment)--> returned
//   first_review|final_review --reject(reviewer of that step, comment)--> rejected (final)
//   approved --publish(platform admin | 终审 reviewer)--> published
//   published --withdraw(platform admin, reason)--> withdrawn --republish(platform admin)-->
//   published
//   claim/unclaim (reviewer of the current step) change only who holds the item.
//
// `submitted` is TRANSIENT: Submit routes the item in the same step, so Decide() never returns
// kSubmitted and the recorded transition reads draft→first_review (action submit, 提交).
// The state still tells the step (first_review = 初审单位's queue, final_review = NOU's),
// which a stored "submitted" would not. A row found in kSubmitted anyway (import, older build)
// is "submitted but not routed": the only action on it is kSubmit, which routes it.
//
// Order of checks, so every caller gets the same answer: actor may ever do this action on this
// resource (else kPermissionDenied) → action possible from the state (else kFailedPrecondition)
// → it is this actor's step (else kFailedPrecondition: "no step can be skipped") → deadlines
// (kFailedPrecondition) → claim held by someone else (kConflict) → request fields (comment,
// checklist, attestation, submit prerequisites: kInvalidArgument, all field errors together).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/user.h"
#include "core/date.h"
#include "core/result.h"
#include "orgs/org.h"
#include "resources/resource.h"

namespace lep::review {

using resources::ResourceState;

enum class Action {
  kSubmit,     // 提交 (also resubmission after 退回修改)
  kClaim,      // 认领
  kUnclaim,    // 取消认领
  kApprove,    // 审核通过
  kReturn,     // 退回修改
  kReject,     // 不予通过
  kPublish,    // 发布
  kWithdraw,   // 下线
  kRepublish,  // 重新上线
  kTakeOver,   // 接管 (终审 takes an overdue item out of first review)
};

const std::vector<Action>& AllActions();
std::string_view ActionName(Action a);   // "take_over"
std::string_view ActionLabel(Action a);  // "接管"
std::optional<Action> ParseAction(std::string_view s);

// Who acts, reduced to the facts the rules need. MakeActor() derives it from a Principal.
struct Actor {
  auth::Role role = auth::Role::kLearner;
  bool in_owner_unit = false;         // the actor's unit owns the resource
  bool in_first_review_unit = false;  // the actor's unit is the owner's parent top-level unit
                                      // (only meaningful when the owner is second-level)
  bool in_final_review_unit = false;  // the actor's unit is 国家开放大学
};

// `owner` is the unit owning the resource. Learners (no unit) get all flags false.
Actor MakeActor(const auth::Principal& p, const orgs::Org& owner);

enum class ClaimStatus { kUnclaimed, kClaimedByActor, kClaimedByOther };

// The technical check of a submission (A01/A02: the stored 附件1 media report; A03: the stored
// check of the current link). kPending: no stored result for the current link yet — a check
// is on its way and the submitter is asked to try again in a few seconds.
enum class TechnicalVerdict { kPassed, kFailed, kPending };

// What the caller knows about the resource right now.
struct ResourceFacts {
  ResourceState state = ResourceState::kDraft;
  int64_t version = 1;
  resources::ResourceType type = resources::ResourceType::kVideo;
  bool owner_second_level = false;  // orgs::IsSecondLevel(owner.kind)
  bool metadata_valid = false;
  bool has_cover = false;
  // A01/A02: the media report passed; A03: the link was reachable when checked.
  TechnicalVerdict technical_check = TechnicalVerdict::kFailed;
  // TechnicalCheck::Problem of a failed check (Chinese), "" for the generic message.
  std::string technical_problem;
  ClaimStatus claim = ClaimStatus::kUnclaimed;
  // kReturned only: the review step whose reviewer returned it (kFirstReview or
  // kFinalReview); nullopt when unknown (treated like a first submission).
  std::optional<ResourceState> returned_at;
};

// 审核要点: all four must be ticked to approve.
struct Checklist {
  bool ideology = false;   // 意识形态与政治导向
  bool copyright = false;  // 版权与知识产权
  bool secrecy = false;    // 涉密与敏感信息
  bool science = false;    // 科学性与规范性
  bool AllTicked() const { return ideology && copyright && secrecy && science; }
  bool operator==(const Checklist&) const = default;
};

struct Request {
  Action action = Action::kSubmit;
  std::string comment;       // required (after trimming) for return, reject, withdraw
  Checklist checklist;       // required (all ticked) for approve
  bool attestation = false;  // submit: 承诺内容与版权审查已完成
};

// One deadline: the instant it passes (Unix ms, exclusive: passed when now ≥ at_ms) and how
// people read it ("2022-05-15" = the whole day in Asia/Shanghai, "2022-05-09 12:00" = that
// minute, Beijing time). Asia/Shanghai is UTC+8 all year (no DST since 1991), so the instant
// never depends on the machine's TZ.
struct Deadline {
  int64_t at_ms = 0;
  std::string text;
  Deadline() = default;
  // A date-only deadline: the end of that day in Asia/Shanghai.
  Deadline(const Date& d);  // NOLINT(google-explicit-constructor): dates read as deadlines
  Deadline(int64_t at, std::string t) : at_ms(at), text(std::move(t)) {}
  bool operator==(const Deadline&) const = default;
};

// "yyyy-mm-dd" (end of that day) or "yyyy-mm-dd HH:MM" / "yyyy-mm-ddTHH:MM" (that minute), in
// Asia/Shanghai; text is normalised to "yyyy-mm-dd" or "yyyy-mm-dd HH:MM". nullopt when
// malformed (a date that does not exist, 24:00, seconds, a zone suffix).
std::optional<Deadline> ParseDeadline(std::string_view s);
// The same text read as a start: a date-only value starts at 00:00 of that day.
std::optional<Deadline> ParseStart(std::string_view s);

// Campaign deadlines. No value means no limit.
struct Deadlines {
  std::optional<Deadline> submission;    // 资源提交截止 (new submissions)
  std::optional<Deadline> first_review;  // 初审截止 (also: resubmission after a 初审 return)
  std::optional<Deadline> final_review;  // 终审截止 (also: resubmission after a 终审 return)
  // The internal submission deadline the owner's 初审单位 (a province) set for its own units;
  // never later than `submission` (checked when it is set).
  std::optional<Deadline> unit_submission;
  std::optional<Deadline> opens;  // 征集开始: no submission before it
  std::string campaign_name;      // for messages; may be empty
};

struct WorkflowInput {
  ResourceFacts resource;
  Actor actor;
  Request request;
  Deadlines deadlines;
  int64_t now_ms = 0;  // Unix ms from the injected Clock
};

// claim/unclaim are recorded with from == to; the caller may keep them out of the timeline.
struct Transition {
  Action action = Action::kSubmit;
  ResourceState from = ResourceState::kDraft;
  ResourceState to = ResourceState::kDraft;
  std::string comment;                 // trimmed
  std::optional<Checklist> checklist;  // approve/return/reject: the ticks as given
  bool took_over = false;              // take_over only
  bool attested = false;               // submit only: the attestation, with who/when
  int64_t at_ms = 0;
};

enum class ClaimEffect { kKeep, kSetToActor, kClear };

struct Decision {
  ResourceState next_state = ResourceState::kDraft;
  int64_t expected_version = 0;  // compare-and-set: update only if the row still has this
  int64_t next_version = 0;      // expected_version + 1
  ClaimEffect claim = ClaimEffect::kKeep;
  Transition record;
};

// The state machine. Never returns kSubmitted as next_state.
[[nodiscard]] Result<Decision> Decide(const WorkflowInput& in);

// The checks of Decide() that come before the request fields — actor, state, step, deadlines,
// claim — with Decide()'s error for each. Callers run it before they gather costly facts
// (the submission prerequisites: metadata re-validation, the technical check), so that a
// request that cannot succeed anyway never pays for them. Decide() runs it too.
[[nodiscard]] Status CheckStepAllowed(const WorkflowInput& in);

// The field message of a pending A03 link check (also the error message when it is the only
// unmet submission prerequisite).
inline constexpr const char* kLinkCheckPendingMessage = "正在检测课程链接，请稍候几秒后再提交";

// Actions the UI should offer: those Decide() would accept, or reject only for request fields
// (kInvalidArgument: the form then shows what is missing). in.request is ignored.
std::vector<Action> AllowedActions(const WorkflowInput& in);

// True once the deadline has passed (for a date-only one: once its whole day in Asia/Shanghai
// is over).
bool DeadlinePassed(const std::optional<Deadline>& deadline, int64_t now_ms);
// The deadline a submission from `r` is held to: for an item returned at a review step, that
// step's review deadline; otherwise the earlier of the campaign's and the unit's internal
// submission deadline. Second: how the message names it ("资源提交截止时间" …).
std::pair<std::optional<Deadline>, std::string> SubmissionDeadline(const ResourceFacts& r,
                                                                   const Deadlines& d);
// In first review and past the first-review deadline: shown as overdue to NOU, who may take
// it over.
bool IsOverdueForFirstReview(const WorkflowInput& in);

}  // namespace lep::review
