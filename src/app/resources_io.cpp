#include "app/resources_io.h"

#include <map>
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
          {"update_rows", r.update_rows},
          {"updated", r.updated.size()},
          {"updated_ids", [&] {
             json u = json::array();
             for (const auto& id : r.updated) u.push_back(id.value);
             return u;
           }()},
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
  help.rows.push_back({"版本号", "选填",
                       "更新已有资源时可填写导出表中的版本号：资源在导出后被他人修改过则该行报错，"
                       "避免覆盖他人的修改"});
  help.rows.push_back({"说明", "",
                       "第一行为表头，列的顺序可以调整；资源ID 留空为新建，填写已有资源的资源ID "
                       "则更新该资源（须为本单位或所选代报单位的草稿或退回修改资源），不会重复创建；"
                       "省级单位可在导入页选择下属单位代为导入；封面与媒体文件可在导入后于"
                       "“批量上传媒体与封面”页面一次拖入，按文件名列或资源名称自动对应；"
                       "示例行请删除后再导入。"});
  return xlsx::WriteXlsx({data, help});
}

std::vector<std::string> ExportResourceHeader() {
  std::vector<std::string> h = resources::ExportHeader();
  for (const char* extra : {"报送单位", "状态", "征集批次", "发布批次", "技术检测"}) h.emplace_back(extra);
  return h;
}

Result<std::optional<int64_t>> ParseExportCampaign(const ResourceIoDeps& d,
                                                   const http::Request& req) {
  auto v = req.Query("campaign_id");
  if (!v || v->empty()) return std::optional<int64_t>();
  auto bad = [] {
    return Fail(Error::InvalidArgument("征集批次不存在",
                                       {{"campaign_id", "征集批次", "请选择已有的征集批次"}}));
  };
  char* end = nullptr;
  long long id = std::strtoll(v->c_str(), &end, 10);
  if (end == v->c_str() || *end != '\0' || id <= 0) return bad();
  LEP_ASSIGN_OR_RETURN(auto c, d.campaigns.Get(id));
  if (!c) return bad();
  return std::optional<int64_t>(id);
}

namespace {

// Names read once per export (units, campaigns, batches).
class ExportNames {
 public:
  explicit ExportNames(const ResourceIoDeps& d) : d_(d) {}
  Result<std::string> Unit(int64_t id) {
    return Cached(units_, id, [&]() -> Result<std::string> {
      LEP_ASSIGN_OR_RETURN(auto o, d_.org_repo.Get(orgs::OrgId{id}));
      return o ? o->name : std::string();
    });
  }
  Result<std::string> Campaign(const std::optional<int64_t>& id) {
    if (!id) return std::string();
    return Cached(campaigns_, *id, [&]() -> Result<std::string> {
      LEP_ASSIGN_OR_RETURN(auto c, d_.campaigns.Get(*id));
      return c ? c->name : std::string();
    });
  }
  Result<std::string> Batch(const std::optional<int64_t>& id) {
    if (!id) return std::string();
    return Cached(batches_, *id, [&]() -> Result<std::string> {
      LEP_ASSIGN_OR_RETURN(auto b, d_.batches.Get(*id));
      return b ? b->name : std::string();
    });
  }

 private:
  template <typename F>
  Result<std::string> Cached(std::map<int64_t, std::string>& m, int64_t id, F load) {
    if (auto it = m.find(id); it != m.end()) return it->second;
    LEP_ASSIGN_OR_RETURN(std::string name, load());
    return m.emplace(id, std::move(name)).first->second;
  }
  const ResourceIoDeps& d_;
  std::map<int64_t, std::string> units_, campaigns_, batches_;
};

}  // namespace

Result<std::string> ExportResources(const ResourceIoDeps& d, const auth::Principal& p,
                                    resources::ResourceFilter filter,
                                    std::optional<orgs::OrgId> unit,
                                    std::optional<int64_t> campaign_id, bool as_xlsx) {
  constexpr int kPage = 500;
  filter.page_size = kPage;
  filter.page = 1;
  LEP_ASSIGN_OR_RETURN(auto first, d.resources.List(p, filter, unit));
  const int pages = static_cast<int>((first.total + kPage - 1) / kPage);

  std::unique_ptr<xlsx::XlsxStream> stream;
  std::string csv;
  const std::vector<std::string> header = ExportResourceHeader();
  if (as_xlsx) {
    xlsx::SheetSpec layout{"资源元数据", header, {}, ExportColumnWidths()};
    for (double w : {30.0, 10.0, 24.0, 10.0, 10.0}) layout.column_widths.push_back(w);
    layout.number_columns.assign(header.size(), false);
    for (size_t c : {size_t{0}, size_t{13}, size_t{14}}) layout.number_columns[c] = true;
    LEP_ASSIGN_OR_RETURN(stream, xlsx::XlsxStream::Open(layout));
  } else {
    csv = xlsx::WriteCsv({header, {}, {}});
  }
  ExportNames names(d);
  // The list is newest first: its pages are read last to first so that the sheet reads
  // oldest first, one page in memory at a time.
  for (int page = pages; page >= 1; --page) {
    resources::ResourcePage got;
    if (page == 1) {
      got = std::move(first);
    } else {
      filter.page = page;
      LEP_ASSIGN_OR_RETURN(got, d.resources.List(p, filter, unit));
    }
    xlsx::Table chunk;
    for (auto it = got.items.rbegin(); it != got.items.rend(); ++it) {
      const resources::Resource& r = *it;
      if (campaign_id && r.workflow.campaign_id != campaign_id) continue;
      std::vector<std::string> row = resources::ExportRow(r);
      LEP_ASSIGN_OR_RETURN(std::string unit_name, names.Unit(r.org_id.value));
      LEP_ASSIGN_OR_RETURN(std::string campaign, names.Campaign(r.workflow.campaign_id));
      LEP_ASSIGN_OR_RETURN(std::string batch, names.Batch(r.workflow.batch_id));
      LEP_ASSIGN_OR_RETURN(auto verdict, d.ingest.TechnicalVerdict(r));
      row.push_back(unit_name);
      row.emplace_back(resources::StateLabel(r.state));
      row.push_back(campaign);
      row.push_back(batch);
      row.push_back(!verdict ? "未检测" : *verdict ? "通过" : "未通过");
      if (stream) {
        LEP_RETURN_IF_ERROR(stream->AddRow(row));
      } else {
        chunk.rows.push_back(std::move(row));
      }
    }
    if (!stream && !chunk.rows.empty()) {
      // WriteCsv starts with the BOM and the (here empty) header: drop that prefix.
      static const size_t kPrefix = xlsx::WriteCsv(xlsx::Table{}).size();
      csv += xlsx::WriteCsv(chunk).substr(kPrefix);
    }
  }
  if (stream) return stream->Finish();
  return csv;
}

}  // namespace lep::app
