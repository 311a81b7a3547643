// JSON shapes of resources for the HTTP adapters (field names per SPEC §2).
#pragma once

#include "app/api_common.h"
#include "resources/metadata.h"
#include "resources/resource.h"
#include "resources/toc.h"

namespace lep::app {

// Reads the standard fields of a JSON object into text form: strings as-is, integers as
// decimal, arrays of strings joined with ";". Wrong JSON types are field errors.
[[nodiscard]] Result<resources::MetadataInput> MetadataInputFromJson(const http::Request& req);
json MetadataJson(const resources::Metadata& m);
// detail: include toc and its parsed tree.
json ResourceJson(const resources::Resource& r, bool detail = true);
json TocJson(const resources::TocNode& n);

}  // namespace lep::app
