// MediaProbe on libavformat/libavcodec. Order of checks, cheapest and safest first:
// file exists → text playlist sniff → (mp4) our own top-level box walk / (mp3) libavformat's
// content probe on the first bytes → the forced demuxer reads headers and a few packets.
#include <algorithm>
#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <vector>

#include "media/av_util.h"
#include "media/media_probe.h"
#include "media/mp4_boxes.h"

extern "C" {
#include <libavutil/error.h>
#include <libavutil/samplefmt.h>
}

namespace lep::media {
namespace av {

std::string ErrorText(int err) {
  std::array<char, AV_ERROR_MAX_STRING_SIZE> buf{};
  av_strerror(err, buf.data(), buf.size());
  return std::string(buf.data());
}

Result<InputContext> OpenRestrictedInput(const std::string& path, MediaKind kind,
                                         Deadline* deadline) {
  const bool video = kind == MediaKind::kVideo;
  // "mp4" names the mov/mp4 demuxer; "mp3" the MPEG-audio one. Never let FFmpeg sniff: an
  // HLS playlist or a concat script must not be able to choose its own demuxer.
  const AVInputFormat* format = av_find_input_format(video ? "mp4" : "mp3");
  if (format == nullptr) return Fail(Error::Internal("媒体组件缺少所需的解复用器"));
  AVFormatContext* raw = avformat_alloc_context();
  if (raw == nullptr) return Fail(Error::Internal());
  raw->interrupt_callback = deadline->Callback();

  Dict options;
  options.Set("protocol_whitelist", "file");
  options.Set("format_whitelist", video ? "mp4" : "mp3");
  // Decoders that avformat_find_stream_info may open on a few packets; anything else is
  // described from the container alone.
  options.Set("codec_whitelist", "h264,hevc,aac,mp3float,mp3,mp2float,mp2,mp1float,mp1");
  options.Set("probesize", "5000000");        // bytes
  options.Set("analyzeduration", "5000000");  // microseconds
  options.Set("max_streams", "32");
  if (video) {
    options.Set("enable_drefs", "0");  // no external data references
    options.Set("use_absolute_path", "0");
  }
  // "file:" so that a name containing ':' is never read as another protocol.
  const std::string url = "file:" + path;
  const int rc = avformat_open_input(&raw, url.c_str(), format, options.get());
  if (rc < 0) {  // raw has been freed
    if (rc == AVERROR(ENOMEM)) return Fail(Error::Internal());
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

}  // namespace av

namespace {

constexpr auto kProbeTimeLimit = std::chrono::seconds(20);
// How much of an mp3 (after its ID3v2 tags) libavformat's content probe looks at.
constexpr size_t kSniffBytes = 64 * 1024;

// Reads up to `n` bytes at `offset`; fewer at the end of the file.
bool ReadSome(std::ifstream& in, uint64_t offset, size_t n, std::vector<unsigned char>* out) {
  out->assign(n, 0);
  in.clear();
  in.seekg(static_cast<std::streamoff>(offset));
  if (!in) return false;
  in.read(reinterpret_cast<char*>(out->data()), static_cast<std::streamsize>(n));
  out->resize(static_cast<size_t>(in.gcount()));
  return true;
}

bool LooksLikePlaylist(const std::vector<unsigned char>& head) {
  std::string_view s(reinterpret_cast<const char*>(head.data()), head.size());
  if (s.substr(0, 3) == "\xEF\xBB\xBF") s.remove_prefix(3);  // UTF-8 BOM
  return s.substr(0, 7) == "#EXTM3U" || s.substr(0, 10) == "[playlist]" ||
         s.substr(0, 17) == "ffconcat version ";
}

// Skips ID3v2 tags (possibly several, each possibly with a footer) and asks libavformat's
// content probe what the following bytes are. The file is never opened by that answer; it only
// rejects what is plainly not MPEG audio before the forced mp3 demuxer sees it.
Result<std::string> SniffMp3(std::ifstream& in, uint64_t file_size) {
  uint64_t offset = 0;
  std::vector<unsigned char> buf;
  for (int tags = 0; tags < 16 && offset + 10 <= file_size; ++tags) {
    if (!ReadSome(in, offset, 10, &buf) || buf.size() < 10) {
      return Fail(Error::Internal("读取媒体文件失败"));
    }
    if (std::memcmp(buf.data(), "ID3", 3) != 0) break;
    if ((buf[6] | buf[7] | buf[8] | buf[9]) & 0x80) break;  // not a syncsafe size: not a tag
    const uint64_t size = (uint64_t{buf[6]} << 21) | (uint64_t{buf[7]} << 14) |
                          (uint64_t{buf[8]} << 7) | uint64_t{buf[9]};
    offset += 10 + size + ((buf[5] & 0x10) != 0 ? 10 : 0);
  }
  if (offset >= file_size) return std::string("文件中没有音频数据（只有 ID3 标签）");
  if (!ReadSome(in, offset, kSniffBytes, &buf)) return Fail(Error::Internal("读取媒体文件失败"));
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

    ProbeResult out;
    const bool video = expected == MediaKind::kVideo;
    if (file_size == 0) return WithError(std::move(out), "文件为空");

    std::ifstream in(path, std::ios::binary);
    if (!in) return Fail(Error::Internal("无法打开媒体文件"));
    std::vector<unsigned char> head;
    if (!ReadSome(in, 0, 64, &head)) return Fail(Error::Internal("读取媒体文件失败"));
    if (LooksLikePlaylist(head)) {
      return WithError(std::move(out), std::string("文件是一个播放列表（如 m3u8），不是 ") +
                                           (video ? "MP4 视频文件" : "MP3 音频文件"));
    }

    if (video) {
      auto layout = ScanMp4File(path);
      if (!layout) return ContentErrorOrFail(std::move(out), layout.error());
      out.container = ContainerFromBrands(*layout);
      out.moov_before_mdat = layout->moov_before_mdat;
    } else {
      LEP_ASSIGN_OR_RETURN(std::string reason, SniffMp3(in, file_size));
      if (!reason.empty()) return WithError(std::move(out), std::move(reason));
      out.container = "mp3";
    }
    in.close();

    av::Deadline deadline{std::chrono::steady_clock::now() + kProbeTimeLimit};
    auto ctx = av::OpenRestrictedInput(path, expected, &deadline);
    if (!ctx) return ContentErrorOrFail(std::move(out), ctx.error());
    AVFormatContext* fc = ctx->get();
    if (const int rc = avformat_find_stream_info(fc, nullptr); rc < 0) {
      if (rc == AVERROR(ENOMEM)) return Fail(Error::Internal());
      return WithError(std::move(out), "无法读取媒体流信息（" + av::ErrorText(rc) + "）");
    }

    if (const AVStream* st = PickStream(fc, AVMEDIA_TYPE_VIDEO)) {
      const AVCodecParameters* par = st->codecpar;
      out.has_video = true;
      out.video_codec = avcodec_get_name(par->codec_id);
      out.width = par->width;
      out.height = par->height;
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

 private:
  static Result<ProbeResult> WithError(ProbeResult out, std::string reason) {
    out.error = std::move(reason);
    return out;
  }
  // A kInvalidArgument from a helper is a verdict on the content; anything else is ours.
  static Result<ProbeResult> ContentErrorOrFail(ProbeResult out, const Error& e) {
    if (e.Is(ErrorCode::kInvalidArgument)) return WithError(std::move(out), e.message);
    return Fail(e);
  }
};

}  // namespace

std::unique_ptr<MediaProbe> NewAvMediaProbe() { return std::make_unique<AvMediaProbe>(); }

}  // namespace lep::media
