// libFuzzer harness for the media probe over an in-memory AVIO (media::ProbeMemory): every
// input is probed as video (forced mp4 demuxer) and as audio (forced mp3 demuxer).
// Invariants: content never makes the probe fail (bad bytes are a result with `error` set);
// a readable result is plausible (streams present, container of the expected kind, sane
// numbers); EvaluateStandard gives one failing "readable" rule for an error and the full rule
// list otherwise.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "core/text.h"
#include "fuzz_check.h"
#include "media/media_probe.h"

extern "C" {
#include <libavutil/log.h>
}

namespace {

using lep::media::MediaKind;

void Check(std::string_view bytes, MediaKind kind) {
  auto r = lep::media::ProbeMemory(bytes, kind);
  if (!r) std::fprintf(stderr, "ProbeMemory failed: %s\n", r.error().message.c_str());
  FUZZ_CHECK(r.has_value());
  const auto& p = *r;
  FUZZ_CHECK(lep::text::IsValidUtf8(p.error));
  const auto rules = lep::media::EvaluateStandard(p, kind);
  if (!p.error.empty()) {
    FUZZ_CHECK(rules.size() == 1 && rules[0].rule == "readable" && !rules[0].pass);
    return;
  }
  FUZZ_CHECK(rules.size() == (kind == MediaKind::kVideo ? 7u : 4u));
  for (const auto& rule : rules) FUZZ_CHECK(lep::text::IsValidUtf8(rule.measured));
  FUZZ_CHECK(p.has_video || p.has_audio);
  FUZZ_CHECK(p.width >= 0 && p.height >= 0 && p.channels >= 0 && p.sample_rate >= 0);
  FUZZ_CHECK(std::isfinite(p.frame_rate) && p.frame_rate >= 0);
  FUZZ_CHECK(std::isfinite(p.duration_s) && p.duration_s >= 0);
  FUZZ_CHECK(p.bit_rate >= 0);
  if (kind == MediaKind::kVideo) {
    FUZZ_CHECK(p.container == "mp4" || p.container == "mov" || p.container == "3gp");
  } else {
    FUZZ_CHECK(p.container == "mp3" && !p.has_video);
    FUZZ_CHECK(p.has_audio && p.sample_rate > 0 && p.channels > 0);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  av_log_set_level(AV_LOG_QUIET);  // FFmpeg's warnings about broken input are the normal case
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  Check(bytes, MediaKind::kVideo);
  Check(bytes, MediaKind::kAudio);
  return 0;
}
