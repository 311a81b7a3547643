// EvaluateStandard: SPEC §3 as data. Thresholds are kept in one place so the report's
// "required" text and the comparison cannot drift apart.
#include <algorithm>
#include <iterator>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "media/media_probe.h"

namespace lep::media {
namespace {

constexpr int kMinLongSide = 1280;
constexpr int kMinShortSide = 720;
constexpr double kMinFrameRate = 25.0;
constexpr int64_t kMinBitRate = 2'000'000;
constexpr int kMinSampleRate = 44'000;
constexpr int kMinBitsPerSample = 16;
constexpr int kRequiredChannels = 2;

// Fixed-point with trailing zeros removed: 25 → "25", 29.97 → "29.97".
std::string Num(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string s(buf);
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  return s;
}

// A measured value shown to a person must not round onto the other side of the threshold
// (1 999 999 bps is not "2 Mbps").
std::string NumAgainst(double v, double threshold, int decimals) {
  std::string s = Num(v, decimals);
  while (decimals < 9 && (v >= threshold) != (std::strtod(s.c_str(), nullptr) >= threshold))
    s = Num(v, ++decimals);
  return s;
}

std::string CodecDisplay(const std::string& codec) {
  if (codec == "h264") return "H.264";
  if (codec == "hevc") return "H.265/HEVC";
  if (codec == "aac") return "AAC";
  if (codec == "mp3") return "MP3";
  if (codec == "mp2") return "MP2";
  return codec;
}

std::string Upper(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

RuleResult Rule(std::string rule, std::string label, std::string required, std::string measured,
                bool pass) {
  return RuleResult{std::move(rule), std::move(label), std::move(required),
                    std::move(measured), pass, false, ""};
}

// What mainstream browsers and phones decode: 8-bit 4:2:0 H.264 in the Baseline, Main or
// High profile. Unknown facts (no profile or pixel format reported) are not held against it.
bool PlayableH264(const ProbeResult& p) {
  static const char* const kProfiles[] = {"Baseline", "Constrained Baseline", "Main", "High",
                                          "Constrained High", "Progressive High"};
  const bool profile_ok =
      p.video_profile.empty() ||
      std::any_of(std::begin(kProfiles), std::end(kProfiles),
                  [&](const char* name) { return p.video_profile == name; });
  const bool pixels_ok =
      p.pixel_format.empty() || p.pixel_format == "yuv420p" || p.pixel_format == "yuvj420p";
  return profile_ok && pixels_ok;
}

// "10 位 4:2:2" from a pixel format name such as yuv422p10le; "" for 8-bit 4:2:0.
std::string PixelDescription(const std::string& fmt) {
  if (fmt.empty() || fmt == "yuv420p" || fmt == "yuvj420p") return "";
  std::string out;
  for (const char* bits : {"16", "14", "12", "10", "9"}) {
    if (fmt.find(std::string("p") + bits) != std::string::npos) {
      out = std::string(bits) + " 位";
      break;
    }
  }
  for (const char* chroma : {"444", "422", "420", "440", "411"}) {
    if (fmt.find(chroma) != std::string::npos) {
      std::string c(chroma);
      if (!out.empty()) out += " ";
      out += c.substr(0, 1) + ":" + c.substr(1, 1) + ":" + c.substr(2, 1);
      break;
    }
  }
  return out.empty() ? fmt : out;
}

std::string VideoCodecMeasured(const ProbeResult& p) {
  if (!p.has_video) return "无视频流";
  std::string s = CodecDisplay(p.video_codec);
  std::string detail;
  if (!p.video_profile.empty()) detail = p.video_profile + " 档次";
  if (std::string px = PixelDescription(p.pixel_format); !px.empty()) {
    detail += (detail.empty() ? "" : "，") + px;
  }
  if (!detail.empty()) s += "（" + detail + "）";
  return s;
}

constexpr const char* kReExport =
    "请用剪辑软件（如剪映、Premiere、格式工厂）重新导出：格式 MP4，视频编码 H.264（8 位，"
    "“High”或“Main”档次），音频编码 AAC，分辨率不低于 1280×720，帧率 25 或 30，码率不低于 "
    "2 Mbps。";

std::string VideoAdvice(const std::string& rule, const ProbeResult& p) {
  if (rule == "container") return std::string("文件不是 MP4 格式。") + kReExport;
  if (rule == "video_codec") {
    if (!p.has_video) return "文件里没有画面，请确认导出的是视频而不是只有声音的文件。";
    if (p.video_codec == "h264") {
      return "视频虽是 H.264 编码，但用了主流浏览器和手机无法播放的高位深或高色度格式（如 "
             "10 位、4:2:2）。" +
             std::string(kReExport);
    }
    return "视频编码不是 H.264，许多浏览器和手机无法播放。" + std::string(kReExport);
  }
  if (rule == "audio_codec") {
    if (!p.has_audio) return "视频没有声音。请在导出时保留音频，音频编码选 AAC（立体声）。";
    return "音频编码不是 AAC。请重新导出，音频编码选 AAC（如 128 kbps、立体声）。";
  }
  if (rule == "resolution") {
    return "画面尺寸不足 1280×720。请用原始高清素材以 1280×720（720p）或 1920×1080（1080p）重新"
           "导出；把小画面直接放大并不能让画面更清晰。";
  }
  if (rule == "frame_rate") return "每秒画面数不足 25。请以 25 或 30 帧/秒重新导出。";
  if (rule == "bit_rate") {
    return "码率不足，画面可能不够清晰。请重新导出，视频码率设为不低于 2 Mbps（2000 kbps），"
           "1080p 建议 4–8 Mbps。";
  }
  if (rule == "progressive") return "无需处理：平台会自动调整为可边下边播的格式。";
  return "";
}

std::string AudioAdvice(const std::string& rule) {
  if (rule == "format") {
    return "文件不是 MP3。请用音频软件（如 Audacity、格式工厂）导出为 MP3：采样率 44.1 kHz，"
           "立体声，码率 128 kbps 以上。";
  }
  if (rule == "sample_rate") return "采样率不足。请以 44.1 kHz 或 48 kHz 采样率重新导出 MP3。";
  if (rule == "bit_depth") return "请导出 16 位或以上的音频，再转为 MP3。";
  if (rule == "channels") return "请导出为立体声（双声道）MP3；单声道录音在导出时选择“立体声”即可。";
  return "";
}

std::vector<RuleResult> VideoRules(const ProbeResult& p) {
  std::vector<RuleResult> rules;
  rules.push_back(Rule("container", "封装格式", "MP4",
                       p.container.empty() ? "未知" : Upper(p.container), p.container == "mp4"));
  rules.push_back(Rule("video_codec", "视频编码",
                       "H.264（8 位 4:2:0，Baseline / Main / High 档次，主流浏览器和手机可直接播放）",
                       VideoCodecMeasured(p),
                       p.has_video && p.video_codec == "h264" && PlayableH264(p)));
  rules.push_back(Rule("audio_codec", "音频编码", "AAC",
                       p.has_audio ? CodecDisplay(p.audio_codec) : "无音频流",
                       p.has_audio && p.audio_codec == "aac"));
  const int long_side = std::max(p.width, p.height);
  const int short_side = std::min(p.width, p.height);
  rules.push_back(Rule("resolution", "分辨率", "≥ 1280×720（竖屏 720×1280 亦可）",
                       !p.has_video ? "无视频流"
                       : p.width > 0 && p.height > 0
                           ? std::to_string(p.width) + "×" + std::to_string(p.height)
                           : "未知",
                       p.has_video && long_side >= kMinLongSide && short_side >= kMinShortSide));
  const bool fps_ok = p.has_video && p.frame_rate >= kMinFrameRate;
  rules.push_back(Rule("frame_rate", "帧率", "≥ 25 fps",
                       p.has_video && p.frame_rate > 0
                           ? NumAgainst(p.frame_rate, kMinFrameRate, 3) + " fps"
                           : (p.has_video ? "未知" : "无视频流"),
                       fps_ok));
  rules.push_back(Rule("bit_rate", "平均码率", "≥ 2 Mbps",
                       p.bit_rate > 0 ? NumAgainst(static_cast<double>(p.bit_rate) / 1e6,
                                                   static_cast<double>(kMinBitRate) / 1e6, 2) +
                                            " Mbps"
                                      : "未知",
                       p.bit_rate >= kMinBitRate));
  RuleResult faststart = Rule(
      "progressive", "可边下边播", "播放索引位于文件开头",
      p.moov_before_mdat ? "播放索引位于文件开头" : "播放索引位于文件末尾（平台会自动调整）",
      p.moov_before_mdat);
  faststart.fixable = !p.moov_before_mdat;
  rules.push_back(std::move(faststart));
  for (RuleResult& r : rules) {
    if (!r.pass) r.advice = VideoAdvice(r.rule, p);
  }
  return rules;
}

std::vector<RuleResult> AudioRules(const ProbeResult& p) {
  std::vector<RuleResult> rules;
  std::string format = p.container.empty() ? "未知" : Upper(p.container);
  if (p.has_audio && p.audio_codec != p.container)
    format += "（编码 " + CodecDisplay(p.audio_codec) + "）";
  rules.push_back(Rule("format", "文件格式", "MP3", format,
                       p.container == "mp3" && p.has_audio && p.audio_codec == "mp3"));
  rules.push_back(Rule("sample_rate", "采样率", "≥ 44 kHz（44.1 kHz 合格）",
                       p.sample_rate > 0 ? Num(p.sample_rate / 1000.0, 3) + " kHz" : "未知",
                       p.sample_rate >= kMinSampleRate));
  // An mp3 frame stores no sample size: the decoder produces ≥ 16-bit samples whatever the
  // encoder was fed, so the honest answer is "not recorded", and that meets the rule.
  if (p.audio_codec == "mp3") {
    rules.push_back(Rule("bit_depth", "采样位深", "≥ 16 位",
                         "MP3 文件不记录位深（解码输出 ≥ 16 位）", true));
  } else {
    rules.push_back(Rule("bit_depth", "采样位深", "≥ 16 位",
                         p.bits_per_sample > 0 ? std::to_string(p.bits_per_sample) + " 位" : "未知",
                         p.bits_per_sample >= kMinBitsPerSample));
  }
  std::string channels = std::to_string(p.channels);
  if (p.channels == 1) channels += "（单声道）";
  if (p.channels == 2) channels += "（立体声）";
  rules.push_back(Rule("channels", "声道数", "2（立体声）", p.channels > 0 ? channels : "未知",
                       p.channels == kRequiredChannels));
  for (RuleResult& r : rules) {
    if (!r.pass) r.advice = AudioAdvice(r.rule);
  }
  return rules;
}

}  // namespace

std::vector<RuleResult> EvaluateStandard(const ProbeResult& probe, MediaKind kind) {
  if (!probe.error.empty()) {
    RuleResult r = Rule(
        "readable", "文件可读取",
        kind == MediaKind::kVideo ? "可正常解析的 MP4 视频文件" : "可正常解析的 MP3 音频文件",
        probe.error, false);
    r.advice = "文件无法读取，可能已损坏、上传不完整或不是所选类型的文件。请先确认它能在电脑上正常"
               "播放，再重新导出并上传。";
    return {std::move(r)};
  }
  return kind == MediaKind::kVideo ? VideoRules(probe) : AudioRules(probe);
}

bool MeetsStandard(const std::vector<RuleResult>& rules) {
  for (const auto& r : rules) {
    if (!r.pass) return false;
  }
  return !rules.empty();
}

}  // namespace lep::media
