// What the media and the lessons of a course share when a file arrives: the probe and the
// per-rule 附件1 report as stored JSON, the audit row of a file change, whether only a faststart
// remux is missing, and the remux job's work on one stored blob. Internal to the ingest module.
// Pure helpers, except RemuxPlaybackCopy (files and the blob store); thread-safe.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "jobs/job_runner.h"
#include "media/media_probe.h"
#include "resources/resource.h"
#include "security/audit_chain.h"
#include "storage/blob/blob_store.h"

namespace lep::ingest {

// Who changes a resource's files (for the audit row).
struct FileActor {
  int64_t user_id = 0;
  int64_t org_id = 0;
  std::string ip;
};

nlohmann::json ProbeJson(const media::ProbeResult& p);
nlohmann::json ReportJson(const std::vector<media::RuleResult>& rules);
security::AuditRecord FileAudit(const FileActor& actor, int64_t now, const std::string& action,
                                resources::ResourceId id, const std::string& detail);
// Are the only failing rules fixable by a remux (moov after mdat)?
bool NeedsRemux(const media::ProbeResult& probe, const std::vector<media::RuleResult>& rules,
                media::MediaKind kind);
// "hh:mm:ss" measured from the file, "" for an unreadable one.
std::string MeasuredDuration(const media::ProbeResult& probe);

// A faststart copy of a stored video, probed and judged again, adopted into the blob store.
struct PlaybackCopy {
  std::string blob, sha256;
  nlohmann::json report;
  bool passed = false;
  bool moov_before_mdat = false;
};
// kUnavailable: stopped or busy, try again later (nothing to record); any other error: the
// copy could not be made or judged, the original stays what is played.
[[nodiscard]] Result<PlaybackCopy> RemuxPlaybackCopy(storage::BlobStore& blobs,
                                                     media::MediaProbe& probe,
                                                     jobs::JobContext& ctx,
                                                     const std::string& blob);

}  // namespace lep::ingest
