// Validation of resource metadata against 附件2 表1 (SPEC §2). Input is every field as text,
// exactly as a JSON body or a spreadsheet cell gave it; output is normalised Metadata or one
// error carrying every field failure of the record at once. Pure; thread-safe.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/date.h"
#include "core/result.h"
#include "resources/resource.h"

namespace lep::resources {

// JSON field name → raw text. Absent keys are empty fields.
using MetadataInput = std::map<std::string, std::string>;

struct ValidationContext {
  Date today;  // in Asia/Shanghai
  // Whether a category path exists; null skips the check.
  std::function<bool(const std::string& path)> category_exists;
  // Nearest existing paths for a wrong one (for the error message).
  std::function<std::vector<std::string>(const std::string& path)> suggest_categories;
};

[[nodiscard]] Result<Metadata> ValidateMetadata(const MetadataInput& in,
                                                const ValidationContext& ctx);

// Splits a ;/；-separated list: trims entries, drops empties.
std::vector<std::string> SplitList(std::string_view s);
// Seconds of an hh:mm:ss duration, or -1 when malformed.
int64_t ParseDuration(std::string_view s);
std::string FormatDuration(int64_t seconds);
// http/https URL with a host, no spaces, no user:password@.
bool IsValidHttpUrl(std::string_view s);

}  // namespace lep::resources
