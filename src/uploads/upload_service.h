// UploadService: resumable uploads (tus 1.0 core, creation, termination, checksum,
// expiration) for media and covers. Bytes go to DATA/uploads/<id>.part; the committed offset
// and the running SHA-256 state live in the database and advance only after fsync, so an
// acknowledged byte survives kill -9. One PATCH at a time per upload across every server on
// the shared directory (an OFD lock on the .part file; a loser gets kLocked → 423), and each
// PATCH reads offset and hash state afresh, so consecutive PATCHes may land on different
// servers. Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "auth/user.h"
#include "core/clock.h"
#include "core/result.h"
#include "resources/resource_service.h"
#include "uploads/tus_headers.h"
#include "uploads/upload.h"
#include "uploads/upload_repository.h"

namespace lep::uploads {

// A lesson's title (tus metadata `title`, or a rename): trimmed, 1–200 characters of UTF-8;
// else kInvalidArgument naming the field 课时名称.
[[nodiscard]] Result<std::string> ValidLessonTitle(const std::string& raw);

struct UploadOptions {
  std::string dir;                             // where .part files live
  uint64_t max_media_bytes = 8ull << 30;       // Tus-Max-Size
  uint64_t max_cover_bytes = 5ull << 20;
  std::chrono::hours expiry{24};
  uint64_t commit_every = 16ull << 20;         // durable checkpoints inside a long PATCH
  // Abuse bounds: declared bytes one unit may hold in unfinished uploads, and unfinished
  // uploads one account may have open at once.
  uint64_t unit_pending_bytes = 200ull << 30;
  int account_pending_uploads = 20;
};

// What a finished upload turns into; supplied by the composition root.
// Receives the upload and the path of the complete file (to be adopted or removed).
using CompletionHandler = std::function<Status(const Upload&, const std::string& path)>;

// Writes one PATCH body. Obtained from BeginPatch; not thread-safe (one request).
class PatchWriter {
 public:
  virtual ~PatchWriter() = default;
  [[nodiscard]] virtual Status Write(std::string_view chunk) = 0;
  // Settles the PATCH: verifies the checksum (kChecksumMismatch: bytes discarded), makes
  // the bytes durable and commits the offset; runs completion when the upload is whole.
  [[nodiscard]] virtual Result<Upload> Finish(bool complete) = 0;
};

class UploadService {
 public:
  UploadService(UploadRepository& repo, resources::ResourceService& resources,
                const Clock& clock, UploadOptions options);
  ~UploadService();

  void SetCompletionHandler(CompletionHandler h) { on_complete_ = std::move(h); }
  const UploadOptions& options() const { return options_; }

  // POST: Upload-Length + Upload-Metadata (resource_id, filename, kind).
  [[nodiscard]] Result<Upload> Create(const auth::Principal& p, uint64_t length,
                                      const std::map<std::string, std::string>& metadata);
  // HEAD: the upload if p may write it; kGone (and bytes removed) when expired.
  [[nodiscard]] Result<Upload> Get(const auth::Principal& p, const std::string& id);
  [[nodiscard]] Result<std::unique_ptr<PatchWriter>> BeginPatch(
      const auth::Principal& p, const std::string& id, uint64_t offset,
      std::optional<Checksum> checksum, std::optional<uint64_t> content_length);
  [[nodiscard]] Status Terminate(const auth::Principal& p, const std::string& id);
  // Removes expired, unfinished uploads and their bytes; returns how many.
  int SweepExpired();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  UploadOptions options_;
  CompletionHandler on_complete_;
};

}  // namespace lep::uploads
