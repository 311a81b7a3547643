// VideoRepository: the ladder of each video resource, its files, its captions and the trash
// of blobs no longer referenced — the only code that reads or writes the video_* tables.
// A ladder is saved only when it was made from the resource's current playback copy (a
// compare-and-set that also locks the media row, so a concurrent media change either waits
// for it and then drops it, or makes it fail). Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"
#include "storage/db/database.h"
#include "video/ladder.h"

namespace lep::video {

struct Ladder {
  int64_t resource_id = 0;
  std::string source_blob;  // the media's playback blob it was made from
  std::vector<Rendition> renditions;
  std::string poster_blob;      // "" when the resource had a cover
  std::string thumbnails_blob;  // the seek-preview WebVTT
  std::string made_by;          // the worker (lease owner) that made it
  int64_t created_at = 0;
};

struct VideoFile {
  std::string blob;
  std::string ext;  // "m3u8", "mp4", "m4s", "jpg", "vtt"
  std::string content_type;
};

struct Caption {
  int64_t id = 0;
  int64_t resource_id = 0;
  std::string language;       // BCP 47, e.g. "zh"
  std::string label;          // e.g. "中文"
  std::string blob;           // the stored WebVTT
  std::string filename;       // as uploaded
  std::string encoding;       // as detected: "UTF-8", "GB18030", …
  std::string source_format;  // "srt" | "vtt"
  int64_t cue_count = 0;
  nlohmann::json flagged = nlohmann::json::array();  // sensitive-word hits [{line, word, matched}]
  std::optional<int64_t> created_by;
  int64_t created_at = 0;
};

nlohmann::json RenditionsJson(const std::vector<Rendition>& r);
std::vector<Rendition> RenditionsFromJson(const nlohmann::json& j);

class VideoRepository {
 public:
  virtual ~VideoRepository() = default;
  // The media of resource_id changed (inside that transaction): its ladder and files go, their
  // blobs to the trash.
  [[nodiscard]] virtual Status DropLadder(storage::SqlExecutor& tx, int64_t resource_id,
                                          int64_t now) = 0;
  // Saves a finished ladder and its files when ladder.source_blob is still the media's
  // playback blob; false (nothing written) otherwise.
  [[nodiscard]] virtual Result<bool> SaveLadder(storage::SqlExecutor& tx, const Ladder& ladder,
                                                const std::vector<VideoFile>& files) = 0;
  [[nodiscard]] virtual Result<std::optional<Ladder>> GetLadder(int64_t resource_id) = 0;
  // The file of resource_id's ladder named blob, when there is one.
  [[nodiscard]] virtual Result<std::optional<VideoFile>> GetFile(int64_t resource_id,
                                                                 const std::string& blob) = 0;

  [[nodiscard]] virtual Result<std::vector<Caption>> Captions(int64_t resource_id) = 0;
  [[nodiscard]] virtual Result<std::optional<Caption>> GetCaption(int64_t resource_id,
                                                                  int64_t caption_id) = 0;
  [[nodiscard]] virtual Result<std::optional<Caption>> CaptionByBlob(int64_t resource_id,
                                                                     const std::string& blob) = 0;
  // Inserts c, replacing the caption of the same language (whose blob goes to the trash);
  // returns the new id.
  [[nodiscard]] virtual Result<int64_t> PutCaption(storage::SqlExecutor& tx, const Caption& c,
                                                   int64_t now) = 0;
  // Deletes one caption (its blob to the trash); false when there was none.
  [[nodiscard]] virtual Result<bool> DeleteCaption(storage::SqlExecutor& tx, int64_t resource_id,
                                                   int64_t caption_id, int64_t now) = 0;
  // Which of ids have at least one caption.
  [[nodiscard]] virtual Result<std::set<int64_t>> WithCaptions(const std::vector<int64_t>& ids) = 0;

  // Up to `limit` blobs of the trash; Forget removes them from it once the files are gone.
  [[nodiscard]] virtual Result<std::vector<std::string>> Trash(int limit) = 0;
  [[nodiscard]] virtual Status Forget(const std::vector<std::string>& blobs) = 0;
};

std::unique_ptr<VideoRepository> NewSqlVideoRepository(storage::Database& db);

}  // namespace lep::video
