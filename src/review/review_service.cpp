#include "review/review_service.h"

#include <algorithm>
#include <map>
#include <set>

#include "auth/authorizer.h"
#include "core/text.h"
#include "resources/sheet_mapping.h"
#include "security/audit_chain.h"

namespace lep::review {

using auth::Authorizer;
using resources::Resource;
using resources::ResourceId;
using resources::ResourceState;

namespace {

std::string ChecklistText(const std::optional<Checklist>& c) {
  if (!c) return "";
  std::string out;
  auto add = [&](bool v, const char* label) {
    if (!out.empty()) out += "；";
    out += std::string(label) + (v ? "：已核查" : "：未勾选");
  };
  add(c->ideology, "意识形态与政治导向");
  add(c->copyright, "版权与知识产权");
  add(c->secrecy, "涉密与敏感信息");
  add(c->science, "科学性与规范性");
  return out;
}

std::optional<Deadline> DeadlineOrNone(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return ParseDeadline(s);
}

Deadlines DeadlinesOf(const std::optional<Campaign>& c) {
  Deadlines d;
  if (!c) return d;
  d.submission = DeadlineOrNone(c->submission_deadline);
  d.first_review = DeadlineOrNone(c->first_review_deadline);
  d.final_review = DeadlineOrNone(c->final_review_deadline);
  if (!c->starts.empty()) d.opens = ParseStart(c->starts);
  d.campaign_name = c->name;
  return d;
}

bool IsOpen(const Campaign& c, int64_t now) {
  if (!c.starts.empty()) {
    auto starts = ParseStart(c.starts);
    if (starts && now < starts->at_ms) return false;
  }
  return !DeadlinePassed(DeadlineOrNone(c.submission_deadline), now);
}

constexpr const char* kDateFormatHint =
    "应为 yyyy-mm-dd 或 yyyy-mm-dd HH:MM（北京时间）格式的真实时间";

Status CheckScheduleTime(int64_t scheduled_at, int64_t now) {
  if (scheduled_at <= now) {
    return Fail(Error::InvalidArgument(
        "定时发布时间应晚于当前时间",
        {{"scheduled_at", "定时发布时间", "定时发布时间应晚于当前时间（Unix 毫秒）"}}));
  }
  return Ok();
}

Error NotFoundCampaign() { return Error::NotFound("征集批次不存在"); }

// The resource as the state change left it (what ResourceRepository::ChangeState writes).
Resource Applied(Resource r, const resources::StateChange& c, int64_t version) {
  r.state = c.to;
  r.version = version;
  r.updated_at = c.at;
  if (c.claimed_by) r.workflow.claimed_by = *c.claimed_by;
  if (c.campaign_id) r.workflow.campaign_id = c.campaign_id;
  if (c.attested_by) {
    r.workflow.attested_by = *c.attested_by;
    r.workflow.attested_at = c.at;
  }
  if (c.batch_id) r.workflow.batch_id = c.batch_id;
  if (c.published) r.workflow.published_at = c.at;
  return r;
}

}  // namespace

Status WriteAudit(storage::SqlExecutor& tx, int64_t at, const auth::Principal& p,
                  const std::string& action, const std::string& object, const std::string& result,
                  const std::string& detail) {
  // Hash-chained (security/audit_chain.h): any later edit or deletion is detectable.
  security::AuditRecord r;
  r.at = at;
  r.actor_id = p.user_id.value;
  if (p.org) r.org_id = p.org->id.value;
  r.ip = p.ip;  // 等保: who, from where
  r.action = action;
  r.object = object;
  r.result = result;
  r.detail = detail;
  return security::AppendAudit(tx, r).map([](auto&&) {});
}

// ---- Campaigns ----

Result<std::vector<Campaign>> ReviewService::Campaigns() { return d_.campaigns.List(); }

Result<std::optional<Campaign>> ReviewService::LatestCampaign() { return d_.campaigns.Latest(); }

Result<Campaign> ReviewService::SaveCampaign(const auth::Principal& p, Campaign c) {
  LEP_RETURN_IF_ERROR(Authorizer::CheckManagePlatform(p));
  std::vector<FieldError> errors;
  c.name = text::Trim(c.name);
  if (c.name.empty() || text::CodePointCount(c.name) > 100) {
    errors.push_back({"name", "批次名称", "批次名称为 1–100 个字"});
  }
  if (c.year < 2000 || c.year > 2100) errors.push_back({"year", "年度", "年度应为四位年份"});
  // Each value parsed (and its text normalised); the instants for the order check.
  auto when = [&](std::string& v, const char* field, const char* label,
                  bool start) -> std::optional<Deadline> {
    v = text::Trim(v);
    if (v.empty()) return std::nullopt;
    auto parsed = start ? ParseStart(v) : ParseDeadline(v);
    if (!parsed) {
      errors.push_back({field, label, std::string(label) + kDateFormatHint});
      return std::nullopt;
    }
    v = parsed->text;
    return parsed;
  };
  auto starts = when(c.starts, "starts", "征集开始时间", true);
  when(c.contact_deadline, "contact_deadline", "联系人报送截止时间", false);
  auto submission = when(c.submission_deadline, "submission_deadline", "资源提交截止时间", false);
  auto first = when(c.first_review_deadline, "first_review_deadline", "初审截止时间", false);
  auto final_ = when(c.final_review_deadline, "final_review_deadline", "终审截止时间", false);
  // The order the notice implies: open → upload deadline → 初审 → 终审.
  struct Step {
    const std::optional<Deadline>* at;
    const char* field;
    const char* label;
  };
  const Step steps[] = {{&starts, "starts", "征集开始时间"},
                        {&submission, "submission_deadline", "资源提交截止时间"},
                        {&first, "first_review_deadline", "初审截止时间"},
                        {&final_, "final_review_deadline", "终审截止时间"}};
  const Step* previous = nullptr;
  for (const Step& step : steps) {
    if (!*step.at) continue;
    if (previous) {
      bool after_start = previous == &steps[0];
      int64_t before = (*previous->at)->at_ms, at = (*step.at)->at_ms;
      if (after_start ? at <= before : at < before) {
        errors.push_back({step.field, step.label,
                          std::string(step.label) + (after_start ? "应晚于" : "不能早于") +
                              previous->label + " " + (*previous->at)->text});
      }
    }
    previous = &step;
  }
  if (!errors.empty()) return Fail(Error::InvalidArgument(errors[0].message, errors));
  int64_t now = d_.clock.NowMs();
  LEP_RETURN_IF_ERROR(d_.tx.Transaction([&](storage::SqlExecutor& tx) -> Status {
    if (c.id == 0) {
      LEP_ASSIGN_OR_RETURN(c.id, d_.campaigns.Create(tx, c, now));
    } else {
      LEP_ASSIGN_OR_RETURN(bool found, d_.campaigns.Update(tx, c, now));
      if (!found) return Fail(NotFoundCampaign());
    }
    return WriteAudit(tx, now, p, "campaign.save", "campaign:" + std::to_string(c.id), "ok",
                      c.name + " 提交截止 " + c.submission_deadline);
  }));
  return c;
}

Result<std::vector<Campaign>> ReviewService::OpenCampaigns() {
  LEP_ASSIGN_OR_RETURN(auto all, d_.campaigns.List());
  std::vector<Campaign> open;
  int64_t now = d_.clock.NowMs();
  for (Campaign& c : all) {
    if (IsOpen(c, now)) open.push_back(std::move(c));
  }
  return open;
}

Result<UnitDeadline> ReviewService::SetUnitDeadline(const auth::Principal& p, int64_t campaign_id,
                                                    orgs::OrgId org_id,
                                                    const std::string& deadline) {
  LEP_ASSIGN_OR_RETURN(auto org, d_.orgs.Get(org_id));
  if (!org || !Authorizer::CanSeeOrg(p, *org)) return Fail(Error::NotFound("单位不存在"));
  const bool own_unit_admin = p.role == auth::Role::kUnitAdmin && p.org && p.org->id == org->id;
  if (p.role != auth::Role::kPlatformAdmin && !own_unit_admin) {
    return Fail(
        Error::PermissionDenied("只有本单位管理员或平台管理员可以设置本单位的内部截止时间"));
  }
  if (orgs::IsSecondLevel(org->kind) || orgs::AllowedChildKinds(org->kind).empty()) {
    return Fail(Error::FailedPrecondition(
        "只有有下级单位的一级单位（如省级教育行政部门）可以设置内部截止时间"));
  }
  LEP_ASSIGN_OR_RETURN(auto campaign, d_.campaigns.Get(campaign_id));
  if (!campaign) return Fail(NotFoundCampaign());
  UnitDeadline d;
  d.campaign_id = campaign_id;
  d.org_id = org->id.value;
  d.org_name = org->name;
  d.updated_by = p.user_id.value;
  d.updated_at = d_.clock.NowMs();
  const std::string wanted = text::Trim(deadline);
  if (!wanted.empty()) {
    const char* label = "本单位提交截止时间";
    auto at = ParseDeadline(wanted);
    if (!at) {
      return Fail(Error::InvalidArgument(
          std::string(label) + kDateFormatHint,
          {{"submission_deadline", label, std::string(label) + kDateFormatHint}}));
    }
    auto campaign_deadline = DeadlineOrNone(campaign->submission_deadline);
    if (campaign_deadline && at->at_ms > campaign_deadline->at_ms) {
      std::string msg =
          std::string(label) + "不能晚于征集的资源提交截止时间 " + campaign_deadline->text;
      return Fail(Error::InvalidArgument(msg, {{"submission_deadline", label, msg}}));
    }
    if (!campaign->starts.empty()) {
      auto starts = ParseStart(campaign->starts);
      if (starts && at->at_ms <= starts->at_ms) {
        std::string msg = std::string(label) + "应晚于征集开始时间 " + starts->text;
        return Fail(Error::InvalidArgument(msg, {{"submission_deadline", label, msg}}));
      }
    }
    d.submission_deadline = at->text;
  }
  LEP_RETURN_IF_ERROR(d_.tx.Transaction([&](storage::SqlExecutor& tx) -> Status {
    LEP_RETURN_IF_ERROR(d_.campaigns.SetUnitDeadline(tx, d));
    return WriteAudit(tx, d.updated_at, p, "campaign.unit_deadline",
                      "campaign:" + std::to_string(campaign_id), "ok",
                      org->name + " 内部提交截止 " +
                          (d.submission_deadline.empty() ? "（取消）" : d.submission_deadline));
  }));
  return d;
}

Result<std::vector<UnitDeadline>> ReviewService::UnitDeadlines(const auth::Principal& p,
                                                               int64_t campaign_id) {
  LEP_ASSIGN_OR_RETURN(auto campaign, d_.campaigns.Get(campaign_id));
  if (!campaign) return Fail(NotFoundCampaign());
  LEP_ASSIGN_OR_RETURN(auto all, d_.campaigns.UnitDeadlines(campaign_id));
  if (Authorizer::CanSeeAll(p)) return all;
  std::vector<UnitDeadline> out;
  if (!p.org) return out;
  for (UnitDeadline& d : all) {
    bool mine =
        d.org_id == p.org->id.value || (p.org->parent_id && d.org_id == p.org->parent_id->value);
    if (mine) out.push_back(std::move(d));
  }
  return out;
}

// ---- Decisions ----

Result<ReviewService::CampaignChoice> ReviewService::CampaignFor(const Resource& r,
                                                                 const ReviewRequest& req) {
  std::optional<int64_t> id = r.workflow.campaign_id;
  if (req.action == Action::kSubmit && req.campaign_id) id = req.campaign_id;
  CampaignChoice out;
  if (!id) {
    if (req.action != Action::kSubmit) return out;
    // A first submission without a campaign: the open one. With none open, the newest (its
    // dates then say why the submission is refused); with several, the submitter chooses.
    LEP_ASSIGN_OR_RETURN(auto all, d_.campaigns.List());
    int64_t now = d_.clock.NowMs();
    for (Campaign& c : all) {
      if (!IsOpen(c, now)) continue;
      if (out.campaign) {
        out.ambiguous = true;
        break;
      }
      out.campaign = std::move(c);
    }
    if (!out.campaign && !all.empty()) out.campaign = std::move(all.front());
    return out;
  }
  LEP_ASSIGN_OR_RETURN(out.campaign, d_.campaigns.Get(*id));
  if (!out.campaign) return Fail(NotFoundCampaign());
  return out;
}

Status ReviewService::AddDeadlineFacts(const Resource& r, const orgs::Org& owner,
                                       const std::optional<Campaign>& campaign, WorkflowInput& in,
                                       const std::vector<HistoryEntry>* history) {
  if (r.state == ResourceState::kReturned) {
    std::vector<HistoryEntry> read;
    if (!history) {
      LEP_ASSIGN_OR_RETURN(read, d_.history.List(r.id));
      history = &read;
    }
    for (auto it = history->rbegin(); it != history->rend(); ++it) {
      if (it->action != "return") continue;
      if (it->from_state == resources::StateName(ResourceState::kFirstReview)) {
        in.resource.returned_at = ResourceState::kFirstReview;
      } else if (it->from_state == resources::StateName(ResourceState::kFinalReview)) {
        in.resource.returned_at = ResourceState::kFinalReview;
      }
      break;
    }
  }
  if (campaign && orgs::IsSecondLevel(owner.kind) && owner.parent_id) {
    LEP_ASSIGN_OR_RETURN(auto unit,
                         d_.campaigns.GetUnitDeadline(campaign->id, owner.parent_id->value));
    if (unit) in.deadlines.unit_submission = ParseDeadline(unit->submission_deadline);
  }
  return Ok();
}

WorkflowInput ReviewService::InputOf(const auth::Principal& p, const Resource& r,
                                     const orgs::Org& owner,
                                     const std::optional<Campaign>& campaign) const {
  WorkflowInput in;
  in.resource.state = r.state;
  in.resource.version = r.version;
  in.resource.type = r.meta.type;
  in.resource.owner_second_level = orgs::IsSecondLevel(owner.kind);
  in.resource.metadata_valid = true;
  in.resource.has_cover = r.cover.has_value();
  in.resource.technical_check = TechnicalVerdict::kPassed;
  int64_t claimed_by = r.workflow.claimed_by;
  in.resource.claim = claimed_by == 0                 ? ClaimStatus::kUnclaimed
                      : claimed_by == p.user_id.value ? ClaimStatus::kClaimedByActor
                                                      : ClaimStatus::kClaimedByOther;
  in.actor = MakeActor(p, owner);
  in.deadlines = DeadlinesOf(campaign);
  in.now_ms = d_.clock.NowMs();
  return in;
}

Status ReviewService::AddSubmitFacts(const Resource& r, ResourceFacts& facts) {
  // The category tree may have changed since the metadata was saved.
  auto input = resources::RowToInput(resources::MapHeader(resources::ExportHeader()),
                                     resources::ExportRow(r));
  LEP_ASSIGN_OR_RETURN(auto index, d_.resources.Categories());
  facts.metadata_valid =
      static_cast<bool>(resources::ValidateMetadata(input, d_.resources.MakeContext(index)));
  LEP_ASSIGN_OR_RETURN(facts.technical_check, d_.technical_check.Verdict(r));
  if (facts.technical_check == TechnicalVerdict::kFailed) {
    LEP_ASSIGN_OR_RETURN(facts.technical_problem, d_.technical_check.Problem(r));
  }
  return Ok();
}

Result<Resource> ReviewService::Act(const auth::Principal& p, ResourceId id,
                                    const ReviewRequest& req) {
  LEP_ASSIGN_OR_RETURN(resources::VisibleResource loaded, d_.resources.LoadVisible(p, id));
  const Resource& r = loaded.resource;
  if (req.expected_version && *req.expected_version != r.version) {
    return Fail(Error::Conflict("该资源已被他人处理（版本已变化），请刷新后重试"));
  }
  LEP_ASSIGN_OR_RETURN(CampaignChoice choice, CampaignFor(r, req));
  const std::optional<Campaign>& campaign = choice.campaign;
  WorkflowInput in = InputOf(p, r, loaded.owner, campaign);
  in.request = {req.action, req.comment, req.checklist, req.attestation};
  if (req.action == Action::kSubmit) {
    LEP_RETURN_IF_ERROR(AddDeadlineFacts(r, loaded.owner, campaign, in, nullptr));
  }
  // Everything that can refuse the request cheaply comes first: a refused request never
  // re-validates metadata nor asks for (and queues) a technical check.
  LEP_RETURN_IF_ERROR(CheckStepAllowed(in));
  if (choice.ambiguous) {
    const char* msg = "当前有多个征集正在进行，请选择要提交到的征集";
    return Fail(Error::InvalidArgument(msg, {{"campaign_id", "征集批次", msg}}));
  }
  if (req.action == Action::kSubmit) LEP_RETURN_IF_ERROR(AddSubmitFacts(r, in.resource));
  LEP_ASSIGN_OR_RETURN(Decision d, Decide(in));
  return Record(p, loaded, campaign, d);
}

Result<Resource> ReviewService::Record(const auth::Principal& p,
                                       const resources::VisibleResource& loaded,
                                       const std::optional<Campaign>& campaign, const Decision& d) {
  const Resource& r = loaded.resource;
  const Transition& t = d.record;
  int64_t now = d_.clock.NowMs();
  resources::StateChange change;
  change.from = r.state;
  change.expected_version = d.expected_version;
  change.to = d.next_state;
  change.claimed_by = d.claim == ClaimEffect::kKeep         ? r.workflow.claimed_by
                      : d.claim == ClaimEffect::kSetToActor ? p.user_id.value
                                                            : 0;
  if (campaign) change.campaign_id = campaign->id;
  if (t.attested) change.attested_by = p.user_id.value;
  change.published = d.next_state == ResourceState::kPublished;
  change.at = now;

  TransitionInfo info;
  info.action = t.action;
  info.from = t.from;
  info.to = t.to;
  info.title = r.meta.title;
  info.owner_unit = loaded.owner.name;
  info.actor_unit = p.org ? p.org->name : "";
  info.comment = t.comment;
  if (campaign) {
    info.first_review_deadline = campaign->first_review_deadline;
    info.final_review_deadline = campaign->final_review_deadline;
    info.campaign_id = campaign->id;
  }
  int64_t version = 0;
  LEP_RETURN_IF_ERROR(d_.tx.Transaction([&](storage::SqlExecutor& tx) -> Status {
    if (t.action == Action::kPublish) {
      LEP_RETURN_IF_ERROR(CheckNotScheduledElsewhere(tx, {r.id.value}, 0));
    }
    LEP_ASSIGN_OR_RETURN(version, d_.resource_repo.ChangeState(tx, r.id, change));
    if (resources::IsEditable(t.from) && !resources::IsEditable(t.to)) {
      // Reviewers judge the bytes stored now.
      LEP_RETURN_IF_ERROR(d_.pending_uploads.CancelUnfinished(tx, r.id));
    }
    HistoryRecord h{r.id,
                    std::string(ActionName(t.action)),
                    std::string(resources::StateName(t.from)),
                    std::string(resources::StateName(t.to)),
                    p.user_id.value,
                    p.org ? p.org->id.value : int64_t{0},
                    t.comment,
                    ChecklistText(t.checklist),
                    t.took_over,
                    now};
    LEP_ASSIGN_OR_RETURN(int64_t history_id, d_.history.Append(tx, h));
    LEP_RETURN_IF_ERROR(
        Notify(tx, {r.id.value, history_id, r.created_by, loaded.owner, p.user_id.value}, info));
    return WriteAudit(tx, now, p, "review." + std::string(ActionName(t.action)),
                      "resource:" + std::to_string(r.id.value), "ok",
                      std::string(resources::StateName(t.from)) + "→" +
                          std::string(resources::StateName(t.to)) +
                          (t.comment.empty() ? "" : "：" + t.comment));
  }));
  if (on_public_change_ &&
      (d.next_state == ResourceState::kPublished || r.state == ResourceState::kPublished)) {
    on_public_change_(r.id.value);
  }
  return Applied(r, change, version);
}

Status ReviewService::Notify(storage::SqlExecutor& tx, const TransitionTarget& target,
                             const TransitionInfo& info) {
  if (!notifications_) return Ok();
  return notifications_->OnTransition(tx, target, info);
}

std::vector<BulkOutcome> ReviewService::BulkApprove(const auth::Principal& p,
                                                    const std::vector<int64_t>& ids,
                                                    const ReviewRequest& req) {
  ReviewRequest one = req;
  one.action = Action::kApprove;
  one.expected_version.reset();
  std::vector<BulkOutcome> out;
  for (int64_t id : ids) out.push_back({id, Act(p, ResourceId{id}, one)});
  return out;
}

Result<std::vector<BulkOutcome>> ReviewService::BulkReturn(const auth::Principal& p,
                                                           const std::vector<BulkItem>& items,
                                                           const std::string& comment) {
  if (!Authorizer::CanOpenReviewQueue(p)) {
    return Fail(Error::PermissionDenied("只有审核员可以批量退回"));
  }
  std::vector<FieldError> errors;
  if (items.empty()) {
    errors.push_back({"items", "资源", "请至少选择一个资源"});
  } else if (items.size() > kMaxBulkItems) {
    errors.push_back({"items", "资源",
                      "一次最多退回 " + std::to_string(kMaxBulkItems) + " 个资源，请分批操作"});
  }
  if (text::Trim(comment).empty()) {
    errors.push_back({"comment", "退回意见", "退回修改须填写审核意见，说明需要修改的内容"});
  }
  if (!errors.empty()) return Fail(Error::InvalidArgument("批量退回的请求有误", std::move(errors)));
  ReviewRequest one;
  one.action = Action::kReturn;
  one.comment = comment;
  std::vector<BulkOutcome> out;
  std::set<int64_t> seen;
  for (const BulkItem& item : items) {
    if (!seen.insert(item.id).second) continue;
    one.expected_version = item.version;
    out.push_back({item.id, Act(p, ResourceId{item.id}, one)});
  }
  return out;
}

Result<std::string> ReviewService::LastVerdictComment(const auth::Principal& p, const Resource& r) {
  using resources::ResourceState;
  if (r.state != ResourceState::kReturned && r.state != ResourceState::kRejected) return "";
  LEP_ASSIGN_OR_RETURN(auto visible, d_.resources.LoadVisible(p, r.id));
  (void)visible;
  LEP_ASSIGN_OR_RETURN(auto entries, d_.history.List(r.id));
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    if (it->action == "return" || it->action == "reject") return it->comment;
  }
  return std::string();
}

Result<Timeline> ReviewService::TimelineOf(const auth::Principal& p, ResourceId id) {
  LEP_ASSIGN_OR_RETURN(resources::VisibleResource loaded, d_.resources.LoadVisible(p, id));
  Timeline t;
  LEP_ASSIGN_OR_RETURN(t.entries, d_.history.List(id));
  // A campaign that cannot be read leaves the timeline readable, with nothing to offer.
  ReviewRequest probe;
  probe.action = Action::kSubmit;
  if (auto choice = CampaignFor(loaded.resource, probe)) {
    WorkflowInput in = InputOf(p, loaded.resource, loaded.owner, choice->campaign);
    if (AddDeadlineFacts(loaded.resource, loaded.owner, choice->campaign, in, &t.entries)) {
      t.allowed = AllowedActions(in);
    }
  }
  return t;
}

Result<std::vector<QueueItem>> ReviewService::Queue(const auth::Principal& p,
                                                    const QueueFilter& f) {
  if (!Authorizer::CanOpenReviewQueue(p)) {
    return Fail(Error::PermissionDenied("只有审核员可以查看审核队列"));
  }
  std::map<int64_t, orgs::Org> owners;
  std::map<int64_t, std::optional<Campaign>> campaigns;
  std::map<int64_t, std::string> provinces;
  std::vector<QueueItem> out;
  for (const char* state : {"first_review", "final_review", "approved"}) {
    if (f.state && *f.state != state) continue;
    resources::ResourceFilter rf;
    rf.state = state;
    rf.type = f.type;
    rf.domain = f.domain;
    rf.page_size = 10000;
    std::optional<orgs::OrgId> unit;
    if (f.unit_id) unit = orgs::OrgId{*f.unit_id};
    LEP_ASSIGN_OR_RETURN(auto page, d_.resources.List(p, rf, unit));
    for (auto& r : page.items) {
      if (f.campaign_id && r.workflow.campaign_id != f.campaign_id) continue;
      auto owner = owners.find(r.org_id.value);
      if (owner == owners.end()) {
        LEP_ASSIGN_OR_RETURN(auto org, d_.orgs.Get(r.org_id));
        if (!org) continue;
        owner = owners.emplace(r.org_id.value, std::move(*org)).first;
      }
      auto campaign = campaigns.find(r.workflow.campaign_id.value_or(0));
      if (campaign == campaigns.end()) {
        LEP_ASSIGN_OR_RETURN(auto c, CampaignFor(r, {}));
        campaign =
            campaigns.emplace(r.workflow.campaign_id.value_or(0), std::move(c.campaign)).first;
      }
      WorkflowInput in = InputOf(p, r, owner->second, campaign->second);
      auto allowed = AllowedActions(in);
      bool overdue = IsOverdueForFirstReview(in);
      if (f.overdue_only && !overdue) continue;
      bool mine = false;
      for (Action a : allowed) {
        mine |= a == Action::kApprove || a == Action::kReturn || a == Action::kReject ||
                a == Action::kClaim || a == Action::kTakeOver || a == Action::kPublish;
      }
      if (!mine) continue;
      std::string province = owner->second.name;
      if (orgs::IsSecondLevel(owner->second.kind) && owner->second.parent_id) {
        auto parent = provinces.find(owner->second.parent_id->value);
        if (parent == provinces.end()) {
          LEP_ASSIGN_OR_RETURN(auto org, d_.orgs.Get(*owner->second.parent_id));
          parent = provinces.emplace(owner->second.parent_id->value, org ? org->name : "").first;
        }
        province = parent->second;
      }
      out.push_back(
          {std::move(r), owner->second.name, std::move(province), overdue, std::move(allowed)});
    }
  }
  return out;
}

// ---- Batches ----

Status ReviewService::CheckNotScheduledElsewhere(storage::SqlExecutor& tx,
                                                 const std::vector<int64_t>& ids,
                                                 int64_t except_batch) {
  for (int64_t id : ids) {
    LEP_ASSIGN_OR_RETURN(auto batch, d_.batches.ScheduledElsewhere(tx, id, except_batch));
    if (!batch) continue;
    LEP_ASSIGN_OR_RETURN(auto r, d_.resource_repo.Get(tx, ResourceId{id}));
    std::string title = r ? r->meta.title : std::to_string(id);
    return Fail(Error::FailedPrecondition("资源“" + title + "”已在定时发布的“" + *batch +
                                          "”中，不能再放入其他批次或单独发布"));
  }
  return Ok();
}

Result<Batch> ReviewService::CreateBatch(const auth::Principal& p, const std::string& name,
                                         const std::vector<int64_t>& requested,
                                         std::optional<int64_t> scheduled_at) {
  if (!Authorizer::IsNationalReviewDesk(p)) {
    return Fail(Error::PermissionDenied("只有国家开放大学可以组织发布批次"));
  }
  std::vector<int64_t> ids;
  for (int64_t id : requested) {
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  }
  if (ids.empty()) {
    return Fail(Error::InvalidArgument("请选择要发布的资源",
                                       {{"resource_ids", "资源", "至少选择一个已通过终审的资源"}}));
  }
  int64_t now = d_.clock.NowMs();
  if (scheduled_at) LEP_RETURN_IF_ERROR(CheckScheduleTime(*scheduled_at, now));
  if (text::CodePointCount(text::Trim(name)) > 100) {
    return Fail(Error::InvalidArgument("批次名称不能超过 100 个字",
                                       {{"name", "批次名称", "批次名称不能超过 100 个字"}}));
  }
  LEP_RETURN_IF_ERROR(ApprovedItems(ids));
  Batch b;
  b.state = scheduled_at ? "scheduled" : "draft";
  b.scheduled_at = scheduled_at.value_or(0);
  b.created_at = now;
  b.created_by = p.user_id.value;
  b.resource_ids = ids;
  LEP_RETURN_IF_ERROR(d_.tx.Transaction([&](storage::SqlExecutor& tx) -> Status {
    LEP_RETURN_IF_ERROR(CheckNotScheduledElsewhere(tx, ids, 0));
    // Unnumbered until published: 第N批 follows the order of publication, without gaps.
    b.name = text::Trim(name);
    LEP_ASSIGN_OR_RETURN(b.id, d_.batches.Create(tx, b));
    return WriteAudit(tx, now, p, "batch.create", "batch:" + std::to_string(b.id), "ok",
                      (b.name.empty() ? "（未命名）" : b.name) +
                          (scheduled_at ? "，定时发布 " + std::to_string(*scheduled_at) : ""));
  }));
  return b;
}

Result<std::vector<Resource>> ReviewService::ApprovedItems(const std::vector<int64_t>& ids) {
  std::vector<ResourceId> wanted;
  for (int64_t id : ids) wanted.push_back(ResourceId{id});
  LEP_ASSIGN_OR_RETURN(auto found, d_.resource_repo.GetMany(wanted));
  std::map<int64_t, const Resource*> by_id;
  for (const auto& r : found) by_id[r.id.value] = &r;
  for (int64_t id : ids) {
    auto it = by_id.find(id);
    if (it == by_id.end()) return Fail(Error::NotFound("资源 " + std::to_string(id) + " 不存在"));
    if (it->second->state != ResourceState::kApproved) {
      return Fail(Error::FailedPrecondition("资源“" + it->second->meta.title +
                                            "”尚未通过终审，不能加入发布批次"));
    }
  }
  return found;
}

Status ReviewService::DeleteBatch(const auth::Principal& p, int64_t batch_id) {
  if (!Authorizer::IsNationalReviewDesk(p)) {
    return Fail(Error::PermissionDenied("只有国家开放大学可以删除发布批次"));
  }
  int64_t now = d_.clock.NowMs();
  return d_.tx.Transaction([&](storage::SqlExecutor& tx) -> Status {
    LEP_ASSIGN_OR_RETURN(auto b, d_.batches.Get(tx, batch_id));
    if (!b) return Fail(Error::NotFound("发布批次不存在"));
    if (b->state == "published") return Fail(Error::FailedPrecondition("已发布的批次不能删除"));
    LEP_ASSIGN_OR_RETURN(bool deleted, d_.batches.DeleteUnpublished(tx, batch_id));
    if (!deleted) return Fail(Error::Conflict("该批次刚刚已发布或已删除，请刷新后重试"));
    return WriteAudit(tx, now, p, "batch.delete", "batch:" + std::to_string(batch_id), "ok",
                      (b->name.empty() ? "（未命名）" : b->name) + "，共 " +
                          std::to_string(b->resource_ids.size()) + " 个资源");
  });
}

Result<Batch> ReviewService::PublishBatch(const auth::Principal& p, int64_t batch_id) {
  if (!Authorizer::IsNationalReviewDesk(p)) {
    return Fail(Error::PermissionDenied("只有国家开放大学可以发布批次"));
  }
  return PublishBatchAs(p, batch_id, false);
}

Result<Batch> ReviewService::PublishBatchAs(const auth::Principal& p, int64_t batch_id,
                                            bool scheduled_run) {
  LEP_ASSIGN_OR_RETURN(auto found, d_.batches.Get(batch_id));
  if (!found) return Fail(Error::NotFound("发布批次不存在"));
  Batch b = std::move(*found);
  if (b.state == "published") return Fail(Error::FailedPrecondition("该批次已发布"));
  // Who hears about it: each item's uploader (resolved before the transaction).
  std::map<int64_t, std::pair<Resource, orgs::Org>> owners;
  if (notifications_) {
    std::vector<ResourceId> ids;
    for (int64_t id : b.resource_ids) ids.push_back(ResourceId{id});
    LEP_ASSIGN_OR_RETURN(auto items, d_.resource_repo.GetMany(ids));
    std::map<int64_t, orgs::Org> orgs;
    for (Resource& r : items) {
      auto org = orgs.find(r.org_id.value);
      if (org == orgs.end()) {
        LEP_ASSIGN_OR_RETURN(auto got, d_.orgs.Get(r.org_id));
        if (!got) continue;
        org = orgs.emplace(r.org_id.value, std::move(*got)).first;
      }
      int64_t id = r.id.value;
      owners.emplace(id, std::make_pair(std::move(r), org->second));
    }
  }
  int64_t now = d_.clock.NowMs();
  LEP_RETURN_IF_ERROR(d_.tx.Transaction([&](storage::SqlExecutor& tx) -> Status {
    LEP_ASSIGN_OR_RETURN(
        bool mine, d_.batches.MarkPublished(tx, batch_id, now,
                                            scheduled_run ? std::optional(now) : std::nullopt));
    if (!mine) return Fail(Error::Conflict("该批次已发布或其定时已变更，请刷新后重试"));
    // The number is taken last-but-not-least inside this transaction: a failure below gives
    // it back with the rollback.
    LEP_ASSIGN_OR_RETURN(b.number, d_.batches.NextNumber(tx));
    LEP_RETURN_IF_ERROR(d_.batches.SetNumber(tx, batch_id, b.number));
    if (b.name.empty()) b.name = "第" + std::to_string(b.number) + "批";
    LEP_RETURN_IF_ERROR(CheckNotScheduledElsewhere(tx, b.resource_ids, batch_id));
    for (int64_t id : b.resource_ids) {
      resources::StateChange change;
      change.from = ResourceState::kApproved;
      change.to = ResourceState::kPublished;
      change.batch_id = batch_id;
      change.published = true;
      change.at = now;
      auto changed = d_.resource_repo.ChangeState(tx, ResourceId{id}, change);
      if (!changed && changed.error().Is(ErrorCode::kConflict)) {
        return Fail(
            Error::Conflict("资源 " + std::to_string(id) + " 已不在“已通过”状态，批次未发布"));
      }
      if (!changed) return Fail(changed.error());
      LEP_ASSIGN_OR_RETURN(
          int64_t history_id,
          d_.history.Append(tx,
                            {ResourceId{id}, "publish", "approved", "published", p.user_id.value,
                             p.org ? p.org->id.value : int64_t{0}, b.name, "", false, now}));
      if (auto it = owners.find(id); it != owners.end()) {
        const auto& [resource, org] = it->second;
        TransitionInfo info;
        info.action = Action::kPublish;
        info.from = ResourceState::kApproved;
        info.to = ResourceState::kPublished;
        info.title = resource.meta.title;
        info.owner_unit = org.name;
        info.actor_unit = p.org ? p.org->name : "";
        info.batch_name = b.name;
        LEP_RETURN_IF_ERROR(
            Notify(tx, {id, history_id, resource.created_by, org, p.user_id.value}, info));
      }
    }
    return WriteAudit(tx, now, p, "batch.publish", "batch:" + std::to_string(batch_id), "ok",
                      b.name + "，共 " + std::to_string(b.resource_ids.size()) + " 个资源" +
                          (scheduled_run ? "（定时发布）" : ""));
  }));
  if (on_public_change_) {
    for (int64_t id : b.resource_ids) on_public_change_(id);
  }
  b.state = "published";
  b.published_at = now;
  return b;
}

Result<auth::Principal> ReviewService::PrincipalOf(int64_t user_id) {
  auth::Principal p;
  p.user_id = auth::UserId{user_id};
  LEP_ASSIGN_OR_RETURN(auto user, d_.users.Get(p.user_id));
  if (!user) return p;  // the account is gone: history and audit still name its id
  p.username = user->username;
  p.display_name = user->display_name;
  p.role = user->role;
  if (user->org_id) {
    LEP_ASSIGN_OR_RETURN(p.org, d_.orgs.Get(*user->org_id));
  }
  return p;
}

Result<int64_t> ReviewService::PublishDueBatches() {
  int64_t now = d_.clock.NowMs();
  LEP_ASSIGN_OR_RETURN(auto due, d_.batches.Due(now));
  int64_t published = 0;
  for (const DueBatch& batch : due) {
    // The batch publishes as the account that scheduled it (history, audit).
    LEP_ASSIGN_OR_RETURN(auth::Principal p, PrincipalOf(batch.created_by));
    auto res = PublishBatchAs(p, batch.id, true);
    if (res) {
      ++published;
      continue;
    }
    // Not publishable (an item left "approved"): back to draft so that NOU sees it, and the
    // failure is audited. A batch published or rescheduled meanwhile is left alone.
    std::string why = res.error().message;
    LEP_RETURN_IF_ERROR(d_.tx.Transaction([&](storage::SqlExecutor& tx) -> Status {
      LEP_ASSIGN_OR_RETURN(bool back, d_.batches.UnscheduleDue(tx, batch.id, now));
      if (!back) return Ok();
      return WriteAudit(tx, now, p, "batch.publish", "batch:" + std::to_string(batch.id), "failed",
                        "定时发布失败，已取消定时：" + why);
    }));
  }
  return published;
}

Result<Batch> ReviewService::UpdateBatch(const auth::Principal& p, int64_t batch_id,
                                         const BatchUpdate& update) {
  if (!Authorizer::IsNationalReviewDesk(p)) {
    return Fail(Error::PermissionDenied("只有国家开放大学可以修改发布批次"));
  }
  int64_t now = d_.clock.NowMs();
  std::optional<std::string> name;
  if (update.name) {
    name = text::Trim(*update.name);
    if (name->empty() || text::CodePointCount(*name) > 100) {
      return Fail(Error::InvalidArgument("批次名称为 1–100 个字",
                                         {{"name", "批次名称", "批次名称为 1–100 个字"}}));
    }
  }
  if (update.scheduled_at && *update.scheduled_at) {
    LEP_RETURN_IF_ERROR(CheckScheduleTime(**update.scheduled_at, now));
  }
  std::vector<int64_t> items;
  if (update.resource_ids) {
    for (int64_t id : *update.resource_ids) {
      if (std::find(items.begin(), items.end(), id) == items.end()) items.push_back(id);
    }
    if (items.empty()) {
      return Fail(Error::InvalidArgument(
          "请选择要发布的资源", {{"resource_ids", "资源", "至少选择一个已通过终审的资源"}}));
    }
    LEP_RETURN_IF_ERROR(ApprovedItems(items));
  }
  std::optional<Batch> stored;
  LEP_RETURN_IF_ERROR(d_.tx.Transaction([&](storage::SqlExecutor& tx) -> Status {
    LEP_ASSIGN_OR_RETURN(auto b, d_.batches.Get(tx, batch_id));
    if (!b) return Fail(Error::NotFound("发布批次不存在"));
    if (b->state == "published") return Fail(Error::FailedPrecondition("已发布的批次不能修改"));
    std::string detail;
    if (update.resource_ids) {
      LEP_RETURN_IF_ERROR(CheckNotScheduledElsewhere(tx, items, batch_id));
      LEP_ASSIGN_OR_RETURN(bool changed, d_.batches.SetItems(tx, batch_id, items));
      if (!changed) return Fail(Error::FailedPrecondition("已发布的批次不能修改"));
      b->resource_ids = items;
      std::sort(b->resource_ids.begin(), b->resource_ids.end());
      detail = "批内资源改为 " + std::to_string(items.size()) + " 个";
    }
    if (update.scheduled_at) {
      int64_t at = update.scheduled_at->value_or(0);
      if (at > 0) LEP_RETURN_IF_ERROR(CheckNotScheduledElsewhere(tx, b->resource_ids, batch_id));
      LEP_RETURN_IF_ERROR(d_.batches.SetSchedule(tx, batch_id, at));
      b->state = at > 0 ? "scheduled" : "draft";
      b->scheduled_at = at;
      detail += (detail.empty() ? "" : "；") +
                (at > 0 ? "定时发布 " + std::to_string(at) : std::string("取消定时发布"));
    }
    if (name) {
      LEP_RETURN_IF_ERROR(d_.batches.Rename(tx, batch_id, *name));
      b->name = *name;
      detail += (detail.empty() ? "" : "；") + std::string("更名为 ") + *name;
    }
    stored = std::move(b);
    return WriteAudit(tx, now, p, "batch.update", "batch:" + std::to_string(batch_id), "ok",
                      detail);
  }));
  return std::move(*stored);
}

Result<std::vector<Batch>> ReviewService::Batches(const auth::Principal& p) {
  if (!Authorizer::CanViewBatches(p)) {
    return Fail(Error::PermissionDenied("只有国家开放大学可以查看发布批次"));
  }
  return d_.batches.List();
}

Result<std::pair<Batch, std::vector<BatchItem>>> ReviewService::GetBatch(const auth::Principal& p,
                                                                         int64_t batch_id) {
  if (!Authorizer::CanViewBatches(p)) {
    return Fail(Error::PermissionDenied("只有国家开放大学可以查看发布批次"));
  }
  LEP_ASSIGN_OR_RETURN(auto found, d_.batches.Get(batch_id));
  if (!found) return Fail(Error::NotFound("发布批次不存在"));
  Batch b = std::move(*found);
  std::vector<ResourceId> ids;
  for (int64_t id : b.resource_ids) ids.push_back(ResourceId{id});
  LEP_ASSIGN_OR_RETURN(auto resources, d_.resource_repo.GetMany(ids));
  std::map<int64_t, std::string> unit_names;
  std::vector<BatchItem> items;
  for (const Resource& r : resources) {
    auto unit = unit_names.find(r.org_id.value);
    if (unit == unit_names.end()) {
      LEP_ASSIGN_OR_RETURN(auto org, d_.orgs.Get(r.org_id));
      unit = unit_names.emplace(r.org_id.value, org ? org->name : "").first;
    }
    items.push_back({r.id.value, r.meta.title, unit->second, r.meta.domain,
                     std::string(resources::TypeCode(r.meta.type)),
                     std::string(resources::StateName(r.state))});
  }
  return std::make_pair(std::move(b), std::move(items));
}

// ---- Progress ----

Result<std::vector<ProgressRow>> ReviewService::ProgressRows(const auth::Principal& p,
                                                             int64_t campaign_id,
                                                             std::optional<orgs::OrgId> unit) {
  if (!p.org) return Fail(Error::PermissionDenied("没有权限查看进度"));
  std::string prefix = Authorizer::CanSeeAll(p) ? "/" : p.org->path;
  if (unit) {
    LEP_ASSIGN_OR_RETURN(auto org, d_.orgs.Get(*unit));
    if (!org || !Authorizer::CanSeeOrg(p, *org)) return Fail(Error::NotFound("单位不存在"));
    prefix = org->path;
  }
  bool first_over = false, final_over = false;
  if (campaign_id != kNoCampaign) {
    LEP_ASSIGN_OR_RETURN(auto campaign, d_.campaigns.Get(campaign_id));
    if (!campaign) return Fail(NotFoundCampaign());
    int64_t now = d_.clock.NowMs();
    first_over = DeadlinePassed(DeadlineOrNone(campaign->first_review_deadline), now);
    final_over = DeadlinePassed(DeadlineOrNone(campaign->final_review_deadline), now);
  }
  LEP_ASSIGN_OR_RETURN(auto counts, d_.progress.Counts(campaign_id, prefix));
  std::map<int64_t, std::string> names;
  std::vector<ProgressRow> out;
  for (const ProgressCount& c : counts) {
    // The top-level unit is the second id of the path (/1/21/40/ → 21); the root's own
    // resources (/1/) count under the root.
    const std::string& path = c.org_path;
    size_t a = path.find('/', 1);
    size_t b = a == std::string::npos ? a : path.find('/', a + 1);
    int64_t top = b == std::string::npos ? std::stoll(path.substr(1, a - 1))
                                         : std::stoll(path.substr(a + 1, b - a - 1));
    if (!names.count(top)) {
      auto org = d_.orgs.Get(orgs::OrgId{top});
      names[top] = org && *org ? (*org)->name : "国家开放大学";
    }
    ProgressRow row;
    row.top_id = top;
    row.top_name = names[top];
    row.org_id = c.org_id;
    row.org_name = c.org_name;
    row.state = c.state;
    row.domain = c.domain;
    row.type = c.type;
    row.count = c.count;
    bool overdue =
        (row.state == "first_review" && first_over) || (row.state == "final_review" && final_over);
    row.overdue = overdue ? row.count : 0;
    out.push_back(std::move(row));
  }
  return out;
}

Result<std::vector<std::vector<std::string>>> ReviewService::Progress(const auth::Principal& p,
                                                                      int64_t campaign_id) {
  LEP_ASSIGN_OR_RETURN(auto rows, ProgressRows(p, campaign_id, std::nullopt));
  std::map<std::vector<std::string>, int64_t> counts;
  for (const auto& r : rows) counts[{r.top_name, r.state, r.domain, r.type}] += r.count;
  std::vector<std::vector<std::string>> out;
  for (const auto& [k, n] : counts) out.push_back({k[0], k[1], k[2], k[3], std::to_string(n)});
  return out;
}

}  // namespace lep::review
