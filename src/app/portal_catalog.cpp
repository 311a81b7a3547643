#include "app/portal_catalog.h"

#include "app/app_context.h"
#include "app/portal_json.h"
#include "app/resources_io.h"
#include "http/file_response.h"
#include "resources/sheet_mapping.h"
#include "xlsx/spreadsheet.h"

namespace lep::app {
namespace {

using resources::PublishedResource;

constexpr const char* kSheetName = "国家终身教育数字化学习资源目录";

// {"items":[…]} — the same entries as the portal's lists.
class JsonWriter final : public portal::CatalogWriter {
 public:
  Result<std::string> Chunk(const std::vector<PublishedResource>& rows) override {
    std::string out = Open();
    for (const auto& item : PublicListJson(rows)) {
      if (!first_) out += ',';
      first_ = false;
      out += item.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    return out;
  }
  Result<std::string> Finish() override { return Open() + "]}"; }

 private:
  std::string Open() {
    if (opened_) return "";
    opened_ = true;
    return "{\"items\":[";
  }
  bool opened_ = false;
  bool first_ = true;
};

// The export columns, UTF-8 with BOM, cells starting with = + @ defused.
class CsvWriter final : public portal::CatalogWriter {
 public:
  Result<std::string> Chunk(const std::vector<PublishedResource>& rows) override {
    resources::SheetData sheet;
    sheet.header = resources::ExportHeader();
    for (const auto& p : rows) sheet.rows.push_back(resources::ExportRow(p.resource));
    std::string csv = WriteSafeCsv(sheet);
    if (!header_written_) {
      header_written_ = true;
      return csv;
    }
    size_t end = csv.find("\r\n");  // BOM and header: written with the first chunk
    return end == std::string::npos ? std::string() : csv.substr(end + 2);
  }
  Result<std::string> Finish() override {
    if (header_written_) return std::string();
    return Chunk({});
  }

 private:
  bool header_written_ = false;
};

// The workbook is written at the end (the zip holds every row).
class XlsxWriter final : public portal::CatalogWriter {
 public:
  explicit XlsxWriter(size_t sheet_rows) : sheet_rows_(sheet_rows) {}
  Result<std::string> Chunk(const std::vector<PublishedResource>& rows) override {
    for (const auto& p : rows) {
      if (sheets_.empty() || sheets_.back().rows.size() >= sheet_rows_) NewSheet();
      sheets_.back().rows.push_back(resources::ExportRow(p.resource));
    }
    return std::string();
  }
  Result<std::string> Finish() override {
    if (sheets_.empty()) NewSheet();
    return xlsx::WriteXlsx(sheets_);
  }

 private:
  void NewSheet() {
    std::string name = kSheetName;
    if (!sheets_.empty()) name += "（" + std::to_string(sheets_.size() + 1) + "）";
    sheets_.push_back({name, resources::ExportHeader(), {}, ExportColumnWidths()});
  }
  size_t sheet_rows_;
  std::vector<xlsx::SheetSpec> sheets_;
};

}  // namespace

std::vector<portal::CatalogFormat> CatalogFormats(size_t xlsx_sheet_rows) {
  return {
      {"json", "application/json; charset=utf-8", [] { return std::make_unique<JsonWriter>(); }},
      {"csv", "text/csv; charset=utf-8", [] { return std::make_unique<CsvWriter>(); }},
      {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
       [xlsx_sheet_rows] { return std::make_unique<XlsxWriter>(xlsx_sheet_rows); }},
  };
}

http::Response ServePreparedFile(const http::Request& req, const portal::CatalogFile& f,
                                 int max_age_s, const std::string& download_name) {
  http::Response r;
  r.content_type = f.content_type;
  r.SetHeader("ETag", f.etag);
  r.SetHeader("Accept-Ranges", "bytes");
  r.SetHeader("Cache-Control", "public, max-age=" + std::to_string(max_age_s));
  if (!download_name.empty()) {
    r.SetHeader("Content-Disposition", "attachment; filename=\"" + download_name + "\"");
  }
  return http::FileResponse(req, std::move(r), f.path, f.size, f.etag);
}

portal::PublicMedia::Resolver PublicMediaResolver(AppContext& ctx) {
  return [&ctx](resources::ResourceId id) -> Result<std::optional<portal::PublicMediaFile>> {
    LEP_ASSIGN_OR_RETURN(auto published, ctx.resource_repo->FilterPublished({id}));
    if (published.empty()) return std::optional<portal::PublicMediaFile>();
    LEP_ASSIGN_OR_RETURN(auto media, ctx.ingest->Media(id));
    if (!media) return std::optional<portal::PublicMediaFile>();
    LEP_ASSIGN_OR_RETURN(auto path, ctx.blobs->PathOf(media->playback_blob));
    return std::optional<portal::PublicMediaFile>(
        portal::PublicMediaFile{path, media->kind == "audio" ? "audio/mpeg" : "video/mp4",
                                media->playback_sha256.substr(0, 32)});
  };
}

}  // namespace lep::app
