// MediaProbe on libavformat/libavcodec, over a file or (ProbeMemory) a buffer. Order of checks,
// cheapest and safest first: file exists → text playlist sniff → (mp4) our own top-level box
// walk / (mp3) libavformat's content probe on the first bytes → the forced demuxer reads
// headers and a few packets.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string_view>
#include <utility>
#include <vector>

#include "media/av_util.h"
#include "media/media_probe.h"
#include "media/mp4_boxes.h"

extern "C" {
#include <libavutil/error.h>
#include <libavutil/pixdesc.h>
#include <libavutil/mem.h>
#include <libavutil/samplefmt.h>
}

namespace lep::media {
namespace av {

std::string ErrorText(int err) {
  std::array<char, AV_ERROR_MAX_STRING_SIZE> buf{};
  av_strerror(err, buf.data(), buf.size());
  return std::string(buf.data());
}

namespace {

// The options both inputs share: only the demuxer of `kind`, bounded probing, the decoders
// avformat_find_stream_info may open.
void SetRestrictedOptions(MediaKind kind, const char* protocols, Dict* options) {
  const bool video = kind == MediaKind::kVideo;
  options->Set("protocol_whitelist", protocols);
  options->Set("format_whitelist", video ? "mp4" : "mp3");
  // Decoders that avformat_find_stream_info may open on a few packets; anything else is
  // described from the container alone.
  options->Set("codec_whitelist", "h264,hevc,aac,mp3float,mp3,mp2float,mp2,mp1float,mp1");
  options->Set("probesize", "5000000");        // bytes
  options->Set("analyzeduration", "5000000");  // microseconds
  options->Set("max_streams", "32");
  if (video) {
    options->Set("enable_drefs", "0");  // no external data references
    options->Set("use_absolute_path", "0");
    // Chapter tracks are read sample by sample at open; nothing here needs them.
    options->Set("ignore_chapters", "1");
  }
}

// FFmpeg refuses any single allocation above this (process-wide; the default is INT_MAX).
// A legitimate file within kMaxIndexEntries needs at most ~72 MiB in one piece (the muxer's
// per-sample table during a faststart remux); tables a header merely declares fail with
// ENOMEM instead of reserving gigabytes. The sum is bounded by the box walk (mp4_boxes.h).
constexpr size_t kMaxSingleAllocation = size_t{128} << 20;

void LimitAllocations() {
  static std::once_flag once;
  std::call_once(once, [] { av_max_alloc(kMaxSingleAllocation); });
}

// avformat_open_input with the forced demuxer; `raw` is consumed (freed on failure, by FFmpeg).
Result<InputContext> OpenForced(AVFormatContext* raw, const char* url, MediaKind kind,
                                Deadline* deadline, Dict* options) {
  LimitAllocations();
  const bool video = kind == MediaKind::kVideo;
  // "mp4" names the mov/mp4 demuxer; "mp3" the MPEG-audio one. Never let FFmpeg sniff: an
  // HLS playlist or a concat script must not be able to choose its own demuxer.
  const AVInputFormat* format = av_find_input_format(video ? "mp4" : "mp3");
  if (format == nullptr) {
    avformat_free_context(raw);
    return Fail(Error::Internal("媒体组件缺少所需的解复用器"));
  }
  raw->interrupt_callback = deadline->Callback();
  const int rc = avformat_open_input(&raw, url, format, options->get());
  if (rc < 0) {  // raw has been freed
    // FFmpeg refuses allocations beyond its max_alloc_size: an ENOMEM here is a header that
    // declares absurd tables (e.g. an stco of 2^29 entries), a verdict on the content.
    if (rc == AVERROR(ENOMEM)) return Fail(Error::InvalidArgument(kTooLarge));
    if (rc == AVERROR(ENOENT)) return Fail(Error::NotFound("媒体文件不存在"));
    if (rc == AVERROR(EACCES) || rc == AVERROR(EIO))
      return Fail(Error::Internal("读取媒体文件失败"));
    if (rc == AVERROR_EXIT) return Fail(Error::InvalidArgument("解析媒体文件超时"));
    return Fail(
        Error::InvalidArgument(std::string(video ? "无法解析 MP4 文件" : "无法解析 MP3 文件") +
                               "（" + ErrorText(rc) + "）"));
  }
  return InputContext(raw);
}

int ReadMemory(void* opaque, uint8_t* buf, int n) {
  auto* r = static_cast<MemoryReader*>(opaque);
  const auto size = static_cast<int64_t>(r->bytes.size());
  if (n <= 0) return 0;
  if (r->pos >= size) return AVERROR_EOF;
  const int got = static_cast<int>(std::min<int64_t>(n, size - r->pos));
  std::memcpy(buf, r->bytes.data() + r->pos, static_cast<size_t>(got));
  r->pos += got;
  return got;
}

// Positions past the end are allowed (reads there hit EOF), negative ones are not.
int64_t SeekMemory(void* opaque, int64_t offset, int whence) {
  auto* r = static_cast<MemoryReader*>(opaque);
  const auto size = static_cast<int64_t>(r->bytes.size());
  whence &= ~AVSEEK_FORCE;
  if (whence == AVSEEK_SIZE) return size;
  int64_t base = 0;
  if (whence == SEEK_CUR) {
    base = r->pos;
  } else if (whence == SEEK_END) {
    base = size;
  } else if (whence != SEEK_SET) {
    return AVERROR(EINVAL);
  }
  int64_t target = 0;
  if (__builtin_add_overflow(base, offset, &target) || target < 0) return AVERROR(EINVAL);
  r->pos = target;
  return target;
}

// Nested inputs (data references, playlists' segments) are never opened from memory.
int RefuseIoOpen(AVFormatContext*, AVIOContext**, const char*, int, AVDictionary**) {
  return AVERROR(EPERM);
}

}  // namespace

Result<InputContext> OpenRestrictedInput(const std::string& path, MediaKind kind,
                                         Deadline* deadline) {
  AVFormatContext* raw = avformat_alloc_context();
  if (raw == nullptr) return Fail(Error::Internal());
  Dict options;
  SetRestrictedOptions(kind, "file", &options);
  // "file:" so that a name containing ':' is never read as another protocol.
  const std::string url = "file:" + path;
  return OpenForced(raw, url.c_str(), kind, deadline, &options);
}

Result<InputContext> OpenRestrictedMemoryInput(MemoryReader* reader, MediaKind kind,
                                               Deadline* deadline) {
  constexpr int kBufferSize = 32 * 1024;
  auto* buffer = static_cast<unsigned char*>(av_malloc(kBufferSize));
  if (buffer == nullptr) return Fail(Error::Internal());
  AVIOContext* pb = avio_alloc_context(buffer, kBufferSize, /*write_flag=*/0, reader, &ReadMemory,
                                       nullptr, &SeekMemory);
  if (pb == nullptr) {
    av_free(buffer);
    return Fail(Error::Internal());
  }
  AVFormatContext* raw = avformat_alloc_context();
  if (raw == nullptr) {
    av_freep(&pb->buffer);
    avio_context_free(&pb);
    return Fail(Error::Internal());
  }
  raw->pb = pb;  // avformat_open_input marks it AVFMT_FLAG_CUSTOM_IO
  raw->io_open = &RefuseIoOpen;
  Dict options;
  // An empty whitelist matches no protocol, should anything bypass io_open.
  SetRestrictedOptions(kind, "", &options);
  auto ctx = OpenForced(raw, "", kind, deadline, &options);
  if (!ctx) {  // FFmpeg freed the format context, never a custom AVIOContext
    av_freep(&pb->buffer);
    avio_context_free(&pb);
  }
  return ctx;
}

}  // namespace av

namespace {

constexpr auto kProbeTimeLimit = std::chrono::seconds(20);
// How much of an mp3 (after its ID3v2 tags) libavformat's content probe looks at.
constexpr size_t kSniffBytes = 64 * 1024;

// The bytes one probe reads: a file on disk or a caller's buffer. Both go through the same
// checks (ProbeSource) and differ only in how they read and how FFmpeg opens them.
class Source {
 public:
  virtual ~Source() = default;
  virtual uint64_t size() const = 0;
  // Reads up to `n` bytes at `offset` into out (fewer at the end); false on an I/O error.
  virtual bool ReadSome(uint64_t offset, size_t n, std::vector<unsigned char>* out) = 0;
  // The forced demuxer of `kind` over these bytes.
  virtual Result<av::InputContext> Open(MediaKind kind, av::Deadline* deadline) = 0;
};

class FileSource final : public Source {
 public:
  FileSource(std::string path, uint64_t size)
      : path_(std::move(path)), size_(size), in_(path_, std::ios::binary) {}
  bool is_open() const { return static_cast<bool>(in_); }
  uint64_t size() const override { return size_; }
  bool ReadSome(uint64_t offset, size_t n, std::vector<unsigned char>* out) override {
    out->assign(n, 0);
    in_.clear();
    in_.seekg(static_cast<std::streamoff>(offset));
    if (!in_) return false;
    in_.read(reinterpret_cast<char*>(out->data()), static_cast<std::streamsize>(n));
    out->resize(static_cast<size_t>(in_.gcount()));
    return true;
  }
  Result<av::InputContext> Open(MediaKind kind, av::Deadline* deadline) override {
    return av::OpenRestrictedInput(path_, kind, deadline);
  }

 private:
  std::string path_;
  uint64_t size_;
  std::ifstream in_;
};

class MemorySource final : public Source {
 public:
  explicit MemorySource(std::string_view bytes) { reader_.bytes = bytes; }
  uint64_t size() const override { return reader_.bytes.size(); }
  bool ReadSome(uint64_t offset, size_t n, std::vector<unsigned char>* out) override {
    const std::string_view b = reader_.bytes;
    const size_t from = static_cast<size_t>(std::min<uint64_t>(offset, b.size()));
    const size_t k = std::min(n, b.size() - from);
    out->assign(b.begin() + from, b.begin() + from + k);
    return true;
  }
  Result<av::InputContext> Open(MediaKind kind, av::Deadline* deadline) override {
    reader_.pos = 0;
    return av::OpenRestrictedMemoryInput(&reader_, kind, deadline);
  }

 private:
  av::MemoryReader reader_;  // outlives the context: Open's result dies before the source
};

bool LooksLikePlaylist(const std::vector<unsigned char>& head) {
  std::string_view s(reinterpret_cast<const char*>(head.data()), head.size());
  if (s.substr(0, 3) == "\xEF\xBB\xBF") s.remove_prefix(3);  // UTF-8 BOM
  return s.substr(0, 7) == "#EXTM3U" || s.substr(0, 10) == "[playlist]" ||
         s.substr(0, 17) == "ffconcat version ";
}

// Skips ID3v2 tags (possibly several, each possibly with a footer) and asks libavformat's
// content probe what the following bytes are. The file is never opened by that answer; it only
// rejects what is plainly not MPEG audio before the forced mp3 demuxer sees it.
Result<std::string> SniffMp3(Source& in) {
  const uint64_t file_size = in.size();
  uint64_t offset = 0;
  std::vector<unsigned char> buf;
  for (int tags = 0; tags < 16 && offset + 10 <= file_size; ++tags) {
    if (!in.ReadSome(offset, 10, &buf) || buf.size() < 10) {
      return Fail(Error::Internal("读取媒体文件失败"));
    }
    if (std::memcmp(buf.data(), "ID3", 3) != 0) break;
    if ((buf[6] | buf[7] | buf[8] | buf[9]) & 0x80) break;  // not a syncsafe size: not a tag
    const uint64_t size = (uint64_t{buf[6]} << 21) | (uint64_t{buf[7]} << 14) |
                          (uint64_t{buf[8]} << 7) | uint64_t{buf[9]};
    offset += 10 + size + ((buf[5] & 0x10) != 0 ? 10 : 0);
  }
  if (offset >= file_size) return std::string("文件中没有音频数据（只有 ID3 标签）");
  if (!in.ReadSome(offset, kSniffBytes, &buf)) return Fail(Error::Internal("读取媒体文件失败"));
  const size_t n = buf.size();
  buf.resize(n + AVPROBE_PADDING_SIZE, 0);  // the probe may read past the data
  AVProbeData pd{};
  pd.filename = "";
  pd.buf = buf.data();
  pd.buf_size = static_cast<int>(n);
  int score = 0;
  const AVInputFormat* fmt = av_probe_input_format3(&pd, 1, &score);
  if (fmt == nullptr) return std::string("文件内容不是 MP3 格式");
  if (std::string_view(fmt->name) != "mp3") {
    const std::string_view name(fmt->name);  // "mov,mp4,m4a,..." → "mov"
    return "文件内容不是 MP3 格式（检测为 " + std::string(name.substr(0, name.find(','))) + "）";
  }
  return std::string();
}

const AVStream* PickStream(const AVFormatContext* ctx, AVMediaType type) {
  const AVStream* first = nullptr;
  for (unsigned i = 0; i < ctx->nb_streams; ++i) {
    const AVStream* st = ctx->streams[i];
    if (st->codecpar->codec_type != type) continue;
    if ((st->disposition & AV_DISPOSITION_ATTACHED_PIC) != 0) continue;  // cover art
    if ((st->disposition & AV_DISPOSITION_DEFAULT) != 0) return st;
    if (first == nullptr) first = st;
  }
  return first;
}

double ToDouble(AVRational r) { return r.num > 0 && r.den > 0 ? av_q2d(r) : 0.0; }

// The stream's own sample size if it states one (bits_per_raw_sample, or the fixed size of a
// PCM codec); otherwise the width of the sample format FFmpeg decodes it to. For mp3 that is
// fltp (32) with FFmpeg's default float decoder; lossy codecs have no true bit depth.
int BitsPerSample(const AVCodecParameters* par) {
  if (par->bits_per_raw_sample > 0) return par->bits_per_raw_sample;
  if (const int pcm = av_get_bits_per_sample(par->codec_id); pcm > 0) return pcm;
  if (par->format >= 0) {
    return 8 * av_get_bytes_per_sample(static_cast<AVSampleFormat>(par->format));
  }
  return 0;
}

// Every sample the index points at must lie inside the file; a cut mdat fails here even when
// the box walk could not see it (e.g. a tampered index).
bool IndexWithinFile(const AVFormatContext* ctx, int64_t file_size) {
  for (unsigned i = 0; i < ctx->nb_streams; ++i) {
    AVStream* st = ctx->streams[i];
    const int count = avformat_index_get_entries_count(st);
    for (int k = 0; k < count; ++k) {
      const AVIndexEntry* e = avformat_index_get_entry(st, k);
      if (e != nullptr && e->pos + e->size > file_size) return false;
    }
  }
  return true;
}

Result<ProbeResult> WithError(ProbeResult out, std::string reason) {
  out.error = std::move(reason);
  return out;
}

// A kInvalidArgument from a helper is a verdict on the content; anything else is ours.
Result<ProbeResult> ContentErrorOrFail(ProbeResult out, const Error& e) {
  if (e.Is(ErrorCode::kInvalidArgument)) return WithError(std::move(out), e.message);
  return Fail(e);
}

// Everything after "the bytes exist": the same for a file and for a buffer.
Result<ProbeResult> ProbeSource(Source& in, MediaKind expected) {
  ProbeResult out;
  const bool video = expected == MediaKind::kVideo;
  const uint64_t file_size = in.size();
  if (file_size == 0) return WithError(std::move(out), "文件为空");

  std::vector<unsigned char> head;
  if (!in.ReadSome(0, 64, &head)) return Fail(Error::Internal("读取媒体文件失败"));
  if (LooksLikePlaylist(head)) {
    return WithError(std::move(out), std::string("文件是一个播放列表（如 m3u8），不是 ") +
                                         (video ? "MP4 视频文件" : "MP3 音频文件"));
  }

  int track_width = 0, track_height = 0;
  if (video) {
    std::vector<unsigned char> buf;
    auto layout = ScanMp4Boxes(file_size, [&](uint64_t offset, unsigned char* dst, size_t n) {
      if (!in.ReadSome(offset, n, &buf) || buf.size() != n) return false;
      std::memcpy(dst, buf.data(), n);
      return true;
    });
    if (!layout) return ContentErrorOrFail(std::move(out), layout.error());
    out.container = ContainerFromBrands(*layout);
    out.moov_before_mdat = layout->moov_before_mdat;
    track_width = layout->track_width;
    track_height = layout->track_height;
  } else {
    LEP_ASSIGN_OR_RETURN(std::string reason, SniffMp3(in));
    if (!reason.empty()) return WithError(std::move(out), std::move(reason));
    out.container = "mp3";
  }

  LEP_ASSIGN_OR_RETURN(ConcurrencyLimiter::Permit permit, MediaProbeLimiter().Acquire());
  av::Deadline deadline{std::chrono::steady_clock::now() + kProbeTimeLimit};
  auto ctx = in.Open(expected, &deadline);
  if (!ctx) return ContentErrorOrFail(std::move(out), ctx.error());
  AVFormatContext* fc = ctx->get();
  // The decoders find_stream_info opens run on this thread only (frame threads would each
  // hold frames of their own) and refuse pictures beyond 8K.
  std::vector<AVDictionary*> codec_options(fc->nb_streams, nullptr);
  for (AVDictionary*& d : codec_options) {
    av_dict_set(&d, "threads", "1", 0);
    av_dict_set(&d, "max_pixels", "35651584", 0);  // 8192 × 4352, H.264 level 6.2
  }
  const int info_rc = avformat_find_stream_info(fc, codec_options.data());
  for (AVDictionary*& d : codec_options) av_dict_free(&d);
  if (const int rc = info_rc; rc < 0) {
    if (rc == AVERROR(ENOMEM)) return WithError(std::move(out), av::kTooLarge);
    return WithError(std::move(out), "无法读取媒体流信息（" + av::ErrorText(rc) + "）");
  }

  if (const AVStream* st = PickStream(fc, AVMEDIA_TYPE_VIDEO)) {
    const AVCodecParameters* par = st->codecpar;
    out.has_video = true;
    out.video_codec = avcodec_get_name(par->codec_id);
    out.width = par->width;
    out.height = par->height;
    if (out.width <= 0 || out.height <= 0) {  // a codec the probe does not decode
      out.width = track_width;
      out.height = track_height;
    }
    if (par->codec_id == AV_CODEC_ID_H264) {
      if (const char* name = avcodec_profile_name(par->codec_id, par->profile)) {
        out.video_profile = name;
      }
      if (const char* fmt = av_get_pix_fmt_name(static_cast<AVPixelFormat>(par->format))) {
        out.pixel_format = fmt;
      }
    }
    out.frame_rate = ToDouble(st->avg_frame_rate);
    if (out.frame_rate == 0) out.frame_rate = ToDouble(st->r_frame_rate);
  }
  if (const AVStream* st = PickStream(fc, AVMEDIA_TYPE_AUDIO)) {
    const AVCodecParameters* par = st->codecpar;
    out.has_audio = true;
    out.audio_codec = avcodec_get_name(par->codec_id);
    out.sample_rate = par->sample_rate;
    out.channels = par->ch_layout.nb_channels;
    out.bits_per_sample = BitsPerSample(par);
  }
  if (fc->duration > 0) out.duration_s = static_cast<double>(fc->duration) / AV_TIME_BASE;
  out.bit_rate = fc->bit_rate;
  if (out.bit_rate <= 0 && out.duration_s > 0) {
    out.bit_rate = static_cast<int64_t>(static_cast<double>(file_size) * 8.0 / out.duration_s);
  }

  if (!out.has_video && !out.has_audio) return WithError(std::move(out), "文件中没有音视频流");
  if (video) {
    if (!IndexWithinFile(fc, static_cast<int64_t>(file_size))) {
      return WithError(std::move(out), "文件不完整（索引指向文件末尾之外的数据）");
    }
  } else if (!out.has_audio || out.sample_rate <= 0 || out.channels <= 0) {
    return WithError(std::move(out), "文件内容不是有效的 MP3 音频");
  }
  return out;
}

class AvMediaProbe final : public MediaProbe {
 public:
  Result<ProbeResult> Probe(const std::string& path, MediaKind expected) override {
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::exists(status)) return Fail(Error::NotFound("媒体文件不存在"));
    if (!std::filesystem::is_regular_file(status)) {
      return Fail(Error::InvalidArgument("媒体路径不是普通文件"));
    }
    const uint64_t file_size = std::filesystem::file_size(path, ec);
    if (ec) return Fail(Error::Internal("读取媒体文件失败"));
    if (file_size == 0) return WithError(ProbeResult{}, "文件为空");
    FileSource in(path, file_size);
    if (!in.is_open()) return Fail(Error::Internal("无法打开媒体文件"));
    return ProbeSource(in, expected);
  }
};

}  // namespace

std::unique_ptr<MediaProbe> NewAvMediaProbe() { return std::make_unique<AvMediaProbe>(); }

ConcurrencyLimiter& MediaProbeLimiter() {
  // A refusal at the end of an upload costs the uploader the whole transfer, so probes wait
  // longer for a slot than imports do; each holds it for well under the 2 s CPU bound.
  static ConcurrencyLimiter limiter(
      "音视频检测", {.capacity = 2, .max_waiting = 4, .max_wait = std::chrono::seconds(20)});
  return limiter;
}

Result<ProbeResult> ProbeMemory(std::string_view bytes, MediaKind expected) {
  MemorySource in(bytes);
  return ProbeSource(in, expected);
}

}  // namespace lep::media
