#include "video/ladder.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "video/captions.h"

namespace lep::video {
namespace {

// MediaCMS's ladder (H.264, capped CRF): 360p 500 kbps … 1080p 4.5 Mbps; AAC 96 kbps.
struct Rung {
  int short_side;
  int64_t bitrate;
  const char* profile;
  const char* level;
};
constexpr Rung kRungs[] = {{360, 500'000, "main", "3.0"},
                           {480, 1'000'000, "main", "3.1"},
                           {720, 2'500'000, "high", "3.1"},
                           {1080, 4'500'000, "high", "4.0"}};
constexpr int64_t kAudioBitrate = 96'000;

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return std::string(s);
}

std::string Quoted(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c != '"' && c != '\n' && c != '\r') out += c;
  }
  return "\"" + out + "\"";
}

uint32_t Be32(std::string_view b, size_t at) {
  return (static_cast<uint32_t>(static_cast<unsigned char>(b[at])) << 24) |
         (static_cast<uint32_t>(static_cast<unsigned char>(b[at + 1])) << 16) |
         (static_cast<uint32_t>(static_cast<unsigned char>(b[at + 2])) << 8) |
         static_cast<uint32_t>(static_cast<unsigned char>(b[at + 3]));
}

int Be16(std::string_view b, size_t at) {
  return (static_cast<unsigned char>(b[at]) << 8) | static_cast<unsigned char>(b[at + 1]);
}

int Even(double v) { return std::max(2, static_cast<int>(std::lround(v / 2.0)) * 2); }

}  // namespace

std::vector<RenditionSpec> PlanLadder(const SourceInfo& src) {
  std::vector<RenditionSpec> out;
  if (src.has_audio) out.push_back({"audio", true, 0, kAudioBitrate, "", ""});
  int short_side = std::min(src.width, src.height);
  for (const Rung& r : kRungs) {
    if (r.short_side > short_side) break;  // never upscaled
    out.push_back(
        {std::to_string(r.short_side) + "p", false, r.short_side, r.bitrate, r.profile, r.level});
  }
  if (short_side > 0 && short_side < kRungs[0].short_side) {
    int side = std::max(2, short_side / 2 * 2);
    out.push_back({std::to_string(side) + "p", false, side, 400'000, "main", "3.0"});
  }
  return out;
}

Result<MediaPlaylist> ParseMediaPlaylist(std::string_view text) {
  MediaPlaylist p;
  std::optional<double> pending;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string line = Trim(text.substr(start, end - start));
    start = end + 1;
    if (line.empty()) {
      if (end == text.size()) break;
      continue;
    }
    if (line.rfind("#EXT-X-MAP:", 0) == 0) {
      size_t q = line.find("URI=\"");
      if (q != std::string::npos) {
        size_t close = line.find('"', q + 5);
        if (close != std::string::npos) p.init = line.substr(q + 5, close - q - 5);
      }
    } else if (line.rfind("#EXTINF:", 0) == 0) {
      pending = std::atof(line.c_str() + 8);
    } else if (line[0] != '#') {
      if (!pending) return Fail(Error::InvalidArgument("播放列表中的分片缺少时长：" + line));
      p.segments.push_back({*pending, line});
      pending.reset();
    }
    if (end == text.size()) break;
  }
  if (p.segments.empty()) return Fail(Error::InvalidArgument("播放列表中没有分片"));
  return p;
}

std::string WriteMediaPlaylist(const MediaPlaylist& p) {
  long target = 1;
  for (const auto& s : p.segments) target = std::max(target, std::lround(s.duration));
  std::string out = "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:" + std::to_string(target) +
                    "\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n"
                    "#EXT-X-INDEPENDENT-SEGMENTS\n";
  if (!p.init.empty()) out += "#EXT-X-MAP:URI=" + Quoted(p.init) + "\n";
  char buf[64];
  for (const auto& s : p.segments) {
    std::snprintf(buf, sizeof buf, "#EXTINF:%.6f,\n", s.duration);
    out += buf + s.uri + "\n";
  }
  out += "#EXT-X-ENDLIST\n";
  return out;
}

std::string MasterPlaylist(const std::vector<Rendition>& renditions,
                           const std::vector<SubtitleTrack>& subtitles) {
  std::string out = "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n";
  const Rendition* audio = nullptr;
  for (const auto& r : renditions) {
    if (r.audio) audio = &r;
  }
  if (audio) {
    out +=
        "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",NAME=\"声音\",LANGUAGE=\"zh\",DEFAULT=YES,"
        "AUTOSELECT=YES,CHANNELS=\"2\",URI=" +
        Quoted(audio->playlist) + "\n";
  }
  for (size_t i = 0; i < subtitles.size(); ++i) {
    const auto& s = subtitles[i];
    out += "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=" + Quoted(s.name) +
           ",LANGUAGE=" + Quoted(s.language) + ",DEFAULT=" + (s.is_default ? "YES" : "NO") +
           ",AUTOSELECT=YES,FORCED=NO,URI=" + Quoted(s.uri) + "\n";
  }
  std::string groups;
  if (audio) groups += ",AUDIO=\"audio\"";
  if (!subtitles.empty()) groups += ",SUBTITLES=\"subs\"";
  std::vector<const Rendition*> video;
  for (const auto& r : renditions) {
    if (!r.audio) video.push_back(&r);
  }
  std::sort(video.begin(), video.end(),
            [](const Rendition* a, const Rendition* b) { return a->bandwidth < b->bandwidth; });
  char buf[64];
  for (const Rendition* v : video) {
    int64_t bw = v->bandwidth + (audio ? audio->bandwidth : 0);
    int64_t avg = v->average_bandwidth + (audio ? audio->average_bandwidth : 0);
    std::string codecs = v->codecs + (audio ? "," + audio->codecs : "");
    out += "#EXT-X-STREAM-INF:BANDWIDTH=" + std::to_string(bw) +
           ",AVERAGE-BANDWIDTH=" + std::to_string(avg) + ",CODECS=" + Quoted(codecs) +
           ",RESOLUTION=" + std::to_string(v->width) + "x" + std::to_string(v->height);
    if (v->frame_rate > 0) {
      std::snprintf(buf, sizeof buf, ",FRAME-RATE=%.3f", v->frame_rate);
      out += buf;
    }
    out += groups + ",CLOSED-CAPTIONS=NONE\n" + v->playlist + "\n";
  }
  if (audio) {
    out += "#EXT-X-STREAM-INF:BANDWIDTH=" + std::to_string(audio->bandwidth) +
           ",AVERAGE-BANDWIDTH=" + std::to_string(audio->average_bandwidth) +
           ",CODECS=" + Quoted(audio->codecs) + (subtitles.empty() ? "" : ",SUBTITLES=\"subs\"") +
           "\n" + audio->playlist + "\n";
  }
  return out;
}

std::string SubtitlePlaylist(const std::string& vtt_uri, double duration_s) {
  double d = std::max(duration_s, 1.0);
  char buf[64];
  std::snprintf(buf, sizeof buf, "#EXTINF:%.3f,\n", d);
  return "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:" +
         std::to_string(static_cast<long>(std::ceil(d))) +
         "\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n" + buf + vtt_uri +
         "\n#EXT-X-ENDLIST\n";
}

void MeasureBandwidth(const MediaPlaylist& p, const std::vector<int64_t>& segment_bytes,
                      int64_t* peak, int64_t* average) {
  double total_bytes = 0, total_s = 0, best = 0;
  bool any_long = false;
  for (size_t i = 0; i < p.segments.size() && i < segment_bytes.size(); ++i) {
    any_long |= p.segments[i].duration >= 0.5;
  }
  for (size_t i = 0; i < p.segments.size() && i < segment_bytes.size(); ++i) {
    double d = p.segments[i].duration;
    total_bytes += static_cast<double>(segment_bytes[i]);
    total_s += d;
    // A short last segment would report a meaningless peak.
    if (d > 0 && (d >= 0.5 || !any_long)) {
      best = std::max(best, static_cast<double>(segment_bytes[i]) * 8 / d);
    }
  }
  *peak = static_cast<int64_t>(std::ceil(best));
  *average = total_s > 0 ? static_cast<int64_t>(std::ceil(total_bytes * 8 / total_s)) : 0;
}

std::optional<InitInfo> ReadInitSegment(std::string_view b) {
  InitInfo info;
  size_t avcc = b.find("avcC");
  if (avcc != std::string_view::npos && avcc + 8 <= b.size()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "avc1.%02x%02x%02x", static_cast<unsigned char>(b[avcc + 5]),
                  static_cast<unsigned char>(b[avcc + 6]), static_cast<unsigned char>(b[avcc + 7]));
    info.codecs = buf;
    size_t entry = b.find("avc1");
    // Visual sample entry: size, type, 6 reserved, data-reference index, 16 bytes of
    // pre-defined/reserved fields, then width and height.
    if (entry != std::string_view::npos && entry >= 4 && entry + 32 <= b.size() &&
        Be32(b, entry - 4) >= 36) {
      info.width = Be16(b, entry + 28);
      info.height = Be16(b, entry + 30);
    }
    return info;
  }
  if (b.find("mp4a") != std::string_view::npos) {
    info.codecs = "mp4a.40.2";  // AAC-LC, which is what the audio rendition is encoded as
    return info;
  }
  return std::nullopt;
}

ThumbnailPlan PlanThumbnails(const SourceInfo& src) {
  ThumbnailPlan p;
  double d = std::max(src.duration_s, 1.0);
  p.interval_s = std::clamp(static_cast<int>(std::ceil(d / 100.0)), 1, 10);
  p.count = std::max(1, static_cast<int>(std::ceil(d / p.interval_s)));
  if (src.width > 0 && src.height > 0) {
    if (src.width >= src.height) {
      p.tile_w = 160;
      p.tile_h = Even(160.0 * src.height / src.width);
    } else {
      p.tile_h = 160;
      p.tile_w = Even(160.0 * src.width / src.height);
    }
  }
  p.columns = std::min(10, p.count);
  p.rows = std::min(10, (p.count + p.columns - 1) / p.columns);
  return p;
}

std::string ThumbnailsVtt(const ThumbnailPlan& plan, const std::vector<std::string>& sprite_uris,
                          double duration_s) {
  std::string out = "WEBVTT\n\n";
  const int per_sprite = plan.columns * plan.rows;
  int64_t duration_ms = static_cast<int64_t>(std::llround(duration_s * 1000));
  for (int i = 0; i < plan.count; ++i) {
    size_t sprite = static_cast<size_t>(i / per_sprite);
    if (sprite >= sprite_uris.size()) break;
    int k = i % per_sprite;
    int64_t start = int64_t{i} * plan.interval_s * 1000;
    int64_t end = std::min<int64_t>(start + plan.interval_s * 1000, duration_ms);
    if (end <= start) end = start + plan.interval_s * 1000;
    out += FormatTimestamp(start) + " --> " + FormatTimestamp(end) + "\n" + sprite_uris[sprite] +
           "#xywh=" + std::to_string((k % plan.columns) * plan.tile_w) + "," +
           std::to_string((k / plan.columns) * plan.tile_h) + "," + std::to_string(plan.tile_w) +
           "," + std::to_string(plan.tile_h) + "\n\n";
  }
  return out;
}

}  // namespace lep::video
