// Media probe: measures an uploaded video (A01, mp4) or audio (A02, mp3) file from its bytes
// and checks it against the technical standard of SPEC §3. Plain C++; FFmpeg stays in the .cpp.
// MediaProbe implementations are stateless and safe to call from several worker threads at
// once; probing blocks on disk I/O, so never call it on an I/O thread. Everything else here is
// pure and thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/concurrency_limiter.h"
#include "core/result.h"

namespace lep::media {

enum class MediaKind {
  kVideo,  // A01: mp4 (H.264 + AAC)
  kAudio,  // A02: mp3
};

struct ProbeResult {
  std::string container;      // "mp4", "mov", "3gp" (from the ftyp box) or "mp3"
  std::string video_codec;    // FFmpeg codec name: "h264", "hevc", ... ("" without video)
  std::string audio_codec;    // "aac", "mp3", ... ("" without audio)
  int width = 0, height = 0;  // coded size as stored (else the track header's); no rotation
  // H.264 only (the decoded codecs): FFmpeg's profile name ("High", "High 10", "High 4:2:2")
  // and the decoded pixel format ("yuv420p", "yuv420p10le"); "" when unknown.
  std::string video_profile;
  std::string pixel_format;
  double frame_rate = 0;      // average fps (avg_frame_rate, else r_frame_rate)
  int64_t bit_rate = 0;       // average, bits/s, whole file (container's, else size*8/duration)
  double duration_s = 0;
  int sample_rate = 0;
  // Bits per sample: the stream's own value if it has one, else the width of the sample format
  // FFmpeg decodes it to (mp3 → fltp → 32, s16p → 16). 0 if unknown.
  int bits_per_sample = 0;
  int channels = 0;
  bool has_video = false, has_audio = false;  // cover art (attached pictures) is not video
  bool moov_before_mdat = false;              // mp4 only: from the top-level box layout
  // Non-empty when the content could not be read as the expected kind (corrupt, truncated,
  // not an mp4/mp3 at all): a Chinese reason for the uploader. The other fields are then
  // unreliable.
  std::string error;
};

class MediaProbe {
 public:
  virtual ~MediaProbe() = default;
  // Opens `path` with the demuxer of `expected` only (never by sniffing), local file only, and
  // reads headers plus a few packets. Bad content is a successful result with `error` set;
  // Fail() is for the platform's own problems: kNotFound when the file is missing, kInternal
  // for I/O or memory failures, kUnavailable when MediaProbeLimiter() has no slot in time.
  // A hostile file costs bounded memory and CPU: sample tables that declare more than
  // mp4_boxes.h allows are refused before FFmpeg reads them, and FFmpeg may allocate at most
  // 128 MiB in one piece (av_max_alloc, process-wide).
  [[nodiscard]] virtual Result<ProbeResult> Probe(const std::string& path, MediaKind expected) = 0;
};

// The libavformat/libavcodec implementation.
std::unique_ptr<MediaProbe> NewAvMediaProbe();

// The process-wide limiter of the probes (FFmpeg part): 2 at once, 4 more may wait up to 20 s.
ConcurrencyLimiter& MediaProbeLimiter();

// The same probe over bytes in memory (a custom AVIOContext): the same checks, forced demuxer
// and result as AvMediaProbe on a file holding those bytes, and no protocol is ever opened
// (nothing on disk, nothing on the network). Fail() only for kInternal and kUnavailable.
// Blocking; thread-safe;
// `bytes` must stay alive during the call.
[[nodiscard]] Result<ProbeResult> ProbeMemory(std::string_view bytes, MediaKind expected);

struct RuleResult {
  std::string rule;      // stable id: "container", "resolution", ...
  std::string label;     // 中文, e.g. "分辨率"
  std::string required;  // e.g. "≥ 1280×720"
  std::string measured;  // e.g. "640×360"
  bool pass = false;
  // A failing rule the platform can fix without re-encoding (moov after mdat → faststart remux).
  bool fixable = false;
  // For a failing rule: what to do about it, in plain Chinese without container jargon
  // (e.g. which export settings to choose). "" when the rule passes.
  std::string advice;
};

// One result per rule of SPEC §3 for `kind`, in a fixed order. A probe error gives a single
// failing rule "readable" carrying the reason. Decisions:
//  - resolution: the longer side ≥ 1280 and the shorter ≥ 720 (720×1280 portrait passes);
//  - frame rate ≥ 25 with no rounding up (29.97 passes, 24.99 fails);
//  - bit rate ≥ 2 000 000 bits/s averaged over the whole file, audio included;
//  - video codec: H.264 that mainstream browsers and phones play — 8-bit 4:2:0 in the
//    Baseline, Main or High profile (High 10, High 4:2:2 and 4:4:4 fail, although they are
//    H.264); an unknown profile or pixel format is not held against the file;
//  - a video without an audio track fails the AAC rule;
//  - mp3: MPEG-audio layer 3 only; sample rate ≥ 44 000 Hz; exactly 2 channels. An mp3 stores
//    no bit depth (it is decoded to ≥ 16 bits), so the bit-depth rule says so and passes; for
//    other audio the stream's stated depth is used and unknown (0) fails.
std::vector<RuleResult> EvaluateStandard(const ProbeResult& probe, MediaKind kind);

// True when every rule passes.
bool MeetsStandard(const std::vector<RuleResult>& rules);

// Rewrites the mp4 `in` into `out` with the moov box first (movflags=+faststart), copying the
// audio and video streams without re-encoding. `out` is overwritten; on failure it is removed.
// The caller renames `out` over the original atomically. Blocking; thread-safe.
[[nodiscard]] Status RemuxFaststart(const std::string& in, const std::string& out);

}  // namespace lep::media
