// HTTP adapter for opening many units and accounts from a spreadsheet (issue 17 §3): the
// template, and the import (dry run first) whose answer carries the accounts' one-time
// activation links and the same list as an xlsx (base64) — shown once, never stored.
#include <set>

#include "app/api_common.h"
#include "app/uploaded_sheet.h"
#include "app/routes.h"
#include "core/text.h"
#include "crypto/crypto.h"
#include "http/multipart.h"
#include "orgs/bulk_units.h"
#include "xlsx/spreadsheet.h"

namespace lep::app {
namespace {

// What the handlers use; copied into each one.
struct Deps {
  RouteGuard authed;
  orgs::BulkUnits& bulk_units;
  const Clock& clock;
  std::string public_base_url;  // of the activation links in the result workbook
};

using auth::Principal;
using http::Request;
using http::Response;

constexpr const char* kXlsxType =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
// 批量开设单位模板 / 账号与激活链接, percent-encoded for filename*.
const char* kTemplateName =
    "%E6%89%B9%E9%87%8F%E5%BC%80%E8%AE%BE%E5%8D%95%E4%BD%8D%E6%A8%A1%E6%9D%BF.xlsx";

// The link in the workbook is absolute: the platform's configured address (server.public_url,
// portal.public_base_url), never a request's Host header.
std::string ActivationUrl(const Deps& d, const auth::Credential& c) {
  if (c.token.empty()) return "";
  return d.public_base_url + "/activate#token=" + c.token;
}

Result<std::string> ResultWorkbook(const Deps& d, const orgs::BulkUnitsReport& r) {
  xlsx::SheetSpec sheet{"账号与激活链接",
                        {"表中行号", "单位名称", "单位类型", "账号用户名", "姓名", "角色",
                         "激活链接（只显示一次）", "链接有效期至"},
                        {},
                        {8, 36, 16, 18, 12, 12, 90, 20}};
  sheet.title_lines = {"批量开设单位与账号清单",
                       "生成时间：" + text::FormatShanghai(d.clock.NowMs()),
                       "激活链接只在此显示一次，请转交各单位联系人，由本人设置密码。"};
  for (const auto& c : r.created) {
    std::vector<std::string> row = {std::to_string(c.row), c.unit.name,
                                    std::string(orgs::KindLabel(c.unit.kind)), "", "", "", "", ""};
    if (c.user) {
      row[3] = c.user->username;
      row[4] = c.user->display_name;
      row[5] = std::string(auth::RoleLabel(c.user->role));
    }
    if (c.credential) {
      if (c.credential->mailed) {
        row[6] = "已发往单位负责人邮箱 " + c.credential->mailed_to;
      } else {
        row[6] = ActivationUrl(d, *c.credential);
      }
      row[7] = text::FormatShanghai(c.credential->expires_at);
    }
    sheet.rows.push_back(std::move(row));
  }
  return xlsx::WriteXlsx({sheet});
}

json ReportJson(const orgs::BulkUnitsReport& r) {
  json errors = json::array();
  std::set<int> error_rows;
  for (const auto& e : r.errors) {
    errors.push_back({{"row", e.row}, {"field", e.field}, {"label", e.label}, {"message", e.message}});
    error_rows.insert(e.row);
  }
  json items = json::array();
  int accounts = 0;
  for (const auto& c : r.created) {
    json item = {{"row", c.row},
                 {"org_id", c.unit.id.value},
                 {"org_name", c.unit.name},
                 {"kind", std::string(orgs::KindName(c.unit.kind))},
                 {"kind_label", std::string(orgs::KindLabel(c.unit.kind))},
                 {"username", nullptr},
                 {"display_name", nullptr},
                 {"role_label", nullptr},
                 {"activation_path", nullptr},
                 {"expires_at", nullptr},
                 {"mailed_to", nullptr}};
    if (c.user) {
      ++accounts;
      item["username"] = c.user->username;
      item["display_name"] = c.user->display_name;
      item["role_label"] = std::string(auth::RoleLabel(c.user->role));
    }
    if (c.credential) {
      if (c.credential->mailed) {
        item["mailed_to"] = c.credential->mailed_to;
      } else if (!c.credential->token.empty()) {
        item["activation_path"] = "/activate#token=" + c.credential->token;
      }
      item["expires_at"] = c.credential->expires_at;
    }
    items.push_back(std::move(item));
  }
  json out = {{"dry_run", r.dry_run},
              {"total_rows", r.total_rows},
              {"valid_rows", r.valid_rows},
              {"accounts", r.accounts},
              {"error_rows", error_rows.size()},
              {"errors", errors},
              {"unknown_columns", r.unknown_columns},
              {"units_created", r.created.size()},
              {"accounts_created", accounts},
              {"items", items},
              {"stopped", r.stopped ? json{{"code", std::string(ErrorCodeName(r.stopped->code))},
                                           {"message", r.stopped->message}}
                                    : json(nullptr)},
              {"workbook", nullptr}};
  return out;
}

Response Import(const Deps& d, Request& req, const Principal& p) {
  auto id = req.IdParam("id");
  if (!id) return Response::FromError(Error::NotFound("单位不存在"));
  auto table = ReadUploadedSheet(req);
  if (!table) return Response::FromError(table.error());
  const bool dry_run = req.Query("dry_run").value_or("true") != "false";
  orgs::BulkUnitsSheet sheet{table->header, table->rows, table->row_numbers};
  for (auto& row : sheet.rows) {
    for (auto& cell : row) cell = xlsx::RestoreFormulaText(cell);
  }
  auto report = d.bulk_units.Import(p, orgs::OrgId{*id}, sheet, dry_run);
  if (!report) return Response::FromError(report.error());
  json body = ReportJson(*report);
  if (!report->errors.empty() && !dry_run) {
    json fields = json::array();
    for (const auto& e : report->errors) {
      fields.push_back({{"row", e.row}, {"field", e.field}, {"label", e.label},
                        {"message", "第 " + std::to_string(e.row) + " 行：" + e.message}});
    }
    return Response::Json(
        400, {{"error", {{"code", "invalid_argument"},
                         {"message", "开设失败：" + std::to_string(report->errors.size()) +
                                         " 处错误，未开设任何单位，请修改后重新上传"},
                         {"fields", fields}}},
              {"report", body}});
  }
  if (!dry_run && !report->created.empty()) {
    auto workbook = ResultWorkbook(d, *report);
    if (!workbook) return Response::FromError(workbook.error());
    body["workbook"] = crypto::ToBase64(*workbook);
  }
  auto resp = Response::Json(200, body);
  resp.SetHeader("Cache-Control", "no-store");
  return resp;
}

}  // namespace

void AddBulkUnitRoutes(http::Router& router, const RouteGuard& authed, orgs::BulkUnits& bulk_units,
                       const Clock& clock, const std::string& public_base_url) {
  const Deps d{authed, bulk_units, clock, public_base_url};
  router.Add(
      {"GET", "/api/v1/org-bulk/template.xlsx", d.authed([](Request&, const Principal&) {
         xlsx::SheetSpec data{"单位与账号",
                              orgs::BulkUnitsHeader(),
                              {orgs::BulkUnitsExampleRow()},
                              {36, 16, 18, 12, 12}};
         xlsx::SheetSpec help{
             "填写说明", {"列", "是否必填", "填写规则"}, orgs::BulkUnitsHelp(), {14, 10, 90}};
         auto bytes = xlsx::WriteXlsx({data, help});
         if (!bytes) return Response::FromError(bytes.error());
         auto r = Response::Text(200, std::move(*bytes), kXlsxType);
         r.SetHeader("Content-Disposition",
                     std::string("attachment; filename=\"org-bulk-template.xlsx\"; "
                                 "filename*=UTF-8''") +
                         kTemplateName);
         r.SetHeader("Cache-Control", "no-store");
         return r;
       }),
       1024, "批量开设单位与账号的模板（单位名称、单位类型、账号用户名、姓名、角色 + 填写说明）"});
  router.Add({"POST", "/api/v1/orgs/{id}/bulk-units",
              d.authed([d](Request& req, const Principal& p) { return Import(d, req, p); }),
              8u << 20,
              "从表格批量开设下级单位与账号（dry_run=true 只检查；全部正确才开设；账号以一次性"
              "激活链接交付，清单 workbook 为 xlsx 的 base64，只返回这一次）"});
}

}  // namespace lep::app
