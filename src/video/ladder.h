// The HLS ladder (清晰度阶梯) as values: which renditions a source gets (360p, 480p, 720p and
// 1080p by the shorter side, never upscaled, plus one audio-only AAC rendition), the master
// playlist that lists them with CODECS, BANDWIDTH, RESOLUTION and the subtitles group, the
// media playlists ffmpeg writes (parsed, then rewritten to the generated blob names), the
// one-segment subtitle playlists of captions and the seek-preview thumbnails (a WebVTT list
// of sprite tiles). Pure functions over values; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace lep::video {

// What the ladder needs to know of the source (from the stored probe).
struct SourceInfo {
  int width = 0, height = 0;  // coded size; rotation does not change the shorter side
  double frame_rate = 0;
  double duration_s = 0;
  bool has_audio = false;
};

struct RenditionSpec {
  std::string name;     // "360p" … "1080p", or "audio"
  bool audio = false;   // the audio-only rendition (AAC), else video only (H.264)
  int short_side = 0;   // video: the output's shorter side in pixels
  int64_t bitrate = 0;  // bits/s: video -maxrate (capped CRF), audio -b:a
  std::string profile;  // x264 profile: "main" / "high"
  std::string level;    // x264 level: "3.0" …
};

// The renditions of a source, audio first, then video from the smallest. A source whose
// shorter side is below 360 gets one video rendition at its own size.
std::vector<RenditionSpec> PlanLadder(const SourceInfo& src);

// A media playlist (VOD, fMP4) as ffmpeg writes it.
struct MediaPlaylist {
  std::string init;  // EXT-X-MAP URI
  struct Segment {
    double duration = 0;
    std::string uri;
  };
  std::vector<Segment> segments;
};

// Reads the EXT-X-MAP and the EXTINF/URI pairs; kInvalidArgument when it holds none.
[[nodiscard]] Result<MediaPlaylist> ParseMediaPlaylist(std::string_view text);
// A VOD media playlist (version 7, independent segments) for the given (rewritten) URIs.
std::string WriteMediaPlaylist(const MediaPlaylist& p);

// One finished rendition as the master playlist lists it.
struct Rendition {
  std::string name;
  bool audio = false;
  int width = 0, height = 0;
  double frame_rate = 0;
  std::string codecs;             // RFC 6381, e.g. "avc1.64001f" or "mp4a.40.2"
  int64_t bandwidth = 0;          // peak segment bit rate, this rendition alone
  int64_t average_bandwidth = 0;  // bits/s over the whole rendition
  std::string playlist;           // URI of its media playlist, relative to the master
  double encode_seconds = 0;      // wall time to encode (speed = duration / this)
};

struct SubtitleTrack {
  std::string name;      // shown in players, e.g. "中文"
  std::string language;  // BCP 47, e.g. "zh"
  std::string uri;       // its subtitle playlist, relative to the master
  bool is_default = false;
};

// The master playlist: the audio group (the audio rendition), the subtitles group, one
// EXT-X-STREAM-INF per video rendition (its BANDWIDTH includes the audio's) from the smallest
// up — players start on the first — and the audio-only variant last.
std::string MasterPlaylist(const std::vector<Rendition>& renditions,
                           const std::vector<SubtitleTrack>& subtitles);

// A subtitle media playlist with the whole WebVTT file as its one segment.
std::string SubtitlePlaylist(const std::string& vtt_uri, double duration_s);

// Peak and average bit rate of a rendition from its segment sizes (bytes, in playlist order).
void MeasureBandwidth(const MediaPlaylist& p, const std::vector<int64_t>& segment_bytes,
                      int64_t* peak, int64_t* average);

// RFC 6381 codecs string and coded size from an fMP4 init segment (avcC / avc1, or mp4a);
// nullopt when neither is found.
struct InitInfo {
  std::string codecs;
  int width = 0, height = 0;
};
std::optional<InitInfo> ReadInitSegment(std::string_view bytes);

// Seek-preview thumbnails: one every `interval_s` seconds (1–10 s, at most ~100 for the
// whole video), `tile_w` wide, tiled columns × rows into sprites of up to 100.
struct ThumbnailPlan {
  int interval_s = 10;
  int tile_w = 160, tile_h = 90;
  int columns = 10, rows = 10;
  int count = 1;
};
ThumbnailPlan PlanThumbnails(const SourceInfo& src);
// The WebVTT list: one cue per thumbnail, "<sprite>#xywh=x,y,w,h".
std::string ThumbnailsVtt(const ThumbnailPlan& plan, const std::vector<std::string>& sprite_uris,
                          double duration_s);

}  // namespace lep::video
