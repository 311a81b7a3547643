// HTTP adapter for the review workflow: campaigns, submit, review decisions, queues,
// history, publication batches, withdraw/republish, progress and the sensitive-word screen.
// Transport only: each handler parses (review_requests.h), makes one service call and
// renders JSON.
#include <algorithm>

#include "app/api_common.h"
#include "app/resources_json.h"
#include "app/review_requests.h"
#include "app/routes.h"
#include "auth/authorizer.h"
#include "review/review_service.h"

namespace lep::app {
namespace {

// What the handlers use; copied into each one.
struct Deps {
  RouteGuard authed;
  resources::ResourceService& resources;
  review::SensitiveWordList& sensitive_words;
};

using auth::Principal;
using http::Request;
using http::Response;
using review::Action;
using review::ReviewService;

// The instant (Unix ms) a stored Beijing local time names, null when none.
json InstantJson(const std::string& text, bool start) {
  if (text.empty()) return nullptr;
  auto at = start ? review::ParseStart(text) : review::ParseDeadline(text);
  return at ? json(at->at_ms) : json(nullptr);
}

json CampaignJson(const review::Campaign& c, std::optional<bool> open = std::nullopt) {
  json j = {{"id", c.id},
            {"name", c.name},
            {"year", c.year},
            {"description", c.description},
            {"starts", c.starts},
            {"contact_deadline", c.contact_deadline},
            {"submission_deadline", c.submission_deadline},
            {"first_review_deadline", c.first_review_deadline},
            {"final_review_deadline", c.final_review_deadline},
            {"starts_at", InstantJson(c.starts, true)},
            {"contact_deadline_at", InstantJson(c.contact_deadline, false)},
            {"submission_deadline_at", InstantJson(c.submission_deadline, false)},
            {"first_review_deadline_at", InstantJson(c.first_review_deadline, false)},
            {"final_review_deadline_at", InstantJson(c.final_review_deadline, false)}};
  if (open) j["open"] = *open;
  return j;
}

json UnitDeadlineJson(const review::UnitDeadline& d) {
  return {{"campaign_id", d.campaign_id},
          {"org_id", d.org_id},
          {"org_name", d.org_name},
          {"submission_deadline", d.submission_deadline},
          {"submission_deadline_at", InstantJson(d.submission_deadline, false)},
          {"updated_at", d.updated_at}};
}

json ActionsJson(const std::vector<Action>& actions) {
  json out = json::array();
  for (Action a : actions) {
    out.push_back({{"action", std::string(review::ActionName(a))},
                   {"label", std::string(review::ActionLabel(a))}});
  }
  return out;
}

json BatchJson(const review::Batch& b) {
  return {{"id", b.id},
          {"number", b.number > 0 ? json(b.number) : json(nullptr)},
          {"name", b.name},
          {"state", b.state},
          {"published_at", b.published_at},
          {"scheduled_at", b.scheduled_at > 0 ? json(b.scheduled_at) : json(nullptr)},
          {"created_at", b.created_at},
          {"resource_ids", b.resource_ids}};
}

json HistoryEntryJson(const review::HistoryEntry& e) {
  return {{"action", e.action},       {"from", e.from_state},
          {"to", e.to_state},         {"comment", e.comment},
          {"checklist", e.checklist}, {"actor_id", e.actor_id},
          {"actor", e.actor_name},    {"unit", e.actor_org_name},
          {"took_over", e.took_over}, {"at", e.at}};
}

json QueueItemJson(const review::QueueItem& i) {
  json j = ResourceJson(i.resource, false);
  j["org_name"] = i.org_name;
  j["province"] = i.province;
  j["overdue"] = i.overdue;
  j["allowed_actions"] = ActionsJson(i.allowed);
  return j;
}

json BulkOutcomeJson(const review::BulkOutcome& o) {
  json item = {{"id", o.id}, {"ok", o.result.has_value()}};
  if (o.result) {
    item["state"] = std::string(resources::StateName(o.result->state));
    item["version"] = o.result->version;
  } else if (o.result.error().code == ErrorCode::kInternal) {
    // A server-side failure of one item: its details stay in the server log.
    item["error"] = "服务器内部错误，请稍后重试";
    item["code"] = std::string(ErrorCodeName(ErrorCode::kInternal));
  } else {
    item["error"] = o.result.error().message;
    item["code"] = std::string(ErrorCodeName(o.result.error().code));
  }
  return item;
}

// ---- Handlers: (service, request, principal) → response ----

Response ListCampaigns(ReviewService& review, Request&, const Principal&) {
  auto list = review.Campaigns();
  if (!list) return Response::FromError(list.error());
  auto open = review.OpenCampaigns();
  if (!open) return Response::FromError(open.error());
  json items = json::array();
  for (const auto& c : *list) {
    bool is_open = std::any_of(open->begin(), open->end(),
                               [&](const review::Campaign& o) { return o.id == c.id; });
    items.push_back(CampaignJson(c, is_open));
  }
  return Response::Json(200, {{"items", items}});
}

Response ListUnitDeadlines(ReviewService& review, Request& req, const Principal& p) {
  auto id = req.IdParam("id");
  if (!id) return Response::FromError(Error::NotFound("征集批次不存在"));
  auto list = review.UnitDeadlines(p, *id);
  if (!list) return Response::FromError(list.error());
  json items = json::array();
  for (const auto& d : *list) items.push_back(UnitDeadlineJson(d));
  return Response::Json(200, {{"items", items}});
}

Response SetUnitDeadline(ReviewService& review, Request& req, const Principal& p) {
  auto id = req.IdParam("id");
  if (!id) return Response::FromError(Error::NotFound("征集批次不存在"));
  auto org = req.IdParam("org_id");
  if (!org) return Response::FromError(Error::NotFound("单位不存在"));
  auto body = ParseJsonObject(req);
  if (!body) return Response::FromError(body.error());
  auto deadline = ParseUnitDeadline(*body);
  if (!deadline) return Response::FromError(deadline.error());
  auto set = review.SetUnitDeadline(p, *id, orgs::OrgId{*org}, *deadline);
  if (!set) return Response::FromError(set.error());
  return Response::Json(200, UnitDeadlineJson(*set));
}

Response SaveCampaign(ReviewService& review, Request& req, const Principal& p, bool create) {
  int64_t id = 0;
  if (!create) {
    auto param = req.IdParam("id");
    if (!param) return Response::FromError(Error::NotFound("征集批次不存在"));
    id = *param;
  }
  auto body = ParseJsonObject(req);
  if (!body) return Response::FromError(body.error());
  auto campaign = ParseCampaign(*body, id);
  if (!campaign) return Response::FromError(campaign.error());
  auto saved = review.SaveCampaign(p, *campaign);
  if (!saved) return Response::FromError(saved.error());
  return Response::Json(create ? 201 : 200, CampaignJson(*saved));
}

// submit / review / withdraw / republish: fixed is the route's action (else the body's).
Response Decide(ReviewService& review, Request& req, const Principal& p,
                std::optional<Action> fixed) {
  auto id = req.IdParam("id");
  if (!id) return Response::FromError(Error::NotFound("资源不存在"));
  auto body = ParseJsonObject(req);
  if (!body) return Response::FromError(body.error());
  auto r = ParseReviewRequest(*body, fixed);
  if (!r) return Response::FromError(r.error());
  auto updated = review.Act(p, resources::ResourceId{*id}, *r);
  if (!updated) return Response::FromError(updated.error());
  return Response::Json(200, ResourceJson(*updated));
}

Response History(ReviewService& review, Request& req, const Principal& p) {
  auto id = req.IdParam("id");
  if (!id) return Response::FromError(Error::NotFound("资源不存在"));
  auto timeline = review.TimelineOf(p, resources::ResourceId{*id});
  if (!timeline) return Response::FromError(timeline.error());
  json items = json::array();
  for (const auto& e : timeline->entries) items.push_back(HistoryEntryJson(e));
  return Response::Json(200,
                        {{"items", items}, {"allowed_actions", ActionsJson(timeline->allowed)}});
}

Response Queue(ReviewService& review, Request& req, const Principal& p) {
  auto filter = ParseQueueFilter(req.query);
  if (!filter) return Response::FromError(filter.error());
  auto q = review.Queue(p, *filter);
  if (!q) return Response::FromError(q.error());
  json items = json::array();
  for (const auto& i : *q) items.push_back(QueueItemJson(i));
  return Response::Json(200, {{"items", items}, {"total", items.size()}});
}

Response BulkApprove(ReviewService& review, Request& req, const Principal& p) {
  auto body = ParseJsonObject(req);
  if (!body) return Response::FromError(body.error());
  auto parsed = ParseBulkApprove(*body);
  if (!parsed) return Response::FromError(parsed.error());
  json results = json::array();
  int approved = 0;
  for (const auto& o : review.BulkApprove(p, parsed->ids, parsed->request)) {
    approved += o.result ? 1 : 0;
    results.push_back(BulkOutcomeJson(o));
  }
  return Response::Json(200, {{"approved", approved}, {"results", results}});
}

Response BulkReturn(ReviewService& review, Request& req, const Principal& p) {
  auto body = ParseJsonObject(req);
  if (!body) return Response::FromError(body.error());
  auto parsed = ParseBulkReturn(*body);
  if (!parsed) return Response::FromError(parsed.error());
  auto outcomes = review.BulkReturn(p, parsed->items, parsed->comment);
  if (!outcomes) return Response::FromError(outcomes.error());
  json results = json::array();
  int returned = 0;
  for (const auto& o : *outcomes) {
    returned += o.result ? 1 : 0;
    results.push_back(BulkOutcomeJson(o));
  }
  return Response::Json(200, {{"returned", returned}, {"results", results}});
}

Response ListBatches(ReviewService& review, Request&, const Principal& p) {
  auto list = review.Batches(p);
  if (!list) return Response::FromError(list.error());
  json items = json::array();
  for (const auto& b : *list) items.push_back(BatchJson(b));
  return Response::Json(200, {{"items", items}});
}

Response CreateBatch(ReviewService& review, Request& req, const Principal& p) {
  auto body = ParseJsonObject(req);
  if (!body) return Response::FromError(body.error());
  auto parsed = ParseNewBatch(*body);
  if (!parsed) return Response::FromError(parsed.error());
  auto b = review.CreateBatch(p, parsed->name, parsed->resource_ids, parsed->scheduled_at);
  if (!b) return Response::FromError(b.error());
  return Response::Json(201, BatchJson(*b));
}

Response GetBatch(ReviewService& review, Request& req, const Principal& p) {
  auto id = req.IdParam("id");
  if (!id) return Response::FromError(Error::NotFound("发布批次不存在"));
  auto got = review.GetBatch(p, *id);
  if (!got) return Response::FromError(got.error());
  json j = BatchJson(got->first);
  json items = json::array();
  for (const auto& i : got->second) {
    items.push_back({{"id", i.id},
                     {"title", i.title},
                     {"unit", i.unit},
                     {"domain", i.domain},
                     {"type", i.type}});
  }
  j["items"] = std::move(items);
  return Response::Json(200, j);
}

Response UpdateBatch(ReviewService& review, Request& req, const Principal& p) {
  auto id = req.IdParam("id");
  if (!id) return Response::FromError(Error::NotFound("发布批次不存在"));
  auto body = ParseJsonObject(req);
  if (!body) return Response::FromError(body.error());
  auto update = ParseBatchUpdate(*body);
  if (!update) return Response::FromError(update.error());
  auto b = review.UpdateBatch(p, *id, *update);
  if (!b) return Response::FromError(b.error());
  return Response::Json(200, BatchJson(*b));
}

Response DeleteBatch(ReviewService& review, Request& req, const Principal& p) {
  auto id = req.IdParam("id");
  if (!id) return Response::FromError(Error::NotFound("发布批次不存在"));
  LEP_RETURN_RESPONSE_IF_ERROR(review.DeleteBatch(p, *id));
  return Response::Json(200, {{"deleted", true}, {"id", *id}});
}

Response PublishBatch(ReviewService& review, Request& req, const Principal& p) {
  auto id = req.IdParam("id");
  if (!id) return Response::FromError(Error::NotFound("发布批次不存在"));
  auto b = review.PublishBatch(p, *id);
  if (!b) return Response::FromError(b.error());
  return Response::Json(200, BatchJson(*b));
}

Response Progress(ReviewService& review, Request& req, const Principal& p) {
  auto id = req.IdParam("id");
  if (!id) return Response::FromError(Error::NotFound("征集批次不存在"));
  auto rows = review.Progress(p, *id);
  if (!rows) return Response::FromError(rows.error());
  json items = json::array();
  for (const auto& r : *rows) {
    items.push_back({{"unit", r[0]},
                     {"state", r[1]},
                     {"domain", r[2]},
                     {"type", r[3]},
                     {"count", std::stoll(r[4])}});
  }
  return Response::Json(200, {{"items", items}});
}

// ---- The sensitive-word list (review::SensitiveWordList) ----

Response Screening(const Deps& d, Request& req, const Principal& p) {
  auto id = req.IdParam("id");
  if (!id) return Response::FromError(Error::NotFound("资源不存在"));
  auto r = d.resources.Get(p, resources::ResourceId{*id});
  if (!r) return Response::FromError(r.error());
  const auto& m = r->meta;
  std::vector<review::ScreenField> fields = {{"title", m.title},
                                             {"summary", m.summary},
                                             {"presenters", resources::JoinList(m.presenters)},
                                             {"keywords", resources::JoinList(m.keywords)},
                                             {"toc", m.toc},
                                             {"series", m.series},
                                             {"category", m.category},
                                             {"copyright_holder", m.copyright_holder}};
  json hits = json::array();
  for (const auto& h : d.sensitive_words.Screen(fields)) {
    hits.push_back({{"field", h.field},
                    {"label", std::string(resources::LabelOf(h.field))},
                    {"word", h.word},
                    {"matched", h.matched},
                    {"position", h.position},
                    {"length", h.length}});
  }
  return Response::Json(200, {{"hits", hits}, {"count", hits.size()}});
}

Response SensitiveWords(const Deps& d, Request&, const Principal& p) {
  auto words = d.sensitive_words.Words(p);
  if (!words) return Response::FromError(words.error());
  return Response::Json(200, {{"words", *words}});
}

Response ReplaceSensitiveWords(const Deps& d, Request& req, const Principal& p) {
  auto body = ParseJsonObject(req);
  if (!body) return Response::FromError(body.error());
  auto words = ParseSensitiveWordsBody(*body);
  if (!words) return Response::FromError(words.error());
  LEP_RETURN_RESPONSE_IF_ERROR(d.sensitive_words.Replace(p, *words));
  return Response::Json(200, {{"words", *words}, {"count", words->size()}});
}

}  // namespace

void AddReviewRoutes(http::Router& router, const RouteGuard& authed, ReviewService& review) {
  using Fn = Response (*)(ReviewService&, Request&, const Principal&);
  auto with = [&](Fn fn) {
    return authed([&review, fn](Request& req, const Principal& p) { return fn(review, req, p); });
  };
  auto save = [&](bool create) {
    return authed([&review, create](Request& req, const Principal& p) {
      return SaveCampaign(review, req, p, create);
    });
  };
  auto decide = [&](std::optional<Action> fixed) {
    return authed([&review, fixed](Request& req, const Principal& p) {
      return Decide(review, req, p, fixed);
    });
  };
  router.Add({"GET", "/api/v1/campaigns", with(ListCampaigns), 1024, "征集批次列表"});
  router.Add({"POST", "/api/v1/campaigns", save(true), 16 * 1024, "新建征集批次（平台管理员）"});
  router.Add({"PUT", "/api/v1/campaigns/{id}", save(false), 16 * 1024,
              "修改/延长征集批次截止日期（平台管理员）"});
  router.Add({"POST", "/api/v1/resources/{id}/submit", decide(Action::kSubmit), 4096,
              "提交审核（须 attestation: true 承诺内容与版权审查已完成）"});
  router.Add({"POST", "/api/v1/resources/{id}/review", decide(std::nullopt), 16 * 1024,
              "审核操作：approve/return/reject/claim/unclaim/take_over（含 "
              "checklist、comment、version）"});
  router.Add({"POST", "/api/v1/resources/{id}/withdraw", decide(Action::kWithdraw), 4096,
              "下线已发布资源（平台管理员，须填写原因 reason）"});
  router.Add({"POST", "/api/v1/resources/{id}/republish", decide(Action::kRepublish), 4096,
              "重新上线（平台管理员）"});
  router.Add({"GET", "/api/v1/resources/{id}/history", with(History), 1024,
              "审核时间线与当前可执行的操作"});
  router.Add({"GET", "/api/v1/reviews/queue", with(Queue), 1024,
              "审核队列（按批次、单位、范围、类型、状态、是否逾期筛选）"});
  router.Add({"POST", "/api/v1/reviews/bulk-approve", with(BulkApprove), 256 * 1024,
              "批量审核通过（同一意见与核查项）"});
  router.Add({"POST", "/api/v1/reviews/bulk-return", with(BulkReturn), 256 * 1024,
              "批量退回修改（同一意见；逐项报告结果，单项失败不影响其他项）"});
  router.Add({"GET", "/api/v1/batches", with(ListBatches), 1024, "发布批次列表"});
  router.Add({"POST", "/api/v1/batches", with(CreateBatch), 256 * 1024,
              "组建发布批次（第N批，国家开放大学；可选 scheduled_at 定时发布）"});
  router.Add({"GET", "/api/v1/batches/{id}", with(GetBatch), 1024, "发布批次预览：批次与批内资源"});
  router.Add({"PUT", "/api/v1/batches/{id}", with(UpdateBatch), 256 * 1024,
              "修改未发布的批次：{scheduled_at: 毫秒|null（取消定时）, name?, resource_ids?}"});
  router.Add({"DELETE", "/api/v1/batches/{id}", with(DeleteBatch), 1024,
              "删除未发布的批次（批内资源仍为已通过）"});
  router.Add({"GET", "/api/v1/campaigns/{id}/unit-deadlines", with(ListUnitDeadlines), 1024,
              "各省（一级单位）为本单位下属单位设定的内部提交截止时间"});
  router.Add({"PUT", "/api/v1/campaigns/{id}/unit-deadlines/{org_id}", with(SetUnitDeadline), 4096,
              "设定/取消本单位的内部提交截止时间（不晚于征集截止时间）"});
  router.Add({"POST", "/api/v1/batches/{id}/publish", with(PublishBatch), 1024,
              "发布批次：批内资源全部上线"});
  router.Add({"GET", "/api/v1/campaigns/{id}/progress", with(Progress), 1024,
              "征集进度：按单位 × 状态 × 范围 × 类型计数"});
}

void AddSensitiveWordRoutes(http::Router& router, const RouteGuard& authed,
                            resources::ResourceService& resources,
                            review::SensitiveWordList& sensitive_words) {
  const Deps d{authed, resources, sensitive_words};
  auto with = [&](Response (*fn)(const Deps&, Request&, const Principal&)) {
    return BindAuthed(d, fn);
  };
  router.Add({"GET", "/api/v1/resources/{id}/screening", with(Screening), 1024,
              "敏感词筛查结果（字段、位置）"});
  router.Add(
      {"GET", "/api/v1/sensitive-words", with(SensitiveWords), 1024, "敏感词表（安全管理员）"});
  router.Add({"PUT", "/api/v1/sensitive-words", with(ReplaceSensitiveWords), 1 << 20,
              "替换敏感词表（安全管理员）"});
}

}  // namespace lep::app
