// Internal to lep_media: RAII owners for FFmpeg handles and the two ways this module opens an
// input — demuxer forced from the expected kind, a local file or caller-owned bytes (never a
// network protocol), a deadline on blocking calls. Only av_*.cpp include this; FFmpeg headers
// never leave the module. Thread-safe (no shared state).
#pragma once

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/dict.h>
}

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "media/media_probe.h"

namespace lep::media::av {

// Also frees a custom AVIOContext (AVFMT_FLAG_CUSTOM_IO), which avformat_close_input leaves
// to the caller; its opaque is never owned.
struct InputCloser {
  void operator()(AVFormatContext* ctx) const {
    AVIOContext* custom = (ctx->flags & AVFMT_FLAG_CUSTOM_IO) != 0 ? ctx->pb : nullptr;
    avformat_close_input(&ctx);
    if (custom != nullptr) {
      av_freep(&custom->buffer);
      avio_context_free(&custom);
    }
  }
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

// The reason given when FFmpeg runs out of memory on a file: it refuses single allocations
// beyond max_alloc_size, so that is a header declaring absurd sizes, not the server's state.
inline constexpr const char* kTooLarge = "文件结构异常（文件头声明的数据量过大，无法解析）";

// FFmpeg's (English) text for an error code, e.g. "Invalid data found when processing input".
std::string ErrorText(int err);

// Opens a local file with only the demuxer of `kind` ("mp4" family or "mp3"), the file protocol
// only and data references disabled. Content failures → kInvalidArgument with a Chinese reason;
// memory/I/O → kInternal.
[[nodiscard]] Result<InputContext> OpenRestrictedInput(const std::string& path, MediaKind kind,
                                                       Deadline* deadline);

// Caller-owned bytes read through a custom AVIOContext (read + seek callbacks); must outlive
// every context opened on it.
struct MemoryReader {
  std::string_view bytes;
  int64_t pos = 0;
};

// OpenRestrictedInput over `reader` instead of a file: the same forced demuxer and options,
// and no protocol at all — nested opens (e.g. mp4 data references) are refused.
[[nodiscard]] Result<InputContext> OpenRestrictedMemoryInput(MemoryReader* reader, MediaKind kind,
                                                             Deadline* deadline);

}  // namespace lep::media::av
