// The ladder as values: no upscaling, the master playlist's attributes, media playlists read
// and rewritten, bandwidth, init-segment codecs and the seek-preview list.
#include "video/ladder.h"

#include <gtest/gtest.h>

namespace lep::video {
namespace {

std::vector<std::string> Names(const std::vector<RenditionSpec>& v) {
  std::vector<std::string> out;
  for (const auto& s : v) out.push_back(s.name);
  return out;
}

TEST(Ladder, NeverUpscales) {
  EXPECT_EQ(Names(PlanLadder({1280, 720, 25, 10, true})),
            (std::vector<std::string>{"audio", "360p", "480p", "720p"}));
  EXPECT_EQ(Names(PlanLadder({1920, 1080, 25, 10, true})),
            (std::vector<std::string>{"audio", "360p", "480p", "720p", "1080p"}));
  EXPECT_EQ(Names(PlanLadder({3840, 2160, 50, 10, true})),
            (std::vector<std::string>{"audio", "360p", "480p", "720p", "1080p"}));
  // Portrait: by the shorter side.
  EXPECT_EQ(Names(PlanLadder({720, 1280, 25, 10, false})),
            (std::vector<std::string>{"360p", "480p", "720p"}));
  // A tiny source gets itself.
  EXPECT_EQ(Names(PlanLadder({320, 240, 25, 10, true})),
            (std::vector<std::string>{"audio", "240p"}));
  auto ladder = PlanLadder({1920, 1080, 25, 10, true});
  EXPECT_EQ(ladder[0].bitrate, 96'000);
  EXPECT_EQ(ladder[1].bitrate, 500'000);
  EXPECT_EQ(ladder[4].profile, "high");
  EXPECT_EQ(ladder[4].level, "4.0");
}

TEST(Ladder, MasterPlaylistListsRenditionsAudioAndSubtitles) {
  std::vector<Rendition> r = {
      {"audio", true, 0, 0, 0, "mp4a.40.2", 100'000, 98'000, "a.m3u8", 1},
      {"720p", false, 1280, 720, 25, "avc1.64001f", 2'800'000, 2'000'000, "c.m3u8", 1},
      {"360p", false, 640, 360, 25, "avc1.4d401e", 600'000, 450'000, "b.m3u8", 1},
  };
  std::string m = MasterPlaylist(r, {{"中文", "zh", "s.vtt.m3u8", true}});
  EXPECT_EQ(m,
            "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n"
            "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",NAME=\"声音\",LANGUAGE=\"zh\",DEFAULT=YES,"
            "AUTOSELECT=YES,CHANNELS=\"2\",URI=\"a.m3u8\"\n"
            "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"中文\",LANGUAGE=\"zh\","
            "DEFAULT=YES,AUTOSELECT=YES,FORCED=NO,URI=\"s.vtt.m3u8\"\n"
            "#EXT-X-STREAM-INF:BANDWIDTH=700000,AVERAGE-BANDWIDTH=548000,"
            "CODECS=\"avc1.4d401e,mp4a.40.2\",RESOLUTION=640x360,FRAME-RATE=25.000,"
            "AUDIO=\"audio\",SUBTITLES=\"subs\",CLOSED-CAPTIONS=NONE\nb.m3u8\n"
            "#EXT-X-STREAM-INF:BANDWIDTH=2900000,AVERAGE-BANDWIDTH=2098000,"
            "CODECS=\"avc1.64001f,mp4a.40.2\",RESOLUTION=1280x720,FRAME-RATE=25.000,"
            "AUDIO=\"audio\",SUBTITLES=\"subs\",CLOSED-CAPTIONS=NONE\nc.m3u8\n"
            "#EXT-X-STREAM-INF:BANDWIDTH=100000,AVERAGE-BANDWIDTH=98000,CODECS=\"mp4a.40.2\","
            "SUBTITLES=\"subs\"\na.m3u8\n");
  // No captions: no subtitles group; quotes in names cannot break out.
  std::string plain = MasterPlaylist(r, {});
  EXPECT_EQ(plain.find("SUBTITLES"), std::string::npos);
  std::string evil = MasterPlaylist(r, {{"a\"\n#EXT-X-ENDLIST", "zh", "s", true}});
  EXPECT_NE(evil.find("NAME=\"a#EXT-X-ENDLIST\""), std::string::npos) << evil;
}

TEST(Ladder, MediaPlaylistsAreReadAndRewritten) {
  const char* ffmpeg_out =
      "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:0\n"
      "#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-MAP:URI=\"init.mp4\"\n"
      "#EXTINF:4.000000,\nseg_00000.m4s\n#EXTINF:3.600000,\nseg_00001.m4s\n#EXT-X-ENDLIST\n";
  auto p = ParseMediaPlaylist(ffmpeg_out);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->init, "init.mp4");
  ASSERT_EQ(p->segments.size(), 2u);
  EXPECT_DOUBLE_EQ(p->segments[1].duration, 3.6);
  p->init = "x.mp4";
  p->segments[0].uri = "a.m4s";
  p->segments[1].uri = "b.m4s";
  EXPECT_EQ(WriteMediaPlaylist(*p),
            "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:0\n"
            "#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-MAP:URI=\"x.mp4\"\n"
            "#EXTINF:4.000000,\na.m4s\n#EXTINF:3.600000,\nb.m4s\n#EXT-X-ENDLIST\n");
  EXPECT_FALSE(ParseMediaPlaylist("#EXTM3U\n#EXT-X-ENDLIST\n"));
  EXPECT_FALSE(ParseMediaPlaylist("#EXTM3U\nno-duration.m4s\n"));

  int64_t peak = 0, avg = 0;
  MeasureBandwidth(*p, {500'000, 400'000}, &peak, &avg);
  EXPECT_EQ(peak, 1'000'000);  // 500 kB in 4 s
  EXPECT_EQ(avg, 947'369);     // 900 kB in 7.6 s, rounded up
  // A very short last segment does not set the peak.
  MediaPlaylist tail{"", {{4.0, "a"}, {0.04, "b"}}};
  MeasureBandwidth(tail, {400'000, 20'000}, &peak, &avg);
  EXPECT_EQ(peak, 800'000);
}

TEST(Ladder, SubtitlePlaylistHasTheWholeFileAsOneSegment) {
  EXPECT_EQ(SubtitlePlaylist("c.vtt", 12.5),
            "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:13\n#EXT-X-MEDIA-SEQUENCE:0\n"
            "#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:12.500,\nc.vtt\n#EXT-X-ENDLIST\n");
}

TEST(Ladder, InitSegmentCodecsAndSize) {
  // A minimal avc1 sample entry with an avcC (High, level 3.1) inside.
  std::string entry(8 + 78, '\0');
  entry[3] = static_cast<char>(entry.size());
  entry.replace(4, 4, "avc1");
  entry[32] = 0x05;  // width 1280
  entry[33] = 0x00;
  entry[34] = 0x02;  // height 720
  entry[35] = static_cast<char>(0xd0);
  std::string avcc = std::string("\0\0\0\x0f", 4) + "avcC" + std::string("\x01\x64\x00\x1f", 4);
  auto info = ReadInitSegment("....moov" + entry + avcc);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->codecs, "avc1.64001f");
  EXPECT_EQ(info->width, 1280);
  EXPECT_EQ(info->height, 720);
  EXPECT_EQ(ReadInitSegment("....mp4a....")->codecs, "mp4a.40.2");
  EXPECT_FALSE(ReadInitSegment("nothing here"));
}

TEST(Ladder, ThumbnailsCoverTheVideo) {
  ThumbnailPlan p = PlanThumbnails({1280, 720, 25, 5.0, true});
  EXPECT_EQ(p.interval_s, 1);
  EXPECT_EQ(p.count, 5);
  EXPECT_EQ(p.columns, 5);
  EXPECT_EQ(p.rows, 1);
  EXPECT_EQ(p.tile_h, 90);
  EXPECT_EQ(ThumbnailsVtt(p, {"s.jpg"}, 4.5),
            "WEBVTT\n\n"
            "00:00:00.000 --> 00:00:01.000\ns.jpg#xywh=0,0,160,90\n\n"
            "00:00:01.000 --> 00:00:02.000\ns.jpg#xywh=160,0,160,90\n\n"
            "00:00:02.000 --> 00:00:03.000\ns.jpg#xywh=320,0,160,90\n\n"
            "00:00:03.000 --> 00:00:04.000\ns.jpg#xywh=480,0,160,90\n\n"
            "00:00:04.000 --> 00:00:04.500\ns.jpg#xywh=640,0,160,90\n\n");
  // Two hours: one every 10 s in sprites of 10 × 10.
  ThumbnailPlan long_plan = PlanThumbnails({1920, 1080, 25, 7200, true});
  EXPECT_EQ(long_plan.interval_s, 10);
  EXPECT_EQ(long_plan.count, 720);
  EXPECT_EQ(long_plan.columns * long_plan.rows, 100);
  std::string vtt = ThumbnailsVtt(
      long_plan, {"1.jpg", "2.jpg", "3.jpg", "4.jpg", "5.jpg", "6.jpg", "7.jpg", "8.jpg"}, 7200);
  EXPECT_NE(vtt.find("00:16:40.000 --> 00:16:50.000\n2.jpg#xywh=0,0,160,90"), std::string::npos);
  // Portrait tiles keep the aspect ratio.
  ThumbnailPlan portrait = PlanThumbnails({720, 1280, 25, 10, true});
  EXPECT_EQ(portrait.tile_h, 160);
  EXPECT_EQ(portrait.tile_w, 90);
}

}  // namespace
}  // namespace lep::video
