// The public catalog's formats (JSON list entries, formula-safe CSV, xlsx in sheets of at most
// kXlsxSheetRows) for portal::CatalogFiles, the HTTP answer for a prepared file (ETag/304, a
// single Range, sendfile) and the resolver of portal::PublicMedia. Thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "http/message.h"
#include "ingest/ingest_service.h"
#include "portal/catalog_files.h"
#include "portal/public_media.h"
#include "resources/resource_repository.h"
#include "storage/blob/blob_store.h"

namespace lep::app {

// An xlsx worksheet holds 1 048 576 rows; larger catalogs continue on further sheets.
inline constexpr size_t kXlsxSheetRows = 1'000'000;

// What the CSV/xlsx catalog adds to the export columns: absolute links (from the configured
// public base URL, never a request's Host) and the publication batch's name.
struct CatalogColumns {
  std::string base_url;  // "https://lep.example.edu.cn"; "" leaves links relative
  std::function<std::string(int64_t batch_id)> batch_name;  // "" when unknown
};

// The export's columns plus 报送单位, 所在地区, 发布批次, 发布日期 and 资源页面.
std::vector<std::string> CatalogHeader();
std::vector<std::string> CatalogRow(const resources::PublishedResource& p,
                                    const CatalogColumns& columns, const std::string& batch);

std::vector<portal::CatalogFormat> CatalogFormats(CatalogColumns columns = {},
                                                  size_t xlsx_sheet_rows = kXlsxSheetRows);

// Serves a prepared file: 304 for a matching If-None-Match, 206 for a satisfiable Range (If-Range
// honoured), 416 otherwise, else the whole file; public, revalidated after max_age_s.
// download_name (ASCII) for old clients, utf8_name (e.g. 国家终身教育数字化学习资源目录.xlsx)
// as RFC 6266 filename* for the rest.
http::Response ServePreparedFile(const http::Request& req, const portal::CatalogFile& f,
                                 int max_age_s, const std::string& download_name,
                                 const std::string& utf8_name = "");
// attachment; filename="ascii"; filename*=UTF-8''<percent-encoded utf8_name>
std::string ContentDisposition(const std::string& ascii_name, const std::string& utf8_name);

// What portal::PublicMedia serves for a resource: its playback file if it is published now
// (one primary-key read and the media record).
portal::PublicMedia::Resolver PublicMediaResolver(resources::ResourceRepository& resource_repo,
                                                  ingest::IngestService& ingest,
                                                  storage::BlobStore& blobs);

}  // namespace lep::app
