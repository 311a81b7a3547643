#include "review/workflow.h"

#include "core/text.h"

namespace lep::review {

namespace {

using resources::ResourceType;
using S = ResourceState;

constexpr size_t kMaxCommentChars = 2000;
constexpr int64_t kDayMs = 86'400'000;

struct ActionInfo {
  Action action;
  std::string_view name;
  std::string_view label;
};
constexpr ActionInfo kActions[] = {
    {Action::kSubmit, "submit", "提交"},           {Action::kClaim, "claim", "认领"},
    {Action::kUnclaim, "unclaim", "取消认领"},     {Action::kApprove, "approve", "审核通过"},
    {Action::kReturn, "return", "退回修改"},       {Action::kReject, "reject", "不予通过"},
    {Action::kPublish, "publish", "发布"},         {Action::kWithdraw, "withdraw", "下线"},
    {Action::kRepublish, "republish", "重新上线"}, {Action::kTakeOver, "take_over", "接管"},
};

bool IsReviewAction(Action a) {
  return a == Action::kClaim || a == Action::kUnclaim || a == Action::kApprove ||
         a == Action::kReturn || a == Action::kReject;
}

// The actor's standing towards this resource, independent of its state.
struct Standing {
  bool owner_writer = false;    // uploader or unit admin of the owning unit
  bool first_reviewer = false;  // reviewer of the 初审单位 (second-level owners only)
  bool final_reviewer = false;  // reviewer of 国家开放大学
  bool platform_admin = false;
};

Standing StandingOf(const WorkflowInput& in) {
  const Actor& a = in.actor;
  Standing s;
  s.owner_writer =
      a.in_owner_unit && (a.role == auth::Role::kUploader || a.role == auth::Role::kUnitAdmin);
  s.first_reviewer =
      a.role == auth::Role::kReviewer && a.in_first_review_unit && in.resource.owner_second_level;
  s.final_reviewer = a.role == auth::Role::kReviewer && a.in_final_review_unit;
  s.platform_admin = a.role == auth::Role::kPlatformAdmin;
  return s;
}

Status CheckActor(Action action, const Standing& s) {
  bool ok = false;
  std::string_view who;
  switch (action) {
    case Action::kSubmit:
      ok = s.owner_writer;
      who = "只有本单位的录入员或单位管理员可以提交资源";
      break;
    case Action::kClaim:
    case Action::kUnclaim:
    case Action::kApprove:
    case Action::kReturn:
    case Action::kReject:
      ok = s.first_reviewer || s.final_reviewer;
      who = "只有上级初审单位或国家开放大学的审核员可以审核此资源";
      break;
    case Action::kTakeOver:
      ok = s.final_reviewer;
      who = "只有国家开放大学的终审审核员可以接管逾期初审的资源";
      break;
    case Action::kPublish:
      ok = s.platform_admin || s.final_reviewer;
      who = "只有平台管理员或国家开放大学的终审审核员可以发布资源";
      break;
    case Action::kWithdraw:
    case Action::kRepublish:
      ok = s.platform_admin;
      who = "只有平台管理员可以下线或重新上线资源";
      break;
  }
  if (ok) return Ok();
  return Fail(Error::PermissionDenied(std::string(who)));
}

bool StateAllows(Action action, S state) {
  switch (action) {
    case Action::kSubmit:
      return state == S::kDraft || state == S::kReturned || state == S::kSubmitted;
    case Action::kClaim:
    case Action::kUnclaim:
    case Action::kApprove:
    case Action::kReturn:
    case Action::kReject:
      return state == S::kFirstReview || state == S::kFinalReview;
    case Action::kTakeOver:
      return state == S::kFirstReview;
    case Action::kPublish:
      return state == S::kApproved;
    case Action::kWithdraw:
      return state == S::kPublished;
    case Action::kRepublish:
      return state == S::kWithdrawn;
  }
  return false;
}

Error WrongState(Action action, S state) {
  return Error::FailedPrecondition("资源当前状态为「" + std::string(resources::StateLabel(state)) +
                                   "」，不能执行「" + std::string(ActionLabel(action)) + "」");
}

// No step can be skipped: a reviewer acts only on the step that belongs to its unit.
Status CheckStep(const WorkflowInput& in, const Standing& s) {
  const S state = in.resource.state;
  if (state == S::kFirstReview && !s.first_reviewer) {
    std::string msg = "资源尚在初审中，终审不能跳过初审";
    if (IsOverdueForFirstReview(in)) msg += "；初审已逾期，可先接管";
    return Fail(Error::FailedPrecondition(std::move(msg)));
  }
  if (state == S::kFinalReview && !s.final_reviewer) {
    return Fail(Error::FailedPrecondition("资源已进入终审，初审单位不能再处理"));
  }
  return Ok();
}

Status CheckDeadlines(const WorkflowInput& in) {
  switch (in.request.action) {
    case Action::kSubmit: {
      const bool resubmission = in.resource.state == S::kReturned && in.resource.returned_at;
      if (!resubmission && in.deadlines.opens && in.now_ms < in.deadlines.opens->at_ms) {
        std::string name =
            in.deadlines.campaign_name.empty() ? "征集" : "「" + in.deadlines.campaign_name + "」";
        return Fail(Error::FailedPrecondition(name + "将于 " + in.deadlines.opens->text +
                                              " 开始，尚不能提交"));
      }
      auto [deadline, label] = SubmissionDeadline(in.resource, in.deadlines);
      if (DeadlinePassed(deadline, in.now_ms)) {
        const std::string when = label + " " + deadline->text;
        return Fail(Error::FailedPrecondition(
            resubmission ? "退回修改的资源须在" + when + " 前重新提交，现已过期" : when + " 已过"));
      }
      return Ok();
    }
    case Action::kTakeOver:
      if (!in.deadlines.first_review) {
        return Fail(Error::FailedPrecondition("本批次未设初审截止时间，不能接管"));
      }
      if (!IsOverdueForFirstReview(in)) {
        return Fail(Error::FailedPrecondition("初审截止时间 " + in.deadlines.first_review->text +
                                              " 尚未过，不能接管"));
      }
      return Ok();
    default:
      return Ok();
  }
}

Status CheckClaim(const WorkflowInput& in) {
  if (in.resource.claim != ClaimStatus::kClaimedByOther) return Ok();
  switch (in.request.action) {
    case Action::kClaim:
      return Fail(Error::Conflict("该资源已被其他审核员认领"));
    case Action::kUnclaim:
      return Fail(Error::Conflict("该资源由其他审核员认领，不能取消其认领"));
    case Action::kApprove:
    case Action::kReturn:
    case Action::kReject:
      return Fail(Error::Conflict("该资源已被其他审核员认领，须由其处理或取消认领"));
    default:
      return Ok();  // take_over overrides a first reviewer's claim on purpose
  }
}

void CheckComment(const WorkflowInput& in, const std::string& trimmed,
                  std::vector<FieldError>& errors) {
  const Action a = in.request.action;
  const bool withdraw = a == Action::kWithdraw;
  const std::string label = withdraw ? "下线原因" : "审核意见";
  if (!text::IsValidUtf8(trimmed)) {
    errors.push_back({"comment", label, "不是有效的 UTF-8 文本"});
    return;
  }
  const bool required = a == Action::kReturn || a == Action::kReject || withdraw;
  if (required && trimmed.empty()) {
    std::string what = withdraw ? "下线须填写原因" : "退回或不予通过须填写审核意见";
    errors.push_back({"comment", label, std::move(what)});
    return;
  }
  if (text::CodePointCount(trimmed) > kMaxCommentChars) {
    errors.push_back({"comment", label, "不能超过 " + std::to_string(kMaxCommentChars) + " 个字"});
  }
}

void CheckChecklist(const Checklist& c, std::vector<FieldError>& errors) {
  struct Item {
    bool ticked;
    std::string_view field;
    std::string_view label;
  };
  const Item items[] = {
      {c.ideology, "checklist.ideology", "意识形态与政治导向"},
      {c.copyright, "checklist.copyright", "版权与知识产权"},
      {c.secrecy, "checklist.secrecy", "涉密与敏感信息"},
      {c.science, "checklist.science", "科学性与规范性"},
  };
  for (const auto& i : items) {
    if (!i.ticked) {
      errors.push_back({std::string(i.field), std::string(i.label), "审核通过前须确认此项"});
    }
  }
}

void CheckSubmitPrerequisites(const WorkflowInput& in, std::vector<FieldError>& errors) {
  const ResourceFacts& r = in.resource;
  if (!r.metadata_valid) {
    errors.push_back({"metadata", "元数据", "元数据不完整或不符合规范，请先修正"});
  }
  if (!r.has_cover) errors.push_back({"cover", "资源封面", "请上传资源封面"});
  if (r.technical_check == TechnicalVerdict::kPending) {
    errors.push_back({"link", "资源链接", kLinkCheckPendingMessage});
  } else if (r.technical_check != TechnicalVerdict::kPassed) {
    if (!r.technical_problem.empty()) {
      errors.push_back({"lessons", "课程视频", r.technical_problem});
    } else if (r.type == ResourceType::kCourse) {
      errors.push_back({"link", "资源链接", "资源链接无法访问或尚未检测"});
    } else {
      errors.push_back({"technical_check", "技术检测", "媒体文件未通过技术检测或尚未检测"});
    }
  }
  if (!in.request.attestation) {
    errors.push_back({"attestation", "承诺", "请确认内容与版权审查已完成"});
  }
}

S NextState(const WorkflowInput& in) {
  const S state = in.resource.state;
  switch (in.request.action) {
    case Action::kSubmit:
      // 终审 asked for the changes: the item goes back to 终审, not through 初审 again.
      if (state == S::kReturned && in.resource.returned_at == S::kFinalReview) {
        return S::kFinalReview;
      }
      return in.resource.owner_second_level ? S::kFirstReview : S::kFinalReview;
    case Action::kClaim:
    case Action::kUnclaim:
      return state;
    case Action::kApprove:
      return state == S::kFirstReview ? S::kFinalReview : S::kApproved;
    case Action::kReturn:
      return S::kReturned;
    case Action::kReject:
      return S::kRejected;
    case Action::kTakeOver:
      return S::kFinalReview;
    case Action::kPublish:
    case Action::kRepublish:
      return S::kPublished;
    case Action::kWithdraw:
      return S::kWithdrawn;
  }
  return state;
}

ClaimEffect ClaimEffectOf(Action a) {
  switch (a) {
    case Action::kClaim:
    case Action::kTakeOver:
      return ClaimEffect::kSetToActor;
    default:
      return ClaimEffect::kClear;
  }
}

}  // namespace

const std::vector<Action>& AllActions() {
  static const std::vector<Action> kAll = [] {
    std::vector<Action> v;
    for (const auto& i : kActions) v.push_back(i.action);
    return v;
  }();
  return kAll;
}

std::string_view ActionName(Action a) {
  for (const auto& i : kActions) {
    if (i.action == a) return i.name;
  }
  return "";
}

std::string_view ActionLabel(Action a) {
  for (const auto& i : kActions) {
    if (i.action == a) return i.label;
  }
  return "";
}

std::optional<Action> ParseAction(std::string_view s) {
  for (const auto& i : kActions) {
    if (i.name == s) return i.action;
  }
  return std::nullopt;
}

Actor MakeActor(const auth::Principal& p, const orgs::Org& owner) {
  Actor a;
  a.role = p.role;
  if (!p.org) return a;
  a.in_owner_unit = p.org->id == owner.id;
  a.in_first_review_unit =
      orgs::IsSecondLevel(owner.kind) && owner.parent_id && *owner.parent_id == p.org->id;
  a.in_final_review_unit = p.org->kind == orgs::OrgKind::kOpenUniversity;
  return a;
}

Deadline::Deadline(const Date& d) : at_ms(ShanghaiMidnightMs(d) + kDayMs), text(d.ToString()) {}

namespace {

// "yyyy-mm-dd[( |T)HH:MM]" → the date, and the minutes after midnight when a time is given.
std::optional<std::pair<Date, std::optional<int>>> ParseLocal(std::string_view s) {
  auto date = ParseIsoDate(s.substr(0, 10));
  if (!date) return std::nullopt;
  if (s.size() == 10) return std::make_pair(*date, std::optional<int>());
  if (s.size() != 16 || (s[10] != ' ' && s[10] != 'T') || s[13] != ':') return std::nullopt;
  auto two = [&](size_t at) -> int {
    if (s[at] < '0' || s[at] > '9' || s[at + 1] < '0' || s[at + 1] > '9') return -1;
    return (s[at] - '0') * 10 + (s[at + 1] - '0');
  };
  int h = two(11), m = two(14);
  if (h < 0 || h > 23 || m < 0 || m > 59) return std::nullopt;
  return std::make_pair(*date, std::optional<int>(h * 60 + m));
}

std::string LocalText(const Date& d, int minutes) {
  auto two = [](int v) { return std::string(1, char('0' + v / 10)) + char('0' + v % 10); };
  return d.ToString() + " " + two(minutes / 60 % 24) + ":" + two(minutes % 60);
}

}  // namespace

std::optional<Deadline> ParseDeadline(std::string_view s) {
  auto local = ParseLocal(s);
  if (!local) return std::nullopt;
  const auto& [date, minutes] = *local;
  if (!minutes) return Deadline(date);
  return Deadline(ShanghaiMidnightMs(date) + int64_t{*minutes} * 60'000, LocalText(date, *minutes));
}

std::optional<Deadline> ParseStart(std::string_view s) {
  auto local = ParseLocal(s);
  if (!local) return std::nullopt;
  const auto& [date, minutes] = *local;
  if (!minutes) return Deadline(ShanghaiMidnightMs(date), date.ToString());
  return Deadline(ShanghaiMidnightMs(date) + int64_t{*minutes} * 60'000, LocalText(date, *minutes));
}

bool DeadlinePassed(const std::optional<Deadline>& deadline, int64_t now_ms) {
  if (!deadline) return false;
  return now_ms >= deadline->at_ms;
}

std::pair<std::optional<Deadline>, std::string> SubmissionDeadline(const ResourceFacts& r,
                                                                   const Deadlines& d) {
  if (r.state == S::kReturned && r.returned_at == S::kFirstReview) {
    return {d.first_review, "初审截止时间"};
  }
  if (r.state == S::kReturned && r.returned_at == S::kFinalReview) {
    return {d.final_review, "终审截止时间"};
  }
  if (d.unit_submission && (!d.submission || d.unit_submission->at_ms < d.submission->at_ms)) {
    return {d.unit_submission, "本省（初审单位）规定的提交截止时间"};
  }
  return {d.submission, "提交截止时间"};
}

bool IsOverdueForFirstReview(const WorkflowInput& in) {
  return in.resource.state == S::kFirstReview &&
         DeadlinePassed(in.deadlines.first_review, in.now_ms);
}

Status CheckStepAllowed(const WorkflowInput& in) {
  const Action action = in.request.action;
  const Standing standing = StandingOf(in);
  LEP_RETURN_IF_ERROR(CheckActor(action, standing));
  if (!StateAllows(action, in.resource.state)) return Fail(WrongState(action, in.resource.state));
  if (IsReviewAction(action)) LEP_RETURN_IF_ERROR(CheckStep(in, standing));
  LEP_RETURN_IF_ERROR(CheckDeadlines(in));
  return CheckClaim(in);
}

Result<Decision> Decide(const WorkflowInput& in) {
  const Action action = in.request.action;
  const S state = in.resource.state;
  LEP_RETURN_IF_ERROR(CheckStepAllowed(in));

  std::vector<FieldError> errors;
  const std::string comment = text::Trim(in.request.comment);
  CheckComment(in, comment, errors);
  if (action == Action::kApprove) CheckChecklist(in.request.checklist, errors);
  if (action == Action::kSubmit) CheckSubmitPrerequisites(in, errors);
  if (errors.size() == 1 && errors[0].message == kLinkCheckPendingMessage) {
    // Nothing is wrong with the submission: it only has to wait for the link check.
    return Fail(Error::InvalidArgument(kLinkCheckPendingMessage, std::move(errors)));
  }
  if (!errors.empty()) {
    std::string msg = action == Action::kSubmit ? "提交条件不满足" : "请完善审核信息";
    for (const auto& e : errors) {
      if (e.field == "lessons") msg += "：" + e.message;  // which lesson, which rule
    }
    return Fail(Error::InvalidArgument(std::move(msg), std::move(errors)));
  }

  Decision d;
  d.next_state = NextState(in);
  d.expected_version = in.resource.version;
  d.next_version = in.resource.version + 1;
  d.claim = ClaimEffectOf(action);
  d.record.action = action;
  d.record.from = state;
  d.record.to = d.next_state;
  d.record.comment = comment;
  if (action == Action::kApprove || action == Action::kReturn || action == Action::kReject) {
    d.record.checklist = in.request.checklist;
  }
  d.record.took_over = action == Action::kTakeOver;
  d.record.attested = action == Action::kSubmit && in.request.attestation;
  d.record.at_ms = in.now_ms;
  return d;
}

std::vector<Action> AllowedActions(const WorkflowInput& in) {
  std::vector<Action> out;
  WorkflowInput probe = in;
  probe.request = Request{};
  for (Action a : AllActions()) {
    // Both are idempotent in Decide(); the UI offers only the one that changes something.
    if (a == Action::kClaim && in.resource.claim == ClaimStatus::kClaimedByActor) continue;
    if (a == Action::kUnclaim && in.resource.claim != ClaimStatus::kClaimedByActor) continue;
    probe.request.action = a;
    auto r = Decide(probe);
    if (r || r.error().Is(ErrorCode::kInvalidArgument)) out.push_back(a);
  }
  return out;
}

}  // namespace lep::review
