// IngestService: what happens to a resource's files — a finished tus upload is probed against
// 附件1 and adopted (media) or decoded and thumbnailed (cover); the new file, the resource's
// version bump, the measured duration and an audit row are one transaction that re-checks the
// resource's version and state, so only the bytes reviewers saw can ever become public. A
// moov-at-the-end video gets a faststart remux as a durable job; A03 links are checked by a
// job too, and a review decision only reads the stored result. Thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "auth/user.h"
#include "core/clock.h"
#include "ingest/lesson_repository.h"
#include "ingest/media_check.h"
#include "ingest/media_repository.h"
#include "jobs/job_queue.h"
#include "jobs/job_runner.h"
#include "linkcheck/link_checker.h"
#include "media/media_probe.h"
#include "resources/resource_repository.h"
#include "resources/resource_service.h"
#include "storage/blob/blob_store.h"
#include "storage/db/database.h"
#include "uploads/upload_service.h"

namespace lep::ingest {

inline constexpr const char* kRemuxJob = "remux";
inline constexpr const char* kLinkCheckJob = "link_check";

// Lets a later module follow a resource's media (video: drop the HLS ladder of the old bytes,
// queue one for the new). on_stored runs inside the transaction that stores new media, and
// the one that records their remuxed playback copy; after_commit once it has committed.
struct MediaHooks {
  std::function<Status(storage::SqlExecutor& tx, const MediaRecord& m)> on_stored;
  std::function<void()> after_commit;
};

// Lets a later module follow A03 link checks. on_broken runs inside the transaction that
// stores a failing check when the previous check of the same address had reached it (one
// break: later failing checks of it do not call it again; a recovery and a new failure do).
struct LinkHooks {
  std::function<Status(storage::SqlExecutor& tx, const resources::Resource& r,
                       const LinkCheckRecord& check)>
      on_broken;
};

// Other resources holding the same uploaded file (same SHA-256): those the caller may see,
// and how many more there are in units outside the caller's view (not named: another unit's
// drafts are not the caller's business, but the fact of a copy is).
struct SameContent {
  std::vector<resources::VisibleResource> visible;
  int hidden = 0;
};

class IngestService {
 public:
  IngestService(storage::Transactor& tx, resources::ResourceService& resources,
                resources::ResourceRepository& resource_repo, MediaRepository& media,
                storage::BlobStore& blobs, media::MediaProbe& probe,
                linkcheck::LinkChecker& link_checker, jobs::JobQueue& jobs, const Clock& clock);

  // Called after a job was enqueued (wakes the local runner instead of waiting for its poll).
  void SetJobsWake(std::function<void()> wake) { wake_ = std::move(wake); }
  // Before the first upload completes (not synchronised).
  void SetMediaHooks(MediaHooks hooks) { hooks_ = std::move(hooks); }
  // Before the job runner starts (not synchronised).
  void SetLinkHooks(LinkHooks hooks) { link_hooks_ = std::move(hooks); }
  // The lessons of A03 courses delivered as 实体资源 (their technical check); before the
  // first request (not synchronised).
  void SetLessons(LessonRepository& lessons) { lessons_ = &lessons; }
  // The job handlers of this module (remux, link_check).
  void RegisterJobs(jobs::JobRunner& runner);

  // The completion handler of UploadService: kind "media" or "cover". On any error the
  // bytes are not adopted and the caller drops them.
  [[nodiscard]] Status OnUploadComplete(const uploads::Upload& u, const std::string& path);
  // The cover endpoint: p must be able to write the resource, which must be editable.
  [[nodiscard]] Status StoreCover(const auth::Principal& p, resources::ResourceId id,
                                  std::string_view jpeg, const std::string& ip);

  [[nodiscard]] Result<std::optional<MediaRecord>> Media(resources::ResourceId id);
  [[nodiscard]] Result<std::optional<LinkCheckRecord>> LinkCheck(resources::ResourceId id);
  // Duplicate detection: resources whose media are byte-identical to id's (at most 20 looked
  // at), split by what p may see. Empty when id has no media.
  [[nodiscard]] Result<SameContent> Duplicates(const auth::Principal& p, resources::ResourceId id);
  // Checks an A03 link now and stores the result (the link_check job, `lep check-links`); a
  // newly broken link calls LinkHooks::on_broken in the same transaction.
  LinkCheckRecord CheckLinkNow(resources::ResourceId id, const std::string& url);
  // Queues a check of the resource's link (after it was created or its link changed).
  [[nodiscard]] Status RequestLinkCheck(resources::ResourceId id);
  // The periodic re-check (issue 17 §5): queues a check of every A03 link that is submitted,
  // under review, approved, published, returned or withdrawn (drafts are checked when they
  // are submitted; rejected ones are done with), one transaction per 500 resources. Returns
  // how many were queued. The job runner does the fetching, bounded as every job.
  [[nodiscard]] Result<int64_t> RequestLinkRechecks();
  // A01/A02: the stored media passed every rule; A03: the stored check of the resource's
  // current link found it reachable, or (实体资源) every lesson passed 附件1 and there is at
  // least one. Reads only; never fetches anything.
  [[nodiscard]] Result<bool> TechnicalCheckPassed(const resources::Resource& r);
  // The same for display: nullopt while nothing was checked yet (no media stored, no check of
  // the current link).
  [[nodiscard]] Result<std::optional<bool>> TechnicalVerdict(const resources::Resource& r);
  // A course of uploaded lessons: why it does not pass (Chinese, naming the lesson), nullopt
  // when it does; always nullopt for anything else.
  [[nodiscard]] Result<std::optional<std::string>> LessonsProblem(const resources::Resource& r);
  bool IsFilesCourse(const resources::Resource& r) const;

 private:
  Status StoreCoverBytes(const FileActor& actor, resources::ResourceId id, std::string_view jpeg);
  Status StoreMedia(const uploads::Upload& u, const std::string& path);
  Status RunRemux(jobs::JobContext& ctx);
  Status RunLinkCheck(jobs::JobContext& ctx);
  void Wake() {
    if (wake_) wake_();
  }

  storage::Transactor& tx_;
  resources::ResourceService& resources_;
  resources::ResourceRepository& resource_repo_;
  MediaRepository& media_;
  storage::BlobStore& blobs_;
  media::MediaProbe& probe_;
  linkcheck::LinkChecker& link_checker_;
  jobs::JobQueue& jobs_;
  const Clock& clock_;
  std::function<void()> wake_;
  MediaHooks hooks_;
  LinkHooks link_hooks_;
  LessonRepository* lessons_ = nullptr;
};

}  // namespace lep::ingest
