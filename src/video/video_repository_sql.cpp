#include "video/video_repository.h"

namespace lep::video {
namespace {

using nlohmann::json;
using storage::Row;
using storage::Value;

constexpr const char* kCaptionCols =
    "id, resource_id, language, label, blob, filename, encoding, source_format, cue_count, "
    "flagged, created_by, created_at";

Caption CaptionFromRow(const Row& r) {
  Caption c;
  c.id = r.Int(0);
  c.resource_id = r.Int(1);
  c.language = r.Text(2);
  c.label = r.Text(3);
  c.blob = r.Text(4);
  c.filename = r.Text(5);
  c.encoding = r.Text(6);
  c.source_format = r.Text(7);
  c.cue_count = r.Int(8);
  c.flagged = json::parse(r.Text(9), nullptr, false);
  if (!c.flagged.is_array()) c.flagged = json::array();
  c.created_by = r.OptInt(10);
  c.created_at = r.Int(11);
  return c;
}

class SqlVideoRepository final : public VideoRepository {
 public:
  explicit SqlVideoRepository(storage::Database& db) : db_(db) {}

  Status DropLadder(storage::SqlExecutor& tx, int64_t resource_id, int64_t now) override {
    LEP_RETURN_IF_ERROR(tx.Exec("INSERT INTO video_trash (blob, added_at) SELECT blob, ? FROM "
                                "video_files WHERE resource_id = ? ON CONFLICT (blob) DO NOTHING",
                                {now, resource_id})
                            .map([](auto&&) {}));
    LEP_RETURN_IF_ERROR(
        tx.Exec("DELETE FROM video_files WHERE resource_id = ?", {resource_id}).map([](auto&&) {}));
    return tx.Exec("DELETE FROM video_ladders WHERE resource_id = ?", {resource_id})
        .map([](auto&&) {});
  }

  Result<bool> SaveLadder(storage::SqlExecutor& tx, const Ladder& l,
                          const std::vector<VideoFile>& files) override {
    // The compare-and-set doubles as the lock on the media row (both dialects): a media
    // change running now waits, then drops what we write; one that won fails this.
    LEP_ASSIGN_OR_RETURN(auto cas, tx.Exec("UPDATE media SET state = state WHERE resource_id = "
                                           "? AND playback_blob = ?",
                                           {l.resource_id, l.source_blob}));
    if (cas.affected != 1) return false;
    LEP_RETURN_IF_ERROR(DropLadder(tx, l.resource_id, l.created_at));
    LEP_RETURN_IF_ERROR(
        tx.Exec("INSERT INTO video_ladders (resource_id, source_blob, renditions, poster_blob, "
                "thumbnails_blob, made_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                {l.resource_id, l.source_blob, RenditionsJson(l.renditions).dump(), l.poster_blob,
                 l.thumbnails_blob, l.made_by, l.created_at})
            .map([](auto&&) {}));
    for (const VideoFile& f : files) {
      LEP_RETURN_IF_ERROR(tx.Exec("INSERT INTO video_files (blob, resource_id, ext, "
                                  "content_type) VALUES (?, ?, ?, ?)",
                                  {f.blob, l.resource_id, f.ext, f.content_type})
                              .map([](auto&&) {}));
    }
    return true;
  }

  Result<std::optional<Ladder>> GetLadder(int64_t resource_id) override {
    LEP_ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT resource_id, source_blob, renditions, "
                                                "poster_blob, thumbnails_blob, made_by, "
                                                "created_at FROM video_ladders WHERE "
                                                "resource_id = ?",
                                                {resource_id}));
    if (!row) return std::optional<Ladder>();
    Ladder l;
    l.resource_id = row->Int(0);
    l.source_blob = row->Text(1);
    l.renditions = RenditionsFromJson(json::parse(row->Text(2), nullptr, false));
    l.poster_blob = row->Text(3);
    l.thumbnails_blob = row->Text(4);
    l.made_by = row->Text(5);
    l.created_at = row->Int(6);
    return std::optional<Ladder>(std::move(l));
  }

  Result<std::optional<VideoFile>> GetFile(int64_t resource_id, const std::string& blob) override {
    LEP_ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT blob, ext, content_type FROM video_files "
                                                "WHERE blob = ? AND resource_id = ?",
                                                {blob, resource_id}));
    if (!row) return std::optional<VideoFile>();
    return std::optional<VideoFile>(VideoFile{row->Text(0), row->Text(1), row->Text(2)});
  }

  Result<std::vector<Caption>> Captions(int64_t resource_id) override {
    LEP_ASSIGN_OR_RETURN(auto res, db_.Exec(std::string("SELECT ") + kCaptionCols +
                                                " FROM video_captions WHERE resource_id = ? "
                                                "ORDER BY id",
                                            {resource_id}));
    std::vector<Caption> out;
    for (const auto& r : res.rows) out.push_back(CaptionFromRow(r));
    return out;
  }

  Result<std::optional<Caption>> GetCaption(int64_t resource_id, int64_t caption_id) override {
    LEP_ASSIGN_OR_RETURN(auto row, db_.QueryOne(std::string("SELECT ") + kCaptionCols +
                                                    " FROM video_captions WHERE id = ? AND "
                                                    "resource_id = ?",
                                                {caption_id, resource_id}));
    if (!row) return std::optional<Caption>();
    return std::optional<Caption>(CaptionFromRow(*row));
  }

  Result<std::optional<Caption>> CaptionByBlob(int64_t resource_id,
                                               const std::string& blob) override {
    LEP_ASSIGN_OR_RETURN(auto row, db_.QueryOne(std::string("SELECT ") + kCaptionCols +
                                                    " FROM video_captions WHERE blob = ? AND "
                                                    "resource_id = ?",
                                                {blob, resource_id}));
    if (!row) return std::optional<Caption>();
    return std::optional<Caption>(CaptionFromRow(*row));
  }

  Result<int64_t> PutCaption(storage::SqlExecutor& tx, const Caption& c, int64_t now) override {
    LEP_RETURN_IF_ERROR(tx.Exec("INSERT INTO video_trash (blob, added_at) SELECT blob, ? FROM "
                                "video_captions WHERE resource_id = ? AND language = ? ON "
                                "CONFLICT (blob) DO NOTHING",
                                {now, c.resource_id, c.language})
                            .map([](auto&&) {}));
    LEP_RETURN_IF_ERROR(tx.Exec("DELETE FROM video_captions WHERE resource_id = ? AND language = ?",
                                {c.resource_id, c.language})
                            .map([](auto&&) {}));
    Value by = c.created_by ? Value(*c.created_by) : Value(nullptr);
    LEP_ASSIGN_OR_RETURN(
        auto row,
        tx.QueryOne("INSERT INTO video_captions (resource_id, language, label, blob, filename, "
                    "encoding, source_format, cue_count, flagged, created_by, created_at) VALUES "
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    {c.resource_id, c.language, c.label, c.blob, c.filename, c.encoding,
                     c.source_format, c.cue_count, c.flagged.dump(), by, c.created_at}));
    return row->Int(0);
  }

  Result<bool> DeleteCaption(storage::SqlExecutor& tx, int64_t resource_id, int64_t caption_id,
                             int64_t now) override {
    LEP_RETURN_IF_ERROR(tx.Exec("INSERT INTO video_trash (blob, added_at) SELECT blob, ? FROM "
                                "video_captions WHERE id = ? AND resource_id = ? ON CONFLICT "
                                "(blob) DO NOTHING",
                                {now, caption_id, resource_id})
                            .map([](auto&&) {}));
    LEP_ASSIGN_OR_RETURN(auto res, tx.Exec("DELETE FROM video_captions WHERE id = ? AND "
                                           "resource_id = ?",
                                           {caption_id, resource_id}));
    return res.affected == 1;
  }

  Result<std::set<int64_t>> WithCaptions(const std::vector<int64_t>& ids) override {
    std::set<int64_t> out;
    for (size_t i = 0; i < ids.size(); i += 500) {
      std::string in;
      std::vector<Value> params;
      for (size_t k = i; k < ids.size() && k < i + 500; ++k) {
        in += params.empty() ? "?" : ", ?";
        params.push_back(ids[k]);
      }
      LEP_ASSIGN_OR_RETURN(auto res, db_.Exec("SELECT DISTINCT resource_id FROM video_captions "
                                              "WHERE resource_id IN (" +
                                                  in + ")",
                                              params));
      for (const auto& r : res.rows) out.insert(r.Int(0));
    }
    return out;
  }

  Result<std::vector<std::string>> Trash(int limit) override {
    LEP_ASSIGN_OR_RETURN(auto res, db_.Exec("SELECT blob FROM video_trash ORDER BY added_at, blob "
                                            "LIMIT ?",
                                            {int64_t{limit}}));
    std::vector<std::string> out;
    for (const auto& r : res.rows) out.push_back(r.Text(0));
    return out;
  }

  Status Forget(const std::vector<std::string>& blobs) override {
    for (const auto& b : blobs) {
      LEP_RETURN_IF_ERROR(
          db_.Exec("DELETE FROM video_trash WHERE blob = ?", {b}).map([](auto&&) {}));
    }
    return Ok();
  }

 private:
  storage::Database& db_;
};

}  // namespace

json RenditionsJson(const std::vector<Rendition>& rs) {
  json out = json::array();
  for (const auto& r : rs) {
    out.push_back({{"name", r.name},
                   {"audio", r.audio},
                   {"width", r.width},
                   {"height", r.height},
                   {"frame_rate", r.frame_rate},
                   {"codecs", r.codecs},
                   {"bandwidth", r.bandwidth},
                   {"average_bandwidth", r.average_bandwidth},
                   {"playlist", r.playlist},
                   {"encode_seconds", r.encode_seconds}});
  }
  return out;
}

std::vector<Rendition> RenditionsFromJson(const json& j) {
  std::vector<Rendition> out;
  if (!j.is_array()) return out;
  for (const auto& e : j) {
    if (!e.is_object()) continue;
    Rendition r;
    r.name = e.value("name", "");
    r.audio = e.value("audio", false);
    r.width = e.value("width", 0);
    r.height = e.value("height", 0);
    r.frame_rate = e.value("frame_rate", 0.0);
    r.codecs = e.value("codecs", "");
    r.bandwidth = e.value("bandwidth", int64_t{0});
    r.average_bandwidth = e.value("average_bandwidth", int64_t{0});
    r.playlist = e.value("playlist", "");
    r.encode_seconds = e.value("encode_seconds", 0.0);
    out.push_back(std::move(r));
  }
  return out;
}

std::unique_ptr<VideoRepository> NewSqlVideoRepository(storage::Database& db) {
  return std::make_unique<SqlVideoRepository>(db);
}

}  // namespace lep::video
