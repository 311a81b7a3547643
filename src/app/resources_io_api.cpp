// HTTP adapter for bulk import, export and the import template (xlsx / UTF-8 CSV).
#include <map>

#include "app/api_common.h"
#include "app/uploaded_sheet.h"
#include "app/resources_io.h"
#include "app/routes.h"
#include "http/multipart.h"
#include "xlsx/spreadsheet.h"

namespace lep::app {
namespace {

using Deps = ResourceIoDeps;

using auth::Principal;
using http::Request;
using http::Response;

constexpr const char* kXlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

Response Download(std::string bytes, const char* type, const std::string& ascii_name,
                  const std::string& encoded_utf8_name) {
  auto r = Response::Text(200, std::move(bytes), type);
  r.SetHeader("Content-Disposition", "attachment; filename=\"" + ascii_name +
                                         "\"; filename*=UTF-8''" + encoded_utf8_name);
  r.SetHeader("Cache-Control", "no-store");
  return r;
}

// "资源目录" percent-encoded for filename*.
const char* kCatalogName = "%E8%B5%84%E6%BA%90%E5%85%83%E6%95%B0%E6%8D%AE";  // 资源元数据
const char* kTemplateName = "%E8%B5%84%E6%BA%90%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF";  // 资源导入模板

// A positive decimal id of a query parameter.
std::optional<int64_t> PositiveId(const std::string& v) {
  if (v.empty() || v.size() > 18) return std::nullopt;
  int64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n > 0 ? std::optional<int64_t>(n) : std::nullopt;
}

}  // namespace

void AddResourceIoRoutes(http::Router& router, const ResourceIoDeps& d) {
  router.Add({"POST", "/api/v1/resources/import", d.authed([d](Request& req, const Principal& p) {
                auto table = ReadUploadedSheet(req);
                if (!table) return Response::FromError(table.error());
                bool dry_run = req.Query("dry_run").value_or("true") != "false";
                std::optional<orgs::OrgId> unit;
                if (auto o = req.Query("org_id"); o && !o->empty()) {
                  auto id = PositiveId(*o);
                  if (!id) {
                    return Response::FromError(Error::InvalidArgument(
                        "代报单位无效", {{"org_id", "代报单位", "单位编号应为正整数"}}));
                  }
                  unit = orgs::OrgId{*id};
                }
                auto report = d.resources.Import(p, unit, SheetFromTable(*table), dry_run);
                if (!report) return Response::FromError(report.error());
                json body = ImportReportJson(*report);
                if (!report->errors.empty() && !dry_run) {
                  Error e = Error::InvalidArgument(
                      "导入失败：" + std::to_string(report->errors.size()) +
                      " 处错误，未写入任何数据，请修改后重新导入");
                  body = {{"error", {{"code", "invalid_argument"},
                                     {"message", e.message},
                                     {"fields", json::array()}}},
                          {"report", body}};
                  for (const auto& re : report->errors) {
                    body["error"]["fields"].push_back(
                        {{"row", re.row}, {"field", re.field}, {"label", re.label},
                         {"message", "第 " + std::to_string(re.row) + " 行：" + re.message}});
                  }
                  return Response::Json(400, body);
                }
                return Response::Json(200, body);
              }),
              32u << 20,
              "批量导入（xlsx/CSV；dry_run=true 只校验不写入；全部成功才写入；org_id "
              "代下属单位导入；填写资源ID 的行更新该资源）"});

  auto export_handler = [d](bool as_xlsx) {
    return d.authed([d, as_xlsx](Request& req, const Principal& p) {
      auto filter = ResourceFilterFrom(req);
      std::optional<orgs::OrgId> unit;
      if (auto o = req.Query("org_id"); o && !o->empty())
        unit = orgs::OrgId{std::atoll(o->c_str())};
      auto campaign = ParseExportCampaign(d, req);
      if (!campaign) return Response::FromError(campaign.error());
      auto bytes = ExportResources(d, p, filter, unit, *campaign, as_xlsx);
      if (!bytes) return Response::FromError(bytes.error());
      if (as_xlsx) {
        return Download(std::move(*bytes), kXlsxType, "resources.xlsx",
                        std::string(kCatalogName) + ".xlsx");
      }
      return Download(std::move(*bytes), "text/csv; charset=utf-8", "resources.csv",
                      std::string(kCatalogName) + ".csv");
    });
  };
  router.Add({"GET", "/api/v1/resources/export.xlsx", export_handler(true), 1024,
              "导出资源元数据（xlsx，表头为标准字段名，另附报送单位、状态、征集批次、发布批次、"
              "技术检测；campaign_id 只导出该征集批次的资源）"});
  router.Add({"GET", "/api/v1/resources/export.csv", export_handler(false), 1024,
              "导出资源元数据（UTF-8 CSV；列与 xlsx 相同，campaign_id 同上）"});

  router.Add({"POST", "/api/v1/resources/media-match",
              d.authed([d](Request& req, const Principal& p) {
                auto body = ParseJsonObject(req);
                if (!body) return Response::FromError(body.error());
                auto files = body->find("files");
                std::vector<std::string> names;
                bool ok = files != body->end() && files->is_array();
                if (ok) {
                  for (const auto& f : *files) {
                    if (!f.is_string() || f.get<std::string>().empty()) {
                      ok = false;
                      break;
                    }
                    names.push_back(f.get<std::string>());
                  }
                }
                if (!ok) {
                  return Response::FromError(Error::InvalidArgument(
                      "请求格式错误", {{"files", "文件", "files 应为文件名列表"}}));
                }
                auto matches = d.resources.MatchFiles(p, names);
                if (!matches) return Response::FromError(matches.error());
                json items = json::array();
                std::map<std::string, int> counts = {
                    {"matched", 0}, {"unmatched", 0}, {"ambiguous", 0}, {"unsupported", 0}};
                for (const auto& m : *matches) {
                  ++counts[m.status];
                  json candidates = json::array();
                  for (const auto& c : m.candidates) {
                    candidates.push_back({{"id", c.id.value}, {"title", c.meta.title}});
                  }
                  items.push_back(
                      {{"name", m.name},
                       {"kind", m.kind.empty() ? json(nullptr) : json(m.kind)},
                       {"status", m.status},
                       {"matched_by", m.matched_by.empty() ? json(nullptr) : json(m.matched_by)},
                       {"message", m.message},
                       {"resource_id", m.resource ? json(m.resource->id.value) : json(nullptr)},
                       {"title", m.resource ? json(m.resource->meta.title) : json(nullptr)},
                       {"version", m.resource ? json(m.resource->version) : json(nullptr)},
                       {"has_cover", m.resource ? json(m.resource->cover.has_value()) : json(nullptr)},
                       {"candidates", candidates}});
                }
                return Response::Json(200, {{"items", items},
                                            {"matched", counts["matched"]},
                                            {"unmatched", counts["unmatched"]},
                                            {"ambiguous", counts["ambiguous"]},
                                            {"unsupported", counts["unsupported"]}});
              }),
              1u << 20,
              "批量上传媒体与封面：文件名 → 本单位可编辑的资源（先按导入表的媒体/封面文件名列，"
              "再按资源名称 = 去掉扩展名的文件名）"});

  router.Add({"GET", "/api/v1/resources/template.xlsx",
              [](Request&) {
                auto bytes = TemplateXlsx();
                if (!bytes) return Response::FromError(bytes.error());
                return Download(std::move(*bytes), kXlsxType, "template.xlsx",
                                std::string(kTemplateName) + ".xlsx");
              },
              1024, "批量导入模板（表头 + 示例行 + 字段说明）"});
}

}  // namespace lep::app
