#include "ingest/media_check.h"

#include <filesystem>

#include "crypto/crypto.h"
#include "resources/metadata.h"

namespace lep::ingest {

using nlohmann::json;

json ProbeJson(const media::ProbeResult& p) {
  return {{"container", p.container},       {"video_codec", p.video_codec},
          {"audio_codec", p.audio_codec},   {"width", p.width},
          {"height", p.height},             {"frame_rate", p.frame_rate},
          {"bit_rate", p.bit_rate},         {"duration_s", p.duration_s},
          {"sample_rate", p.sample_rate},   {"bits_per_sample", p.bits_per_sample},
          {"channels", p.channels},         {"has_video", p.has_video},
          {"has_audio", p.has_audio},       {"moov_before_mdat", p.moov_before_mdat},
          {"video_profile", p.video_profile}, {"pixel_format", p.pixel_format},
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
                   {"fixable", r.fixable},
                   {"advice", r.advice}});
  }
  return out;
}

security::AuditRecord FileAudit(const FileActor& actor, int64_t now, const std::string& action,
                                resources::ResourceId id, const std::string& detail) {
  security::AuditRecord a;
  a.at = now;
  if (actor.user_id) a.actor_id = actor.user_id;
  if (actor.org_id) a.org_id = actor.org_id;
  a.ip = actor.ip;
  a.action = action;
  a.object = "resource:" + std::to_string(id.value);
  a.detail = detail;
  return a;
}

bool NeedsRemux(const media::ProbeResult& probe, const std::vector<media::RuleResult>& rules,
                media::MediaKind kind) {
  if (kind != media::MediaKind::kVideo || !probe.error.empty() || probe.moov_before_mdat) {
    return false;
  }
  for (const auto& r : rules) {
    if (!r.pass && !r.fixable) return false;
  }
  return true;
}

std::string MeasuredDuration(const media::ProbeResult& probe) {
  return probe.error.empty() && probe.duration_s > 0
             ? resources::FormatDuration(static_cast<int64_t>(probe.duration_s + 0.5))
             : std::string();
}

Result<PlaybackCopy> RemuxPlaybackCopy(storage::BlobStore& blobs, media::MediaProbe& probe,
                                       jobs::JobContext& ctx, const std::string& blob) {
  LEP_ASSIGN_OR_RETURN(std::string src, blobs.PathOf(blob));
  std::string out =
      blobs.TempDir() + "/remux-" + blob + "-" + std::to_string(ctx.job().id) + ".mp4";
  auto drop = [&out] {
    std::error_code ec;
    std::filesystem::remove(out, ec);
  };
  if (!ctx.Progress(100)) return Fail(Error::Unavailable("任务已停止"));
  auto remuxed = media::RemuxFaststart(src, out);
  if (!remuxed) {
    // Stays as uploaded; the report already says why it cannot be played progressively.
    drop();
    return Fail(Error::InvalidArgument("无法重新封装：" + remuxed.error().message));
  }
  if (!ctx.Progress(700)) {
    drop();
    return Fail(Error::Unavailable("任务已停止"));
  }
  auto probed = probe.Probe(out, media::MediaKind::kVideo);
  auto sha = crypto::Sha256FileHex(out);
  if (!probed || !sha) {
    drop();
    Error e = !probed ? probed.error() : sha.error();
    if (e.Is(ErrorCode::kUnavailable)) return Fail(e);  // busy: try again later
    return Fail(Error::InvalidArgument("重新封装后的文件无法检测：" + e.message));
  }
  LEP_ASSIGN_OR_RETURN(std::string adopted, blobs.AdoptFile(out));
  auto rules = media::EvaluateStandard(*probed, media::MediaKind::kVideo);
  return PlaybackCopy{adopted, *sha, ReportJson(rules), media::MeetsStandard(rules),
                      probed->moov_before_mdat};
}

}  // namespace lep::ingest
