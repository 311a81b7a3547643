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

std::optional<Date> DateOrNone(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return ParseIsoDate(s);
}

Deadlines DeadlinesOf(const std::optional<Campaign>& c) {
  Deadlines d;
  if (!c) return d;
  d.submission = DateOrNone(c->submission_deadline);
  d.first_review = DateOrNone(c->first_review_deadline);
  return d;
}

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
  auto date_field = [&](const std::string& v, const char* field, const char* label) {
    if (!v.empty() && !ParseIsoDate(v)) {
      errors.push_back({field, label, std::string(label) + "应为 yyyy-mm-dd 格式的真实日期"});
    }
  };
  date_field(c.contact_deadline, "contact_deadline", "联系人报送截止日期");
  date_field(c.submission_deadline, "submission_deadline", "资源提交截止日期");
  date_field(c.first_review_deadline, "first_review_deadline", "初审截止日期");
  date_field(c.final_review_deadline, "final_review_deadline", "终审截止日期");
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

// ---- Decisions ----

Result<std::optional<Campaign>> ReviewService::CampaignFor(const Resource& r,
                                                           const ReviewRequest& req) {
  std::optional<int64_t> id = r.workflow.campaign_id;
  if (req.action == Action::kSubmit && req.campaign_id) id = req.campaign_id;
  if (!id) {
    // A first submission without a campaign goes into the newest one.
    if (req.action == Action::kSubmit) return d_.campaigns.Latest();
    return std::optional<Campaign>();
  }
  LEP_ASSIGN_OR_RETURN(auto c, d_.campaigns.Get(*id));
  if (!c) return Fail(NotFoundCampaign());
  return c;
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
  return Ok();
}

Result<Resource> ReviewService::Act(const auth::Principal& p, ResourceId id,
                                    const ReviewRequest& req) {
  LEP_ASSIGN_OR_RETURN(resources::VisibleResource loaded, d_.resources.LoadVisible(p, id));
  const Resource& r = loaded.resource;
  if (req.expected_version && *req.expected_version != r.version) {
    return Fail(Error::Conflict("该资源已被他人处理（版本已变化），请刷新后重试"));
  }
  LEP_ASSIGN_OR_RETURN(std::optional<Campaign> campaign, CampaignFor(r, req));
  WorkflowInput in = InputOf(p, r, loaded.owner, campaign);
  in.request = {req.action, req.comment, req.checklist, req.attestation};
  // Everything that can refuse the request cheaply comes first: a refused request never
  // re-validates metadata nor asks for (and queues) a technical check.
  LEP_RETURN_IF_ERROR(CheckStepAllowed(in));
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

Result<Timeline> ReviewService::TimelineOf(const auth::Principal& p, ResourceId id) {
  LEP_ASSIGN_OR_RETURN(resources::VisibleResource loaded, d_.resources.LoadVisible(p, id));
  Timeline t;
  LEP_ASSIGN_OR_RETURN(t.entries, d_.history.List(id));
  // A campaign that cannot be read leaves the timeline readable, with nothing to offer.
  if (auto campaign = CampaignFor(loaded.resource, {})) {
    t.allowed = AllowedActions(InputOf(p, loaded.resource, loaded.owner, *campaign));
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
        campaign = campaigns.emplace(r.workflow.campaign_id.value_or(0), std::move(c)).first;
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
      out.push_back({std::move(r), owner->second.name, overdue, std::move(allowed)});
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
  Batch b;
  b.state = scheduled_at ? "scheduled" : "draft";
  b.scheduled_at = scheduled_at.value_or(0);
  b.created_at = now;
  b.created_by = p.user_id.value;
  b.resource_ids = ids;
  LEP_RETURN_IF_ERROR(d_.tx.Transaction([&](storage::SqlExecutor& tx) -> Status {
    LEP_RETURN_IF_ERROR(CheckNotScheduledElsewhere(tx, ids, 0));
    LEP_ASSIGN_OR_RETURN(b.number, d_.batches.NextNumber(tx));
    b.name = text::Trim(name).empty() ? "第" + std::to_string(b.number) + "批" : text::Trim(name);
    LEP_ASSIGN_OR_RETURN(b.id, d_.batches.Create(tx, b));
    return WriteAudit(tx, now, p, "batch.create", "batch:" + std::to_string(b.id), "ok",
                      b.name + (scheduled_at ? "，定时发布 " + std::to_string(*scheduled_at) : ""));
  }));
  return b;
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
  std::optional<Batch> stored;
  LEP_RETURN_IF_ERROR(d_.tx.Transaction([&](storage::SqlExecutor& tx) -> Status {
    LEP_ASSIGN_OR_RETURN(auto b, d_.batches.Get(tx, batch_id));
    if (!b) return Fail(Error::NotFound("发布批次不存在"));
    if (b->state == "published") return Fail(Error::FailedPrecondition("已发布的批次不能修改"));
    std::string detail;
    if (update.scheduled_at) {
      int64_t at = update.scheduled_at->value_or(0);
      if (at > 0) LEP_RETURN_IF_ERROR(CheckNotScheduledElsewhere(tx, b->resource_ids, batch_id));
      LEP_RETURN_IF_ERROR(d_.batches.SetSchedule(tx, batch_id, at));
      b->state = at > 0 ? "scheduled" : "draft";
      b->scheduled_at = at;
      detail = at > 0 ? "定时发布 " + std::to_string(at) : "取消定时发布";
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
  LEP_ASSIGN_OR_RETURN(auto campaign, d_.campaigns.Get(campaign_id));
  if (!campaign) return Fail(NotFoundCampaign());
  int64_t now = d_.clock.NowMs();
  bool first_over = DeadlinePassed(DateOrNone(campaign->first_review_deadline), now);
  bool final_over = DeadlinePassed(DateOrNone(campaign->final_review_deadline), now);
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
