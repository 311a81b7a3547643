#include "ingest/lesson_service.h"

#include <filesystem>

#include "core/text.h"
#include "resources/metadata.h"
#include "security/audit_chain.h"
#include "uploads/upload_service.h"

namespace lep::ingest {
namespace {

using nlohmann::json;
using resources::ResourceId;

std::string LessonName(const Lesson& l) {
  return "第 " + std::to_string(l.position) + " 课“" + l.title + "”";
}

// A title from the file name when the upload gave none: without directories and extension.
std::string TitleOf(const uploads::Upload& u) {
  if (!u.title.empty()) return u.title;
  std::string name = u.filename;
  size_t dot = name.find_last_of('.');
  if (dot != std::string::npos && dot > 0) name.resize(dot);
  return name.empty() ? "未命名课时" : name;
}

bool IsFilesCourse(const resources::Resource& r) {
  return r.meta.type == resources::ResourceType::kCourse &&
         r.meta.delivery == resources::CourseDelivery::kFiles;
}

FileActor ActorOf(const auth::Principal& p) {
  return {p.user_id.value, p.org ? p.org->id.value : 0, p.ip};
}

Error NotFilesCourse() {
  return Error::FailedPrecondition(
      "该资源不是以“实体资源”方式提交的网络课程，不能管理课时（请先将提交方式改为“实体资源”并保存）");
}

}  // namespace

std::optional<std::string> LessonsTechnicalProblem(const std::vector<Lesson>& lessons) {
  if (lessons.empty()) return std::string("尚未上传课程视频：以“实体资源”方式提交的网络课程至少需要一个课时");
  for (const auto& l : lessons) {
    if (l.passed) continue;
    std::string failed;
    if (l.report.is_array()) {
      for (const auto& rule : l.report) {
        if (rule.value("pass", true)) continue;
        if (!failed.empty()) failed += "、";
        failed += rule.value("label", rule.value("rule", ""));
      }
    }
    return LessonName(l) + "未通过技术检测" + (failed.empty() ? "" : "（" + failed + "）") +
           "，请按检测报告的建议重新导出后替换该课时";
  }
  return std::nullopt;
}

LessonService::LessonService(storage::Transactor& tx, resources::ResourceService& resources,
                             resources::ResourceRepository& resource_repo,
                             LessonRepository& lessons, storage::BlobStore& blobs,
                             media::MediaProbe& probe, jobs::JobQueue& jobs, const Clock& clock)
    : tx_(tx),
      resources_(resources),
      resource_repo_(resource_repo),
      lessons_(lessons),
      blobs_(blobs),
      probe_(probe),
      jobs_(jobs),
      clock_(clock) {}

void LessonService::RegisterJobs(jobs::JobRunner& runner) {
  runner.Register(kLessonRemuxJob, [this](jobs::JobContext& ctx) { return RunRemux(ctx); });
}

Result<int64_t> LessonService::Commit(storage::SqlExecutor& tx, const FileActor& actor,
                                      ResourceId id, std::optional<int64_t> expected_version,
                                      const std::string& action, const std::string& detail,
                                      int64_t now) {
  LEP_ASSIGN_OR_RETURN(int64_t version,
                       resource_repo_.BeginLessonsChange(tx, id, expected_version, now));
  LEP_RETURN_IF_ERROR(
      security::AppendAudit(tx, FileAudit(actor, now, action, id, detail)).map([](auto&&) {}));
  return version;
}

Status LessonService::OnUploadComplete(const uploads::Upload& u, const std::string& path) {
  ResourceId id{u.resource_id};
  // The course (state, mode) first, before any costly work.
  LEP_ASSIGN_OR_RETURN(auto course, resource_repo_.Get(id));
  if (!course) return Fail(Error::NotFound("资源不存在"));
  if (!resources::IsEditable(course->state)) {
    return Fail(Error::FailedPrecondition("资源当前状态为“" +
                                          std::string(resources::StateLabel(course->state)) +
                                          "”，不能再上传课程视频"));
  }
  if (!IsFilesCourse(*course)) return Fail(NotFilesCourse());
  LEP_ASSIGN_OR_RETURN(media::ProbeResult probe, probe_.Probe(path, media::MediaKind::kVideo));
  auto rules = media::EvaluateStandard(probe, media::MediaKind::kVideo);
  LEP_ASSIGN_OR_RETURN(std::string blob, blobs_.AdoptFile(path));
  Lesson l;
  l.resource_id = u.resource_id;
  l.title = TitleOf(u);
  l.blob = blob;
  l.sha256 = u.sha256;
  l.size = static_cast<int64_t>(u.length);
  l.filename = u.filename;
  l.playback_blob = blob;
  l.playback_sha256 = u.sha256;
  l.duration_s = probe.error.empty() && probe.duration_s > 0
                     ? static_cast<int64_t>(probe.duration_s + 0.5)
                     : 0;
  l.probe = ProbeJson(probe);
  l.report = ReportJson(rules);
  l.passed = media::MeetsStandard(rules);
  const bool remux = NeedsRemux(probe, rules, media::MediaKind::kVideo);
  l.state = remux ? "remuxing" : "ready";
  l.created_at = clock_.NowMs();
  Lesson stored;
  auto done = tx_.Transaction([&](storage::SqlExecutor& tx) -> Status {
    LEP_ASSIGN_OR_RETURN(int64_t version, resource_repo_.BeginLessonsChange(tx, id, std::nullopt,
                                                                            l.created_at));
    (void)version;
    LEP_ASSIGN_OR_RETURN(stored, lessons_.Append(tx, l));
    LEP_RETURN_IF_ERROR(UpdateDuration(tx, id));
    if (remux) {
      LEP_RETURN_IF_ERROR(
          jobs_
              .Enqueue(tx,
                       {kLessonRemuxJob, u.resource_id,
                        json{{"lesson_id", stored.id}, {"blob", blob}}.dump(), 0, 3},
                       l.created_at)
              .map([](auto) {}));
    }
    return security::AppendAudit(
               tx, FileAudit({u.user_id, u.org_id, ""}, l.created_at, "resource.lesson", id,
                             LessonName(stored) + " " + u.filename + " sha256=" + u.sha256 + " " +
                                 std::to_string(u.length) + " 字节，技术检测" +
                                 (l.passed ? "通过" : "未通过")))
        .map([](auto&&) {});
  });
  if (!done) {
    (void)blobs_.Remove(blob);
    return done;
  }
  if (remux && wake_) wake_();
  return Ok();
}

Status LessonService::UpdateDuration(storage::SqlExecutor& tx, ResourceId id) {
  LEP_ASSIGN_OR_RETURN(auto all, lessons_.List(tx, id.value));
  int64_t total = 0;
  for (const auto& l : all) total += l.duration_s;
  return resource_repo_.SetLessonsDuration(tx, id,
                                           total > 0 ? resources::FormatDuration(total) : "");
}

Result<CourseLessons> LessonService::List(const CallerLookup& caller, ResourceId id) {
  LEP_ASSIGN_OR_RETURN(auto course, resources_.LoadReadable(caller, id));
  CourseLessons out;
  if (IsFilesCourse(course)) {
    LEP_ASSIGN_OR_RETURN(out.lessons, lessons_.List(id.value));
  }
  out.course = std::move(course);
  return out;
}

Result<LessonFile> LessonService::Playback(const CallerLookup& caller, ResourceId id,
                                           int64_t lesson_id) {
  LEP_ASSIGN_OR_RETURN(auto course, resources_.LoadReadable(caller, id));
  LEP_ASSIGN_OR_RETURN(auto lesson, lessons_.Get(id.value, lesson_id));
  // A course switched back to a link keeps its rows, but they are not part of it.
  if (!lesson || !IsFilesCourse(course)) return Fail(Error::NotFound("课时不存在或已删除"));
  LEP_ASSIGN_OR_RETURN(std::string path, blobs_.PathOf(lesson->playback_blob));
  return LessonFile{path, lesson->playback_sha256.substr(0, 32),
                    course.state == resources::ResourceState::kPublished};
}

Result<resources::Resource> LessonService::Editable(const auth::Principal& p, ResourceId id,
                                                    int64_t expected_version) {
  LEP_ASSIGN_OR_RETURN(auto loaded, resources_.LoadWritable(p, id));
  const resources::Resource& r = loaded.resource;
  if (!resources::IsEditable(r.state)) {
    return Fail(Error::FailedPrecondition("资源当前状态为“" +
                                          std::string(resources::StateLabel(r.state)) +
                                          "”，只有草稿或退回修改的资源可以调整课时"));
  }
  if (!IsFilesCourse(r)) return Fail(NotFilesCourse());
  if (r.version != expected_version) {
    return Fail(Error::Conflict("资源已被他人修改，请刷新后重试"));
  }
  return std::move(loaded.resource);
}

Result<int64_t> LessonService::Rename(const auth::Principal& p, ResourceId id, int64_t lesson_id,
                                      const std::string& raw_title, int64_t expected_version) {
  LEP_ASSIGN_OR_RETURN(std::string title, uploads::ValidLessonTitle(raw_title));
  LEP_RETURN_IF_ERROR(Editable(p, id, expected_version));
  int64_t version = 0;
  const int64_t now = clock_.NowMs();
  LEP_RETURN_IF_ERROR(tx_.Transaction([&](storage::SqlExecutor& tx) -> Status {
    LEP_ASSIGN_OR_RETURN(version, Commit(tx, ActorOf(p), id, expected_version,
                                         "resource.lesson_rename",
                                         "课时 " + std::to_string(lesson_id) + " → " + title,
                                         now));
    return lessons_.Rename(tx, id.value, lesson_id, title);
  }));
  return version;
}

Result<int64_t> LessonService::Remove(const auth::Principal& p, ResourceId id, int64_t lesson_id,
                                      int64_t expected_version) {
  LEP_RETURN_IF_ERROR(Editable(p, id, expected_version));
  int64_t version = 0;
  Lesson gone;
  const int64_t now = clock_.NowMs();
  LEP_RETURN_IF_ERROR(tx_.Transaction([&](storage::SqlExecutor& tx) -> Status {
    LEP_ASSIGN_OR_RETURN(version, Commit(tx, ActorOf(p), id, expected_version,
                                         "resource.lesson_delete",
                                         "课时 " + std::to_string(lesson_id), now));
    LEP_ASSIGN_OR_RETURN(gone, lessons_.Remove(tx, id.value, lesson_id));
    // A remux of these bytes is moot (it finds no lesson and stops).
    return UpdateDuration(tx, id);
  }));
  // Committed: the files belong to nobody now.
  if (gone.playback_blob != gone.blob) (void)blobs_.Remove(gone.playback_blob);
  (void)blobs_.Remove(gone.blob);
  return version;
}

Result<int64_t> LessonService::Reorder(const auth::Principal& p, ResourceId id,
                                       const std::vector<int64_t>& lesson_ids,
                                       int64_t expected_version) {
  LEP_RETURN_IF_ERROR(Editable(p, id, expected_version));
  int64_t version = 0;
  std::string order;
  for (int64_t l : lesson_ids) order += (order.empty() ? "" : ",") + std::to_string(l);
  const int64_t now = clock_.NowMs();
  LEP_RETURN_IF_ERROR(tx_.Transaction([&](storage::SqlExecutor& tx) -> Status {
    LEP_ASSIGN_OR_RETURN(version, Commit(tx, ActorOf(p), id, expected_version,
                                         "resource.lesson_order", "课时顺序 " + order, now));
    return lessons_.Reorder(tx, id.value, lesson_ids);
  }));
  return version;
}

Status LessonService::RunRemux(jobs::JobContext& ctx) {
  json payload = json::parse(ctx.job().payload, nullptr, false);
  if (!payload.is_object() || !ctx.job().resource_id) {
    return Fail(Error::InvalidArgument("任务参数不完整"));
  }
  const int64_t resource_id = *ctx.job().resource_id;
  const int64_t lesson_id = payload.value("lesson_id", int64_t{0});
  const std::string blob = payload.value("blob", "");
  LEP_ASSIGN_OR_RETURN(auto current, lessons_.Get(resource_id, lesson_id));
  // Removed meanwhile: nothing to do.
  if (!current || current->blob != blob) return Ok();
  auto copy = RemuxPlaybackCopy(blobs_, probe_, ctx, blob);
  if (!copy) {
    if (copy.error().Is(ErrorCode::kUnavailable)) return Fail(copy.error());
    LEP_RETURN_IF_ERROR(lessons_.MarkReady(lesson_id, blob));
    return Fail(copy.error());
  }
  json probe = current->probe;
  probe["moov_before_mdat_after_remux"] = copy->moov_before_mdat;
  bool saved = false;
  auto st = tx_.Transaction([&](storage::SqlExecutor& tx) -> Status {
    LEP_ASSIGN_OR_RETURN(saved, lessons_.SavePlayback(tx, lesson_id, blob, copy->blob,
                                                      copy->sha256, copy->report, copy->passed,
                                                      probe));
    return Ok();
  });
  // The lesson was removed while remuxing: this copy belongs to nobody.
  if (!st || !saved) (void)blobs_.Remove(copy->blob);
  return st;
}

}  // namespace lep::ingest
