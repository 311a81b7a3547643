// EvaluateStandard: SPEC §3 as data. Thresholds are kept in one place so the report's
// "required" text and the comparison cannot drift apart.
#include <algorithm>
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
  return RuleResult{
      std::move(rule), std::move(label), std::move(required), std::move(measured), pass, false};
}

std::vector<RuleResult> VideoRules(const ProbeResult& p) {
  std::vector<RuleResult> rules;
  rules.push_back(Rule("container", "封装格式", "MP4",
                       p.container.empty() ? "未知" : Upper(p.container), p.container == "mp4"));
  rules.push_back(Rule("video_codec", "视频编码", "H.264",
                       p.has_video ? CodecDisplay(p.video_codec) : "无视频流",
                       p.has_video && p.video_codec == "h264"));
  rules.push_back(Rule("audio_codec", "音频编码", "AAC",
                       p.has_audio ? CodecDisplay(p.audio_codec) : "无音频流",
                       p.has_audio && p.audio_codec == "aac"));
  const int long_side = std::max(p.width, p.height);
  const int short_side = std::min(p.width, p.height);
  rules.push_back(
      Rule("resolution", "分辨率", "≥ 1280×720（竖屏 720×1280 亦可）",
           p.has_video ? std::to_string(p.width) + "×" + std::to_string(p.height) : "无视频流",
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
      "progressive", "可边下边播", "moov 位于 mdat 之前",
      p.moov_before_mdat ? "moov 位于 mdat 之前" : "moov 位于 mdat 之后（平台可无损重新封装修复）",
      p.moov_before_mdat);
  faststart.fixable = !p.moov_before_mdat;
  rules.push_back(std::move(faststart));
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
  rules.push_back(Rule("bit_depth", "采样位深", "≥ 16 位",
                       p.bits_per_sample > 0 ? std::to_string(p.bits_per_sample) + " 位" : "未知",
                       p.bits_per_sample >= kMinBitsPerSample));
  std::string channels = std::to_string(p.channels);
  if (p.channels == 1) channels += "（单声道）";
  if (p.channels == 2) channels += "（立体声）";
  rules.push_back(Rule("channels", "声道数", "2（立体声）", p.channels > 0 ? channels : "未知",
                       p.channels == kRequiredChannels));
  return rules;
}

}  // namespace

std::vector<RuleResult> EvaluateStandard(const ProbeResult& probe, MediaKind kind) {
  if (!probe.error.empty()) {
    return {
        Rule("readable", "文件可读取",
             kind == MediaKind::kVideo ? "可正常解析的 MP4 视频文件" : "可正常解析的 MP3 音频文件",
             probe.error, false)};
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
