// MediaRepository: the stored media file of each A01/A02 resource (original and playback copy,
// probe, per-rule 附件1 report) and the last A03 link check. The only code that reads or
// writes `media`, `link_checks` and `fixity_checks`. Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "storage/db/database.h"

namespace lep::ingest {

struct MediaRecord {
  int64_t resource_id = 0;
  std::string blob;  // the uploaded file, as received (its SHA-256 below)
  std::string sha256;
  int64_t size = 0;
  std::string filename;
  std::string kind;           // "video" | "audio"
  std::string playback_blob;  // what is played: the original, or its faststart remux
  std::string playback_sha256;
  nlohmann::json probe;
  nlohmann::json report;
  bool passed = false;
  std::string state;  // "remuxing" | "ready"
  int64_t created_at = 0;
};

struct LinkCheckRecord {
  std::string url;
  bool reachable = false;
  int status = 0;
  std::string final_url;
  int hops = 0;
  int64_t elapsed_ms = 0;
  std::string error_code, error;
  int64_t checked_at = 0;
};

// One stored file and the SHA-256 recorded when it was adopted (数据完整性).
struct FixityTarget {
  int64_t resource_id = 0;
  std::string blob, sha256;
  bool playback = false;  // the playback copy (a remux), not the original
};
struct FixityResult {
  int64_t resource_id = 0;
  std::string blob, expected_sha256, actual_sha256;
  bool ok = false;
  std::string error;  // Chinese
  int64_t checked_at = 0;
};

class MediaRepository {
 public:
  virtual ~MediaRepository() = default;
  [[nodiscard]] virtual Result<std::optional<MediaRecord>> Get(int64_t resource_id) = 0;
  [[nodiscard]] virtual Result<std::optional<MediaRecord>> Get(storage::SqlExecutor& tx,
                                                               int64_t resource_id) = 0;
  // Inserts or replaces the media of m.resource_id (inside the caller's transaction).
  [[nodiscard]] virtual Status Save(storage::SqlExecutor& tx, const MediaRecord& m) = 0;
  // The outcome of a remux, a compare-and-set on the original: false (nothing written) when
  // the media were replaced meanwhile.
  [[nodiscard]] virtual Result<bool> SavePlayback(storage::SqlExecutor& tx, int64_t resource_id,
                                                  const std::string& blob,
                                                  const std::string& playback_blob,
                                                  const std::string& playback_sha256,
                                                  const nlohmann::json& report, bool passed,
                                                  const nlohmann::json& probe) = 0;
  // Marks the media of `blob` ready as they are (a remux that could not be done).
  [[nodiscard]] virtual Status MarkReady(int64_t resource_id, const std::string& blob) = 0;
  [[nodiscard]] virtual Status SaveLinkCheck(int64_t resource_id, const LinkCheckRecord& c) = 0;
  // The same inside tx, returning the check it replaced (nullopt for the first one).
  [[nodiscard]] virtual Result<std::optional<LinkCheckRecord>> ReplaceLinkCheck(
      storage::SqlExecutor& tx, int64_t resource_id, const LinkCheckRecord& c) = 0;
  [[nodiscard]] virtual Result<std::optional<LinkCheckRecord>> GetLinkCheck(
      int64_t resource_id) = 0;
  // Other resources whose uploaded original has exactly this SHA-256 (duplicate detection),
  // lowest id first, at most `limit`.
  [[nodiscard]] virtual Result<std::vector<int64_t>> SameContent(const std::string& sha256,
                                                                 int64_t except_resource_id,
                                                                 int limit) = 0;
  // Every stored original and playback copy, by resource (the fixity check's list),
  // and the record of one file's check.
  [[nodiscard]] virtual Result<std::vector<FixityTarget>> FixityTargets() = 0;
  [[nodiscard]] virtual Status RecordFixity(const FixityResult& r) = 0;
};

std::unique_ptr<MediaRepository> NewSqlMediaRepository(storage::Database& db);

}  // namespace lep::ingest
