// The spreadsheet form of resource metadata: header row of the standard's Chinese field
// names (any order, spaces ignored), one resource per row. Pure; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "resources/metadata.h"
#include "resources/resource.h"

namespace lep::resources {

struct HeaderMap {
  std::vector<std::optional<std::string>> fields;  // per column: JSON field name or none
  std::vector<std::string> unknown;                // header texts we do not know
  std::vector<std::string> duplicate;              // fields named by two columns
};

HeaderMap MapHeader(const std::vector<std::string>& header);
MetadataInput RowToInput(const HeaderMap& map, const std::vector<std::string>& row);

// Export/template header: every standard field in the standard's order.
std::vector<std::string> ExportHeader();
std::vector<std::string> ExportRow(const Resource& r);
// One example row for the import template.
std::vector<std::string> TemplateExampleRow();

}  // namespace lep::resources
