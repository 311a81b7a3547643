// 资源目录 (toc): an XML string, parsed with pugixml. DOCTYPE and ENTITY declarations are
// rejected before parsing, so no entity expansion (billion laughs, external entities) can
// happen. Pure; thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace lep::resources {

inline constexpr size_t kMaxTocBytes = 256 * 1024;

struct TocNode {
  std::string tag;
  std::string title;  // attribute title|name|label, else the element's own trimmed text
  std::map<std::string, std::string> attrs;
  std::vector<TocNode> children;
};

// Parses and checks the toc; errors carry a Chinese message (no field details).
[[nodiscard]] Result<TocNode> ParseToc(std::string_view xml);

}  // namespace lep::resources
