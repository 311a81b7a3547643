// HTTP adapter for units (单位), their contact person, their accounts and their 登记表 scans.
#include <charconv>

#include "app/account_api.h"
#include "app/api_common.h"
#include "app/routes.h"
#include "http/file_response.h"
#include "http/multipart.h"

namespace lep::app {
namespace {

using Deps = OrgRouteDeps;

using auth::Principal;
using http::Request;
using http::Response;

std::optional<orgs::OrgId> OrgIdParam(const Request& req) {
  auto id = req.IdParam("id");
  if (!id) return std::nullopt;
  return orgs::OrgId{*id};
}

Response BadId() { return Response::FromError(Error::NotFound("单位不存在")); }

// Who saw or changed personal data, or opened a unit, goes to the audit chain.
void Audit(const Deps& d, const Principal& p, const std::string& action, int64_t org_id,
           const std::string& detail = "") {
  (void)d.audit.Record(auth::AuditActorOf(p), action, "org:" + std::to_string(org_id), detail);
}

json ContactJson(const orgs::Contact& c) {
  return {{"name", c.name},           {"title", c.title}, {"office_phone", c.office_phone},
          {"mobile", c.mobile},       {"email", c.email}, {"updated_at", c.updated_at},
          {"masked", c.masked}};
}

json OrgList(const std::vector<orgs::Org>& v) {
  json items = json::array();
  for (const auto& o : v) items.push_back(OrgJson(o));
  return {{"items", items}};
}

json FormJson(const orgs::RegistrationForm& f) {
  return {{"id", f.id},
          {"file_name", f.file_name},
          {"size", f.size},
          {"sha256", f.sha256},
          {"uploaded_at", f.uploaded_at},
          {"uploaded_by", f.uploaded_by},
          {"url", "/api/v1/orgs/" + std::to_string(f.org_id.value) +
                      "/registration-form/file?form=" + std::to_string(f.id)}};
}

// The PDF of one upload, as an attachment under its Chinese file name.
Response ServeForm(const Request& req, const orgs::RegistrationForm& f, const std::string& path) {
  Response r;
  r.content_type = "application/pdf";
  std::string etag = "\"" + f.sha256.substr(0, 32) + "\"";
  r.SetHeader("ETag", etag);
  r.SetHeader("Accept-Ranges", "bytes");
  r.SetHeader("Cache-Control", "private, no-cache");
  r.SetHeader("Content-Security-Policy", "default-src 'none'; sandbox");
  r.SetHeader("Content-Disposition", "attachment; filename=\"registration-form.pdf\"; "
                                     "filename*=UTF-8''" + text::PercentEncode(f.file_name));
  return http::FileResponse(req, std::move(r), path, static_cast<uint64_t>(f.size), etag);
}

}  // namespace

void AddOrgRoutes(http::Router& router, const OrgRouteDeps& d) {
  router.Add({"GET", "/api/v1/org-kinds",
              [](Request&) {
                json items = json::array();
                for (auto k : orgs::AllKinds()) {
                  json children = json::array();
                  for (auto c : orgs::AllowedChildKinds(k)) {
                    children.push_back(std::string(orgs::KindName(c)));
                  }
                  items.push_back({{"kind", std::string(orgs::KindName(k))},
                                   {"label", std::string(orgs::KindLabel(k))},
                                   {"second_level", orgs::IsSecondLevel(k)},
                                   {"child_kinds", children}});
                }
                json roles = json::array();
                for (auto r : auth::AllRoles()) {
                  roles.push_back({{"role", std::string(auth::RoleName(r))},
                                   {"label", std::string(auth::RoleLabel(r))}});
                }
                return Response::Json(200, {{"items", items}, {"roles", roles}});
              },
              1024, "单位类型与角色列表"});

  router.Add({"GET", "/api/v1/orgs", d.authed([d](Request&, const Principal& p) {
                auto r = d.orgs.Roots(p);
                if (!r) return Response::FromError(r.error());
                return Response::Json(200, OrgList(*r));
              }),
              1024, "当前用户可见的起始单位"});

  router.Add({"GET", "/api/v1/orgs/{id}", d.authed([d](Request& req, const Principal& p) {
                auto id = OrgIdParam(req);
                if (!id) return BadId();
                auto org = d.orgs.Get(p, *id);
                if (!org) return Response::FromError(org.error());
                return Response::Json(200, OrgJson(*org));
              }),
              1024, "单位详情（含 parent_id）"});

  router.Add({"GET", "/api/v1/orgs/{id}/children", d.authed([d](Request& req, const Principal& p) {
                auto id = OrgIdParam(req);
                if (!id) return BadId();
                auto r = d.orgs.Children(p, *id);
                if (!r) return Response::FromError(r.error());
                return Response::Json(200, OrgList(*r));
              }),
              1024, "下级单位列表"});

  router.Add({"POST", "/api/v1/orgs/{id}/children", d.authed([d](Request& req, const Principal& p) {
                auto id = OrgIdParam(req);
                if (!id) return BadId();
                auto body = ParseJsonObject(req);
                if (!body) return Response::FromError(body.error());
                std::vector<FieldError> errors;
                std::string name = StringField(*body, "name", "单位名称", errors);
                std::string kind = StringField(*body, "kind", "单位类型", errors);
                if (!errors.empty()) {
                  return Response::FromError(Error::InvalidArgument("请求格式错误", errors));
                }
                auto org = d.orgs.OpenChild(p, *id, name, kind);
                if (!org) return Response::FromError(org.error());
                Audit(d, p, "org.create", org->id.value, org->name);
                return Response::Json(201, OrgJson(*org));
              }),
              16 * 1024, "在本单位下开设下级单位"});

  router.Add({"GET", "/api/v1/orgs/{id}/contact", d.authed([d](Request& req, const Principal& p) {
                auto id = OrgIdParam(req);
                if (!id) return BadId();
                auto c = d.orgs.GetContact(p, *id);
                if (!c) return Response::FromError(c.error());
                if (*c && !(*c)->masked) Audit(d, p, "contact.read", id->value);
                return Response::Json(200, {{"contact", *c ? ContactJson(**c) : json(nullptr)}});
              }),
              1024, "单位负责人"});

  router.Add({"PUT", "/api/v1/orgs/{id}/contact", d.authed([d](Request& req, const Principal& p) {
                auto id = OrgIdParam(req);
                if (!id) return BadId();
                auto body = ParseJsonObject(req);
                if (!body) return Response::FromError(body.error());
                std::vector<FieldError> errors;
                orgs::Contact c;
                c.name = StringField(*body, "name", "负责人姓名", errors);
                c.title = StringField(*body, "title", "职务", errors);
                c.office_phone = StringField(*body, "office_phone", "办公电话", errors);
                c.mobile = StringField(*body, "mobile", "手机号码", errors);
                c.email = StringField(*body, "email", "电子邮箱", errors);
                if (!errors.empty()) {
                  return Response::FromError(Error::InvalidArgument("请求格式错误", errors));
                }
                auto saved = d.orgs.PutContact(p, *id, std::move(c));
                if (!saved) return Response::FromError(saved.error());
                Audit(d, p, "contact.update", id->value);
                return Response::Json(200, {{"contact", ContactJson(*saved)}});
              }),
              16 * 1024, "设置单位负责人（附件3）"});

  router.Add({"GET", "/api/v1/orgs/{id}/contacts.xlsx",
              d.authed([d](Request& req, const Principal& p) {
                auto id = OrgIdParam(req);
                if (!id) return BadId();
                auto bytes = d.orgs.ContactsXlsx(p, *id);
                if (!bytes) return Response::FromError(bytes.error());
                Audit(d, p, "contact.export", id->value, "登记表 xlsx");
                auto resp = Response::Text(
                    200, std::move(*bytes),
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
                resp.SetHeader("Content-Disposition",
                               "attachment; filename=\"contacts.xlsx\"; filename*=UTF-8''"
                               "%E8%81%94%E7%B3%BB%E4%BA%BA%E4%BF%A1%E6%81%AF%E7%99%BB%E8%AE%B0"
                               "%E8%A1%A8.xlsx");
                resp.SetHeader("Cache-Control", "no-store");
                return resp;
              }),
              1024, "下载本单位及下级单位的联系人信息登记表（xlsx）"});

  router.Add({"GET", "/api/v1/orgs/{id}/users", d.authed([d](Request& req, const Principal& p) {
                auto id = OrgIdParam(req);
                if (!id) return BadId();
                auto users = d.auth.ListUsers(p, *id);
                if (!users) return Response::FromError(users.error());
                json items = json::array();
                for (const auto& u : *users) items.push_back(UserJson(u));
                return Response::Json(200, {{"items", items}});
              }),
              1024, "单位的账号列表"});

  router.Add({"POST", "/api/v1/orgs/{id}/users", d.authed([d](Request& req, const Principal& p) {
                auto id = OrgIdParam(req);
                if (!id) return BadId();
                auto body = ParseJsonObject(req);
                if (!body) return Response::FromError(body.error());
                std::vector<FieldError> errors;
                auth::NewUser u;
                u.username = StringField(*body, "username", "用户名", errors);
                u.password = StringField(*body, "password", "密码", errors);
                u.display_name = StringField(*body, "display_name", "姓名", errors);
                std::string role = StringField(*body, "role", "角色", errors);
                std::string delivery = StringField(*body, "delivery", "交付方式", errors);
                auto parsed = auth::ParseRole(role);
                if (!parsed) {
                  errors.push_back({"role", "角色", "角色无效：" + role});
                } else {
                  u.role = *parsed;
                }
                auto how = auth::ParseDelivery(delivery);
                if (!how) {
                  errors.push_back({"delivery", "交付方式",
                                    "交付方式只能是 link（一次性激活链接）或 temporary_password（临时密码）"});
                }
                if (!errors.empty()) {
                  return Response::FromError(Error::InvalidArgument("请求格式错误", errors));
                }
                if (u.password.empty()) {
                  // Nobody but the owner learns the password: a one-time link (mailed to the
                  // unit's 负责人 when e-mail is configured) or a temporary password.
                  auto made = d.accounts.CreateAccount(p, *id, std::move(u), *how);
                  if (!made) return Response::FromError(made.error());
                  auto resp = Response::Json(201, {{"user", UserJson(made->first)},
                                                   {"credential", CredentialJson(made->second)}});
                  resp.SetHeader("Cache-Control", "no-store");
                  return resp;
                }
                auto user = d.auth.CreateUser(p, *id, std::move(u));
                if (!user) return Response::FromError(user.error());
                return Response::Json(201, {{"user", UserJson(*user)}});
              }),
              16 * 1024,
              "在单位下开设账号：不带 password 时返回一次性激活链接或临时密码（credential，只显示"
              "一次；已配置邮件时链接发往单位负责人）；带 password 时按原方式开设"});

  router.Add({"PUT", "/api/v1/orgs/{id}/name", d.authed([d](Request& req, const Principal& p) {
                auto id = OrgIdParam(req);
                if (!id) return BadId();
                auto body = ParseJsonObject(req);
                if (!body) return Response::FromError(body.error());
                std::vector<FieldError> errors;
                std::string name = StringField(*body, "name", "单位名称", errors);
                if (!errors.empty()) {
                  return Response::FromError(Error::InvalidArgument("请求格式错误", errors));
                }
                auto org = d.orgs.Rename(p, *id, name);
                if (!org) return Response::FromError(org.error());
                return Response::Json(200, OrgJson(*org));
              }),
              4096,
              "修改单位名称（上级单位管理员或平台管理员；写入审计日志；门户检索与目录随之更新）"});

  router.Add({"POST", "/api/v1/orgs/{id}/registration-form",
              d.authed([d](Request& req, const Principal& p) {
                auto id = OrgIdParam(req);
                if (!id) return BadId();
                std::string_view data = req.body;
                std::string name = req.Query("filename").value_or("");
                if (auto part = http::FirstFilePart(req.Header("content-type").value_or(""),
                                                    req.body)) {
                  data = part->data;
                  name = part->filename;
                }
                auto f = d.registration_forms.Upload(p, *id, data, name);
                if (!f) return Response::FromError(f.error());
                return Response::Json(201, {{"form", FormJson(*f)}});
              }),
              orgs::kMaxRegistrationFormBytes + 64 * 1024,
              "上传加盖公章的登记表扫描件（PDF，按文件内容校验，≤ 20 MB；原始请求体或 multipart；"
              "新上传的成为当前登记表，旧的保留为历史）"});

  router.Add({"GET", "/api/v1/orgs/{id}/registration-form",
              d.authed([d](Request& req, const Principal& p) {
                auto id = OrgIdParam(req);
                if (!id) return BadId();
                auto all = d.registration_forms.History(p, *id);
                if (!all) return Response::FromError(all.error());
                json history = json::array();
                for (const auto& f : *all) history.push_back(FormJson(f));
                json current = all->empty() ? json(nullptr) : FormJson(all->front());
                return Response::Json(200, {{"current", current}, {"history", history}});
              }),
              1024, "单位的登记表扫描件：当前一份与历次上传（本单位与上级单位管理员可见）"});

  router.Add({"GET", "/api/v1/orgs/{id}/registration-form/file",
              d.authed([d](Request& req, const Principal& p) {
                auto id = OrgIdParam(req);
                if (!id) return BadId();
                int64_t form = 0;
                if (auto q = req.Query("form")) {
                  auto [end, ec] = std::from_chars(q->data(), q->data() + q->size(), form);
                  if (ec != std::errc() || end != q->data() + q->size() || form <= 0) {
                    return Response::FromError(Error::NotFound("登记表不存在"));
                  }
                }
                auto f = d.registration_forms.File(p, *id, form);
                if (!f) return Response::FromError(f.error());
                Audit(d, p, "org.registration_form.read", id->value,
                      "登记表 #" + std::to_string(f->first.id));
                return ServeForm(req, f->first, f->second);
              }),
              1024, "下载登记表扫描件 PDF（默认当前一份；?form= 指定历次上传中的一份）"});

  router.Add({"GET", "/api/v1/orgs/{id}/registration-forms",
              d.authed([d](Request& req, const Principal& p) {
                auto id = OrgIdParam(req);
                if (!id) return BadId();
                auto rows = d.registration_forms.Children(p, *id);
                if (!rows) return Response::FromError(rows.error());
                json items = json::array();
                int uploaded = 0;
                for (const auto& r : *rows) {
                  if (r.current) ++uploaded;
                  items.push_back({{"org", OrgJson(r.org)},
                                   {"form", r.current ? FormJson(*r.current) : json(nullptr)}});
                }
                return Response::Json(200, {{"items", items},
                                            {"uploaded", uploaded},
                                            {"total", static_cast<int>(rows->size())}});
              }),
              1024, "下级单位的登记表上传情况（本单位及上级单位管理员）"});
}

}  // namespace lep::app
