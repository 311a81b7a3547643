// Spreadsheet glue between lep::xlsx tables and the resource service, shared by the HTTP
// adapter and the `lep import` command.
#pragma once

#include "app/api_common.h"
#include "resources/resource_service.h"
#include "xlsx/spreadsheet.h"

namespace lep::app {

resources::SheetData SheetFromTable(const xlsx::Table& t);
json ImportReportJson(const resources::ImportReport& r);
resources::ResourceFilter ResourceFilterFrom(const http::Request& req);
std::vector<double> ExportColumnWidths();
// CSV with cells that would run as formulas (xlsx::NeutraliseFormula: = + - @ tab CR and the
// full-width forms) prefixed with ' ; SheetFromTable strips that prefix again
// (xlsx::RestoreFormulaText), so export → import round-trips, for .xlsx exports too.
std::string WriteSafeCsv(const resources::SheetData& sheet);
[[nodiscard]] Result<std::string> TemplateXlsx();

}  // namespace lep::app
