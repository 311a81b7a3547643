#include "video/transcoder.h"

#include <signal.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace lep::video {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The last non-empty line of ffmpeg's stderr (it logs at -loglevel error).
std::string LastLine(const std::string& s) {
  size_t end = s.find_last_not_of("\r\n ");
  if (end == std::string::npos) return "";
  size_t start = s.find_last_of('\n', end);
  start = start == std::string::npos ? 0 : start + 1;
  std::string line = s.substr(start, end - start + 1);
  if (line.size() > 300) line.resize(300);
  return line;
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

}  // namespace

std::vector<std::string> Transcoder::InputArgs(const std::string& source) const {
  // Forced demuxer and the file protocol only: the input is never sniffed and never names
  // another resource (the same rules as the probe).
  return {options_.ffmpeg,
          "-nostdin",
          "-hide_banner",
          "-loglevel",
          "error",
          "-nostats",
          "-progress",
          "pipe:1",
          "-threads",
          std::to_string(std::max(1, options_.threads)),
          "-protocol_whitelist",
          "file",
          "-f",
          "mov",
          "-i",
          "file:" + source};
}

Result<ChildResult> Transcoder::Run(const std::string& what, std::vector<std::string> args,
                                    const SourceInfo& src, const StepProgress& progress) const {
  ChildLimits limits = options_.limits;
  if (limits.cpu_seconds == 0) {
    limits.cpu_seconds = 120 + static_cast<uint64_t>(40 * std::max(0.0, src.duration_s));
  }
  double total_us = std::max(src.duration_s, 0.001) * 1e6;
  bool stop = false;
  double fraction = 0;
  ChildCallbacks cb;
  cb.on_line = [&](std::string_view line) {
    if (line.rfind("out_time_us=", 0) == 0) {
      double us = std::atof(std::string(line.substr(12)).c_str());
      if (us > 0) fraction = std::clamp(us / total_us, 0.0, 1.0);
    } else if (line == "progress=end") {
      fraction = 1;
    }
  };
  cb.keep_going = [&] {
    if (!stop && progress && !progress(fraction)) stop = true;
    return !stop;
  };
  LEP_ASSIGN_OR_RETURN(ChildResult r, RunChild(args, limits, cb));
  if (r.stopped) return Fail(Error::Unavailable("转码已停止"));
  if (r.ok()) {
    if (progress) (void)progress(1.0);
    return r;
  }
  std::string why;
  if (r.stalled) {
    why = "ffmpeg 超过 " + std::to_string(limits.stall_timeout.count() / 1000) + " 秒没有进展";
  } else if (r.signal == SIGXCPU || r.signal == SIGKILL) {
    why = "超出 CPU 时间上限（" + std::to_string(limits.cpu_seconds) + " 秒）";
  } else if (r.signal != 0) {
    why = "ffmpeg 异常终止（信号 " + std::to_string(r.signal) + "）";
  } else {
    why = "ffmpeg 退出码 " + std::to_string(r.exit_code);
  }
  std::string last = LastLine(r.stderr_tail);
  // Below the limit ffmpeg fails to allocate, or (far below) even to map its libraries.
  if (last.find("Cannot allocate memory") != std::string::npos ||
      last.find("failed to map segment") != std::string::npos ||
      last.find("ENOMEM") != std::string::npos ||
      (r.signal != 0 && r.signal != SIGXCPU && r.signal != SIGKILL &&
       limits.address_space_bytes > 0)) {
    why += "，可能超出内存上限（" + std::to_string(limits.address_space_bytes >> 20) + " MiB）";
  }
  if (!last.empty()) why += "：" + last;
  return Fail(Error::Internal("转码失败（" + what + "）：" + why));
}

Result<EncodedRendition> Transcoder::Encode(const std::string& source, const SourceInfo& src,
                                            const RenditionSpec& spec, const std::string& dir,
                                            const StepProgress& progress) const {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Fail(Error::Internal("无法创建转码目录：" + ec.message()));
  const std::string seg = std::to_string(std::max(1, options_.segment_seconds));
  std::vector<std::string> args = InputArgs(source);
  if (spec.audio) {
    args.insert(args.end(), {"-map", "0:a:0", "-vn", "-sn", "-dn", "-c:a", "aac", "-b:a",
                             std::to_string(spec.bitrate), "-ac", "2", "-ar", "48000"});
  } else {
    const std::string s = std::to_string(spec.short_side);
    // The shorter side becomes `s`, the other keeps the aspect ratio (even); after ffmpeg's
    // automatic rotation, so a portrait phone video stays portrait.
    const std::string scale = "scale=w='if(gte(iw,ih),-2," + s + ")':h='if(gte(iw,ih)," + s +
                              ",-2)':flags=bicubic,format=yuv420p";
    args.insert(args.end(), {"-map",
                             "0:v:0",
                             "-an",
                             "-sn",
                             "-dn",
                             "-vf",
                             scale,
                             "-fpsmax",
                             "30",
                             "-c:v",
                             "libx264",
                             "-preset",
                             options_.preset,
                             "-profile:v",
                             spec.profile,
                             "-level:v",
                             spec.level,
                             "-crf",
                             "23",
                             "-maxrate",
                             std::to_string(spec.bitrate),
                             "-bufsize",
                             std::to_string(spec.bitrate * 2),
                             "-threads",
                             std::to_string(std::max(1, options_.threads)),
                             "-sc_threshold",
                             "0",
                             "-force_key_frames",
                             "expr:gte(t,n_forced*" + seg + ")"});
  }
  args.insert(args.end(),
              {"-f", "hls", "-hls_time", seg, "-hls_playlist_type", "vod", "-hls_list_size", "0",
               "-hls_segment_type", "fmp4", "-hls_fmp4_init_filename", "init.mp4", "-hls_flags",
               "independent_segments", "-hls_segment_filename", dir + "/seg_%05d.m4s",
               dir + "/index.m3u8"});
  auto started = std::chrono::steady_clock::now();
  LEP_ASSIGN_OR_RETURN(ChildResult run, Run(spec.name, std::move(args), src, progress));
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  EncodedRendition out;
  out.dir = dir;
  out.cpu_seconds = run.cpu_seconds;
  out.max_rss_kb = run.max_rss_kb;
  LEP_ASSIGN_OR_RETURN(out.playlist, ParseMediaPlaylist(ReadAll(dir + "/index.m3u8")));
  std::vector<int64_t> sizes;
  for (const auto& s : out.playlist.segments) {
    if (s.uri.find('/') != std::string::npos || s.uri.find("..") != std::string::npos) {
      return Fail(Error::Internal("转码输出的分片名无效：" + s.uri));
    }
    auto size = fs::file_size(dir + "/" + s.uri, ec);
    if (ec) return Fail(Error::Internal("转码输出缺少分片 " + s.uri));
    sizes.push_back(static_cast<int64_t>(size));
  }
  Rendition& r = out.rendition;
  r.name = spec.name;
  r.audio = spec.audio;
  r.playlist = "index.m3u8";
  r.encode_seconds = seconds;
  MeasureBandwidth(out.playlist, sizes, &r.bandwidth, &r.average_bandwidth);
  auto init = ReadInitSegment(ReadAll(
      dir + "/" + (out.playlist.init.empty() ? std::string("init.mp4") : out.playlist.init)));
  if (!init) return Fail(Error::Internal("转码输出的初始化分片无法识别（" + spec.name + "）"));
  r.codecs = init->codecs;
  r.width = init->width;
  r.height = init->height;
  if (!spec.audio) r.frame_rate = src.frame_rate > 30 ? 30 : src.frame_rate;
  return out;
}

Result<std::string> Transcoder::Poster(const std::string& source, const SourceInfo& src,
                                       const std::string& dir, const StepProgress& progress) const {
  std::error_code ec;
  fs::create_directories(dir, ec);
  // A little into the video (the first frame is often black), as an input seek.
  double at = std::min(5.0, src.duration_s / 3);
  std::vector<std::string> args = InputArgs(source);
  args.insert(args.end() - 6, {"-ss", Num(at)});  // before -protocol_whitelist … -i
  const std::string path = dir + "/poster.jpg";
  args.insert(args.end(),
              {"-map", "0:v:0", "-an", "-frames:v", "1", "-vf",
               "scale=w='if(gte(iw,ih),-2,min(720,ih))':h='if(gte(iw,ih),min(720,ih),-2)'", "-q:v",
               "3", "-f", "image2", path});
  LEP_RETURN_IF_ERROR(Run("封面帧", std::move(args), src, progress).map([](auto&&) {}));
  if (!fs::exists(path, ec)) return Fail(Error::Internal("转码没有生成封面帧"));
  return path;
}

Result<std::vector<std::string>> Transcoder::Sprites(const std::string& source,
                                                     const SourceInfo& src,
                                                     const ThumbnailPlan& plan,
                                                     const std::string& dir,
                                                     const StepProgress& progress) const {
  std::error_code ec;
  fs::create_directories(dir, ec);
  const std::string w = std::to_string(plan.tile_w), h = std::to_string(plan.tile_h);
  const std::string vf = "fps=1/" + std::to_string(plan.interval_s) + ",scale=" + w + ":" + h +
                         ":force_original_aspect_ratio=decrease,pad=" + w + ":" + h +
                         ":(ow-iw)/2:(oh-ih)/2,tile=" + std::to_string(plan.columns) + "x" +
                         std::to_string(plan.rows);
  std::vector<std::string> args = InputArgs(source);
  args.insert(args.end(), {"-map", "0:v:0", "-an", "-vf", vf, "-q:v", "5", "-f", "image2",
                           dir + "/sprite_%03d.jpg"});
  LEP_RETURN_IF_ERROR(Run("预览缩略图", std::move(args), src, progress).map([](auto&&) {}));
  std::vector<std::string> out;
  for (int i = 1;; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "/sprite_%03d.jpg", i);
    if (!fs::exists(dir + name, ec)) break;
    out.push_back(dir + name);
  }
  if (out.empty()) return Fail(Error::Internal("转码没有生成预览缩略图"));
  return out;
}

}  // namespace lep::video
