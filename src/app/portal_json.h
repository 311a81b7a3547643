// The JSON shapes of the public portal (list entries, detail, home), rendered once per change
// and kept by portal::PortalService and the search index. Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "portal/portal_service.h"

namespace lep::app {

// A published resource as the public sees it (detail: with toc and the series' items).
nlohmann::json PublicJson(const resources::PublishedResource& p, bool detail);
nlohmann::json PublicListJson(const std::vector<resources::PublishedResource>& v);
// The renderers PortalService and SearchFeed use.
portal::PortalRenderers PortalJsonRenderers();

}  // namespace lep::app
