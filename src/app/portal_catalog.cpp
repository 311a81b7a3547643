#include "app/portal_catalog.h"

#include "app/portal_json.h"
#include "app/resources_io.h"
#include "core/date.h"
#include "core/text.h"
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

// The batch names of one build, read once each.
class BatchNames {
 public:
  explicit BatchNames(const CatalogColumns& c) : columns_(c) {}
  const std::string& Of(const std::optional<int64_t>& id) {
    static const std::string kNone;
    if (!id || !columns_.batch_name) return kNone;
    auto it = names_.find(*id);
    if (it == names_.end()) it = names_.emplace(*id, columns_.batch_name(*id)).first;
    return it->second;
  }

 private:
  const CatalogColumns& columns_;
  std::map<int64_t, std::string> names_;
};

// The catalog columns, UTF-8 with BOM, cells starting with = + @ defused.
class CsvWriter final : public portal::CatalogWriter {
 public:
  explicit CsvWriter(CatalogColumns columns) : columns_(std::move(columns)), batches_(columns_) {}
  Result<std::string> Chunk(const std::vector<PublishedResource>& rows) override {
    resources::SheetData sheet;
    sheet.header = CatalogHeader();
    for (const auto& p : rows) {
      sheet.rows.push_back(CatalogRow(p, columns_, batches_.Of(p.resource.workflow.batch_id)));
    }
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
  CatalogColumns columns_;
  BatchNames batches_;
  bool header_written_ = false;
};

// Written row by row in constant memory (xlsx::XlsxStream), continuing on a further sheet
// past sheet_rows; IDs and counts are number cells.
class XlsxWriter final : public portal::CatalogWriter {
 public:
  XlsxWriter(CatalogColumns columns, size_t sheet_rows)
      : columns_(std::move(columns)), batches_(columns_), sheet_rows_(sheet_rows) {}
  Result<std::string> Chunk(const std::vector<PublishedResource>& rows) override {
    for (const auto& p : rows) {
      if (!stream_ || in_sheet_ >= sheet_rows_) LEP_RETURN_IF_ERROR(NewSheet());
      LEP_RETURN_IF_ERROR(
          stream_->AddRow(CatalogRow(p, columns_, batches_.Of(p.resource.workflow.batch_id))));
      ++in_sheet_;
    }
    return std::string();
  }
  Result<std::string> Finish() override {
    if (!stream_) LEP_RETURN_IF_ERROR(NewSheet());
    return stream_->Finish();
  }

 private:
  Status NewSheet() {
    std::string name = kSheetName;
    if (sheets_ > 0) name += "（" + std::to_string(sheets_ + 1) + "）";
    std::vector<double> widths = ExportColumnWidths();
    for (double w : {30.0, 8.0, 10.0, 12.0, 40.0}) widths.push_back(w);
    xlsx::SheetSpec layout{name, CatalogHeader(), {}, widths};
    layout.number_columns.assign(layout.header.size(), false);
    for (size_t c : {size_t{0}, size_t{13}, size_t{14}}) layout.number_columns[c] = true;
    ++sheets_;
    in_sheet_ = 0;
    if (!stream_) {
      LEP_ASSIGN_OR_RETURN(stream_, xlsx::XlsxStream::Open(layout));
      return Ok();
    }
    return stream_->NextSheet(layout);
  }
  CatalogColumns columns_;
  BatchNames batches_;
  size_t sheet_rows_;
  std::unique_ptr<xlsx::XlsxStream> stream_;
  size_t sheets_ = 0;
  size_t in_sheet_ = 0;
};

}  // namespace

std::vector<std::string> CatalogHeader() {
  std::vector<std::string> h = resources::ExportHeader();
  for (const char* extra : {"报送单位", "所在地区", "发布批次", "发布日期", "资源页面"}) {
    h.emplace_back(extra);
  }
  return h;
}

std::vector<std::string> CatalogRow(const PublishedResource& p, const CatalogColumns& columns,
                                    const std::string& batch) {
  std::vector<std::string> row = resources::ExportRow(p.resource);
  const std::string id = std::to_string(p.resource.id.value);
  constexpr size_t kCoverColumn = 15;  // ExportRow's 资源封面: a path on this site
  if (row.size() > kCoverColumn && !row[kCoverColumn].empty()) {
    row[kCoverColumn] = columns.base_url + row[kCoverColumn];
  }
  const int64_t at = p.resource.workflow.published_at;
  row.push_back(p.unit_name);
  row.push_back(p.unit_region);
  row.push_back(batch);
  row.push_back(at > 0 ? DateFromUnixMs(at, 8).ToString() : "");
  row.push_back(columns.base_url + "/resources/" + id);
  return row;
}

std::vector<portal::CatalogFormat> CatalogFormats(CatalogColumns columns, size_t xlsx_sheet_rows) {
  return {
      {"json", "application/json; charset=utf-8", [] { return std::make_unique<JsonWriter>(); }},
      {"csv", "text/csv; charset=utf-8", [columns] { return std::make_unique<CsvWriter>(columns); }},
      {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
       [columns, xlsx_sheet_rows] {
         return std::make_unique<XlsxWriter>(columns, xlsx_sheet_rows);
       }},
  };
}

std::string ContentDisposition(const std::string& ascii_name, const std::string& utf8_name) {
  std::string out = "attachment; filename=\"" + ascii_name + "\"";
  if (utf8_name.empty()) return out;
  out += "; filename*=UTF-8''" + text::PercentEncode(utf8_name);
  return out;
}

http::Response ServePreparedFile(const http::Request& req, const portal::CatalogFile& f,
                                 int max_age_s, const std::string& download_name,
                                 const std::string& utf8_name) {
  http::Response r;
  r.content_type = f.content_type;
  r.SetHeader("ETag", f.etag);
  r.SetHeader("Accept-Ranges", "bytes");
  r.SetHeader("Cache-Control", "public, max-age=" + std::to_string(max_age_s));
  if (!download_name.empty()) {
    r.SetHeader("Content-Disposition", ContentDisposition(download_name, utf8_name));
  }
  return http::FileResponse(req, std::move(r), f.path, f.size, f.etag);
}

portal::PublicMedia::Resolver PublicMediaResolver(resources::ResourceRepository& resource_repo,
                                                  ingest::IngestService& ingest,
                                                  storage::BlobStore& blobs) {
  return [&resource_repo, &ingest,
          &blobs](resources::ResourceId id) -> Result<std::optional<portal::PublicMediaFile>> {
    LEP_ASSIGN_OR_RETURN(auto published, resource_repo.FilterPublished({id}));
    if (published.empty()) return std::optional<portal::PublicMediaFile>();
    LEP_ASSIGN_OR_RETURN(auto media, ingest.Media(id));
    if (!media) return std::optional<portal::PublicMediaFile>();
    LEP_ASSIGN_OR_RETURN(auto path, blobs.PathOf(media->playback_blob));
    return std::optional<portal::PublicMediaFile>(
        portal::PublicMediaFile{path, media->kind == "audio" ? "audio/mpeg" : "video/mp4",
                                media->playback_sha256.substr(0, 32)});
  };
}

}  // namespace lep::app
