// The public catalog's formats (JSON list entries, formula-safe CSV, xlsx in sheets of at most
// kXlsxSheetRows) for portal::CatalogFiles, the HTTP answer for a prepared file (ETag/304, a
// single Range, sendfile) and the resolver of portal::PublicMedia. Thread-safe.
#pragma once

#include <cstddef>
#include <vector>

#include "http/message.h"
#include "portal/catalog_files.h"
#include "portal/public_media.h"

namespace lep::app {

// An xlsx worksheet holds 1 048 576 rows; larger catalogs continue on further sheets.
inline constexpr size_t kXlsxSheetRows = 1'000'000;

std::vector<portal::CatalogFormat> CatalogFormats(size_t xlsx_sheet_rows = kXlsxSheetRows);

// Serves a prepared file: 304 for a matching If-None-Match, 206 for a satisfiable Range (If-Range
// honoured), 416 otherwise, else the whole file; public, revalidated after max_age_s.
http::Response ServePreparedFile(const http::Request& req, const portal::CatalogFile& f,
                                 int max_age_s, const std::string& download_name);

struct AppContext;
// What portal::PublicMedia serves for a resource: its playback file if it is published now
// (one primary-key read and the media record).
portal::PublicMedia::Resolver PublicMediaResolver(AppContext& ctx);

}  // namespace lep::app
