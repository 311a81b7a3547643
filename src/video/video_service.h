// VideoService: adaptive streaming (HLS) and captions (字幕) of video resources.
//  - Transcoding: when a video's media are stored and pass the technical check (or their
//    faststart remux does), a `transcode` job is queued in the same transaction; it makes the
//    ladder (Transcoder), adopts every file into the blob store under a generated name and
//    records the ladder only if it was made from the resource's current playback copy. New
//    media cancel the job of the old bytes and drop their ladder; withdrawal cancels a running
//    one, republication queues it again. Renditions are only ever made of the bytes reviewers
//    see: media change only while a resource is editable, and a ladder is tied to its source.
//  - Captions: SRT/WebVTT validated against the media's duration, screened with the
//    sensitive-word list, stored as WebVTT; changed by the owner's writers while the resource
//    is editable and by the reviewers of its current step; audited.
// Thread-safe; the Set* wiring happens once at start-up.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "auth/user.h"
#include "core/clock.h"
#include "ingest/ingest_service.h"
#include "ingest/media_repository.h"
#include "jobs/job_queue.h"
#include "jobs/job_runner.h"
#include "resources/resource_repository.h"
#include "resources/resource_service.h"
#include "storage/blob/blob_store.h"
#include "storage/db/database.h"
#include "video/transcoder.h"
#include "video/video_repository.h"

namespace lep::video {

inline constexpr const char* kTranscodeJob = "transcode";

// A sensitive-word hit in one caption's text.
struct ScreenHit {
  std::string word, matched;
};
using CaptionScreen = std::function<std::vector<ScreenHit>(std::string_view text)>;
// Whether p reviews r's current step (初审/终审) and may therefore fix its captions.
using ReviewerCheck = std::function<bool(const auth::Principal& p, const resources::Resource& r)>;

struct CaptionUpload {
  std::string language;  // BCP 47; "" = "zh"
  std::string label;     // "" = from the language ("中文")
  std::string filename;
  std::string_view bytes;
  std::string ip;
};

struct VideoStatus {
  // "ready" (the ladder of the current media exists), "queued", "running", "failed",
  // "cancelled", or "none" (nothing to transcode: no media, audio, or not passed).
  std::string state = "none";
  int progress = 0;  // per cent
  std::optional<Ladder> ladder;
  std::optional<jobs::Job> job;  // the latest transcode job
  std::vector<Caption> captions;
  double duration_s = 0;
};

class VideoService {
 public:
  VideoService(storage::Database& db, VideoRepository& repo, jobs::JobQueue& jobs,
               ingest::MediaRepository& media, resources::ResourceService& resources,
               resources::ResourceRepository& resource_repo, storage::BlobStore& blobs,
               const Clock& clock, TranscodeOptions options);

  // For IngestService::SetMediaHooks.
  ingest::MediaHooks Hooks();
  // Wakes the local transcoding runner after a job was queued.
  void SetWake(std::function<void()> wake) { wake_ = std::move(wake); }
  void SetCaptionScreen(CaptionScreen screen) { screen_ = std::move(screen); }
  void SetReviewerCheck(ReviewerCheck check) { reviewer_check_ = std::move(check); }
  void RegisterJobs(jobs::JobRunner& runner);

  // After a resource was published, withdrawn or republished (ReviewService's hook):
  // withdrawn → its transcode job is cancelled; published → queued when its ladder is missing.
  void OnPublicChange(int64_t resource_id);
  // Queues a transcode of the current media again (e.g. after a failure) unless one is
  // queued or running or the ladder exists. Platform admins and the owner's writers.
  [[nodiscard]] Status RequestTranscode(const auth::Principal& p, resources::ResourceId id);

  // Read side: the caller has already checked ResourceService::LoadReadable.
  [[nodiscard]] Result<VideoStatus> GetStatus(int64_t resource_id);
  // The master playlist; kNotFound until the ladder is ready.
  [[nodiscard]] Result<std::string> Master(int64_t resource_id);
  [[nodiscard]] Result<std::optional<VideoFile>> File(int64_t resource_id, const std::string& blob);
  [[nodiscard]] Result<std::optional<Caption>> CaptionByBlob(int64_t resource_id,
                                                             const std::string& blob);
  // The one-segment subtitle playlist of a caption.
  [[nodiscard]] Result<std::string> SubtitlePlaylistOf(int64_t resource_id, const Caption& c);
  // Which of ids have captions (the 字幕 mark; the search filter).
  [[nodiscard]] Result<std::set<int64_t>> WithCaptions(const std::vector<int64_t>& ids);

  [[nodiscard]] Result<Caption> PutCaption(const auth::Principal& p, resources::ResourceId id,
                                           const CaptionUpload& upload);
  [[nodiscard]] Status DeleteCaption(const auth::Principal& p, resources::ResourceId id,
                                     int64_t caption_id, const std::string& ip);

  // Removes the files of dropped ladders and replaced captions (at most max_files).
  void EmptyTrash(int max_files = 2000);

  // The job handler (public for tests that drive one job by hand).
  [[nodiscard]] Status RunTranscode(jobs::JobContext& ctx);

 private:
  Status OnMediaStored(storage::SqlExecutor& tx, const ingest::MediaRecord& m);
  Result<resources::Resource> MayEditCaptions(const auth::Principal& p, resources::ResourceId id);
  // Queues a transcode when the media are a passed video without a ladder or an active job.
  Status EnsureQueued(int64_t resource_id);
  void Wake() {
    if (wake_) wake_();
  }

  storage::Database& db_;
  VideoRepository& repo_;
  jobs::JobQueue& jobs_;
  ingest::MediaRepository& media_;
  resources::ResourceService& resources_;
  resources::ResourceRepository& resource_repo_;
  storage::BlobStore& blobs_;
  const Clock& clock_;
  Transcoder transcoder_;
  std::function<void()> wake_;
  CaptionScreen screen_;
  ReviewerCheck reviewer_check_;
};

// The source as the ladder sees it, from a stored probe (ingest's JSON).
SourceInfo SourceFromProbe(const nlohmann::json& probe);

}  // namespace lep::video
