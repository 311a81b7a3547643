// RemuxFaststart: stream copy mp4 → mp4 with movflags=+faststart (libavformat only; nothing
// is decoded or encoded).
#include <cstring>
#include <filesystem>
#include <vector>

#include "media/av_util.h"
#include "media/media_probe.h"
#include "media/mp4_boxes.h"

extern "C" {
#include <libavutil/opt.h>
}

namespace lep::media {
namespace {

// Remuxing reads the whole file; allow for large uploads on a slow disk.
constexpr auto kRemuxTimeLimit = std::chrono::minutes(30);

Status CopyStreams(const AVFormatContext* in, AVFormatContext* out, std::vector<int>* mapping) {
  mapping->assign(in->nb_streams, -1);
  for (unsigned i = 0; i < in->nb_streams; ++i) {
    const AVStream* in_st = in->streams[i];
    const AVCodecParameters* par = in_st->codecpar;
    if (par->codec_type != AVMEDIA_TYPE_VIDEO && par->codec_type != AVMEDIA_TYPE_AUDIO) continue;
    AVStream* out_st = avformat_new_stream(out, nullptr);
    if (out_st == nullptr) return Fail(Error::Internal());
    if (avcodec_parameters_copy(out_st->codecpar, par) < 0) return Fail(Error::Internal());
    // Keep the sample entry (e.g. hvc1 vs hev1) when mp4 knows it; else let the muxer choose.
    if (av_codec_get_id(out->oformat->codec_tag, par->codec_tag) != par->codec_id) {
      out_st->codecpar->codec_tag = 0;
    }
    out_st->time_base = in_st->time_base;
    out_st->disposition = in_st->disposition;
    if (av_dict_copy(&out_st->metadata, in_st->metadata, 0) < 0) return Fail(Error::Internal());
    for (int k = 0; k < in_st->nb_side_data; ++k) {  // e.g. the rotation matrix
      const AVPacketSideData& sd = in_st->side_data[k];
      uint8_t* dst = av_stream_new_side_data(out_st, sd.type, sd.size);
      if (dst == nullptr) return Fail(Error::Internal());
      std::memcpy(dst, sd.data, sd.size);
    }
    (*mapping)[i] = out_st->index;
  }
  if (out->nb_streams == 0) return Fail(Error::InvalidArgument("文件中没有可重新封装的音视频流"));
  return Ok();
}

Status Remux(const std::string& in_path, const std::string& out_path) {
  // The same gate as the probe: a complete box structure before FFmpeg reads anything.
  LEP_RETURN_IF_ERROR(ScanMp4File(in_path));
  av::Deadline deadline{std::chrono::steady_clock::now() + kRemuxTimeLimit};
  LEP_ASSIGN_OR_RETURN(av::InputContext in,
                       av::OpenRestrictedInput(in_path, MediaKind::kVideo, &deadline));
  // Reads a few packets so that parameters the moov lacks (e.g. the AAC frame size) are known.
  if (const int rc = avformat_find_stream_info(in.get(), nullptr); rc < 0) {
    return Fail(Error::InvalidArgument("无法读取媒体流信息（" + av::ErrorText(rc) + "）"));
  }

  // The muxer needs the URL: faststart re-opens the finished file to move moov forward.
  const std::string out_url = "file:" + out_path;
  AVFormatContext* raw = nullptr;
  if (avformat_alloc_output_context2(&raw, nullptr, "mp4", out_url.c_str()) < 0 || raw == nullptr) {
    return Fail(Error::Internal("媒体组件缺少 MP4 封装器"));
  }
  av::OutputContext out(raw);
  out->interrupt_callback = deadline.Callback();
  // That re-open goes through this whitelist too: local files only.
  if (av_opt_set(out.get(), "protocol_whitelist", "file", 0) < 0) return Fail(Error::Internal());
  if (av_dict_copy(&out->metadata, in->metadata, 0) < 0) return Fail(Error::Internal());

  std::vector<int> mapping;
  LEP_RETURN_IF_ERROR(CopyStreams(in.get(), out.get(), &mapping));

  {
    av::Dict io_options;
    io_options.Set("protocol_whitelist", "file");
    const int rc = avio_open2(&out->pb, out_url.c_str(), AVIO_FLAG_WRITE, &out->interrupt_callback,
                              io_options.get());
    if (rc < 0) return Fail(Error::Internal("无法创建输出文件（" + av::ErrorText(rc) + "）"));
  }
  {
    av::Dict mux_options;
    mux_options.Set("movflags", "+faststart");
    const int rc = avformat_write_header(out.get(), mux_options.get());
    if (rc < 0)
      return Fail(Error::InvalidArgument("无法写入 MP4 文件头（" + av::ErrorText(rc) + "）"));
  }

  av::Packet pkt(av_packet_alloc());
  if (!pkt) return Fail(Error::Internal());
  for (;;) {
    int rc = av_read_frame(in.get(), pkt.get());
    if (rc == AVERROR_EOF) break;
    if (rc < 0) {
      if (rc == AVERROR(ENOMEM)) return Fail(Error::Internal());
      return Fail(Error::InvalidArgument("读取媒体数据失败（" + av::ErrorText(rc) + "）"));
    }
    const int target =
        pkt->stream_index >= 0 && pkt->stream_index < static_cast<int>(mapping.size())
            ? mapping[pkt->stream_index]
            : -1;
    if (target < 0) {
      av_packet_unref(pkt.get());
      continue;
    }
    av_packet_rescale_ts(pkt.get(), in->streams[pkt->stream_index]->time_base,
                         out->streams[target]->time_base);
    pkt->stream_index = target;
    pkt->pos = -1;
    rc = av_interleaved_write_frame(out.get(), pkt.get());  // takes the packet's data
    if (rc < 0) return Fail(Error::Internal("写入 MP4 文件失败（" + av::ErrorText(rc) + "）"));
  }
  if (const int rc = av_write_trailer(out.get()); rc < 0) {
    return Fail(Error::Internal("写入 MP4 索引失败（" + av::ErrorText(rc) + "）"));
  }
  if (const int rc = avio_closep(&out->pb); rc < 0) {
    return Fail(Error::Internal("写入 MP4 文件失败（" + av::ErrorText(rc) + "）"));
  }
  return Ok();
}

}  // namespace

Status RemuxFaststart(const std::string& in, const std::string& out) {
  std::error_code ec;
  if (in == out || std::filesystem::equivalent(in, out, ec)) {
    return Fail(Error::InvalidArgument("重新封装的输出文件不能与输入文件相同"));
  }
  Status status = Remux(in, out);
  if (!status) {
    std::filesystem::remove(out, ec);  // never leave a half-written file behind
  }
  return status;
}

}  // namespace lep::media
