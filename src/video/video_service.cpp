#include "video/video_service.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>

#include "core/text.h"
#include "security/audit_chain.h"
#include "video/captions.h"

namespace lep::video {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using resources::ResourceId;
using resources::ResourceState;

struct LanguageName {
  const char* code;
  const char* label;
};
constexpr LanguageName kLanguages[] = {
    {"zh", "中文"}, {"zh-Hans", "简体中文"}, {"zh-Hant", "繁體中文"}, {"en", "英文"},
    {"bo", "藏文"}, {"ug", "维吾尔文"},      {"mn", "蒙古文"},        {"ii", "彝文"},
    {"za", "壮文"}, {"ko", "朝鲜文"},        {"kk", "哈萨克文"},      {"ja", "日文"},
};

std::string DefaultLabel(const std::string& language) {
  for (const auto& l : kLanguages) {
    if (language == l.code) return l.label;
  }
  return language;
}

bool ValidLanguage(const std::string& s) {
  static const std::regex kTag("^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$");
  return s.size() <= 24 && std::regex_match(s, kTag);
}

// Makes a file durable before it is adopted (the blob store syncs only the directory).
bool SyncPath(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = storage::SyncFile(fd);
  ::close(fd);
  return ok;
}

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  return static_cast<bool>(out);
}

security::AuditRecord CaptionAudit(const auth::Principal& p, int64_t now, ResourceId id,
                                   const std::string& ip, const std::string& detail) {
  security::AuditRecord a;
  a.at = now;
  a.actor_id = p.user_id.value;
  if (p.org) a.org_id = p.org->id.value;
  a.ip = ip;
  a.action = "resource.captions";
  a.object = "resource:" + std::to_string(id.value);
  a.detail = detail;
  return a;
}

// Progress over weighted steps of one job.
class Steps {
 public:
  Steps(jobs::JobContext& ctx, double total) : ctx_(ctx), total_(std::max(total, 1.0)) {}
  StepProgress Step(double weight) {
    double base = done_;
    done_ += weight;
    return [this, base, weight](double f) {
      int per_mille = static_cast<int>((base + weight * f) / total_ * 980);  // 98 %: adopting
      return ctx_.Progress(std::clamp(per_mille, 0, 980));
    };
  }

 private:
  jobs::JobContext& ctx_;
  double total_;
  double done_ = 0;
};

// The files adopted so far by one job: removed again unless the ladder is recorded.
class Adopted {
 public:
  explicit Adopted(storage::BlobStore& blobs) : blobs_(blobs) {}
  ~Adopted() {
    if (keep_) return;
    for (const auto& f : files_) (void)blobs_.Remove(f.blob);
  }
  // The file's name in the ladder ("<blob>.<ext>").
  Result<std::string> Add(const std::string& path, const std::string& ext,
                          const std::string& content_type) {
    if (!SyncPath(path)) return Fail(Error::Internal("无法把转码输出写入磁盘"));
    LEP_ASSIGN_OR_RETURN(std::string blob, blobs_.AdoptFile(path));
    files_.push_back({blob, ext, content_type});
    return blob + "." + ext;
  }
  void Keep() { keep_ = true; }
  const std::vector<VideoFile>& files() const { return files_; }

 private:
  storage::BlobStore& blobs_;
  std::vector<VideoFile> files_;
  bool keep_ = false;
};

// Removes the working directories of earlier attempts of a job (their worker is gone: the
// lease ran out) and of this one.
void RemoveWorkDirs(const std::string& temp, int64_t job_id) {
  std::error_code ec;
  const std::string prefix = "video-" + std::to_string(job_id) + "-";
  for (const auto& e : fs::directory_iterator(temp, ec)) {
    if (e.path().filename().string().rfind(prefix, 0) == 0) fs::remove_all(e.path(), ec);
  }
}

std::string BlobOfName(const std::string& name) { return name.substr(0, name.find('.')); }

}  // namespace

SourceInfo SourceFromProbe(const json& probe) {
  SourceInfo s;
  if (!probe.is_object()) return s;
  s.width = probe.value("width", 0);
  s.height = probe.value("height", 0);
  s.frame_rate = probe.value("frame_rate", 0.0);
  s.duration_s = probe.value("duration_s", 0.0);
  s.has_audio = probe.value("has_audio", false);
  return s;
}

VideoService::VideoService(storage::Database& db, VideoRepository& repo, jobs::JobQueue& jobs,
                           ingest::MediaRepository& media, resources::ResourceService& resources,
                           resources::ResourceRepository& resource_repo, storage::BlobStore& blobs,
                           const Clock& clock, TranscodeOptions options)
    : db_(db),
      repo_(repo),
      jobs_(jobs),
      media_(media),
      resources_(resources),
      resource_repo_(resource_repo),
      blobs_(blobs),
      clock_(clock),
      transcoder_(std::move(options)) {}

ingest::MediaHooks VideoService::Hooks() {
  ingest::MediaHooks h;
  h.on_stored = [this](storage::SqlExecutor& tx, const ingest::MediaRecord& m) {
    return OnMediaStored(tx, m);
  };
  h.after_commit = [this] {
    EmptyTrash();
    Wake();
  };
  return h;
}

void VideoService::RegisterJobs(jobs::JobRunner& runner) {
  runner.Register(kTranscodeJob, [this](jobs::JobContext& ctx) { return RunTranscode(ctx); });
}

Status VideoService::OnMediaStored(storage::SqlExecutor& tx, const ingest::MediaRecord& m) {
  int64_t now = clock_.NowMs();
  // The ladder and the transcode of the bytes these replace are moot.
  LEP_RETURN_IF_ERROR(
      jobs_.CancelForResource(tx, m.resource_id, kTranscodeJob, now).map([](auto) {}));
  LEP_RETURN_IF_ERROR(repo_.DropLadder(tx, m.resource_id, now));
  if (m.kind != "video" || !m.passed || m.state != "ready") return Ok();
  return jobs_
      .Enqueue(tx, {kTranscodeJob, m.resource_id, json{{"source", m.playback_blob}}.dump(), 0, 3},
               now)
      .map([](auto) {});
}

Status VideoService::EnsureQueued(int64_t resource_id) {
  LEP_ASSIGN_OR_RETURN(auto media, media_.Get(resource_id));
  if (!media || media->kind != "video") {
    return Fail(Error::FailedPrecondition("尚未上传视频文件，无法转码"));
  }
  if (!media->passed || media->state != "ready") {
    return Fail(Error::FailedPrecondition("视频未通过技术标准检测（或仍在处理），不能转码"));
  }
  LEP_ASSIGN_OR_RETURN(auto ladder, repo_.GetLadder(resource_id));
  if (ladder && ladder->source_blob == media->playback_blob) return Ok();
  LEP_ASSIGN_OR_RETURN(auto latest, jobs_.Latest(resource_id, kTranscodeJob));
  if (latest &&
      (latest->state == jobs::JobState::kQueued || latest->state == jobs::JobState::kRunning)) {
    return Ok();
  }
  int64_t now = clock_.NowMs();
  LEP_RETURN_IF_ERROR(db_.Transaction([&](storage::SqlExecutor& tx) -> Status {
    return jobs_
        .Enqueue(tx,
                 {kTranscodeJob, resource_id, json{{"source", media->playback_blob}}.dump(), 0, 3},
                 now)
        .map([](auto) {});
  }));
  Wake();
  return Ok();
}

void VideoService::OnPublicChange(int64_t resource_id) {
  auto r = resource_repo_.Get(ResourceId{resource_id});
  if (!r || !*r || (*r)->meta.type != resources::ResourceType::kVideo) return;
  Status st = Ok();
  if ((*r)->state == ResourceState::kPublished) {
    st = EnsureQueued(resource_id);
    if (!st && st.error().Is(ErrorCode::kFailedPrecondition)) st = Ok();
  } else {
    // Withdrawn: stop spending a worker on it (a running job stops at its next heartbeat).
    int64_t now = clock_.NowMs();
    st = db_.Transaction([&](storage::SqlExecutor& tx) -> Status {
      return jobs_.CancelForResource(tx, resource_id, kTranscodeJob, now).map([](auto) {});
    });
  }
  if (!st) {
    std::fprintf(stderr,
                 "{\"level\":\"error\",\"msg\":\"video public change\",\"resource\":%lld,"
                 "\"error\":\"%s\"}\n",
                 static_cast<long long>(resource_id), st.error().message.c_str());
  }
}

Status VideoService::RequestTranscode(const auth::Principal& p, ResourceId id) {
  if (p.role == auth::Role::kPlatformAdmin) {
    LEP_RETURN_IF_ERROR(resources_.LoadVisible(p, id).map([](auto&&) {}));
  } else {
    LEP_RETURN_IF_ERROR(resources_.LoadWritable(p, id).map([](auto&&) {}));
  }
  return EnsureQueued(id.value);
}

Result<VideoStatus> VideoService::GetStatus(int64_t resource_id) {
  VideoStatus s;
  LEP_ASSIGN_OR_RETURN(auto media, media_.Get(resource_id));
  LEP_ASSIGN_OR_RETURN(s.captions, repo_.Captions(resource_id));
  if (media) s.duration_s = SourceFromProbe(media->probe).duration_s;
  LEP_ASSIGN_OR_RETURN(s.ladder, repo_.GetLadder(resource_id));
  if (s.ladder && (!media || s.ladder->source_blob != media->playback_blob)) s.ladder.reset();
  LEP_ASSIGN_OR_RETURN(s.job, jobs_.Latest(resource_id, kTranscodeJob));
  if (s.ladder) {
    s.state = "ready";
    s.progress = 100;
  } else if (s.job && s.job->state != jobs::JobState::kDone) {
    s.state = std::string(jobs::JobStateName(s.job->state));
    s.progress = s.job->progress / 10;
  }
  return s;
}

Result<std::string> VideoService::Master(int64_t resource_id) {
  LEP_ASSIGN_OR_RETURN(VideoStatus s, GetStatus(resource_id));
  if (!s.ladder) return Fail(Error::NotFound("该视频的自适应码流尚未生成"));
  std::vector<SubtitleTrack> subs;
  for (const auto& c : s.captions) {
    subs.push_back({c.label, c.language, c.blob + ".vtt.m3u8", subs.empty()});
  }
  return MasterPlaylist(s.ladder->renditions, subs);
}

Result<std::optional<VideoFile>> VideoService::File(int64_t resource_id, const std::string& blob) {
  return repo_.GetFile(resource_id, blob);
}

Result<std::optional<Caption>> VideoService::CaptionByBlob(int64_t resource_id,
                                                           const std::string& blob) {
  return repo_.CaptionByBlob(resource_id, blob);
}

Result<std::string> VideoService::SubtitlePlaylistOf(int64_t resource_id, const Caption& c) {
  LEP_ASSIGN_OR_RETURN(auto media, media_.Get(resource_id));
  double duration = media ? SourceFromProbe(media->probe).duration_s : 0;
  return SubtitlePlaylist(c.blob + ".vtt", duration);
}

Result<std::set<int64_t>> VideoService::WithCaptions(const std::vector<int64_t>& ids) {
  return repo_.WithCaptions(ids);
}

void VideoService::EmptyTrash(int max_files) {
  while (max_files > 0) {
    auto blobs = repo_.Trash(std::min(max_files, 500));
    if (!blobs || blobs->empty()) return;
    for (const auto& b : *blobs) (void)blobs_.Remove(b);
    if (!repo_.Forget(*blobs)) return;
    max_files -= static_cast<int>(blobs->size());
  }
}

Result<resources::Resource> VideoService::MayEditCaptions(const auth::Principal& p, ResourceId id) {
  LEP_ASSIGN_OR_RETURN(auto visible, resources_.LoadVisible(p, id));
  const resources::Resource& r = visible.resource;
  if (r.meta.type != resources::ResourceType::kVideo) {
    return Fail(Error::FailedPrecondition("只有视频资源可以添加字幕"));
  }
  if (resources::IsEditable(r.state)) {
    LEP_RETURN_IF_ERROR(resources_.LoadWritable(p, id).map([](auto&&) {}));
    return r;
  }
  bool reviewing = r.state == ResourceState::kFirstReview || r.state == ResourceState::kFinalReview;
  if (reviewing && reviewer_check_ && reviewer_check_(p, r)) return r;
  if (reviewing && (p.role == auth::Role::kReviewer || p.role == auth::Role::kPlatformAdmin)) {
    return Fail(Error::PermissionDenied("只有当前审核环节的审核人可以修改审核中资源的字幕"));
  }
  return Fail(Error::FailedPrecondition(
      "资源当前状态为“" + std::string(resources::StateLabel(r.state)) +
      "”，不能修改字幕（草稿或退回修改时由录入单位修改，审核中由当前环节的审核人修改）"));
}

Result<Caption> VideoService::PutCaption(const auth::Principal& p, ResourceId id,
                                         const CaptionUpload& up) {
  LEP_ASSIGN_OR_RETURN(auto r, MayEditCaptions(p, id));
  std::vector<FieldError> errors;
  std::string language = up.language.empty() ? "zh" : up.language;
  if (!ValidLanguage(language)) {
    errors.push_back({"language", "字幕语言", "语言代码应为 BCP 47 格式，例如 zh、en、zh-Hant"});
  }
  std::string label = text::Trim(up.label);
  if (label.empty()) label = DefaultLabel(language);
  if (!text::IsValidUtf8(label) || text::CodePointCount(label) > 20) {
    errors.push_back({"label", "字幕名称", "字幕名称不能超过 20 个字"});
  }
  if (!errors.empty()) return Fail(Error::InvalidArgument(errors[0].message, errors));
  LEP_ASSIGN_OR_RETURN(auto media, media_.Get(id.value));
  if (!media) {
    return Fail(
        Error::FailedPrecondition("请先上传视频文件再添加字幕（字幕时间需要与视频时长核对）"));
  }
  auto duration_ms = static_cast<int64_t>(SourceFromProbe(media->probe).duration_s * 1000);
  LEP_ASSIGN_OR_RETURN(ParsedCaptions parsed, ParseCaptions(up.bytes, duration_ms));
  Caption c;
  c.resource_id = id.value;
  c.language = language;
  c.label = label;
  std::string filename = up.filename;
  if (!text::IsValidUtf8(filename) || text::CodePointCount(filename) > 200) filename = "";
  c.filename = filename;
  c.encoding = parsed.encoding;
  c.source_format = parsed.format == CaptionFormat::kSrt ? "srt" : "vtt";
  c.cue_count = static_cast<int64_t>(parsed.cues.size());
  c.created_by = p.user_id.value;
  c.created_at = clock_.NowMs();
  if (screen_) {
    for (const Cue& cue : parsed.cues) {
      for (const ScreenHit& h : screen_(PlainText(cue.text))) {
        c.flagged.push_back({{"line", cue.line + 1}, {"word", h.word}, {"matched", h.matched}});
      }
    }
  }
  LEP_ASSIGN_OR_RETURN(c.blob, blobs_.PutBytes(ToWebVtt(parsed.cues)));
  std::string detail = "字幕 " + language + "（" + label + "）：" + std::to_string(c.cue_count) +
                       " 条，" + c.source_format + "，" + c.encoding;
  if (!c.flagged.empty()) detail += "，敏感词 " + std::to_string(c.flagged.size()) + " 处";
  auto stored = db_.Transaction([&](storage::SqlExecutor& tx) -> Status {
    LEP_ASSIGN_OR_RETURN(c.id, repo_.PutCaption(tx, c, c.created_at));
    return security::AppendAudit(tx, CaptionAudit(p, c.created_at, id, up.ip, "上传" + detail))
        .map([](auto&&) {});
  });
  if (!stored) {
    (void)blobs_.Remove(c.blob);
    return Fail(stored.error());
  }
  EmptyTrash();
  return c;
}

Status VideoService::DeleteCaption(const auth::Principal& p, ResourceId id, int64_t caption_id,
                                   const std::string& ip) {
  LEP_RETURN_IF_ERROR(MayEditCaptions(p, id).map([](auto&&) {}));
  LEP_ASSIGN_OR_RETURN(auto existing, repo_.GetCaption(id.value, caption_id));
  if (!existing) return Fail(Error::NotFound("字幕不存在"));
  int64_t now = clock_.NowMs();
  LEP_RETURN_IF_ERROR(db_.Transaction([&](storage::SqlExecutor& tx) -> Status {
    LEP_ASSIGN_OR_RETURN(bool deleted, repo_.DeleteCaption(tx, id.value, caption_id, now));
    if (!deleted) return Fail(Error::NotFound("字幕不存在"));
    return security::AppendAudit(
               tx, CaptionAudit(p, now, id, ip,
                                "删除字幕 " + existing->language + "（" + existing->label + "）"))
        .map([](auto&&) {});
  }));
  EmptyTrash();
  return Ok();
}

Status VideoService::RunTranscode(jobs::JobContext& ctx) {
  const jobs::Job& job = ctx.job();
  if (!job.resource_id) return Fail(Error::InvalidArgument("任务缺少资源ID"));
  const int64_t id = *job.resource_id;
  json payload = json::parse(job.payload, nullptr, false);
  const std::string source = payload.is_object() ? payload.value("source", "") : "";
  EmptyTrash(100'000);
  LEP_ASSIGN_OR_RETURN(auto media, media_.Get(id));
  // Replaced, removed or never fit for a ladder: nothing to do.
  if (!media || media->playback_blob != source || media->kind != "video" || !media->passed) {
    return Ok();
  }
  // Made already (a worker that died between recording the ladder and completing the job).
  LEP_ASSIGN_OR_RETURN(auto existing, repo_.GetLadder(id));
  if (existing && existing->source_blob == source) return Ok();
  LEP_ASSIGN_OR_RETURN(auto resource, resource_repo_.Get(ResourceId{id}));
  if (!resource) return Ok();
  LEP_ASSIGN_OR_RETURN(std::string src_path, blobs_.PathOf(source));
  SourceInfo info = SourceFromProbe(media->probe);
  std::vector<RenditionSpec> plan = PlanLadder(info);
  if (info.duration_s <= 0 ||
      std::none_of(plan.begin(), plan.end(), [](const RenditionSpec& s) { return !s.audio; })) {
    return Fail(Error::InvalidArgument("无法从检测结果确定视频的分辨率和时长，不能转码"));
  }
  const bool make_poster = !resource->cover;
  const ThumbnailPlan thumbs = PlanThumbnails(info);

  const std::string temp = blobs_.TempDir();
  RemoveWorkDirs(temp, job.id);
  const std::string work =
      temp + "/video-" + std::to_string(job.id) + "-" + std::to_string(job.attempts);
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{work};

  double total = 0;
  for (const auto& s : plan) total += s.audio ? 20'000 : double(s.short_side) * s.short_side;
  total += 150'000 + (make_poster ? 10'000 : 0);
  Steps steps(ctx, total);
  auto started = std::chrono::steady_clock::now();
  std::vector<EncodedRendition> encoded;
  for (const auto& spec : plan) {
    double weight = spec.audio ? 20'000 : double(spec.short_side) * spec.short_side;
    LEP_ASSIGN_OR_RETURN(auto r, transcoder_.Encode(src_path, info, spec, work + "/" + spec.name,
                                                    steps.Step(weight)));
    encoded.push_back(std::move(r));
  }
  std::string poster_path;
  if (make_poster) {
    LEP_ASSIGN_OR_RETURN(poster_path,
                         transcoder_.Poster(src_path, info, work + "/poster", steps.Step(10'000)));
  }
  LEP_ASSIGN_OR_RETURN(auto sprites, transcoder_.Sprites(src_path, info, thumbs, work + "/thumbs",
                                                         steps.Step(150'000)));
  if (!ctx.Progress(980)) return Fail(Error::Unavailable("转码已停止"));

  // Into the blob store under generated names; playlists rewritten to those names.
  Adopted adopted(blobs_);
  Ladder ladder;
  ladder.resource_id = id;
  ladder.source_blob = source;
  ladder.made_by = job.lease_owner;
  for (auto& e : encoded) {
    const std::string type = e.rendition.audio ? "audio/mp4" : "video/mp4";
    MediaPlaylist rewritten = e.playlist;
    LEP_ASSIGN_OR_RETURN(rewritten.init, adopted.Add(e.dir + "/" + e.playlist.init, "mp4", type));
    for (auto& seg : rewritten.segments) {
      LEP_ASSIGN_OR_RETURN(seg.uri, adopted.Add(e.dir + "/" + seg.uri, "m4s", "video/iso.segment"));
    }
    const std::string playlist_path = e.dir + "/rewritten.m3u8";
    if (!WriteFile(playlist_path, WriteMediaPlaylist(rewritten))) {
      return Fail(Error::Internal("无法写入播放列表"));
    }
    e.rendition.playlist = "";
    LEP_ASSIGN_OR_RETURN(e.rendition.playlist,
                         adopted.Add(playlist_path, "m3u8", "application/vnd.apple.mpegurl"));
    ladder.renditions.push_back(e.rendition);
  }
  if (!poster_path.empty()) {
    LEP_ASSIGN_OR_RETURN(std::string poster, adopted.Add(poster_path, "jpg", "image/jpeg"));
    ladder.poster_blob = BlobOfName(poster);
  }
  std::vector<std::string> sprite_names;
  for (const auto& s : sprites) {
    LEP_ASSIGN_OR_RETURN(std::string name, adopted.Add(s, "jpg", "image/jpeg"));
    sprite_names.push_back(name);
  }
  const std::string vtt_path = work + "/thumbnails.vtt";
  if (!WriteFile(vtt_path, ThumbnailsVtt(thumbs, sprite_names, info.duration_s))) {
    return Fail(Error::Internal("无法写入预览缩略图列表"));
  }
  LEP_ASSIGN_OR_RETURN(std::string vtt, adopted.Add(vtt_path, "vtt", "text/vtt; charset=utf-8"));
  ladder.thumbnails_blob = BlobOfName(vtt);
  if (!ctx.Progress(990)) return Fail(Error::Unavailable("转码已停止"));

  ladder.created_at = clock_.NowMs();
  bool saved = false;
  LEP_RETURN_IF_ERROR(db_.Transaction([&](storage::SqlExecutor& tx) -> Status {
    LEP_ASSIGN_OR_RETURN(saved, repo_.SaveLadder(tx, ladder, adopted.files()));
    return Ok();
  }));
  if (!saved) return Ok();  // the media changed meanwhile: these files belong to nobody
  adopted.Keep();
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::string names;
  for (const auto& r : ladder.renditions) names += (names.empty() ? "" : ",") + r.name;
  std::fprintf(stderr,
               "{\"level\":\"info\",\"msg\":\"transcoded\",\"resource\":%lld,\"job\":%lld,"
               "\"renditions\":\"%s\",\"files\":%zu,\"seconds\":%.1f,\"media_seconds\":%.1f}\n",
               static_cast<long long>(id), static_cast<long long>(job.id), names.c_str(),
               adopted.files().size(), seconds, info.duration_s);
  return Ok();
}

}  // namespace lep::video
