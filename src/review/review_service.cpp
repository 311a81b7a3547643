#include "review/review_service.h"

#include <algorithm>
#include <map>
#include <set>

#include "auth/authorizer.h"
#include "core/text.h"
#include "resources/sheet_mapping.h"
#include "security/audit_chain.h"

namespace lep::review {

using resources::Resource;
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

bool IsNouRole(const auth::Principal& p) {
  return p.role == auth::Role::kPlatformAdmin ||
         (p.role == auth::Role::kReviewer && p.org &&
          p.org->kind == orgs::OrgKind::kOpenUniversity);
}

}  // namespace

Status WriteAudit(storage::SqlExecutor& tx, int64_t at, const auth::Principal& p,
                  const std::string& action, const std::string& object,
                  const std::string& result, const std::string& detail) {
  // Hash-chained (security/audit_chain.h): any later edit or deletion is detectable.
  security::AuditRecord r;
  r.at = at;
  r.actor_id = p.user_id.value;
  if (p.org) r.org_id = p.org->id.value;
  r.action = action;
  r.object = object;
  r.result = result;
  r.detail = detail;
  return security::AppendAudit(tx, r).map([](auto&&) {});
}

ReviewService::ReviewService(storage::Database& db, resources::ResourceRepository& repo,
                             orgs::OrgRepository& orgs, resources::ResourceService& resources,
                             const Clock& clock, TechnicalCheck technical_check)
    : db_(db),
      repo_(repo),
      orgs_(orgs),
      resources_(resources),
      clock_(clock),
      technical_check_(std::move(technical_check)) {}

Result<std::vector<Campaign>> ReviewService::Campaigns() {
  LEP_ASSIGN_OR_RETURN(auto rows, db_.Exec("SELECT id, name, year, description, contact_deadline, "
                                           "submission_deadline, first_review_deadline, "
                                           "final_review_deadline FROM campaigns ORDER BY id DESC"));
  std::vector<Campaign> out;
  for (const auto& r : rows.rows) {
    out.push_back({r.Int(0), r.Text(1), r.Int(2), r.Text(3), r.Text(4), r.Text(5), r.Text(6),
                   r.Text(7)});
  }
  return out;
}

Result<Campaign> ReviewService::SaveCampaign(const auth::Principal& p, Campaign c) {
  LEP_RETURN_IF_ERROR(auth::Authorizer::CheckManagePlatform(p));
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
  int64_t now = clock_.NowMs();
  LEP_RETURN_IF_ERROR(db_.Transaction([&](storage::SqlExecutor& tx) -> Status {
    if (c.id == 0) {
      LEP_ASSIGN_OR_RETURN(
          auto row, tx.QueryOne("INSERT INTO campaigns (name, year, description, contact_deadline, "
                                "submission_deadline, first_review_deadline, "
                                "final_review_deadline, created_at, updated_at) VALUES (?, ?, ?, "
                                "?, ?, ?, ?, ?, ?) RETURNING id",
                                {c.name, c.year, c.description, c.contact_deadline,
                                 c.submission_deadline, c.first_review_deadline,
                                 c.final_review_deadline, now, now}));
      c.id = row->Int(0);
    } else {
      LEP_ASSIGN_OR_RETURN(
          auto res, tx.Exec("UPDATE campaigns SET name = ?, year = ?, description = ?, "
                            "contact_deadline = ?, submission_deadline = ?, "
                            "first_review_deadline = ?, final_review_deadline = ?, updated_at = ? "
                            "WHERE id = ?",
                            {c.name, c.year, c.description, c.contact_deadline,
                             c.submission_deadline, c.first_review_deadline,
                             c.final_review_deadline, now, c.id}));
      if (res.affected == 0) return Fail(Error::NotFound("征集批次不存在"));
    }
    return WriteAudit(tx, now, p, "campaign.save", "campaign:" + std::to_string(c.id), "ok",
                      c.name + " 提交截止 " + c.submission_deadline);
  }));
  return c;
}

Result<Deadlines> ReviewService::DeadlinesOf(std::optional<int64_t> campaign_id) {
  Deadlines d;
  if (!campaign_id) return d;
  LEP_ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT submission_deadline, first_review_deadline "
                                              "FROM campaigns WHERE id = ?",
                                              {*campaign_id}));
  if (!row) return Fail(Error::NotFound("征集批次不存在"));
  d.submission = DateOrNone(row->Text(0));
  d.first_review = DateOrNone(row->Text(1));
  return d;
}

Result<WorkflowInput> ReviewService::BuildInput(const auth::Principal& p, const Resource& r,
                                                const orgs::Org& owner, const ReviewRequest& req,
                                                int64_t claimed_by, bool run_checks) {
  WorkflowInput in;
  in.resource.state = r.state;
  in.resource.version = r.version;
  in.resource.type = r.meta.type;
  in.resource.owner_second_level = orgs::IsSecondLevel(owner.kind);
  // Submission prerequisites are costly (the metadata is re-validated against the whole
  // category tree, an A03 link is fetched): evaluate them only when a submission asks, not for
  // every row of a queue listing.
  bool need_check = req.action == Action::kSubmit && run_checks;
  in.resource.metadata_valid = true;
  if (need_check) {
    // The category tree may have changed since the metadata was saved.
    auto input = resources::RowToInput(resources::MapHeader(resources::ExportHeader()),
                                       resources::ExportRow(r));
    LEP_ASSIGN_OR_RETURN(auto index, resources_.Categories());
    auto ctx = resources_.MakeContext(index);
    in.resource.metadata_valid = static_cast<bool>(resources::ValidateMetadata(input, ctx));
  }
  in.resource.has_cover = r.cover.has_value();
  in.resource.technical_check_passed = need_check && technical_check_ ? technical_check_(r) : !need_check;
  in.resource.claim = claimed_by == 0                       ? ClaimStatus::kUnclaimed
                      : claimed_by == p.user_id.value       ? ClaimStatus::kClaimedByActor
                                                            : ClaimStatus::kClaimedByOther;
  in.actor = MakeActor(p, owner);
  in.request.action = req.action;
  in.request.comment = req.comment;
  in.request.checklist = req.checklist;
  in.request.attestation = req.attestation;
  in.now_ms = clock_.NowMs();
  return in;
}

Result<Resource> ReviewService::Act(const auth::Principal& p, resources::ResourceId id,
                                    const ReviewRequest& req) {
  LEP_ASSIGN_OR_RETURN(auto found, repo_.Get(id));
  if (!found) return Fail(Error::NotFound("资源不存在"));
  Resource r = std::move(*found);
  LEP_ASSIGN_OR_RETURN(auto owner, orgs_.Get(r.org_id));
  if (!owner || !auth::Authorizer::CanSeeOrg(p, *owner)) return Fail(Error::NotFound("资源不存在"));
  int64_t claimed_by = r.workflow.claimed_by;
  std::optional<int64_t> campaign_id = r.workflow.campaign_id;
  if (req.action == Action::kSubmit) {
    if (req.campaign_id) {
      campaign_id = req.campaign_id;
    } else if (!campaign_id) {
      LEP_ASSIGN_OR_RETURN(auto latest, db_.QueryOne("SELECT id FROM campaigns ORDER BY id DESC LIMIT 1"));
      if (latest) campaign_id = latest->Int(0);
    }
  }
  LEP_ASSIGN_OR_RETURN(WorkflowInput in, BuildInput(p, r, *owner, req, claimed_by, true));
  LEP_ASSIGN_OR_RETURN(in.deadlines, DeadlinesOf(campaign_id));
  if (req.expected_version && *req.expected_version != r.version) {
    return Fail(Error::Conflict("该资源已被他人处理（版本已变化），请刷新后重试"));
  }
  LEP_ASSIGN_OR_RETURN(Decision d, Decide(in));
  int64_t new_claim = d.claim == ClaimEffect::kKeep         ? claimed_by
                      : d.claim == ClaimEffect::kSetToActor ? p.user_id.value
                                                            : 0;
  int64_t now = clock_.NowMs();
  const Transition& t = d.record;
  TransitionInfo info;
  if (notifications_) {
    info.action = t.action;
    info.from = t.from;
    info.to = t.to;
    info.title = r.meta.title;
    info.owner_unit = owner->name;
    info.actor_unit = p.org ? p.org->name : "";
    info.comment = t.comment;
    if (campaign_id) {
      LEP_ASSIGN_OR_RETURN(auto c, db_.QueryOne("SELECT first_review_deadline, "
                                                "final_review_deadline FROM campaigns WHERE id = ?",
                                                {*campaign_id}));
      if (c) {
        info.first_review_deadline = c->Text(0);
        info.final_review_deadline = c->Text(1);
      }
    }
  }
  LEP_RETURN_IF_ERROR(db_.Transaction([&](storage::SqlExecutor& tx) -> Status {
    if (t.action == Action::kPublish) LEP_RETURN_IF_ERROR(CheckNotScheduledElsewhere(tx, {id.value}, 0));
    resources::StateChange change;
    change.from = r.state;
    change.expected_version = d.expected_version;
    change.to = d.next_state;
    change.claimed_by = new_claim;
    change.campaign_id = campaign_id;
    if (t.attested) change.attested_by = p.user_id.value;
    change.published = d.next_state == ResourceState::kPublished;
    change.at = now;
    LEP_RETURN_IF_ERROR(repo_.ChangeState(tx, id, change));
    if (resources::IsEditable(t.from) && !resources::IsEditable(t.to)) {
      // Reviewers judge the bytes stored now: unfinished uploads are cancelled (expires_at 0:
      // refused from now on, their bytes removed by the upload sweep).
      LEP_RETURN_IF_ERROR(tx.Exec("UPDATE uploads SET expires_at = 0 WHERE resource_id = ? AND "
                                  "completed_at = 0",
                                  {id.value}));
    }
    LEP_ASSIGN_OR_RETURN(
        auto history,
        tx.QueryOne("INSERT INTO review_history (resource_id, action, from_state, to_state, "
                    "actor_id, actor_org_id, comment, checklist, took_over, at) VALUES (?, ?, ?, "
                    "?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    {id.value, std::string(ActionName(t.action)),
                     std::string(resources::StateName(t.from)),
                     std::string(resources::StateName(t.to)), p.user_id.value,
                     p.org ? p.org->id.value : int64_t{0}, t.comment, ChecklistText(t.checklist),
                     int64_t{t.took_over}, now}));
    if (notifications_) {
      LEP_RETURN_IF_ERROR(notifications_->OnTransition(
          tx, {id.value, history->Int(0), r.created_by, *owner, p.user_id.value}, info));
    }
    return WriteAudit(tx, now, p, "review." + std::string(ActionName(t.action)),
                      "resource:" + std::to_string(id.value), "ok",
                      std::string(resources::StateName(t.from)) + "→" +
                          std::string(resources::StateName(t.to)) +
                          (t.comment.empty() ? "" : "：" + t.comment));
  }));
  if (on_public_change_ &&
      (d.next_state == ResourceState::kPublished || r.state == ResourceState::kPublished)) {
    on_public_change_(id.value);
  }
  LEP_ASSIGN_OR_RETURN(auto updated, repo_.Get(id));
  return *updated;
}

Result<std::vector<Action>> ReviewService::Allowed(const auth::Principal& p,
                                                   resources::ResourceId id) {
  LEP_ASSIGN_OR_RETURN(auto found, repo_.Get(id));
  if (!found) return Fail(Error::NotFound("资源不存在"));
  LEP_ASSIGN_OR_RETURN(auto owner, orgs_.Get(found->org_id));
  if (!owner || !auth::Authorizer::CanSeeOrg(p, *owner)) return Fail(Error::NotFound("资源不存在"));
  LEP_ASSIGN_OR_RETURN(WorkflowInput in,
                       BuildInput(p, *found, *owner, {}, found->workflow.claimed_by, false));
  LEP_ASSIGN_OR_RETURN(in.deadlines, DeadlinesOf(found->workflow.campaign_id));
  return AllowedActions(in);
}

Result<std::vector<QueueItem>> ReviewService::Queue(const auth::Principal& p,
                                                    const QueueFilter& f) {
  if (p.role != auth::Role::kReviewer && p.role != auth::Role::kPlatformAdmin) {
    return Fail(Error::PermissionDenied("只有审核员可以查看审核队列"));
  }
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
    LEP_ASSIGN_OR_RETURN(auto page, resources_.List(p, rf, unit));
    for (auto& r : page.items) {
      if (f.campaign_id && r.workflow.campaign_id != f.campaign_id) continue;
      LEP_ASSIGN_OR_RETURN(auto owner, orgs_.Get(r.org_id));
      LEP_ASSIGN_OR_RETURN(WorkflowInput in,
                           BuildInput(p, r, *owner, {}, r.workflow.claimed_by, false));
      LEP_ASSIGN_OR_RETURN(in.deadlines, DeadlinesOf(r.workflow.campaign_id));
      auto allowed = AllowedActions(in);
      bool overdue = IsOverdueForFirstReview(in);
      if (f.overdue_only && !overdue) continue;
      bool mine = false;
      for (Action a : allowed) {
        mine |= a == Action::kApprove || a == Action::kReturn || a == Action::kReject ||
                a == Action::kClaim || a == Action::kTakeOver || a == Action::kPublish;
      }
      if (!mine) continue;
      out.push_back({std::move(r), owner->name, overdue, std::move(allowed)});
    }
  }
  return out;
}

Result<std::vector<HistoryEntry>> ReviewService::History(const auth::Principal& p,
                                                         resources::ResourceId id) {
  LEP_RETURN_IF_ERROR(resources_.Get(p, id));  // visibility
  LEP_ASSIGN_OR_RETURN(
      auto rows,
      db_.Exec("SELECT h.id, h.action, h.from_state, h.to_state, h.comment, h.checklist, "
               "h.actor_id, h.actor_org_id, h.at, COALESCE(u.display_name, ''), "
               "COALESCE(o.name, ''), h.took_over FROM review_history h "
               "LEFT JOIN users u ON u.id = h.actor_id LEFT JOIN orgs o ON o.id = h.actor_org_id "
               "WHERE h.resource_id = ? ORDER BY h.id",
               {id.value}));
  std::vector<HistoryEntry> out;
  for (const auto& r : rows.rows) {
    HistoryEntry e;
    e.id = r.Int(0);
    e.action = r.Text(1);
    e.from_state = r.Text(2);
    e.to_state = r.Text(3);
    e.comment = r.Text(4);
    e.checklist = r.Text(5);
    e.actor_id = r.Int(6);
    e.actor_org_id = r.Int(7);
    e.at = r.Int(8);
    e.actor_name = r.Text(9);
    e.actor_org_name = r.Text(10);
    e.took_over = r.Int(11) != 0;
    out.push_back(std::move(e));
  }
  return out;
}

Status ReviewService::CheckNotScheduledElsewhere(storage::SqlExecutor& tx,
                                                 const std::vector<int64_t>& ids,
                                                 int64_t except_batch) {
  for (int64_t id : ids) {
    LEP_ASSIGN_OR_RETURN(auto other,
                         tx.QueryOne("SELECT b.name, r.title FROM batch_items bi JOIN batches b ON "
                                     "b.id = bi.batch_id JOIN resources r ON r.id = "
                                     "bi.resource_id WHERE bi.resource_id = ? AND b.state = "
                                     "'scheduled' AND b.id <> ? LIMIT 1",
                                     {id, except_batch}));
    if (other) {
      return Fail(Error::FailedPrecondition("资源“" + other->Text(1) + "”已在定时发布的“" +
                                            other->Text(0) + "”中，不能再放入其他批次或单独发布"));
    }
  }
  return Ok();
}

namespace {

Status CheckScheduleTime(int64_t scheduled_at, int64_t now) {
  if (scheduled_at <= now) {
    return Fail(Error::InvalidArgument(
        "定时发布时间应晚于当前时间",
        {{"scheduled_at", "定时发布时间", "定时发布时间应晚于当前时间（Unix 毫秒）"}}));
  }
  return Ok();
}

}  // namespace

Result<Batch> ReviewService::CreateBatch(const auth::Principal& p, const std::string& name,
                                         const std::vector<int64_t>& requested,
                                         std::optional<int64_t> scheduled_at) {
  if (!IsNouRole(p)) return Fail(Error::PermissionDenied("只有国家开放大学可以组织发布批次"));
  std::vector<int64_t> ids;
  for (int64_t id : requested) {
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  }
  if (ids.empty()) {
    return Fail(Error::InvalidArgument("请选择要发布的资源",
                                       {{"resource_ids", "资源", "至少选择一个已通过终审的资源"}}));
  }
  int64_t now = clock_.NowMs();
  if (scheduled_at) LEP_RETURN_IF_ERROR(CheckScheduleTime(*scheduled_at, now));
  if (text::CodePointCount(text::Trim(name)) > 100) {
    return Fail(Error::InvalidArgument("批次名称不能超过 100 个字",
                                       {{"name", "批次名称", "批次名称不能超过 100 个字"}}));
  }
  for (int64_t id : ids) {
    LEP_ASSIGN_OR_RETURN(auto r, repo_.Get(resources::ResourceId{id}));
    if (!r) return Fail(Error::NotFound("资源 " + std::to_string(id) + " 不存在"));
    if (r->state != ResourceState::kApproved) {
      return Fail(Error::FailedPrecondition("资源“" + r->meta.title + "”尚未通过终审，不能加入发布批次"));
    }
  }
  Batch b;
  LEP_RETURN_IF_ERROR(db_.Transaction([&](storage::SqlExecutor& tx) -> Status {
    LEP_RETURN_IF_ERROR(CheckNotScheduledElsewhere(tx, ids, 0));
    LEP_ASSIGN_OR_RETURN(auto max, tx.QueryOne("SELECT COALESCE(MAX(number), 0) FROM batches"));
    b.number = max->Int(0) + 1;
    b.name = text::Trim(name).empty() ? "第" + std::to_string(b.number) + "批" : text::Trim(name);
    b.state = scheduled_at ? "scheduled" : "draft";
    b.scheduled_at = scheduled_at.value_or(0);
    b.created_at = now;
    LEP_ASSIGN_OR_RETURN(auto row, tx.QueryOne("INSERT INTO batches (number, name, state, "
                                               "scheduled_at, created_by, created_at) VALUES (?, "
                                               "?, ?, ?, ?, ?) RETURNING id",
                                               {b.number, b.name, b.state, b.scheduled_at,
                                                p.user_id.value, now}));
    b.id = row->Int(0);
    for (int64_t id : ids) {
      LEP_RETURN_IF_ERROR(tx.Exec("INSERT INTO batch_items (batch_id, resource_id) VALUES (?, ?)",
                                  {b.id, id}));
    }
    b.resource_ids = ids;
    return WriteAudit(tx, now, p, "batch.create", "batch:" + std::to_string(b.id), "ok",
                      b.name + (scheduled_at ? "，定时发布 " + std::to_string(*scheduled_at) : ""));
  }));
  return b;
}

Result<Batch> ReviewService::PublishBatch(const auth::Principal& p, int64_t batch_id) {
  if (!IsNouRole(p)) return Fail(Error::PermissionDenied("只有国家开放大学可以发布批次"));
  return PublishBatchAs(p, batch_id, false);
}

Result<Batch> ReviewService::PublishBatchAs(const auth::Principal& p, int64_t batch_id,
                                            bool scheduled_run) {
  LEP_ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT number, name, state, scheduled_at, "
                                              "created_at FROM batches WHERE id = ?",
                                              {batch_id}));
  if (!row) return Fail(Error::NotFound("发布批次不存在"));
  if (row->Text(2) == "published") return Fail(Error::FailedPrecondition("该批次已发布"));
  LEP_ASSIGN_OR_RETURN(auto items, db_.Exec("SELECT resource_id FROM batch_items WHERE batch_id = ? "
                                            "ORDER BY resource_id",
                                            {batch_id}));
  std::vector<int64_t> ids;
  for (const auto& r : items.rows) ids.push_back(r.Int(0));
  // Who hears about it: each item's uploader (resolved before the transaction).
  struct Owner {
    Resource resource;
    orgs::Org org;
  };
  std::map<int64_t, Owner> owners;
  if (notifications_) {
    for (int64_t id : ids) {
      LEP_ASSIGN_OR_RETURN(auto r, repo_.Get(resources::ResourceId{id}));
      if (!r) continue;
      LEP_ASSIGN_OR_RETURN(auto org, orgs_.Get(r->org_id));
      if (org) owners.emplace(id, Owner{*r, *org});
    }
  }
  int64_t now = clock_.NowMs();
  std::string name = row->Text(1);
  LEP_RETURN_IF_ERROR(db_.Transaction([&](storage::SqlExecutor& tx) -> Status {
    // Compare-and-set on the batch: a scheduled run and a manual publication (or two
    // servers' jobs) never both publish it; a schedule cancelled meanwhile is respected.
    LEP_ASSIGN_OR_RETURN(
        auto cas, scheduled_run
                      ? tx.Exec("UPDATE batches SET state = 'published', published_at = ? WHERE "
                                "id = ? AND state = 'scheduled' AND scheduled_at > 0 AND "
                                "scheduled_at <= ?",
                                {now, batch_id, now})
                      : tx.Exec("UPDATE batches SET state = 'published', published_at = ? WHERE "
                                "id = ? AND state <> 'published'",
                                {now, batch_id}));
    if (cas.affected == 0) return Fail(Error::Conflict("该批次已发布或其定时已变更，请刷新后重试"));
    LEP_RETURN_IF_ERROR(CheckNotScheduledElsewhere(tx, ids, batch_id));
    for (int64_t id : ids) {
      resources::StateChange change;
      change.from = ResourceState::kApproved;
      change.to = ResourceState::kPublished;
      change.batch_id = batch_id;
      change.published = true;
      change.at = now;
      if (!repo_.ChangeState(tx, resources::ResourceId{id}, change)) {
        return Fail(Error::Conflict("资源 " + std::to_string(id) + " 已不在“已通过”状态，批次未发布"));
      }
      LEP_ASSIGN_OR_RETURN(
          auto history,
          tx.QueryOne("INSERT INTO review_history (resource_id, action, from_state, to_state, "
                      "actor_id, actor_org_id, comment, checklist, took_over, at) VALUES (?, "
                      "'publish', 'approved', 'published', ?, ?, ?, '', 0, ?) RETURNING id",
                      {id, p.user_id.value, p.org ? p.org->id.value : int64_t{0}, name, now}));
      if (auto it = owners.find(id); notifications_ && it != owners.end()) {
        TransitionInfo info;
        info.action = Action::kPublish;
        info.from = ResourceState::kApproved;
        info.to = ResourceState::kPublished;
        info.title = it->second.resource.meta.title;
        info.owner_unit = it->second.org.name;
        info.actor_unit = p.org ? p.org->name : "";
        info.batch_name = name;
        LEP_RETURN_IF_ERROR(notifications_->OnTransition(
            tx, {id, history->Int(0), it->second.resource.created_by, it->second.org,
                 p.user_id.value},
            info));
      }
    }
    return WriteAudit(tx, now, p, "batch.publish", "batch:" + std::to_string(batch_id), "ok",
                      name + "，共 " + std::to_string(ids.size()) + " 个资源" +
                          (scheduled_run ? "（定时发布）" : ""));
  }));
  if (on_public_change_) {
    for (int64_t id : ids) on_public_change_(id);
  }
  Batch b{batch_id, row->Int(0), name, "published", now, row->Int(4), ids, row->Int(3)};
  return b;
}

Result<int64_t> ReviewService::PublishDueBatches() {
  int64_t now = clock_.NowMs();
  LEP_ASSIGN_OR_RETURN(auto due, db_.Exec("SELECT id, created_by FROM batches WHERE state = "
                                          "'scheduled' AND scheduled_at > 0 AND scheduled_at <= "
                                          "? ORDER BY scheduled_at, id",
                                          {now}));
  int64_t published = 0;
  for (const auto& row : due.rows) {
    int64_t batch_id = row.Int(0);
    // The batch publishes as the account that scheduled it (history, audit).
    auth::Principal p;
    p.user_id = auth::UserId{row.Int(1)};
    LEP_ASSIGN_OR_RETURN(auto user, db_.QueryOne("SELECT username, display_name, role, org_id "
                                                 "FROM users WHERE id = ?",
                                                 {row.Int(1)}));
    if (user) {
      p.username = user->Text(0);
      p.display_name = user->Text(1);
      p.role = auth::ParseRole(user->Text(2)).value_or(auth::Role::kPlatformAdmin);
      if (auto org_id = user->OptInt(3)) {
        LEP_ASSIGN_OR_RETURN(auto org, orgs_.Get(orgs::OrgId{*org_id}));
        p.org = org;
      }
    }
    auto res = PublishBatchAs(p, batch_id, true);
    if (res) {
      ++published;
      continue;
    }
    // Not publishable (an item left "approved"): back to draft so that NOU sees it, and the
    // failure is audited. A batch published or rescheduled meanwhile is left alone.
    std::string why = res.error().message;
    LEP_RETURN_IF_ERROR(db_.Transaction([&](storage::SqlExecutor& tx) -> Status {
      LEP_ASSIGN_OR_RETURN(auto back, tx.Exec("UPDATE batches SET state = 'draft', scheduled_at "
                                              "= 0 WHERE id = ? AND state = 'scheduled' AND "
                                              "scheduled_at > 0 AND scheduled_at <= ?",
                                              {batch_id, now}));
      if (back.affected == 0) return Ok();
      return WriteAudit(tx, now, p, "batch.publish", "batch:" + std::to_string(batch_id),
                        "failed", "定时发布失败，已取消定时：" + why);
    }));
  }
  return published;
}

Result<Batch> ReviewService::UpdateBatch(const auth::Principal& p, int64_t batch_id,
                                         const BatchUpdate& update) {
  if (!IsNouRole(p)) return Fail(Error::PermissionDenied("只有国家开放大学可以修改发布批次"));
  int64_t now = clock_.NowMs();
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
  LEP_RETURN_IF_ERROR(db_.Transaction([&](storage::SqlExecutor& tx) -> Status {
    LEP_ASSIGN_OR_RETURN(auto row, tx.QueryOne("SELECT state FROM batches WHERE id = ?", {batch_id}));
    if (!row) return Fail(Error::NotFound("发布批次不存在"));
    if (row->Text(0) == "published") return Fail(Error::FailedPrecondition("已发布的批次不能修改"));
    std::string detail;
    if (update.scheduled_at) {
      if (*update.scheduled_at) {
        LEP_ASSIGN_OR_RETURN(auto items, tx.Exec("SELECT resource_id FROM batch_items WHERE "
                                                 "batch_id = ?",
                                                 {batch_id}));
        std::vector<int64_t> ids;
        for (const auto& i : items.rows) ids.push_back(i.Int(0));
        LEP_RETURN_IF_ERROR(CheckNotScheduledElsewhere(tx, ids, batch_id));
        LEP_RETURN_IF_ERROR(tx.Exec("UPDATE batches SET state = 'scheduled', scheduled_at = ? "
                                    "WHERE id = ? AND state <> 'published'",
                                    {**update.scheduled_at, batch_id}));
        detail = "定时发布 " + std::to_string(**update.scheduled_at);
      } else {
        LEP_RETURN_IF_ERROR(tx.Exec("UPDATE batches SET state = 'draft', scheduled_at = 0 WHERE "
                                    "id = ? AND state <> 'published'",
                                    {batch_id}));
        detail = "取消定时发布";
      }
    }
    if (name) {
      LEP_RETURN_IF_ERROR(tx.Exec("UPDATE batches SET name = ? WHERE id = ?", {*name, batch_id}));
      detail += (detail.empty() ? "" : "；") + std::string("更名为 ") + *name;
    }
    return WriteAudit(tx, now, p, "batch.update", "batch:" + std::to_string(batch_id), "ok",
                      detail);
  }));
  LEP_ASSIGN_OR_RETURN(auto got, GetBatch(p, batch_id));
  return got.first;
}

Result<std::vector<Batch>> ReviewService::Batches(const auth::Principal& p) {
  if (!auth::Authorizer::CanSeeAll(p) && !IsNouRole(p)) {
    return Fail(Error::PermissionDenied("只有国家开放大学可以查看发布批次"));
  }
  LEP_ASSIGN_OR_RETURN(auto rows, db_.Exec("SELECT id, number, name, state, published_at, "
                                           "created_at, scheduled_at FROM batches ORDER BY number "
                                           "DESC"));
  std::vector<Batch> out;
  for (const auto& r : rows.rows) {
    Batch b{r.Int(0), r.Int(1), r.Text(2), r.Text(3), r.Int(4), r.Int(5), {}, r.Int(6)};
    LEP_ASSIGN_OR_RETURN(auto items, db_.Exec("SELECT resource_id FROM batch_items WHERE batch_id = ? "
                                              "ORDER BY resource_id",
                                              {b.id}));
    for (const auto& i : items.rows) b.resource_ids.push_back(i.Int(0));
    out.push_back(std::move(b));
  }
  return out;
}

Result<std::pair<Batch, std::vector<BatchItem>>> ReviewService::GetBatch(const auth::Principal& p,
                                                                         int64_t batch_id) {
  if (!auth::Authorizer::CanSeeAll(p) && !IsNouRole(p)) {
    return Fail(Error::PermissionDenied("只有国家开放大学可以查看发布批次"));
  }
  LEP_ASSIGN_OR_RETURN(auto r, db_.QueryOne("SELECT id, number, name, state, published_at, "
                                            "created_at, scheduled_at FROM batches WHERE id = ?",
                                            {batch_id}));
  if (!r) return Fail(Error::NotFound("发布批次不存在"));
  Batch b{r->Int(0), r->Int(1), r->Text(2), r->Text(3), r->Int(4), r->Int(5), {}, r->Int(6)};
  LEP_ASSIGN_OR_RETURN(auto rows, db_.Exec("SELECT r.id, r.title, o.name, r.domain, r.type, "
                                           "r.state FROM batch_items bi JOIN resources r ON r.id "
                                           "= bi.resource_id JOIN orgs o ON o.id = r.org_id "
                                           "WHERE bi.batch_id = ? ORDER BY r.id",
                                           {batch_id}));
  std::vector<BatchItem> items;
  for (const auto& i : rows.rows) {
    b.resource_ids.push_back(i.Int(0));
    items.push_back({i.Int(0), i.Text(1), i.Text(2), i.Text(3), i.Text(4), i.Text(5)});
  }
  return std::make_pair(std::move(b), std::move(items));
}

Result<std::vector<ProgressRow>> ReviewService::ProgressRows(const auth::Principal& p,
                                                             int64_t campaign_id,
                                                             std::optional<orgs::OrgId> unit) {
  if (!p.org) return Fail(Error::PermissionDenied("没有权限查看进度"));
  std::string prefix = auth::Authorizer::CanSeeAll(p) ? "/" : p.org->path;
  if (unit) {
    LEP_ASSIGN_OR_RETURN(auto org, orgs_.Get(*unit));
    if (!org || !auth::Authorizer::CanSeeOrg(p, *org)) return Fail(Error::NotFound("单位不存在"));
    prefix = org->path;
  }
  LEP_ASSIGN_OR_RETURN(auto campaign, db_.QueryOne("SELECT first_review_deadline, "
                                                   "final_review_deadline FROM campaigns WHERE "
                                                   "id = ?",
                                                   {campaign_id}));
  if (!campaign) return Fail(Error::NotFound("征集批次不存在"));
  int64_t now = clock_.NowMs();
  bool first_over = DeadlinePassed(DateOrNone(campaign->Text(0)), now);
  bool final_over = DeadlinePassed(DateOrNone(campaign->Text(1)), now);
  LEP_ASSIGN_OR_RETURN(
      auto rows, db_.Exec("SELECT o.id, o.name, o.path, r.state, r.domain, r.type, COUNT(*) "
                          "FROM resources r JOIN orgs o ON o.id = r.org_id WHERE r.campaign_id = "
                          "? AND substr(o.path, 1, ?) = ? GROUP BY o.id, o.name, o.path, "
                          "r.state, r.domain, r.type ORDER BY o.path, r.state, r.domain, r.type",
                          {campaign_id, static_cast<int64_t>(prefix.size()), prefix}));
  std::map<int64_t, std::string> names;
  std::vector<ProgressRow> out;
  for (const auto& r : rows.rows) {
    // The top-level unit is the second id of the path (/1/21/40/ → 21); the root's own
    // resources (/1/) count under the root.
    std::string path = r.Text(2);
    size_t a = path.find('/', 1);
    size_t b = a == std::string::npos ? a : path.find('/', a + 1);
    int64_t top = b == std::string::npos ? std::stoll(path.substr(1, a - 1))
                                         : std::stoll(path.substr(a + 1, b - a - 1));
    if (!names.count(top)) {
      auto org = orgs_.Get(orgs::OrgId{top});
      names[top] = org && *org ? (*org)->name : "国家开放大学";
    }
    ProgressRow row;
    row.top_id = top;
    row.top_name = names[top];
    row.org_id = r.Int(0);
    row.org_name = r.Text(1);
    row.state = r.Text(3);
    row.domain = r.Text(4);
    row.type = r.Text(5);
    row.count = r.Int(6);
    bool overdue = (row.state == "first_review" && first_over) ||
                   (row.state == "final_review" && final_over);
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
