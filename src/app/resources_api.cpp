// HTTP adapter for resources (资源), their series and the category tree (所属分类).
#include "app/api_common.h"
#include "app/resources_io.h"
#include "app/resources_json.h"
#include "app/routes.h"
#include "auth/authorizer.h"
#include "resources/metadata.h"
#include "resources/toc.h"

namespace lep::app {
namespace {

using Deps = ResourceRouteDeps;

using auth::Principal;
using http::Request;
using http::Response;
using resources::ResourceId;

std::optional<ResourceId> IdOf(const Request& req) {
  auto id = req.IdParam("id");
  if (!id) return std::nullopt;
  return ResourceId{*id};
}

Response NotFound() { return Response::FromError(Error::NotFound("资源不存在")); }

// A resource as the console lists it: its record, the technical check's verdict (null while
// nothing was checked) and the last return/reject comment, so the list needs no extra reads.
json ConsoleResourceJson(const Deps& d, const Principal& p, const resources::Resource& r,
                         bool full) {
  json j = ResourceJson(r, full);
  auto verdict = d.ingest.TechnicalVerdict(r);
  j["check_passed"] = verdict && *verdict ? json(**verdict) : json(nullptr);
  if (auto comment = d.review.LastVerdictComment(p, r); comment && !comment->empty()) {
    j["review_comment"] = *comment;
  }
  return j;
}

std::optional<orgs::OrgId> UnitFrom(const Request& req) {
  auto v = req.Query("org_id");
  if (!v || v->empty()) return std::nullopt;
  return orgs::OrgId{std::atoll(v->c_str())};
}

json CategoryTree(const std::vector<resources::Category>& all) {
  // all is ordered by path, so parents come before children.
  std::map<int64_t, json> nodes;
  std::vector<int64_t> order;
  for (const auto& c : all) {
    nodes[c.id] = {{"id", c.id},
                   {"parent_id", c.parent_id ? json(*c.parent_id) : json(nullptr)},
                   {"name", c.name},
                   {"path", c.path},
                   {"resource_count", c.resource_count},
                   {"children", json::array()}};
    order.push_back(c.id);
  }
  // Attach deepest first so each child is complete when copied into its parent.
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    json& n = nodes[*it];
    if (!n["parent_id"].is_null()) {
      auto& siblings = nodes[n["parent_id"].get<int64_t>()]["children"];
      siblings.insert(siblings.begin(), n);
    }
  }
  json roots = json::array();
  for (int64_t id : order) {
    if (nodes[id]["parent_id"].is_null()) roots.push_back(nodes[id]);
  }
  return roots;
}

}  // namespace

void AddResourceRoutes(http::Router& router, const ResourceRouteDeps& d) {
  router.Add({"GET", "/api/v1/categories",
              [d](Request&) {
                auto all = d.categories.All();
                if (!all) return Response::FromError(all.error());
                json items = json::array();
                for (const auto& c : *all) {
                  items.push_back({{"id", c.id},
                                   {"parent_id", c.parent_id ? json(*c.parent_id) : json(nullptr)},
                                   {"name", c.name},
                                   {"path", c.path},
                                   {"resource_count", c.resource_count}});
                }
                return Response::Json(200, {{"items", items}, {"tree", CategoryTree(*all)}});
              },
              1024, "分类目录（公开）"});

  router.Add({"POST", "/api/v1/categories", d.authed([d](Request& req, const Principal& p) {
                LEP_RETURN_RESPONSE_IF_ERROR(auth::Authorizer::CheckManagePlatform(p));
                auto body = ParseJsonObject(req);
                if (!body) return Response::FromError(body.error());
                std::vector<FieldError> errors;
                std::string name = StringField(*body, "name", "分类名称", errors);
                std::optional<int64_t> parent;
                if (body->contains("parent_id") && !(*body)["parent_id"].is_null()) {
                  if (!(*body)["parent_id"].is_number_integer()) {
                    errors.push_back({"parent_id", "上级分类", "上级分类应为分类 ID"});
                  } else {
                    parent = (*body)["parent_id"].get<int64_t>();
                  }
                }
                if (auto e = resources::ValidateCategoryName(name)) {
                  errors.push_back({"name", "分类名称", *e});
                }
                if (!errors.empty()) {
                  return Response::FromError(Error::InvalidArgument(errors[0].message, errors));
                }
                auto c = d.categories.Create(parent, text::Trim(name), d.clock.NowMs());
                if (!c) return Response::FromError(c.error());
                (void)d.audit.Record(auth::AuditActorOf(p), "category.create",
                                     "category:" + std::to_string(c->id), c->path);
                return Response::Json(201, {{"id", c->id}, {"name", c->name}, {"path", c->path},
                                            {"parent_id", parent ? json(*parent) : json(nullptr)}});
              }),
              4096, "新增分类（平台管理员）"});

  router.Add({"PUT", "/api/v1/categories/{id}", d.authed([d](Request& req, const Principal& p) {
                LEP_RETURN_RESPONSE_IF_ERROR(auth::Authorizer::CheckManagePlatform(p));
                auto id = req.IdParam("id");
                if (!id) return Response::FromError(Error::NotFound("分类不存在"));
                auto body = ParseJsonObject(req);
                if (!body) return Response::FromError(body.error());
                std::vector<FieldError> errors;
                std::string name = StringField(*body, "name", "分类名称", errors);
                if (auto e = resources::ValidateCategoryName(name)) {
                  errors.push_back({"name", "分类名称", *e});
                }
                if (!errors.empty()) {
                  return Response::FromError(Error::InvalidArgument(errors[0].message, errors));
                }
                auto c = d.categories.Rename(*id, text::Trim(name));
                if (!c) return Response::FromError(c.error());
                (void)d.audit.Record(auth::AuditActorOf(p), "category.rename",
                                     "category:" + std::to_string(c->id), c->path);
                return Response::Json(200, {{"id", c->id}, {"name", c->name}, {"path", c->path}});
              }),
              4096, "重命名分类（平台管理员；下级分类与资源随之更新）"});

  router.Add({"DELETE", "/api/v1/categories/{id}", d.authed([d](Request& req, const Principal& p) {
                LEP_RETURN_RESPONSE_IF_ERROR(auth::Authorizer::CheckManagePlatform(p));
                auto id = req.IdParam("id");
                if (!id) return Response::FromError(Error::NotFound("分类不存在"));
                auto st = d.categories.Delete(*id);
                if (!st) return Response::FromError(st.error());
                (void)d.audit.Record(auth::AuditActorOf(p), "category.delete",
                                     "category:" + std::to_string(*id));
                return Response::NoContent();
              }),
              1024, "删除未被使用的叶子分类（平台管理员）"});

  router.Add({"POST", "/api/v1/resources/validate", d.authed([d](Request& req, const Principal& p) {
                auto in = MetadataInputFromJson(req);
                if (!in) return Response::FromError(in.error());
                auto m = d.resources.Validate(p, *in);
                if (!m) return Response::FromError(m.error());
                return Response::Json(200, {{"valid", true}, {"resource", MetadataJson(*m)}});
              }),
              512 * 1024, "校验一条资源元数据（不保存）"});

  router.Add({"POST", "/api/v1/resources", d.authed([d](Request& req, const Principal& p) {
                auto in = MetadataInputFromJson(req);
                if (!in) return Response::FromError(in.error());
                auto r = d.resources.Create(p, *in);
                if (!r) return Response::FromError(r.error());
                return Response::Json(201, ResourceJson(*r));
              }),
              512 * 1024, "新建资源（草稿）"});

  router.Add({"GET", "/api/v1/resources", d.authed([d](Request& req, const Principal& p) {
                auto filter = ResourceFilterFrom(req);
                auto page = d.resources.List(p, filter, UnitFrom(req));
                if (!page) return Response::FromError(page.error());
                json items = json::array();
                for (const auto& r : page->items) {
                  items.push_back(ConsoleResourceJson(d, p, r, false));
                }
                return Response::Json(200, {{"items", items},
                                            {"total", page->total},
                                            {"page", filter.page},
                                            {"page_size", filter.page_size}});
              }),
              1024, "资源列表（按单位、类型、范围、状态、系列、关键字筛选，分页）"});

  router.Add({"GET", "/api/v1/resources/{id}", d.authed([d](Request& req, const Principal& p) {
                auto id = IdOf(req);
                if (!id) return NotFound();
                auto r = d.resources.Get(p, *id);
                if (!r) return Response::FromError(r.error());
                return Response::Json(200, ConsoleResourceJson(d, p, *r, true));
              }),
              1024, "资源详情"});

  router.Add({"PUT", "/api/v1/resources/{id}", d.authed([d](Request& req, const Principal& p) {
                auto id = IdOf(req);
                if (!id) return NotFound();
                auto in = MetadataInputFromJson(req);
                if (!in) return Response::FromError(in.error());
                std::optional<int64_t> version;
                auto body = json::parse(req.body, nullptr, false);
                if (body.is_object() && body.contains("version") &&
                    body["version"].is_number_integer()) {
                  version = body["version"].get<int64_t>();
                }
                if (auto m = req.Header("if-match")) {
                  std::string v(*m);
                  v.erase(std::remove(v.begin(), v.end(), '"'), v.end());
                  if (!v.empty()) version = std::atoll(v.c_str());
                }
                auto r = d.resources.Update(p, *id, *in, version);
                if (!r) return Response::FromError(r.error());
                return Response::Json(200, ResourceJson(*r));
              }),
              512 * 1024, "修改资源（草稿或退回修改；version 用于防止覆盖他人修改）"});

  router.Add({"DELETE", "/api/v1/resources/{id}", d.authed([d](Request& req, const Principal& p) {
                auto id = IdOf(req);
                if (!id) return NotFound();
                auto st = d.resources.Delete(p, *id);
                if (!st) return Response::FromError(st.error());
                return Response::NoContent();
              }),
              1024, "删除草稿资源"});

  router.Add({"GET", "/api/v1/orgs/{id}/series", d.authed([d](Request& req, const Principal& p) {
                auto id = req.IdParam("id");
                if (!id) return Response::FromError(Error::NotFound("单位不存在"));
                auto series = d.resources.Series(p, orgs::OrgId{*id});
                if (!series) return Response::FromError(series.error());
                json items = json::array();
                for (const auto& s : *series) {
                  json list = json::array();
                  for (const auto& i : s.items) {
                    list.push_back({{"id", i.id.value},
                                    {"title", i.title},
                                    {"series_order", i.order},
                                    {"state", std::string(resources::StateName(i.state))}});
                  }
                  items.push_back({{"series", s.name}, {"count", list.size()}, {"items", list}});
                }
                return Response::Json(200, {{"items", items}});
              }),
              1024, "单位的资源系列（按所属顺序）"});
}

}  // namespace lep::app
