// Spreadsheet glue between lep::xlsx tables and the resource service, shared by the HTTP
// adapter and the `lep import` command.
#pragma once

#include "app/api_common.h"
#include "ingest/ingest_service.h"
#include "orgs/org_repository.h"
#include "resources/resource_service.h"
#include "review/batch_repository.h"
#include "review/campaign_repository.h"
#include "xlsx/spreadsheet.h"

namespace lep::app {

// What the import/export routes use (app/resources_io_api.cpp).
struct ResourceIoDeps {
  RouteGuard authed;
  resources::ResourceService& resources;
  ingest::IngestService& ingest;
  review::CampaignRepository& campaigns;  // the export's campaign column and filter
  review::BatchRepository& batches;
  orgs::OrgRepository& org_repo;
};

resources::SheetData SheetFromTable(const xlsx::Table& t);
json ImportReportJson(const resources::ImportReport& r);
resources::ResourceFilter ResourceFilterFrom(const http::Request& req);
std::vector<double> ExportColumnWidths();
// CSV with cells that would run as formulas (xlsx::NeutraliseFormula: = + - @ tab CR and the
// full-width forms) prefixed with ' ; SheetFromTable strips that prefix again
// (xlsx::RestoreFormulaText), so export → import round-trips, for .xlsx exports too.
std::string WriteSafeCsv(const resources::SheetData& sheet);
[[nodiscard]] Result<std::string> TemplateXlsx();

// The export: the standard fields, then 报送单位, 状态, 征集批次, 发布批次 and 技术检测 — every
// resource the caller may see that matches filter (and campaign, when given), oldest first.
// Written page by page (xlsx in constant memory), so its memory does not grow with the rows.
std::vector<std::string> ExportResourceHeader();
[[nodiscard]] Result<std::string> ExportResources(const ResourceIoDeps& d, const auth::Principal& p,
                                                  resources::ResourceFilter filter,
                                                  std::optional<orgs::OrgId> unit,
                                                  std::optional<int64_t> campaign_id, bool as_xlsx);
// campaign_id of the request: absent → nullopt; not a known campaign → 400 naming the field.
[[nodiscard]] Result<std::optional<int64_t>> ParseExportCampaign(const ResourceIoDeps& d,
                                                                 const http::Request& req);

}  // namespace lep::app
