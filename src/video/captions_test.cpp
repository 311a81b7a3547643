// Captions: encoding detection (UTF-8, UTF-16, GBK/GB18030), SRT and WebVTT parsing, the
// Chinese errors that name the line, and the WebVTT written back.
#include "video/captions.h"

#include <gtest/gtest.h>
#include <iconv.h>

namespace lep::video {
namespace {

// UTF-8 → GBK with glibc iconv, as a Chinese Windows editor saves an .srt.
std::string ToGbk(const std::string& utf8) {
  iconv_t cd = iconv_open("GBK", "UTF-8");
  std::string in = utf8, out(utf8.size() * 2 + 8, '\0');
  char* ip = in.data();
  char* op = out.data();
  size_t il = in.size(), ol = out.size();
  EXPECT_NE(iconv(cd, &ip, &il, &op, &ol), static_cast<size_t>(-1));
  iconv_close(cd);
  out.resize(out.size() - ol);
  return out;
}

const std::string kSrt =
    "1\r\n00:00:00,500 --> 00:00:02,000\r\n太极拳第一式：起势\r\n\r\n"
    "2\r\n00:00:02,500 --> 00:00:04,000\r\n<i>两脚开立</i>，与肩同宽\r\n\r\n";

TEST(Captions, Utf8SrtBecomesWebVtt) {
  auto parsed = ParseCaptions(kSrt, 5000);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->format, CaptionFormat::kSrt);
  EXPECT_EQ(parsed->encoding, "UTF-8");
  ASSERT_EQ(parsed->cues.size(), 2u);
  EXPECT_EQ(parsed->cues[0].start_ms, 500);
  EXPECT_EQ(parsed->cues[1].end_ms, 4000);
  EXPECT_EQ(parsed->cues[1].line, 6);
  EXPECT_EQ(ToWebVtt(parsed->cues),
            "WEBVTT\n\n00:00:00.500 --> 00:00:02.000\n太极拳第一式：起势\n\n"
            "00:00:02.500 --> 00:00:04.000\n<i>两脚开立</i>，与肩同宽\n\n");
}

TEST(Captions, GbkIsDetectedAndConverted) {
  std::string gbk = ToGbk(kSrt);
  ASSERT_NE(gbk, kSrt);
  auto parsed = ParseCaptions(gbk, 5000);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->encoding, "GB18030");
  EXPECT_EQ(parsed->cues[0].text, "太极拳第一式：起势");
}

TEST(Captions, GbkSrtWithABadTimestampNamesTheLine) {
  // Line 6: seconds "3" with one digit.
  std::string bad =
      ToGbk("1\n00:00:00,500 --> 00:00:02,000\n起势\n\n2\n00:00:3,000 --> 00:00:04,000\n开立\n");
  auto parsed = ParseCaptions(bad, 5000);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(parsed.error().message,
            "第 6 行：时间轴格式错误“00:00:3,000 --> 00:00:04,000”，应为“时:分:秒,毫秒 --> "
            "时:分:秒,毫秒”（例如 00:01:02,500 --> 00:01:04,000）");
  ASSERT_EQ(parsed.error().fields.size(), 1u);
  EXPECT_EQ(parsed.error().fields[0].field, "file");
  EXPECT_EQ(parsed.error().fields[0].label, "字幕文件");
}

TEST(Captions, UtfSixteenWithBom) {
  iconv_t cd = iconv_open("UTF-16LE", "UTF-8");
  std::string in = kSrt, out(kSrt.size() * 4, '\0');
  char* ip = in.data();
  char* op = out.data();
  size_t il = in.size(), ol = out.size();
  ASSERT_NE(iconv(cd, &ip, &il, &op, &ol), static_cast<size_t>(-1));
  iconv_close(cd);
  out.resize(out.size() - ol);
  auto parsed = ParseCaptions("\xFF\xFE" + out, 5000);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->encoding, "UTF-16LE");
  EXPECT_EQ(parsed->cues.size(), 2u);
}

TEST(Captions, BytesThatAreNeitherUtf8NorGbkNameTheLine) {
  auto parsed = ParseCaptions("1\n00:00:00,500 --> 00:00:02,000\nok\n\n\xFF\xFF\xFF\n", 5000);
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("第 5 行"), std::string::npos) << parsed.error().message;
  EXPECT_NE(parsed.error().message.find("GBK"), std::string::npos);
  auto empty = ParseCaptions("", 5000);
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().message, "字幕文件为空");
}

TEST(Captions, OrderEndAfterStartAndDurationAreChecked) {
  std::string srt =
      "1\n00:00:02,000 --> 00:00:01,000\n倒序\n\n"      // line 2: end before start
      "2\n00:00:05,000 --> 00:00:06,000\n第二条\n\n"    // line 6: fine
      "3\n00:00:03,000 --> 00:00:04,000\n回到过去\n\n"  // line 10: before the previous start
      "4\n00:00:09,000 --> 00:00:12,500\n超出时长\n";   // line 14: beyond 10 s (+1 s slack)
  auto parsed = ParseCaptions(srt, 10'000);
  ASSERT_FALSE(parsed);
  const auto& f = parsed.error().fields;
  ASSERT_EQ(f.size(), 3u) << parsed.error().message;
  EXPECT_EQ(f[0].message, "第 2 行：结束时间 00:00:01,000 应晚于开始时间 00:00:02,000");
  EXPECT_EQ(f[1].message,
            "第 10 行：开始时间 00:00:03,000 早于上一条字幕（第 6 行）的开始时间 00:00:05,000，"
            "字幕应按时间顺序排列");
  EXPECT_EQ(f[2].message, "第 14 行：结束时间 00:00:12,500 超出视频时长 00:00:10,000");
  EXPECT_EQ(parsed.error().message.rfind("字幕文件有 3 处错误，第 2 行", 0), 0u)
      << parsed.error().message;
  // A second of slack at the end; duration unknown (0) checks nothing.
  EXPECT_TRUE(ParseCaptions("1\n00:00:09,000 --> 00:00:10,900\n末尾\n", 10'000));
  EXPECT_TRUE(ParseCaptions("1\n00:00:09,000 --> 01:00:10,900\n末尾\n", 0));
}

TEST(Captions, MalformedSrtBlocks) {
  auto no_timing = ParseCaptions("1\n第一条没有时间轴\n\n", 0);
  ASSERT_FALSE(no_timing);
  EXPECT_NE(no_timing.error().message.find("第 2 行：时间轴格式错误"), std::string::npos)
      << no_timing.error().message;
  auto garbage = ParseCaptions("这不是字幕文件\n", 0);
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().message,
            "第 1 行：应为字幕序号（数字）或时间轴，实际为“这不是字幕文件”");
  auto minutes = ParseCaptions("1\n00:61:00,000 --> 00:62:00,000\n分钟无效\n", 0);
  ASSERT_FALSE(minutes);
  EXPECT_NE(minutes.error().message.find("第 2 行"), std::string::npos);
  auto only_blank = ParseCaptions("\n\n\n", 0);
  ASSERT_FALSE(only_blank);
  EXPECT_EQ(only_blank.error().message, "字幕文件中没有任何字幕条目");
}

TEST(Captions, WebVttWithHeaderNotesStylesIdentifiersAndSettings) {
  std::string vtt =
      "\xEF\xBB\xBFWEBVTT - 太极拳\nKind: captions\nLanguage: zh\n\n"
      "NOTE 这是注释\n多行\n\n"
      "STYLE\n::cue { background: url(http://evil.example/) }\n\n"
      "intro\n00:01.000 --> 00:02.000 align:start line:0 region:x evil:1\n<v 张老师>起势</v>\n"
      "<c.red>第二行</c> & 3 < 4\n\n"
      "01:00:00.000 --> 01:00:01.000\n一小时\n";
  auto parsed = ParseCaptions(vtt, 3'601'500);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->format, CaptionFormat::kWebVtt);
  ASSERT_EQ(parsed->cues.size(), 2u);
  EXPECT_EQ(parsed->cues[0].start_ms, 1000);
  EXPECT_EQ(parsed->cues[0].settings, "align:start line:0");
  EXPECT_EQ(parsed->cues[0].text, "起势\n第二行 &amp; 3 &lt; 4");
  EXPECT_EQ(parsed->cues[1].start_ms, 3'600'000);
  std::string out = ToWebVtt(parsed->cues);
  EXPECT_EQ(out.find("STYLE"), std::string::npos);
  EXPECT_EQ(out.find("evil"), std::string::npos);
  EXPECT_EQ(PlainText(parsed->cues[0].text), "起势\n第二行 & 3 < 4");
  // The written file parses again to the same cues.
  auto again = ParseCaptions(out, 3'601'500);
  ASSERT_TRUE(again);
  EXPECT_EQ(ToWebVtt(again->cues), out);
}

TEST(Captions, WebVttErrors) {
  auto srt_times = ParseCaptions("WEBVTT\n\n00:00:01,000 --> 00:00:02,000\n逗号\n", 0);
  ASSERT_FALSE(srt_times);
  EXPECT_EQ(srt_times.error().message,
            "第 3 行：时间轴格式错误“00:00:01,000 --> 00:00:02,000”，应为“时:分:秒.毫秒 --> "
            "时:分:秒.毫秒”（例如 00:01:02.500 --> 00:01:04.000）");
  auto no_blank = ParseCaptions("WEBVTT\n00:01.000 --> 00:02.000\n缺少空行\n", 0);
  ASSERT_FALSE(no_blank);
  EXPECT_NE(no_blank.error().message.find("第 2 行：WEBVTT 文件头"), std::string::npos);
}

TEST(Captions, BoundsForHostileFiles) {
  CaptionLimits limits;
  limits.max_cues = 10;
  std::string many;
  for (int i = 0; i < 20; ++i) {
    many += std::to_string(i + 1) + "\n" + FormatTimestamp(i * 1000, ',') + " --> " +
            FormatTimestamp(i * 1000 + 500, ',') + "\n第" + std::to_string(i) + "条\n\n";
  }
  auto parsed = ParseCaptions(many, 0, limits);
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("字幕条目过多"), std::string::npos);
  limits = {};
  limits.max_bytes = 100;
  EXPECT_FALSE(ParseCaptions(std::string(200, 'a'), 0, limits));
  // Many errors: the first 20 are listed, the message counts them all.
  std::string bad;
  for (int i = 0; i < 50; ++i) bad += "x\n\n";
  auto errors = ParseCaptions(bad, 0);
  ASSERT_FALSE(errors);
  EXPECT_EQ(errors.error().fields.size(), 20u);
  EXPECT_EQ(errors.error().message.rfind("字幕文件有 50 处错误", 0), 0u);
}

}  // namespace
}  // namespace lep::video
