// Transcoder: makes one rendition of the HLS ladder (fMP4 segments, keyframes on segment
// boundaries), the poster frame or the seek-preview sprites of a source file into a working
// directory, with the Debian ffmpeg CLI as a bounded child (RunChild: `-threads`, nice level,
// address-space and CPU-time limits, killed on stop). Why the CLI and not libav* in-process:
// decoding untrusted video is the riskiest thing lep does — in a child a decoder crash, a
// memory blow-up or a hang costs that child only, the limits are enforced by the kernel, and a
// cancelled job is one SIGKILL away. Touches neither the database nor the blob store.
// Stateless; thread-safe; blocking.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/result.h"
#include "video/child_process.h"
#include "video/ladder.h"

namespace lep::video {

struct TranscodeOptions {
  std::string ffmpeg = "/usr/bin/ffmpeg";
  std::string preset = "veryfast";  // x264 preset ("ultrafast" in tests)
  int threads = 2;                  // ffmpeg -threads (decoder and encoder)
  int segment_seconds = 4;
  // nice, RLIMIT_AS, stall timeout; cpu_seconds 0 = 120 s + 40 × the source's duration.
  ChildLimits limits;
};

struct EncodedRendition {
  Rendition rendition;     // playlist = the local playlist's file name
  std::string dir;         // its files: the playlist, init segment and segments
  MediaPlaylist playlist;  // as ffmpeg wrote it (local file names)
  double cpu_seconds = 0;
  int64_t max_rss_kb = 0;
};

// Fraction (0–1) of the current step done; returns false to stop.
using StepProgress = std::function<bool(double fraction)>;

class Transcoder {
 public:
  explicit Transcoder(TranscodeOptions options) : options_(std::move(options)) {}

  // One rendition into `dir` (created). kUnavailable when progress() said stop; kInternal
  // when ffmpeg failed (the reason in Chinese, with its last error line).
  [[nodiscard]] Result<EncodedRendition> Encode(const std::string& source, const SourceInfo& src,
                                                const RenditionSpec& spec, const std::string& dir,
                                                const StepProgress& progress) const;
  // A poster frame (JPEG, shorter side ≤ 720) a little into the video; its path.
  [[nodiscard]] Result<std::string> Poster(const std::string& source, const SourceInfo& src,
                                           const std::string& dir,
                                           const StepProgress& progress) const;
  // The thumbnail sprites of `plan`, in order; their paths.
  [[nodiscard]] Result<std::vector<std::string>> Sprites(const std::string& source,
                                                         const SourceInfo& src,
                                                         const ThumbnailPlan& plan,
                                                         const std::string& dir,
                                                         const StepProgress& progress) const;

  const TranscodeOptions& options() const { return options_; }

 private:
  Result<ChildResult> Run(const std::string& what, std::vector<std::string> args,
                          const SourceInfo& src, const StepProgress& progress) const;
  std::vector<std::string> InputArgs(const std::string& source) const;

  TranscodeOptions options_;
};

}  // namespace lep::video
