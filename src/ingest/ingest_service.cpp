#include "ingest/ingest_service.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "crypto/crypto.h"
#include "media/cover_image.h"
#include "resources/metadata.h"
#include "security/audit_chain.h"

namespace lep::ingest {
namespace {

using nlohmann::json;
using resources::ResourceId;

Error NotEditable(resources::ResourceState state, const char* what) {
  return Error::FailedPrecondition("资源当前状态为“" + std::string(resources::StateLabel(state)) +
                                   "”，不能再更换" + what + "（只有草稿或退回修改的资源可以更换）");
}

}  // namespace

IngestService::IngestService(storage::Transactor& tx, resources::ResourceService& resources,
                             resources::ResourceRepository& resource_repo, MediaRepository& media,
                             storage::BlobStore& blobs, media::MediaProbe& probe,
                             linkcheck::LinkChecker& link_checker, jobs::JobQueue& jobs,
                             const Clock& clock)
    : tx_(tx),
      resources_(resources),
      resource_repo_(resource_repo),
      media_(media),
      blobs_(blobs),
      probe_(probe),
      link_checker_(link_checker),
      jobs_(jobs),
      clock_(clock) {}

void IngestService::RegisterJobs(jobs::JobRunner& runner) {
  runner.Register(kRemuxJob, [this](jobs::JobContext& ctx) { return RunRemux(ctx); });
  runner.Register(kLinkCheckJob, [this](jobs::JobContext& ctx) { return RunLinkCheck(ctx); });
}

Status IngestService::OnUploadComplete(const uploads::Upload& u, const std::string& path) {
  if (u.kind == "lesson") return Fail(Error::Internal("课程视频应交给 LessonService 接收"));
  if (u.kind != "cover") return StoreMedia(u, path);
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return StoreCoverBytes({u.user_id, u.org_id, ""}, ResourceId{u.resource_id}, ss.str());
}

Status IngestService::StoreCover(const auth::Principal& p, ResourceId id, std::string_view jpeg,
                                 const std::string& ip) {
  LEP_ASSIGN_OR_RETURN(auto loaded, resources_.LoadWritable(p, id));
  if (!resources::IsEditable(loaded.resource.state)) {
    return Fail(NotEditable(loaded.resource.state, "封面"));
  }
  return StoreCoverBytes({p.user_id.value, p.org ? p.org->id.value : 0, ip}, id, jpeg);
}

Status IngestService::StoreCoverBytes(const FileActor& actor, ResourceId id,
                                      std::string_view jpeg) {
  // The resource (state, version) first, before any costly work.
  LEP_ASSIGN_OR_RETURN(auto read, resource_repo_.Get(id));
  if (!read) return Fail(Error::NotFound("资源不存在"));
  if (!resources::IsEditable(read->state)) return Fail(NotEditable(read->state, "封面"));
  LEP_ASSIGN_OR_RETURN(media::CoverImage img, media::ProcessCover(jpeg));
  LEP_ASSIGN_OR_RETURN(std::string blob, blobs_.PutBytes(jpeg));
  LEP_ASSIGN_OR_RETURN(std::string thumb, blobs_.PutBytes(img.thumbnail_jpeg));
  int64_t now = clock_.NowMs();
  std::optional<resources::Cover> old;
  auto stored = tx_.Transaction([&](storage::SqlExecutor& tx) -> Status {
    LEP_ASSIGN_OR_RETURN(old, resource_repo_.SetCover(
                                  tx, id, read->version,
                                  resources::Cover{blob, thumb, img.width, img.height}, now));
    return security::AppendAudit(tx, FileAudit(actor, now, "resource.cover", id,
                                               std::to_string(img.width) + "×" +
                                                   std::to_string(img.height) + " " +
                                                   std::to_string(jpeg.size()) + " 字节"))
        .map([](auto&&) {});
  });
  if (!stored) {
    (void)blobs_.Remove(blob);
    (void)blobs_.Remove(thumb);
    return stored;
  }
  if (old) {
    (void)blobs_.Remove(old->blob);
    (void)blobs_.Remove(old->thumb_blob);
  }
  return Ok();
}

Status IngestService::StoreMedia(const uploads::Upload& u, const std::string& path) {
  ResourceId id{u.resource_id};
  LEP_ASSIGN_OR_RETURN(auto resource, resource_repo_.Get(id));
  if (!resource) return Fail(Error::NotFound("资源不存在"));
  if (!resources::IsEditable(resource->state)) {
    return Fail(NotEditable(resource->state, "音视频文件"));
  }
  media::MediaKind kind = resource->meta.type == resources::ResourceType::kAudio
                              ? media::MediaKind::kAudio
                              : media::MediaKind::kVideo;
  LEP_ASSIGN_OR_RETURN(media::ProbeResult probe, probe_.Probe(path, kind));
  auto rules = media::EvaluateStandard(probe, kind);
  LEP_ASSIGN_OR_RETURN(std::string blob, blobs_.AdoptFile(path));
  MediaRecord m;
  m.resource_id = u.resource_id;
  m.blob = blob;
  m.sha256 = u.sha256;
  m.size = static_cast<int64_t>(u.length);
  m.filename = u.filename;
  m.kind = kind == media::MediaKind::kAudio ? "audio" : "video";
  m.playback_blob = blob;
  m.playback_sha256 = u.sha256;
  m.probe = ProbeJson(probe);
  m.report = ReportJson(rules);
  m.passed = media::MeetsStandard(rules);
  bool remux = NeedsRemux(probe, rules, kind);
  m.state = remux ? "remuxing" : "ready";
  m.created_at = clock_.NowMs();
  // Measured from the file, never from input; an unreadable file has none.
  std::string duration = MeasuredDuration(probe);
  std::optional<MediaRecord> previous;
  auto stored = tx_.Transaction([&](storage::SqlExecutor& tx) -> Status {
    LEP_RETURN_IF_ERROR(
        resource_repo_.SetMeasuredDuration(tx, id, resource->version, duration, m.created_at));
    LEP_ASSIGN_OR_RETURN(previous, media_.Get(tx, u.resource_id));
    LEP_RETURN_IF_ERROR(media_.Save(tx, m));
    // The remux of replaced media is moot; a new one works on these bytes.
    LEP_RETURN_IF_ERROR(
        jobs_.CancelForResource(tx, u.resource_id, kRemuxJob, m.created_at).map([](auto) {}));
    if (hooks_.on_stored) LEP_RETURN_IF_ERROR(hooks_.on_stored(tx, m));
    if (remux) {
      LEP_RETURN_IF_ERROR(jobs_
                              .Enqueue(tx,
                                       {kRemuxJob, u.resource_id, json{{"blob", blob}}.dump(), 0,
                                        3},
                                       m.created_at)
                              .map([](auto) {}));
    }
    return security::AppendAudit(
               tx, FileAudit({u.user_id, u.org_id, ""}, m.created_at, "resource.media", id,
                             u.filename + " sha256=" + u.sha256 + " " +
                                 std::to_string(u.length) + " 字节，技术检测" +
                                 (m.passed ? "通过" : "未通过")))
        .map([](auto&&) {});
  });
  if (!stored) {
    (void)blobs_.Remove(blob);
    return stored;
  }
  if (previous) {
    if (previous->playback_blob != previous->blob) (void)blobs_.Remove(previous->playback_blob);
    (void)blobs_.Remove(previous->blob);
  }
  if (hooks_.after_commit) hooks_.after_commit();
  if (remux) Wake();
  return Ok();
}

Status IngestService::RunRemux(jobs::JobContext& ctx) {
  const jobs::Job& job = ctx.job();
  if (!job.resource_id) return Fail(Error::InvalidArgument("任务缺少资源ID"));
  json payload = json::parse(job.payload, nullptr, false);
  std::string blob = payload.is_object() ? payload.value("blob", "") : "";
  LEP_ASSIGN_OR_RETURN(auto current, media_.Get(*job.resource_id));
  // Replaced or removed meanwhile: nothing to do.
  if (!current || current->blob != blob) return Ok();
  auto copy = RemuxPlaybackCopy(blobs_, probe_, ctx, blob);
  if (!copy) {
    if (copy.error().Is(ErrorCode::kUnavailable)) return Fail(copy.error());
    // The copy cannot be made or judged: keep playing the original, as uploaded.
    LEP_RETURN_IF_ERROR(media_.MarkReady(*job.resource_id, blob));
    return Fail(copy.error());
  }
  const std::string& adopted = copy->blob;
  json probe = current->probe;
  probe["moov_before_mdat_after_remux"] = copy->moov_before_mdat;
  MediaRecord updated = *current;
  updated.playback_blob = adopted;
  updated.playback_sha256 = copy->sha256;
  updated.report = copy->report;
  updated.passed = copy->passed;
  updated.probe = probe;
  updated.state = "ready";
  bool saved = false;
  auto st = tx_.Transaction([&](storage::SqlExecutor& tx) -> Status {
    LEP_ASSIGN_OR_RETURN(saved, media_.SavePlayback(tx, *job.resource_id, blob, adopted,
                                                    copy->sha256,
                                                    updated.report, updated.passed, probe));
    if (saved && hooks_.on_stored) return hooks_.on_stored(tx, updated);
    return Ok();
  });
  // The media were replaced while remuxing: this copy belongs to nobody.
  if (!st || !saved) (void)blobs_.Remove(adopted);
  if (!st) return st;
  if (saved && hooks_.after_commit) hooks_.after_commit();
  return Ok();
}

Result<std::optional<MediaRecord>> IngestService::Media(ResourceId id) {
  return media_.Get(id.value);
}

Result<SameContent> IngestService::Duplicates(const auth::Principal& p, ResourceId id) {
  SameContent out;
  LEP_ASSIGN_OR_RETURN(auto m, media_.Get(id.value));
  if (!m) return out;
  LEP_ASSIGN_OR_RETURN(auto ids, media_.SameContent(m->sha256, id.value, 20));
  for (int64_t other : ids) {
    auto v = resources_.LoadVisible(p, ResourceId{other});
    if (v) {
      out.visible.push_back(std::move(*v));
    } else if (v.error().Is(ErrorCode::kNotFound)) {
      ++out.hidden;
    } else {
      return Fail(v.error());
    }
  }
  return out;
}

Result<std::optional<LinkCheckRecord>> IngestService::LinkCheck(ResourceId id) {
  return media_.GetLinkCheck(id.value);
}

LinkCheckRecord IngestService::CheckLinkNow(ResourceId id, const std::string& url) {
  linkcheck::LinkCheckResult r = link_checker_.Check(url);
  LinkCheckRecord c{url,     r.reachable,  r.status, r.final_url,     r.hops,
                    r.elapsed_ms, r.error_code, r.error, clock_.NowMs()};
  std::optional<resources::Resource> resource;
  if (link_hooks_.on_broken && !c.reachable) {
    if (auto got = resource_repo_.Get(id); got && *got) resource = std::move(**got);
  }
  // The check and what its break tells people commit together: a crash in between leaves
  // the previous check, so the next one finds the break again.
  (void)tx_.Transaction([&](storage::SqlExecutor& tx) -> Status {
    LEP_ASSIGN_OR_RETURN(auto before, media_.ReplaceLinkCheck(tx, id.value, c));
    if (resource && before && before->reachable && before->url == c.url) {
      return link_hooks_.on_broken(tx, *resource, c);
    }
    return Ok();
  });
  return c;
}

Status IngestService::RequestLinkCheck(ResourceId id) {
  int64_t now = clock_.NowMs();
  LEP_RETURN_IF_ERROR(tx_.Transaction([&](storage::SqlExecutor& tx) -> Status {
    LEP_RETURN_IF_ERROR(jobs_.CancelForResource(tx, id.value, kLinkCheckJob, now).map([](auto) {}));
    return jobs_.Enqueue(tx, {kLinkCheckJob, id.value, "{}", 0, 3}, now).map([](auto) {});
  }));
  Wake();
  return Ok();
}

Result<int64_t> IngestService::RequestLinkRechecks() {
  resources::ResourceFilter courses;
  courses.type = "A03";
  courses.page_size = 500;
  int64_t queued = 0;
  for (courses.page = 1;; ++courses.page) {
    LEP_ASSIGN_OR_RETURN(auto page, resource_repo_.List(courses));
    const int64_t now = clock_.NowMs();
    LEP_RETURN_IF_ERROR(tx_.Transaction([&](storage::SqlExecutor& tx) -> Status {
      for (const auto& r : page.items) {
        // A course of uploaded lessons has no link to watch.
        if (r.meta.link.empty() || r.meta.delivery == resources::CourseDelivery::kFiles ||
            r.state == resources::ResourceState::kDraft ||
            r.state == resources::ResourceState::kRejected) {
          continue;
        }
        LEP_RETURN_IF_ERROR(
            jobs_.CancelForResource(tx, r.id.value, kLinkCheckJob, now).map([](auto) {}));
        LEP_RETURN_IF_ERROR(
            jobs_.Enqueue(tx, {kLinkCheckJob, r.id.value, "{}", 0, 3}, now).map([](auto) {}));
        ++queued;
      }
      return Ok();
    }));
    if (page.items.size() < static_cast<size_t>(courses.page_size)) break;
  }
  if (queued > 0) Wake();
  return queued;
}

Status IngestService::RunLinkCheck(jobs::JobContext& ctx) {
  const jobs::Job& job = ctx.job();
  if (!job.resource_id) return Fail(Error::InvalidArgument("任务缺少资源ID"));
  LEP_ASSIGN_OR_RETURN(auto r, resource_repo_.Get(ResourceId{*job.resource_id}));
  if (!r || r->meta.type != resources::ResourceType::kCourse || r->meta.link.empty() ||
      r->meta.delivery == resources::CourseDelivery::kFiles) {
    return Ok();
  }
  CheckLinkNow(r->id, r->meta.link);
  return Ok();
}

Result<bool> IngestService::TechnicalCheckPassed(const resources::Resource& r) {
  if (IsFilesCourse(r)) {
    LEP_ASSIGN_OR_RETURN(auto problem, LessonsProblem(r));
    return !problem.has_value();
  }
  if (r.meta.type == resources::ResourceType::kCourse) {
    if (r.meta.link.empty()) return false;
    LEP_ASSIGN_OR_RETURN(auto check, media_.GetLinkCheck(r.id.value));
    return check && check->url == r.meta.link && check->reachable;
  }
  LEP_ASSIGN_OR_RETURN(auto m, media_.Get(r.id.value));
  return m && m->passed;
}

Result<std::optional<bool>> IngestService::TechnicalVerdict(const resources::Resource& r) {
  if (IsFilesCourse(r)) {
    LEP_ASSIGN_OR_RETURN(auto lessons, lessons_->List(r.id.value));
    if (lessons.empty()) return std::optional<bool>();
    LEP_ASSIGN_OR_RETURN(auto problem, LessonsProblem(r));
    return std::optional<bool>(!problem.has_value());
  }
  if (r.meta.type == resources::ResourceType::kCourse) {
    LEP_ASSIGN_OR_RETURN(auto check, media_.GetLinkCheck(r.id.value));
    if (r.meta.link.empty() || !check || check->url != r.meta.link) return std::optional<bool>();
    return std::optional<bool>(check->reachable);
  }
  LEP_ASSIGN_OR_RETURN(auto m, media_.Get(r.id.value));
  if (!m) return std::optional<bool>();
  return std::optional<bool>(m->passed);
}

bool IngestService::IsFilesCourse(const resources::Resource& r) const {
  return lessons_ && r.meta.type == resources::ResourceType::kCourse &&
         r.meta.delivery == resources::CourseDelivery::kFiles;
}

Result<std::optional<std::string>> IngestService::LessonsProblem(const resources::Resource& r) {
  if (!IsFilesCourse(r)) return std::optional<std::string>();
  LEP_ASSIGN_OR_RETURN(auto lessons, lessons_->List(r.id.value));
  return LessonsTechnicalProblem(lessons);
}

}  // namespace lep::ingest
