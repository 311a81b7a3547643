// Internal to lep_media: RAII owners for FFmpeg handles and the one way this module opens an
// input — demuxer forced from the expected kind, local files only, a deadline on blocking
// calls. Only av_*.cpp include this; FFmpeg headers never leave the module. Thread-safe (no
// shared state).
#pragma once

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/dict.h>
}

#include <chrono>
#include <memory>
#include <string>

#include "core/result.h"
#include "media/media_probe.h"

namespace lep::media::av {

struct InputCloser {
  void operator()(AVFormatContext* ctx) const { avformat_close_input(&ctx); }
};
using InputContext = std::unique_ptr<AVFormatContext, InputCloser>;

struct OutputFreer {
  void operator()(AVFormatContext* ctx) const {
    if (ctx->pb != nullptr && (ctx->oformat->flags & AVFMT_NOFILE) == 0) avio_closep(&ctx->pb);
    avformat_free_context(ctx);
  }
};
using OutputContext = std::unique_ptr<AVFormatContext, OutputFreer>;

struct PacketFreer {
  void operator()(AVPacket* pkt) const { av_packet_free(&pkt); }
};
using Packet = std::unique_ptr<AVPacket, PacketFreer>;

// An owned AVDictionary of options; FFmpeg consumes the entries it recognises.
class Dict {
 public:
  Dict() = default;
  Dict(const Dict&) = delete;
  Dict& operator=(const Dict&) = delete;
  ~Dict() { av_dict_free(&dict_); }
  void Set(const char* key, const char* value) { av_dict_set(&dict_, key, value, 0); }
  AVDictionary** get() { return &dict_; }

 private:
  AVDictionary* dict_ = nullptr;
};

// Blocking FFmpeg calls poll this through AVIOInterruptCB and give up once it has passed.
// Must outlive every context that points at it.
struct Deadline {
  std::chrono::steady_clock::time_point until;
  static int Expired(void* opaque) {
    return std::chrono::steady_clock::now() > static_cast<const Deadline*>(opaque)->until ? 1 : 0;
  }
  AVIOInterruptCB Callback() { return AVIOInterruptCB{&Deadline::Expired, this}; }
};

// FFmpeg's (English) text for an error code, e.g. "Invalid data found when processing input".
std::string ErrorText(int err);

// Opens a local file with only the demuxer of `kind` ("mp4" family or "mp3"), the file protocol
// only and data references disabled. Content failures → kInvalidArgument with a Chinese reason;
// memory/I/O → kInternal.
[[nodiscard]] Result<InputContext> OpenRestrictedInput(const std::string& path, MediaKind kind,
                                                       Deadline* deadline);

}  // namespace lep::media::av
