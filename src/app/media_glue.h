// Media of a resource: what happens when an upload completes (probe against SPEC §3, adopt
// into the blob store, fill the duration; covers are decoded and thumbnailed), the stored
// media record, and its JSON. Thread-safe (state lives in the database and blob store).
#pragma once

#include <optional>
#include <string>

#include "app/api_common.h"
#include "uploads/upload_service.h"

namespace lep::app {

struct MediaRecord {
  int64_t resource_id = 0;
  std::string blob;
  std::string sha256;
  int64_t size = 0;
  std::string filename;
  std::string kind;  // "video" | "audio"
  std::string playback_blob;
  std::string playback_sha256;
  json probe;
  json report;
  bool passed = false;
  std::string state;  // "checked" | "remuxing" | "ready"
  int64_t created_at = 0;
};

// A finished upload: media are probed against 附件1 and adopted, covers decoded; either is
// recorded only if the resource is still editable at that version (the same transaction
// bumps the version and writes the audit row), else the bytes are dropped with an error.
[[nodiscard]] Status OnUploadComplete(AppContext& ctx, const uploads::Upload& u,
                                      const std::string& path);
[[nodiscard]] Result<std::optional<MediaRecord>> LoadMedia(AppContext& ctx, int64_t resource_id);
json MediaJson(const MediaRecord& m);
// Checks an online course's link (SSRF-safe checker) and stores the result.
linkcheck::LinkCheckResult CheckAndStoreLink(AppContext& ctx, int64_t resource_id,
                                             const std::string& url);
// The last stored link check of a resource, as JSON (null when never checked).
json LinkCheckJson(AppContext& ctx, int64_t resource_id);

// Who changes a resource's media or cover (for the audit row).
struct MediaActor {
  int64_t user_id = 0;
  int64_t org_id = 0;
  std::string ip;
};

// Stores a cover (validated here: a real JPEG) for an editable resource: the new cover, the
// version bump and the audit row are one transaction that re-checks version and state, so a
// resource submitted meanwhile keeps the cover its reviewers saw (kFailedPrecondition).
[[nodiscard]] Status StoreCover(AppContext& ctx, const MediaActor& actor, int64_t resource_id,
                                std::string_view jpeg);

}  // namespace lep::app
