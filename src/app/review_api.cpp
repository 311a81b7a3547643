// HTTP adapter for the review workflow: campaigns, submit, review decisions, queues,
// history, publication batches, withdraw/republish, progress and the sensitive-word screen.
#include "app/api_common.h"
#include "app/resources_json.h"
#include "app/routes.h"
#include "auth/authorizer.h"
#include "review/review_service.h"

namespace lep::app {
namespace {

using auth::Principal;
using http::Request;
using http::Response;
using review::Action;

json CampaignJson(const review::Campaign& c) {
  return {{"id", c.id},
          {"name", c.name},
          {"year", c.year},
          {"description", c.description},
          {"contact_deadline", c.contact_deadline},
          {"submission_deadline", c.submission_deadline},
          {"first_review_deadline", c.first_review_deadline},
          {"final_review_deadline", c.final_review_deadline}};
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
          {"number", b.number},
          {"name", b.name},
          {"state", b.state},
          {"published_at", b.published_at},
          {"scheduled_at", b.scheduled_at > 0 ? json(b.scheduled_at) : json(nullptr)},
          {"created_at", b.created_at},
          {"resource_ids", b.resource_ids}};
}

// "scheduled_at": absent → nullopt; null → {nullopt}; Unix ms → {ms}; anything else a field
// error.
std::optional<std::optional<int64_t>> ScheduledAt(const json& body, std::vector<FieldError>& errors) {
  auto it = body.find("scheduled_at");
  if (it == body.end()) return std::nullopt;
  if (it->is_null()) return std::optional<int64_t>{};
  if (it->is_number_integer()) return std::optional<int64_t>{it->get<int64_t>()};
  errors.push_back({"scheduled_at", "定时发布时间", "定时发布时间应为 Unix 毫秒数或 null"});
  return std::nullopt;
}

// Parses {action?, comment, checklist:{ideology,copyright,secrecy,science}, attestation,
// version, campaign_id}.
Result<review::ReviewRequest> ParseReviewRequest(const Request& req, std::optional<Action> fixed) {
  LEP_ASSIGN_OR_RETURN(json body, ParseJsonObject(req));
  review::ReviewRequest r;
  std::vector<FieldError> errors;
  if (fixed) {
    r.action = *fixed;
  } else {
    std::string name = StringField(body, "action", "审核操作", errors);
    auto a = review::ParseAction(name);
    if (!a) {
      errors.push_back({"action", "审核操作", "审核操作无效：" + name});
    } else {
      r.action = *a;
    }
  }
  r.comment = StringField(body, "comment", "意见", errors);
  if (body.contains("reason") && body["reason"].is_string() && r.comment.empty()) {
    r.comment = body["reason"].get<std::string>();
  }
  if (body.contains("checklist") && body["checklist"].is_object()) {
    const json& c = body["checklist"];
    auto tick = [&](const char* k) { return c.contains(k) && c[k].is_boolean() && c[k].get<bool>(); };
    r.checklist = {tick("ideology"), tick("copyright"), tick("secrecy"), tick("science")};
  }
  r.attestation = body.value("attestation", false);
  if (body.contains("version") && body["version"].is_number_integer()) {
    r.expected_version = body["version"].get<int64_t>();
  }
  if (body.contains("campaign_id") && body["campaign_id"].is_number_integer()) {
    r.campaign_id = body["campaign_id"].get<int64_t>();
  }
  if (!errors.empty()) return Fail(Error::InvalidArgument(errors[0].message, errors));
  return r;
}

http::Handler ActionRoute(AppContext& ctx, std::optional<Action> fixed) {
  return Authed(ctx, [&ctx, fixed](Request& req, const Principal& p) {
    auto id = req.IdParam("id");
    if (!id) return Response::FromError(Error::NotFound("资源不存在"));
    auto r = ParseReviewRequest(req, fixed);
    if (!r) return Response::FromError(r.error());
    auto updated = ctx.review->Act(p, resources::ResourceId{*id}, *r);
    if (!updated) return Response::FromError(updated.error());
    return Response::Json(200, ResourceJson(*updated));
  });
}

}  // namespace

void AddReviewRoutes(AppContext& ctx, http::Router& router) {
  router.Add({"GET", "/api/v1/campaigns", Authed(ctx, [&ctx](Request&, const Principal&) {
                auto list = ctx.review->Campaigns();
                if (!list) return Response::FromError(list.error());
                json items = json::array();
                for (const auto& c : *list) items.push_back(CampaignJson(c));
                return Response::Json(200, {{"items", items}});
              }), 1024, "征集批次列表"});

  auto save_campaign = [&ctx](bool create) {
    return Authed(ctx, [&ctx, create](Request& req, const Principal& p) {
      auto body = ParseJsonObject(req);
      if (!body) return Response::FromError(body.error());
      std::vector<FieldError> errors;
      review::Campaign c;
      if (!create) {
        auto id = req.IdParam("id");
        if (!id) return Response::FromError(Error::NotFound("征集批次不存在"));
        c.id = *id;
      }
      c.name = StringField(*body, "name", "批次名称", errors);
      c.year = body->value("year", int64_t{0});
      c.description = StringField(*body, "description", "说明", errors);
      c.contact_deadline = StringField(*body, "contact_deadline", "联系人报送截止日期", errors);
      c.submission_deadline = StringField(*body, "submission_deadline", "资源提交截止日期", errors);
      c.first_review_deadline = StringField(*body, "first_review_deadline", "初审截止日期", errors);
      c.final_review_deadline = StringField(*body, "final_review_deadline", "终审截止日期", errors);
      if (!errors.empty()) return Response::FromError(Error::InvalidArgument("请求格式错误", errors));
      auto saved = ctx.review->SaveCampaign(p, c);
      if (!saved) return Response::FromError(saved.error());
      return Response::Json(create ? 201 : 200, CampaignJson(*saved));
    });
  };
  router.Add({"POST", "/api/v1/campaigns", save_campaign(true), 16 * 1024,
              "新建征集批次（平台管理员）"});
  router.Add({"PUT", "/api/v1/campaigns/{id}", save_campaign(false), 16 * 1024,
              "修改/延长征集批次截止日期（平台管理员）"});

  router.Add({"POST", "/api/v1/resources/{id}/submit", ActionRoute(ctx, Action::kSubmit), 4096,
              "提交审核（须 attestation: true 承诺内容与版权审查已完成）"});
  router.Add({"POST", "/api/v1/resources/{id}/review", ActionRoute(ctx, std::nullopt), 16 * 1024,
              "审核操作：approve/return/reject/claim/unclaim/take_over（含 checklist、comment、version）"});
  router.Add({"POST", "/api/v1/resources/{id}/withdraw", ActionRoute(ctx, Action::kWithdraw), 4096,
              "下线已发布资源（平台管理员，须填写原因 reason）"});
  router.Add({"POST", "/api/v1/resources/{id}/republish", ActionRoute(ctx, Action::kRepublish),
              4096, "重新上线（平台管理员）"});

  router.Add({"GET", "/api/v1/resources/{id}/history",
              Authed(ctx, [&ctx](Request& req, const Principal& p) {
                auto id = req.IdParam("id");
                if (!id) return Response::FromError(Error::NotFound("资源不存在"));
                auto h = ctx.review->History(p, resources::ResourceId{*id});
                if (!h) return Response::FromError(h.error());
                auto allowed = ctx.review->Allowed(p, resources::ResourceId{*id});
                json items = json::array();
                for (const auto& e : *h) {
                  items.push_back({{"action", e.action},
                                   {"from", e.from_state},
                                   {"to", e.to_state},
                                   {"comment", e.comment},
                                   {"checklist", e.checklist},
                                   {"actor_id", e.actor_id},
                                   {"actor", e.actor_name},
                                   {"unit", e.actor_org_name},
                                   {"took_over", e.took_over},
                                   {"at", e.at}});
                }
                return Response::Json(200, {{"items", items},
                                            {"allowed_actions",
                                             allowed ? ActionsJson(*allowed) : json::array()}});
              }), 1024, "审核时间线与当前可执行的操作"});

  router.Add({"GET", "/api/v1/reviews/queue", Authed(ctx, [&ctx](Request& req, const Principal& p) {
                review::QueueFilter f;
                auto opt = [&](const char* k) -> std::optional<std::string> {
                  auto v = req.Query(k);
                  if (!v || v->empty()) return std::nullopt;
                  return v;
                };
                if (auto v = opt("campaign_id")) f.campaign_id = std::atoll(v->c_str());
                if (auto v = opt("org_id")) f.unit_id = std::atoll(v->c_str());
                f.domain = opt("domain");
                f.type = opt("type");
                f.state = opt("state");
                f.overdue_only = req.Query("overdue").value_or("") == "true";
                auto q = ctx.review->Queue(p, f);
                if (!q) return Response::FromError(q.error());
                json items = json::array();
                for (const auto& i : *q) {
                  json j = ResourceJson(i.resource, false);
                  j["org_name"] = i.org_name;
                  j["overdue"] = i.overdue;
                  j["allowed_actions"] = ActionsJson(i.allowed);
                  items.push_back(std::move(j));
                }
                return Response::Json(200, {{"items", items}, {"total", items.size()}});
              }), 1024, "审核队列（按批次、单位、范围、类型、状态、是否逾期筛选）"});

  router.Add({"POST", "/api/v1/reviews/bulk-approve",
              Authed(ctx, [&ctx](Request& req, const Principal& p) {
                auto body = ParseJsonObject(req);
                if (!body) return Response::FromError(body.error());
                auto r = ParseReviewRequest(req, Action::kApprove);
                if (!r) return Response::FromError(r.error());
                if (!body->contains("ids") || !(*body)["ids"].is_array()) {
                  return Response::FromError(Error::InvalidArgument(
                      "请选择资源", {{"ids", "资源", "ids 应为资源 ID 列表"}}));
                }
                json results = json::array();
                int ok = 0;
                for (const auto& v : (*body)["ids"]) {
                  if (!v.is_number_integer()) continue;
                  review::ReviewRequest one = *r;
                  one.expected_version.reset();
                  auto res = ctx.review->Act(p, resources::ResourceId{v.get<int64_t>()}, one);
                  json item = {{"id", v}, {"ok", static_cast<bool>(res)}};
                  if (res) {
                    ++ok;
                    item["state"] = std::string(resources::StateName(res->state));
                  } else {
                    item["error"] = res.error().message;
                  }
                  results.push_back(std::move(item));
                }
                return Response::Json(200, {{"approved", ok}, {"results", results}});
              }), 256 * 1024, "批量审核通过（同一意见与核查项）"});

  router.Add({"GET", "/api/v1/batches", Authed(ctx, [&ctx](Request&, const Principal& p) {
                auto list = ctx.review->Batches(p);
                if (!list) return Response::FromError(list.error());
                json items = json::array();
                for (const auto& b : *list) items.push_back(BatchJson(b));
                return Response::Json(200, {{"items", items}});
              }), 1024, "发布批次列表"});

  router.Add({"POST", "/api/v1/batches", Authed(ctx, [&ctx](Request& req, const Principal& p) {
                auto body = ParseJsonObject(req);
                if (!body) return Response::FromError(body.error());
                std::vector<FieldError> errors;
                std::string name = StringField(*body, "name", "批次名称", errors);
                std::vector<int64_t> ids;
                if (body->contains("resource_ids") && (*body)["resource_ids"].is_array()) {
                  for (const auto& v : (*body)["resource_ids"]) {
                    if (v.is_number_integer()) ids.push_back(v.get<int64_t>());
                  }
                }
                auto scheduled = ScheduledAt(*body, errors);
                if (!errors.empty()) {
                  return Response::FromError(Error::InvalidArgument(errors[0].message, errors));
                }
                auto b = ctx.review->CreateBatch(p, name, ids,
                                                 scheduled ? *scheduled : std::nullopt);
                if (!b) return Response::FromError(b.error());
                return Response::Json(201, BatchJson(*b));
              }), 256 * 1024, "组建发布批次（第N批，国家开放大学；可选 scheduled_at 定时发布）"});

  router.Add({"GET", "/api/v1/batches/{id}", Authed(ctx, [&ctx](Request& req, const Principal& p) {
                auto id = req.IdParam("id");
                if (!id) return Response::FromError(Error::NotFound("发布批次不存在"));
                auto got = ctx.review->GetBatch(p, *id);
                if (!got) return Response::FromError(got.error());
                json j = BatchJson(got->first);
                json items = json::array();
                for (const auto& i : got->second) {
                  items.push_back({{"id", i.id}, {"title", i.title}, {"unit", i.unit},
                                   {"domain", i.domain}, {"type", i.type}});
                }
                j["items"] = std::move(items);
                return Response::Json(200, j);
              }), 1024, "发布批次预览：批次与批内资源"});

  router.Add({"PUT", "/api/v1/batches/{id}", Authed(ctx, [&ctx](Request& req, const Principal& p) {
                auto id = req.IdParam("id");
                if (!id) return Response::FromError(Error::NotFound("发布批次不存在"));
                auto body = ParseJsonObject(req);
                if (!body) return Response::FromError(body.error());
                std::vector<FieldError> errors;
                review::ReviewService::BatchUpdate u;
                u.scheduled_at = ScheduledAt(*body, errors);
                if (body->contains("name")) u.name = StringField(*body, "name", "批次名称", errors);
                if (!errors.empty()) {
                  return Response::FromError(Error::InvalidArgument(errors[0].message, errors));
                }
                auto b = ctx.review->UpdateBatch(p, *id, u);
                if (!b) return Response::FromError(b.error());
                return Response::Json(200, BatchJson(*b));
              }), 16 * 1024, "修改发布批次：{scheduled_at: 毫秒|null（取消定时）, name?}"});

  router.Add({"POST", "/api/v1/batches/{id}/publish",
              Authed(ctx, [&ctx](Request& req, const Principal& p) {
                auto id = req.IdParam("id");
                if (!id) return Response::FromError(Error::NotFound("发布批次不存在"));
                auto b = ctx.review->PublishBatch(p, *id);
                if (!b) return Response::FromError(b.error());
                return Response::Json(200, BatchJson(*b));
              }), 1024, "发布批次：批内资源全部上线"});

  router.Add({"GET", "/api/v1/campaigns/{id}/progress",
              Authed(ctx, [&ctx](Request& req, const Principal& p) {
                auto id = req.IdParam("id");
                if (!id) return Response::FromError(Error::NotFound("征集批次不存在"));
                auto rows = ctx.review->Progress(p, *id);
                if (!rows) return Response::FromError(rows.error());
                json items = json::array();
                for (const auto& r : *rows) {
                  items.push_back({{"unit", r[0]}, {"state", r[1]}, {"domain", r[2]},
                                   {"type", r[3]}, {"count", std::stoll(r[4])}});
                }
                return Response::Json(200, {{"items", items}});
              }), 1024, "征集进度：按单位 × 状态 × 范围 × 类型计数"});

  router.Add({"GET", "/api/v1/resources/{id}/screening",
              Authed(ctx, [&ctx](Request& req, const Principal& p) {
                auto id = req.IdParam("id");
                if (!id) return Response::FromError(Error::NotFound("资源不存在"));
                auto r = ctx.resources->Get(p, resources::ResourceId{*id});
                if (!r) return Response::FromError(r.error());
                const auto& m = r->meta;
                std::vector<review::ScreenField> fields = {
                    {"title", m.title},       {"summary", m.summary},
                    {"presenters", resources::JoinList(m.presenters)},
                    {"keywords", resources::JoinList(m.keywords)},
                    {"toc", m.toc},           {"series", m.series},
                    {"category", m.category}, {"copyright_holder", m.copyright_holder}};
                json hits = json::array();
                std::lock_guard lock(ctx.screen_mu);
                if (ctx.screen) {
                  for (const auto& h : ctx.screen->Screen(fields)) {
                    hits.push_back({{"field", h.field},
                                    {"label", std::string(resources::LabelOf(h.field))},
                                    {"word", h.word},
                                    {"matched", h.matched},
                                    {"position", h.position},
                                    {"length", h.length}});
                  }
                }
                return Response::Json(200, {{"hits", hits}, {"count", hits.size()}});
              }), 1024, "敏感词筛查结果（字段、位置）"});

  router.Add({"GET", "/api/v1/sensitive-words", Authed(ctx, [&ctx](Request&, const Principal& p) {
                if (p.role != auth::Role::kSecurityAdmin && p.role != auth::Role::kPlatformAdmin) {
                  return Response::FromError(Error::PermissionDenied("只有安全管理员可以查看敏感词表"));
                }
                std::lock_guard lock(ctx.screen_mu);
                return Response::Json(200, {{"words", ctx.screen_words}});
              }), 1024, "敏感词表（安全管理员）"});

  router.Add({"PUT", "/api/v1/sensitive-words", Authed(ctx, [&ctx](Request& req, const Principal& p) {
                if (p.role != auth::Role::kSecurityAdmin) {
                  return Response::FromError(Error::PermissionDenied("只有安全管理员可以维护敏感词表"));
                }
                auto body = ParseJsonObject(req);
                if (!body) return Response::FromError(body.error());
                if (!body->contains("words") || !(*body)["words"].is_array()) {
                  return Response::FromError(Error::InvalidArgument(
                      "words 应为词语列表", {{"words", "敏感词", "应为词语列表"}}));
                }
                std::vector<std::string> words;
                for (const auto& w : (*body)["words"]) {
                  if (w.is_string() && !text::Trim(w.get<std::string>()).empty()) {
                    words.push_back(text::Trim(w.get<std::string>()));
                  }
                }
                LEP_RETURN_RESPONSE_IF_ERROR(SetSensitiveWords(ctx, words, &p));
                return Response::Json(200, {{"words", words}, {"count", words.size()}});
              }), 1 << 20, "替换敏感词表（安全管理员）"});
}

}  // namespace lep::app
