// LessonService: an A03 course delivered as 实体资源 — its videos as an ordered series of
// lessons. A finished tus upload of kind "lesson" is probed against 附件1 (the video rules, as
// for A01 media) and adopted; the lesson row, the course's version bump and total duration,
// a faststart remux job when needed and the audit row are one transaction that re-checks the
// course is editable. Rename, reorder and delete are version-checked (kConflict on a stale
// version) and allowed only while the course is editable; reading follows the one visibility
// rule of ResourceService (a published course's lessons are public). Thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "auth/user.h"
#include "core/clock.h"
#include "ingest/lesson_repository.h"
#include "ingest/media_check.h"
#include "jobs/job_queue.h"
#include "jobs/job_runner.h"
#include "media/media_probe.h"
#include "resources/resource_repository.h"
#include "resources/resource_service.h"
#include "storage/blob/blob_store.h"
#include "storage/db/database.h"
#include "uploads/upload.h"

namespace lep::ingest {

inline constexpr const char* kLessonRemuxJob = "lesson_remux";

// The lessons of a course as its reader may see them, with the course's version (what a
// change must name).
struct CourseLessons {
  resources::Resource course;
  std::vector<Lesson> lessons;
};

// A lesson's playback file: where it is and how to answer for it.
struct LessonFile {
  std::string path;
  std::string etag;
  bool is_public = false;  // the course is published
};

using CallerLookup = std::function<std::optional<auth::Principal>()>;

class LessonService {
 public:
  LessonService(storage::Transactor& tx, resources::ResourceService& resources,
                resources::ResourceRepository& resource_repo, LessonRepository& lessons,
                storage::BlobStore& blobs, media::MediaProbe& probe, jobs::JobQueue& jobs,
                const Clock& clock);

  void SetJobsWake(std::function<void()> wake) { wake_ = std::move(wake); }
  // The lesson remux job (before the runner starts).
  void RegisterJobs(jobs::JobRunner& runner);

  // The completion handler of UploadService for kind "lesson". On any error the bytes are not
  // adopted and the caller drops them.
  [[nodiscard]] Status OnUploadComplete(const uploads::Upload& u, const std::string& path);

  // A published course for everybody, anything else as ResourceService::LoadVisible for the
  // caller (looked up only then). kNotFound outside the caller's view.
  [[nodiscard]] Result<CourseLessons> List(const CallerLookup& caller, resources::ResourceId id);
  [[nodiscard]] Result<LessonFile> Playback(const CallerLookup& caller, resources::ResourceId id,
                                            int64_t lesson_id);

  // Changes, each at the course version the caller read; each returns the new version.
  [[nodiscard]] Result<int64_t> Rename(const auth::Principal& p, resources::ResourceId id,
                                       int64_t lesson_id, const std::string& title,
                                       int64_t expected_version);
  [[nodiscard]] Result<int64_t> Remove(const auth::Principal& p, resources::ResourceId id,
                                       int64_t lesson_id, int64_t expected_version);
  [[nodiscard]] Result<int64_t> Reorder(const auth::Principal& p, resources::ResourceId id,
                                        const std::vector<int64_t>& lesson_ids,
                                        int64_t expected_version);

 private:
  Result<resources::Resource> Editable(const auth::Principal& p, resources::ResourceId id,
                                       int64_t expected_version);
  // The common tail of a change: the course's version and total duration, the audit row.
  Result<int64_t> Commit(storage::SqlExecutor& tx, const FileActor& actor,
                         resources::ResourceId id, std::optional<int64_t> expected_version,
                         const std::string& action, const std::string& detail, int64_t now);
  Status UpdateDuration(storage::SqlExecutor& tx, resources::ResourceId id);
  Status RunRemux(jobs::JobContext& ctx);

  storage::Transactor& tx_;
  resources::ResourceService& resources_;
  resources::ResourceRepository& resource_repo_;
  LessonRepository& lessons_;
  storage::BlobStore& blobs_;
  media::MediaProbe& probe_;
  jobs::JobQueue& jobs_;
  const Clock& clock_;
  std::function<void()> wake_;
};

}  // namespace lep::ingest
