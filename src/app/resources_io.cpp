#include "app/resources_io.h"

#include <set>

#include "resources/sheet_mapping.h"

namespace lep::app {

resources::SheetData SheetFromTable(const xlsx::Table& t) {
  resources::SheetData s;
  s.header = t.header;
  s.rows = t.rows;
  s.row_numbers = t.row_numbers;
  for (auto& row : s.rows) {
    for (auto& cell : row) cell = xlsx::RestoreFormulaText(cell);
  }
  return s;
}

json ImportReportJson(const resources::ImportReport& r) {
  json errors = json::array();
  for (const auto& e : r.errors) {
    errors.push_back({{"row", e.row}, {"field", e.field}, {"label", e.label}, {"message", e.message}});
  }
  json ids = json::array();
  for (const auto& id : r.created) ids.push_back(id.value);
  return {{"dry_run", r.dry_run},
          {"total_rows", r.total_rows},
          {"valid_rows", r.valid_rows},
          {"error_rows", [&] {
             std::set<int> rows;
             for (const auto& e : r.errors) rows.insert(e.row);
             return rows.size();
           }()},
          {"created", r.created.size()},
          {"created_ids", ids},
          {"unknown_columns", r.unknown_columns},
          {"errors", errors}};
}

resources::ResourceFilter ResourceFilterFrom(const http::Request& req) {
  resources::ResourceFilter f;
  auto opt = [&](const char* name) -> std::optional<std::string> {
    auto v = req.Query(name);
    if (!v || v->empty()) return std::nullopt;
    return v;
  };
  f.type = opt("type");
  if (f.type) {
    if (auto t = resources::ParseType(*f.type)) f.type = std::string(resources::TypeCode(*t));
  }
  f.domain = opt("domain");
  if (f.domain) {
    if (auto d = resources::ParseDomain(*f.domain)) f.domain = *d;
  }
  f.state = opt("state");
  f.series = opt("series");
  f.q = opt("q");
  if (auto p = opt("page")) f.page = std::max(1, std::atoi(p->c_str()));
  if (auto s = opt("page_size")) f.page_size = std::clamp(std::atoi(s->c_str()), 1, 100);
  return f;
}

std::vector<double> ExportColumnWidths() {
  return {8, 30, 8, 14, 14, 30, 18, 8, 40, 10, 12, 20, 24, 10, 10, 20, 30, 20, 30};
}

std::string WriteSafeCsv(const resources::SheetData& sheet) {
  xlsx::Table t;  // WriteCsv neutralises every cell (xlsx::NeutraliseFormula)
  t.header = sheet.header;
  t.rows = sheet.rows;
  return xlsx::WriteCsv(t);
}

Result<std::string> TemplateXlsx() {
  xlsx::SheetSpec data{"资源元数据", resources::ExportHeader(),
                       {resources::TemplateExampleRow()}, ExportColumnWidths()};
  xlsx::SheetSpec help{"填写说明", {"字段", "是否必填", "填写规则"}, {}, {16, 10, 80}};
  for (const auto& f : resources::FieldSpecs()) {
    help.rows.push_back({std::string(f.label), f.required ? "必填" : "选填", std::string(f.rule)});
  }
  help.rows.push_back({"说明", "",
                       "第一行为表头，列的顺序可以调整；资源ID 由平台生成，导入时忽略；"
                       "资源封面请在导入后逐条上传 JPG 图片；示例行请删除后再导入。"});
  return xlsx::WriteXlsx({data, help});
}

}  // namespace lep::app
