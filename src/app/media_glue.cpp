#include "app/media_glue.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <sodium.h>

#include "media/cover_image.h"
#include "media/media_probe.h"
#include "resources/metadata.h"
#include "security/audit_chain.h"

namespace lep::app {
namespace fs = std::filesystem;

namespace {

json ProbeJson(const media::ProbeResult& p) {
  return {{"container", p.container},       {"video_codec", p.video_codec},
          {"audio_codec", p.audio_codec},   {"width", p.width},
          {"height", p.height},             {"frame_rate", p.frame_rate},
          {"bit_rate", p.bit_rate},         {"duration_s", p.duration_s},
          {"sample_rate", p.sample_rate},   {"bits_per_sample", p.bits_per_sample},
          {"channels", p.channels},         {"has_video", p.has_video},
          {"has_audio", p.has_audio},       {"moov_before_mdat", p.moov_before_mdat},
          {"error", p.error}};
}

json ReportJson(const std::vector<media::RuleResult>& rules) {
  json out = json::array();
  for (const auto& r : rules) {
    out.push_back({{"rule", r.rule},
                   {"label", r.label},
                   {"required", r.required},
                   {"measured", r.measured},
                   {"pass", r.pass},
                   {"fixable", r.fixable}});
  }
  return out;
}

Status SaveMedia(storage::SqlExecutor& db, const MediaRecord& m) {
  return db
      .Exec("INSERT INTO media (resource_id, blob, sha256, size, filename, kind, playback_blob, "
            "playback_sha256, probe, report, passed, state, created_at) VALUES (?, ?, ?, ?, ?, ?, "
            "?, ?, ?, ?, ?, ?, ?) ON CONFLICT (resource_id) DO UPDATE SET blob = excluded.blob, "
            "sha256 = excluded.sha256, size = excluded.size, filename = excluded.filename, "
            "kind = excluded.kind, playback_blob = excluded.playback_blob, "
            "playback_sha256 = excluded.playback_sha256, probe = excluded.probe, "
            "report = excluded.report, passed = excluded.passed, state = excluded.state, "
            "created_at = excluded.created_at",
            {m.resource_id, m.blob, m.sha256, m.size, m.filename, m.kind, m.playback_blob,
             m.playback_sha256, m.probe.dump(), m.report.dump(), int64_t{m.passed}, m.state,
             m.created_at})
      .map([](auto&&) {});
}

// The outcome of a remux: the playback copy of the media whose original is `blob`. A
// compare-and-set on the original, so a remux that finishes after the media were replaced
// changes nothing (false).
Result<bool> SavePlayback(storage::SqlExecutor& db, int64_t resource_id, const std::string& blob,
                          const std::string& playback_blob, const std::string& playback_sha256,
                          const json& report, bool passed, const json& probe) {
  LEP_ASSIGN_OR_RETURN(
      auto res, db.Exec("UPDATE media SET playback_blob = ?, playback_sha256 = ?, report = ?, "
                        "passed = ?, probe = ?, state = 'ready' WHERE resource_id = ? AND blob = ?",
                        {playback_blob, playback_sha256, report.dump(), int64_t{passed},
                         probe.dump(), resource_id, blob}));
  return res.affected == 1;
}

Result<std::optional<MediaRecord>> LoadMediaFrom(storage::SqlExecutor& db, int64_t resource_id) {
  LEP_ASSIGN_OR_RETURN(
      auto row, db.QueryOne("SELECT resource_id, blob, sha256, size, filename, kind, "
                            "playback_blob, playback_sha256, probe, report, passed, state, "
                            "created_at FROM media WHERE resource_id = ?",
                            {resource_id}));
  if (!row) return std::optional<MediaRecord>();
  MediaRecord m;
  m.resource_id = row->Int(0);
  m.blob = row->Text(1);
  m.sha256 = row->Text(2);
  m.size = row->Int(3);
  m.filename = row->Text(4);
  m.kind = row->Text(5);
  m.playback_blob = row->Text(6);
  m.playback_sha256 = row->Text(7);
  m.probe = json::parse(row->Text(8), nullptr, false);
  m.report = json::parse(row->Text(9), nullptr, false);
  m.passed = row->Int(10) != 0;
  m.state = row->Text(11);
  m.created_at = row->Int(12);
  return std::optional<MediaRecord>(std::move(m));
}

std::string Sha256File(const std::string& path) {
  // Used only for the remuxed copy (a new file); uploads hash while receiving.
  std::ifstream in(path, std::ios::binary);
  unsigned char digest[32];
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    crypto_hash_sha256_update(&st, reinterpret_cast<unsigned char*>(buf.data()),
                              static_cast<unsigned long long>(in.gcount()));
  }
  crypto_hash_sha256_final(&st, digest);
  return text::Hex(std::string_view(reinterpret_cast<char*>(digest), sizeof digest));
}

}  // namespace

linkcheck::LinkCheckResult CheckAndStoreLink(AppContext& ctx, int64_t resource_id,
                                             const std::string& url) {
  linkcheck::LinkCheckResult r = ctx.link_checker->Check(url);
  (void)ctx.db->Exec(
      "INSERT INTO link_checks (resource_id, url, reachable, status, final_url, hops, "
      "elapsed_ms, error_code, error, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (resource_id) DO UPDATE SET url = excluded.url, reachable = "
      "excluded.reachable, status = excluded.status, final_url = excluded.final_url, hops = "
      "excluded.hops, elapsed_ms = excluded.elapsed_ms, error_code = excluded.error_code, "
      "error = excluded.error, checked_at = excluded.checked_at",
      {resource_id, url, int64_t{r.reachable}, int64_t{r.status}, r.final_url, int64_t{r.hops},
       r.elapsed_ms, r.error_code, r.error, ctx.clock->NowMs()});
  return r;
}

json LinkCheckJson(AppContext& ctx, int64_t resource_id) {
  auto row = ctx.db->QueryOne("SELECT url, reachable, status, final_url, hops, elapsed_ms, "
                              "error_code, error, checked_at FROM link_checks WHERE "
                              "resource_id = ?",
                              {resource_id});
  if (!row || !*row) return nullptr;
  const auto& r = **row;
  return {{"url", r.Text(0)},        {"reachable", r.Int(1) != 0}, {"status", r.Int(2)},
          {"final_url", r.Text(3)},  {"hops", r.Int(4)},           {"elapsed_ms", r.Int(5)},
          {"error_code", r.Text(6)}, {"error", r.Text(7)},         {"checked_at", r.Int(8)}};
}

namespace {

Error NotEditable(resources::ResourceState state, const char* what) {
  return Error::FailedPrecondition("资源当前状态为“" + std::string(resources::StateLabel(state)) +
                                   "”，不能再更换" + what + "（只有草稿或退回修改的资源可以更换）");
}

// The editable resource an upload or cover belongs to, read before any costly work.
Result<resources::Resource> LoadEditable(AppContext& ctx, int64_t resource_id, const char* what) {
  LEP_ASSIGN_OR_RETURN(auto r, ctx.resource_repo->Get(resources::ResourceId{resource_id}));
  if (!r) return Fail(Error::NotFound("资源不存在"));
  if (!resources::IsEditable(r->state)) return Fail(NotEditable(r->state, what));
  return std::move(*r);
}

// Inside the transaction that records new media or a new cover: the resource must still be
// the version read before the work began, and still editable. Only reviewed bytes may ever
// become public, so a resource submitted (or published) meanwhile refuses the change.
Status BumpIfStillEditable(storage::SqlExecutor& tx, const resources::Resource& read,
                           int64_t now, const char* what) {
  LEP_ASSIGN_OR_RETURN(
      auto res, tx.Exec("UPDATE resources SET version = version + 1, updated_at = ? WHERE id = ? "
                        "AND version = ? AND state IN ('draft', 'returned')",
                        {now, read.id.value, read.version}));
  if (res.affected == 1) return Ok();
  LEP_ASSIGN_OR_RETURN(auto row, tx.QueryOne("SELECT state FROM resources WHERE id = ?",
                                             {read.id.value}));
  if (!row) return Fail(Error::NotFound("资源不存在"));
  auto state = resources::ParseState(row->Text(0)).value_or(resources::ResourceState::kDraft);
  if (!resources::IsEditable(state)) return Fail(NotEditable(state, what));
  return Fail(Error::Conflict(std::string("资源已被他人修改，本次") + what +
                              "未被采用，请刷新后重新上传"));
}

security::AuditRecord MediaAudit(const MediaActor& actor, int64_t now, const std::string& action,
                                 int64_t resource_id, const std::string& detail) {
  security::AuditRecord a;
  a.at = now;
  if (actor.user_id) a.actor_id = actor.user_id;
  if (actor.org_id) a.org_id = actor.org_id;
  a.ip = actor.ip;
  a.action = action;
  a.object = "resource:" + std::to_string(resource_id);
  a.detail = detail;
  return a;
}

}  // namespace

Status StoreCover(AppContext& ctx, const MediaActor& actor, int64_t resource_id,
                  std::string_view jpeg) {
  LEP_ASSIGN_OR_RETURN(auto read, LoadEditable(ctx, resource_id, "封面"));
  LEP_ASSIGN_OR_RETURN(media::CoverImage img, media::ProcessCover(jpeg));
  LEP_ASSIGN_OR_RETURN(std::string blob, ctx.blobs->PutBytes(jpeg));
  LEP_ASSIGN_OR_RETURN(std::string thumb, ctx.blobs->PutBytes(img.thumbnail_jpeg));
  int64_t now = ctx.clock->NowMs();
  std::string old_blob, old_thumb;
  auto stored = ctx.db->Transaction([&](storage::SqlExecutor& tx) -> Status {
    LEP_RETURN_IF_ERROR(BumpIfStillEditable(tx, read, now, "封面"));
    LEP_ASSIGN_OR_RETURN(auto old, tx.QueryOne("SELECT cover_blob, cover_thumb_blob FROM "
                                               "resources WHERE id = ?",
                                               {resource_id}));
    if (old) {
      old_blob = old->Text(0);
      old_thumb = old->Text(1);
    }
    LEP_RETURN_IF_ERROR(tx.Exec("UPDATE resources SET cover_blob = ?, cover_thumb_blob = ?, "
                                "cover_width = ?, cover_height = ? WHERE id = ?",
                                {blob, thumb, int64_t{img.width}, int64_t{img.height},
                                 resource_id}));
    return security::AppendAudit(tx, MediaAudit(actor, now, "resource.cover", resource_id,
                                                std::to_string(img.width) + "×" +
                                                    std::to_string(img.height) + " " +
                                                    std::to_string(jpeg.size()) + " 字节"))
        .map([](auto&&) {});
  });
  if (!stored) {
    (void)ctx.blobs->Remove(blob);
    (void)ctx.blobs->Remove(thumb);
    return stored;
  }
  if (!old_blob.empty() && old_blob != blob) (void)ctx.blobs->Remove(old_blob);
  if (!old_thumb.empty() && old_thumb != thumb) (void)ctx.blobs->Remove(old_thumb);
  return Ok();
}

Status OnUploadComplete(AppContext& ctx, const uploads::Upload& u, const std::string& path) {
  MediaActor actor{u.user_id, u.org_id, ""};
  if (u.kind == "cover") {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return StoreCover(ctx, actor, u.resource_id, ss.str());
  }
  LEP_ASSIGN_OR_RETURN(auto resource, LoadEditable(ctx, u.resource_id, "音视频文件"));
  media::MediaKind kind = resource.meta.type == resources::ResourceType::kAudio
                              ? media::MediaKind::kAudio
                              : media::MediaKind::kVideo;
  LEP_ASSIGN_OR_RETURN(media::ProbeResult probe, ctx.probe->Probe(path, kind));
  auto rules = media::EvaluateStandard(probe, kind);
  LEP_ASSIGN_OR_RETURN(std::string blob, ctx.blobs->AdoptFile(path));
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
  m.state = "ready";
  m.created_at = ctx.clock->NowMs();
  bool needs_remux = false;
  if (kind == media::MediaKind::kVideo && probe.error.empty() && !probe.moov_before_mdat) {
    // Everything else fine? Then the only failing rule is fixable by a remux.
    needs_remux = true;
    for (const auto& r : rules) {
      if (!r.pass && !r.fixable) needs_remux = false;
    }
  }
  if (needs_remux) m.state = "remuxing";
  // Measured from the file, never from input; an unreadable file has none.
  std::string duration = probe.error.empty() && probe.duration_s > 0
                             ? resources::FormatDuration(
                                   static_cast<int64_t>(probe.duration_s + 0.5))
                             : std::string();
  std::optional<MediaRecord> previous;
  auto stored = ctx.db->Transaction([&](storage::SqlExecutor& tx) -> Status {
    LEP_RETURN_IF_ERROR(BumpIfStillEditable(tx, resource, m.created_at, "音视频文件"));
    LEP_ASSIGN_OR_RETURN(previous, LoadMediaFrom(tx, u.resource_id));
    LEP_RETURN_IF_ERROR(SaveMedia(tx, m));
    LEP_RETURN_IF_ERROR(tx.Exec("UPDATE resources SET duration = ? WHERE id = ?",
                                {duration, u.resource_id}));
    return security::AppendAudit(
               tx, MediaAudit(actor, m.created_at, "resource.media", u.resource_id,
                              u.filename + " sha256=" + u.sha256 + " " +
                                  std::to_string(u.length) + " 字节，技术检测" +
                                  (m.passed ? "通过" : "未通过")))
        .map([](auto&&) {});
  });
  if (!stored) {
    (void)ctx.blobs->Remove(blob);
    return stored;
  }
  if (previous) {
    if (previous->playback_blob != previous->blob) (void)ctx.blobs->Remove(previous->playback_blob);
    (void)ctx.blobs->Remove(previous->blob);
  }
  if (needs_remux) {
    ctx.jobs.Run([&ctx, m]() mutable {
      auto src = ctx.blobs->PathOf(m.blob);
      if (!src) return;
      std::string out = ctx.blobs->TempDir() + "/remux-" + m.blob + ".mp4";
      auto st = media::RemuxFaststart(*src, out);
      if (!st) {
        (void)SavePlayback(*ctx.db, m.resource_id, m.blob, m.playback_blob, m.playback_sha256,
                           m.report, m.passed, m.probe);
        return;
      }
      auto probe2 = ctx.probe->Probe(out, media::MediaKind::kVideo);
      std::string sha = Sha256File(out);
      auto adopted = ctx.blobs->AdoptFile(out);
      if (!adopted || !probe2) return;
      auto rules2 = media::EvaluateStandard(*probe2, media::MediaKind::kVideo);
      m.probe["moov_before_mdat_after_remux"] = probe2->moov_before_mdat;
      auto saved = SavePlayback(*ctx.db, m.resource_id, m.blob, *adopted, sha, ReportJson(rules2),
                                media::MeetsStandard(rules2), m.probe);
      // The media were replaced while remuxing: this copy belongs to nobody.
      if (!saved || !*saved) (void)ctx.blobs->Remove(*adopted);
    });
  }
  return Ok();
}

Result<std::optional<MediaRecord>> LoadMedia(AppContext& ctx, int64_t resource_id) {
  return LoadMediaFrom(*ctx.db, resource_id);
}

json MediaJson(const MediaRecord& m) {
  return {{"resource_id", m.resource_id},
          {"filename", m.filename},
          {"kind", m.kind},
          {"size", m.size},
          {"sha256", m.sha256},
          {"playback_sha256", m.playback_sha256},
          {"remuxed", m.playback_blob != m.blob},
          {"state", m.state},
          {"probe", m.probe},
          {"report", m.report},
          {"passed", m.passed},
          {"url", "/media/resources/" + std::to_string(m.resource_id)},
          {"created_at", m.created_at}};
}

}  // namespace lep::app
