// Tests for lep_media. Fixtures are generated at suite start by
// tests/fixtures/media/make_media.sh (Debian ffmpeg) into a temp dir; measured values are
// compared with ffprobe's. No network: the playlist fixture points at 127.0.0.1:9 and must be
// rejected before anything could open it.
#include "media/media_probe.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "child_usage.h"
#include "media/av_util.h"
#include "media/mp4_boxes.h"

namespace lep::media {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// Fixtures are made once per script version into the build tree and shared read-only by the
// test processes (ctest runs each test in its own process); files a test writes go to a
// per-process scratch dir.
class MediaFixtures : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string tmpl = (fs::temp_directory_path() / "lep_media_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    scratch_ = new fs::path(tmpl);
    std::ifstream script(LEP_MEDIA_FIXTURE_SCRIPT, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(script)),
                           std::istreambuf_iterator<char>());
    ASSERT_FALSE(text.empty()) << LEP_MEDIA_FIXTURE_SCRIPT;
    fixtures_ = new fs::path(fs::path(LEP_MEDIA_FIXTURE_CACHE) /
                             ("v" + std::to_string(std::hash<std::string>{}(text))));
    if (fs::is_directory(*fixtures_)) {
      script_ok_ = true;
      return;
    }
    // Generate beside the cache (same file system) and rename into place, so a concurrent
    // process never sees a half-made set; whoever loses the race drops its copy.
    std::error_code ec;
    fs::create_directories(fixtures_->parent_path(), ec);
    std::string staging = (fixtures_->parent_path() / "staging_XXXXXX").string();
    ASSERT_NE(mkdtemp(staging.data()), nullptr);
    const std::string cmd = "sh " + Quote(LEP_MEDIA_FIXTURE_SCRIPT) + " " + Quote(staging) + " >&2";
    const bool made = std::system(cmd.c_str()) == 0;
    if (made) fs::rename(staging, *fixtures_, ec);
    if (!made || ec) fs::remove_all(staging, ec);
    script_ok_ = fs::is_directory(*fixtures_);
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(*scratch_, ec);
    delete scratch_;
    delete fixtures_;
    scratch_ = fixtures_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(script_ok_) << "make_media.sh failed"; }

  // A generated fixture (read-only).
  static std::string Path(const std::string& name) { return (*fixtures_ / name).string(); }
  // A file this process may write.
  static std::string Scratch(const std::string& name) { return (*scratch_ / name).string(); }

  static ProbeResult MustProbe(const std::string& name, MediaKind kind) {
    return MustProbePath(Path(name), kind);
  }
  static ProbeResult MustProbePath(const std::string& path, MediaKind kind) {
    auto r = NewAvMediaProbe()->Probe(path, kind);
    EXPECT_TRUE(r.has_value()) << path << ": " << (r ? "" : r.error().message);
    return r ? *r : ProbeResult{};
  }

  static json Ffprobe(const std::string& path) {
    const std::string cmd =
        "ffprobe -v error -print_format json -show_streams -show_format " + Quote(path);
    FILE* pipe = popen(cmd.c_str(), "r");
    if (pipe == nullptr) return json();
    std::string text;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) text.append(buf, n);
    pclose(pipe);
    return json::parse(text, nullptr, /*allow_exceptions=*/false);
  }

  static fs::path* fixtures_;
  static fs::path* scratch_;
  static bool script_ok_;
};
fs::path* MediaFixtures::fixtures_ = nullptr;
fs::path* MediaFixtures::scratch_ = nullptr;
bool MediaFixtures::script_ok_ = false;

double Rational(const std::string& s) {
  const auto slash = s.find('/');
  if (slash == std::string::npos) return std::strtod(s.c_str(), nullptr);
  const double num = std::strtod(s.substr(0, slash).c_str(), nullptr);
  const double den = std::strtod(s.substr(slash + 1).c_str(), nullptr);
  return den > 0 ? num / den : 0;
}

int IntField(const json& j, const char* key) {
  if (!j.contains(key)) return 0;
  const json& v = j[key];
  if (v.is_number_integer()) return v.get<int>();
  if (v.is_string()) return std::atoi(v.get<std::string>().c_str());
  return 0;
}

int SampleFormatBits(const std::string& fmt) {
  static const std::map<std::string, int> kBits = {
      {"u8", 8},    {"u8p", 8},  {"s16", 16},  {"s16p", 16}, {"s32", 32},
      {"s32p", 32}, {"flt", 32}, {"fltp", 32}, {"dbl", 64},  {"dblp", 64}};
  auto it = kBits.find(fmt);
  return it == kBits.end() ? 0 : it->second;
}

const json* FirstStream(const json& probe, const char* type) {
  for (const auto& st : probe["streams"]) {
    if (st.value("codec_type", "") != type) continue;
    if (st.contains("disposition") && st["disposition"].value("attached_pic", 0) == 1) continue;
    return &st;
  }
  return nullptr;
}

// Our measurement against ffprobe's for one file.
void ExpectMatchesFfprobe(const ProbeResult& ours, const json& ff, const std::string& name) {
  SCOPED_TRACE(name);
  ASSERT_TRUE(ff.is_object() && ff.contains("streams") && ff.contains("format"));
  const json* v = FirstStream(ff, "video");
  const json* a = FirstStream(ff, "audio");
  EXPECT_EQ(ours.has_video, v != nullptr);
  EXPECT_EQ(ours.has_audio, a != nullptr);
  if (v != nullptr) {
    EXPECT_EQ(ours.video_codec, (*v)["codec_name"].get<std::string>());
    EXPECT_EQ(ours.width, IntField(*v, "width"));
    EXPECT_EQ(ours.height, IntField(*v, "height"));
    EXPECT_NEAR(ours.frame_rate, Rational((*v)["avg_frame_rate"].get<std::string>()), 0.01);
    if (ours.video_codec == "h264") {
      EXPECT_EQ(ours.video_profile, v->value("profile", ""));
      EXPECT_EQ(ours.pixel_format, v->value("pix_fmt", ""));
    }
  }
  if (a != nullptr) {
    EXPECT_EQ(ours.audio_codec, (*a)["codec_name"].get<std::string>());
    EXPECT_EQ(ours.sample_rate, IntField(*a, "sample_rate"));
    EXPECT_EQ(ours.channels, IntField(*a, "channels"));
    int bits = IntField(*a, "bits_per_raw_sample");
    if (bits == 0) bits = IntField(*a, "bits_per_sample");
    if (bits == 0) bits = SampleFormatBits(a->value("sample_fmt", ""));
    EXPECT_EQ(ours.bits_per_sample, bits);
  }
  const double ff_rate = std::strtod(ff["format"].value("bit_rate", "0").c_str(), nullptr);
  EXPECT_NEAR(static_cast<double>(ours.bit_rate), ff_rate, ff_rate * 0.01);
  const double ff_duration = std::strtod(ff["format"].value("duration", "0").c_str(), nullptr);
  EXPECT_NEAR(ours.duration_s, ff_duration, 0.05);
}

std::set<std::string> FailingRules(const std::vector<RuleResult>& rules) {
  std::set<std::string> failing;
  for (const auto& r : rules) {
    if (!r.pass) failing.insert(r.rule);
  }
  return failing;
}

struct Expectation {
  const char* file;
  MediaKind kind;
  std::set<std::string> failing;  // exactly these rules fail
};

const std::vector<Expectation>& Readable() {
  static const std::vector<Expectation> kAll = {
      {"video_pass.mp4", MediaKind::kVideo, {}},
      {"video_portrait.mp4", MediaKind::kVideo, {}},
      {"video_640x360.mp4", MediaKind::kVideo, {"resolution"}},
      {"video_24fps.mp4", MediaKind::kVideo, {"frame_rate"}},
      {"video_1mbps.mp4", MediaKind::kVideo, {"bit_rate"}},
      {"video_hevc.mp4", MediaKind::kVideo, {"video_codec"}},
      {"video_mp3audio.mp4", MediaKind::kVideo, {"audio_codec"}},
      {"video_moov_end.mp4", MediaKind::kVideo, {"progressive"}},
      {"video_hi10.mp4", MediaKind::kVideo, {"video_codec"}},
      {"video_422.mp4", MediaKind::kVideo, {"video_codec"}},
      {"video_vp9.mp4", MediaKind::kVideo, {"video_codec"}},
      {"video_mpeg4.mp4", MediaKind::kVideo, {"video_codec"}},
      {"audio_pass.mp3", MediaKind::kAudio, {}},
      {"audio_22k.mp3", MediaKind::kAudio, {"sample_rate"}},
      {"audio_mono.mp3", MediaKind::kAudio, {"channels"}},
  };
  return kAll;
}

TEST_F(MediaFixtures, ProbeMatchesFfprobe) {
  for (const auto& e : Readable()) {
    const ProbeResult p = MustProbe(e.file, e.kind);
    EXPECT_EQ(p.error, "") << e.file;
    ExpectMatchesFfprobe(p, Ffprobe(Path(e.file)), e.file);
  }
}

TEST_F(MediaFixtures, EachFailingFixtureFailsExactlyItsRule) {
  for (const auto& e : Readable()) {
    const auto rules = EvaluateStandard(MustProbe(e.file, e.kind), e.kind);
    EXPECT_EQ(FailingRules(rules), e.failing) << e.file;
    EXPECT_EQ(rules.size(), e.kind == MediaKind::kVideo ? 7u : 4u) << e.file;
    EXPECT_EQ(MeetsStandard(rules), e.failing.empty()) << e.file;
  }
}

// Issue 17 §5: the check judges playability and explains each failure in plain words.
TEST_F(MediaFixtures, Issue17HighBitDepthH264FailsAndNamesWhatItIs) {
  const auto hi10 = EvaluateStandard(MustProbe("video_hi10.mp4", MediaKind::kVideo),
                                     MediaKind::kVideo);
  const auto& codec = hi10[1];
  ASSERT_EQ(codec.rule, "video_codec");
  EXPECT_FALSE(codec.pass);
  EXPECT_NE(codec.measured.find("High 10"), std::string::npos) << codec.measured;
  EXPECT_NE(codec.measured.find("10 位"), std::string::npos) << codec.measured;
  EXPECT_NE(codec.advice.find("H.264"), std::string::npos) << codec.advice;
  const auto c422 = EvaluateStandard(MustProbe("video_422.mp4", MediaKind::kVideo),
                                     MediaKind::kVideo)[1];
  EXPECT_FALSE(c422.pass);
  EXPECT_NE(c422.measured.find("4:2:2"), std::string::npos) << c422.measured;
  const auto ok = EvaluateStandard(MustProbe("video_pass.mp4", MediaKind::kVideo),
                                   MediaKind::kVideo)[1];
  EXPECT_TRUE(ok.pass) << ok.measured;
}

TEST_F(MediaFixtures, Issue17OtherCodecsReportTheirRealSize) {
  for (const char* name : {"video_vp9.mp4", "video_mpeg4.mp4", "video_hevc.mp4"}) {
    const ProbeResult p = MustProbe(name, MediaKind::kVideo);
    EXPECT_EQ(p.width, 1280) << name;
    EXPECT_EQ(p.height, 720) << name;
    const auto rules = EvaluateStandard(p, MediaKind::kVideo);
    EXPECT_EQ(rules[3].measured, "1280×720") << name;
  }
}

TEST_F(MediaFixtures, Issue17EveryFailedRuleSaysHowToFixItAndMp3DepthIsHonest) {
  for (const auto& e : Readable()) {
    for (const auto& r : EvaluateStandard(MustProbe(e.file, e.kind), e.kind)) {
      if (r.pass) {
        EXPECT_EQ(r.advice, "") << e.file << " " << r.rule;
        continue;
      }
      EXPECT_GT(r.advice.size(), 20u) << e.file << " " << r.rule;
      for (const char* jargon : {"moov", "mdat", "ftyp", "box"}) {
        EXPECT_EQ(r.advice.find(jargon), std::string::npos) << r.advice;
        EXPECT_EQ(r.measured.find(jargon), std::string::npos) << r.measured;
      }
    }
  }
  const auto depth = EvaluateStandard(MustProbe("audio_pass.mp3", MediaKind::kAudio),
                                      MediaKind::kAudio)[2];
  ASSERT_EQ(depth.rule, "bit_depth");
  EXPECT_TRUE(depth.pass);
  EXPECT_NE(depth.measured.find("不记录"), std::string::npos) << depth.measured;
  const auto unreadable = EvaluateStandard(MustProbe("video_random.mp4", MediaKind::kVideo),
                                           MediaKind::kVideo);
  ASSERT_EQ(unreadable.size(), 1u);
  EXPECT_FALSE(unreadable[0].advice.empty());
}

TEST_F(MediaFixtures, ContainerAndLayoutOfMp4) {
  const ProbeResult pass = MustProbe("video_pass.mp4", MediaKind::kVideo);
  EXPECT_EQ(pass.container, "mp4");
  EXPECT_TRUE(pass.moov_before_mdat);
  EXPECT_GE(pass.bit_rate, 2'000'000);
  const ProbeResult end = MustProbe("video_moov_end.mp4", MediaKind::kVideo);
  EXPECT_FALSE(end.moov_before_mdat);
  const auto rules = EvaluateStandard(end, MediaKind::kVideo);
  ASSERT_EQ(rules.back().rule, "progressive");
  EXPECT_TRUE(rules.back().fixable);
  const ProbeResult mp3 = MustProbe("audio_pass.mp3", MediaKind::kAudio);
  EXPECT_EQ(mp3.container, "mp3");
  EXPECT_FALSE(mp3.has_video);
  EXPECT_GE(mp3.bits_per_sample, 16);  // fltp from FFmpeg's float mp3 decoder
}

TEST_F(MediaFixtures, UnreadableFilesGiveAChineseErrorNotACrash) {
  const std::vector<std::pair<const char*, MediaKind>> bad = {
      {"video_truncated.mp4", MediaKind::kVideo},
      {"video_random.mp4", MediaKind::kVideo},
      {"video_playlist.mp4", MediaKind::kVideo},
      {"audio_random.mp3", MediaKind::kAudio},
      {"audio_playlist.mp3", MediaKind::kAudio},
      // The right bytes for the wrong kind.
      {"audio_pass.mp3", MediaKind::kVideo},
      {"video_pass.mp4", MediaKind::kAudio},
  };
  for (const auto& [file, kind] : bad) {
    const ProbeResult p = MustProbe(file, kind);
    EXPECT_NE(p.error, "") << file;
    const auto rules = EvaluateStandard(p, kind);
    ASSERT_EQ(rules.size(), 1u) << file;
    EXPECT_EQ(rules[0].rule, "readable");
    EXPECT_FALSE(rules[0].pass);
    EXPECT_EQ(rules[0].measured, p.error);
  }
  EXPECT_NE(MustProbe("video_truncated.mp4", MediaKind::kVideo).error.find("不完整"),
            std::string::npos);
  EXPECT_NE(MustProbe("video_playlist.mp4", MediaKind::kVideo).error.find("播放列表"),
            std::string::npos);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

TEST_F(MediaFixtures, CutMdatWithConsistentBoxSizeIsCaughtByTheIndexCheck) {
  // A cut file whose last box header was "fixed up" to the new length: the box walk passes,
  // the sample index still points past the end.
  std::string bytes = ReadAll(Path("video_truncated.mp4"));
  size_t off = 0;
  bool patched = false;
  while (off + 8 <= bytes.size()) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + off);
    const uint64_t size = (uint64_t{p[0]} << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
    if (bytes.compare(off + 4, 4, "mdat") == 0) {
      const uint32_t fixed = static_cast<uint32_t>(bytes.size() - off);
      for (int i = 0; i < 4; ++i)
        bytes[off + i] = static_cast<char>((fixed >> (24 - 8 * i)) & 0xff);
      patched = true;
      break;
    }
    off += size;
  }
  ASSERT_TRUE(patched);
  WriteAll(Scratch("cut_fixed_up.mp4"), bytes);
  const ProbeResult p = MustProbePath(Scratch("cut_fixed_up.mp4"), MediaKind::kVideo);
  EXPECT_NE(p.error.find("不完整"), std::string::npos) << p.error;
}

TEST_F(MediaFixtures, CorruptedAndCutBytesNeverCrash) {
  // Run under ASan/UBSan: any outcome is fine except a crash or a sanitizer report.
  auto probe = NewAvMediaProbe();
  for (const auto& [file, kind] : {std::pair{"video_pass.mp4", MediaKind::kVideo},
                                   std::pair{"video_moov_end.mp4", MediaKind::kVideo},
                                   std::pair{"audio_pass.mp3", MediaKind::kAudio}}) {
    const std::string original = ReadAll(Path(file));
    ASSERT_GT(original.size(), 8192u);
    const bool moov_at_end = std::string(file) == "video_moov_end.mp4";
    std::mt19937 rng(42);
    for (int round = 0; round < 12; ++round) {
      std::string bytes = original;
      // Damage the header region (moov/ID3 + first frames, or the trailing moov).
      const size_t region = 8192;
      const size_t base = moov_at_end ? bytes.size() - region : 0;
      for (int k = 0; k < 24; ++k) bytes[base + rng() % region] = static_cast<char>(rng());
      const std::string name = std::string("corrupt_") + std::to_string(round) + "_" + file;
      WriteAll(Scratch(name), bytes);
      EXPECT_TRUE(probe->Probe(Scratch(name), kind).has_value()) << name;
      WriteAll(Scratch(name), original.substr(0, rng() % original.size()));
      EXPECT_TRUE(probe->Probe(Scratch(name), kind).has_value()) << name << " (cut)";
    }
  }
}

TEST_F(MediaFixtures, ForcedDemuxerRejectsPlaylistEvenWithoutTheSniff) {
  // Bypasses the "#EXTM3U" check: the restricted open itself never treats the text as HLS.
  av::Deadline deadline{std::chrono::steady_clock::now() + std::chrono::seconds(5)};
  EXPECT_FALSE(av::OpenRestrictedInput(Path("video_playlist.mp4"), MediaKind::kVideo, &deadline));
  // The mp3 demuxer does "open" text (it scans for frame sync); it must find no audio in it.
  auto ctx = av::OpenRestrictedInput(Path("audio_playlist.mp3"), MediaKind::kAudio, &deadline);
  if (ctx) {
    EXPECT_STREQ((*ctx)->iformat->name, "mp3");
    avformat_find_stream_info(ctx->get(), nullptr);
    for (unsigned i = 0; i < (*ctx)->nb_streams; ++i) {
      EXPECT_EQ((*ctx)->streams[i]->codecpar->sample_rate, 0);
    }
  }
}

void ExpectSameProbe(const ProbeResult& file, const ProbeResult& mem, const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_EQ(mem.error, file.error);
  EXPECT_EQ(mem.container, file.container);
  EXPECT_EQ(mem.video_codec, file.video_codec);
  EXPECT_EQ(mem.audio_codec, file.audio_codec);
  EXPECT_EQ(mem.width, file.width);
  EXPECT_EQ(mem.height, file.height);
  EXPECT_EQ(mem.frame_rate, file.frame_rate);
  EXPECT_EQ(mem.bit_rate, file.bit_rate);
  EXPECT_EQ(mem.duration_s, file.duration_s);
  EXPECT_EQ(mem.sample_rate, file.sample_rate);
  EXPECT_EQ(mem.bits_per_sample, file.bits_per_sample);
  EXPECT_EQ(mem.channels, file.channels);
  EXPECT_EQ(mem.has_video, file.has_video);
  EXPECT_EQ(mem.has_audio, file.has_audio);
  EXPECT_EQ(mem.moov_before_mdat, file.moov_before_mdat);
}

TEST_F(MediaFixtures, MemoryProbeMatchesTheFileProbe) {
  std::vector<std::string> files;
  for (const auto& e : Readable()) files.push_back(e.file);
  for (const char* f : {"video_truncated.mp4", "video_random.mp4", "video_playlist.mp4",
                        "audio_random.mp3", "audio_playlist.mp3"}) {
    files.push_back(f);
  }
  int readable = 0;
  for (const auto& file : files) {
    const std::string bytes = ReadAll(Path(file));
    ASSERT_FALSE(bytes.empty()) << file;
    for (MediaKind kind : {MediaKind::kVideo, MediaKind::kAudio}) {
      const std::string what = file + (kind == MediaKind::kVideo ? " as video" : " as audio");
      const ProbeResult from_file = MustProbe(file, kind);
      const auto from_memory = ProbeMemory(bytes, kind);
      ASSERT_TRUE(from_memory.has_value()) << what << ": " << from_memory.error().message;
      ExpectSameProbe(from_file, *from_memory, what);
      if (from_file.error.empty()) ++readable;
      const auto a = EvaluateStandard(from_file, kind), b = EvaluateStandard(*from_memory, kind);
      ASSERT_EQ(a.size(), b.size()) << what;
      for (size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].measured, b[i].measured) << what << " " << a[i].rule;
        EXPECT_EQ(a[i].pass, b[i].pass) << what << " " << a[i].rule;
      }
    }
  }
  EXPECT_EQ(readable, static_cast<int>(Readable().size()));  // the comparison saw real media
}

TEST_F(MediaFixtures, MemoryProbeOfCutAndDamagedBytes) {
  // Cut at every few KiB and with a damaged header: the memory probe agrees with the file probe
  // (which reads the same bytes from disk) and never fails for content reasons.
  const std::string original = ReadAll(Path("video_pass.mp4"));
  std::mt19937 rng(7);
  for (int round = 0; round < 6; ++round) {
    std::string bytes = original.substr(0, rng() % original.size());
    if (round % 2 == 1) {
      const size_t region = std::min<size_t>(bytes.size(), 4096);
      for (int k = 0; k < 16 && region > 0; ++k) bytes[rng() % region] ^= 0x5a;
    }
    const std::string name = "mem_cut_" + std::to_string(round) + ".mp4";
    WriteAll(Scratch(name), bytes);
    const auto mem = ProbeMemory(bytes, MediaKind::kVideo);
    ASSERT_TRUE(mem.has_value()) << name;
    EXPECT_NE(mem->error, "") << name;
    ExpectSameProbe(MustProbePath(Scratch(name), MediaKind::kVideo), *mem, name);
  }
  const auto empty = ProbeMemory("", MediaKind::kAudio);
  ASSERT_TRUE(empty.has_value());
  EXPECT_EQ(empty->error, "文件为空");
}

TEST_F(MediaFixtures, MemoryInputIsForcedAndOpensNothingElse) {
  // The playlist bytes go straight to the restricted memory open (no sniff): the mp4 demuxer
  // refuses them, the mp3 one finds no audio, and there is no URL anything could follow.
  av::Deadline deadline{std::chrono::steady_clock::now() + std::chrono::seconds(5)};
  const std::string playlist = ReadAll(Path("video_playlist.mp4"));
  av::MemoryReader video{playlist};
  EXPECT_FALSE(av::OpenRestrictedMemoryInput(&video, MediaKind::kVideo, &deadline));
  av::MemoryReader audio{playlist};
  auto ctx = av::OpenRestrictedMemoryInput(&audio, MediaKind::kAudio, &deadline);
  if (ctx) {
    EXPECT_STREQ((*ctx)->iformat->name, "mp3");
    EXPECT_NE((*ctx)->flags & AVFMT_FLAG_CUSTOM_IO, 0);
    avformat_find_stream_info(ctx->get(), nullptr);
    for (unsigned i = 0; i < (*ctx)->nb_streams; ++i) {
      EXPECT_EQ((*ctx)->streams[i]->codecpar->sample_rate, 0);
    }
  }
  // A real mp4 opens, and through our buffer only.
  const std::string mp4 = ReadAll(Path("video_pass.mp4"));
  av::MemoryReader real{mp4};
  auto opened = av::OpenRestrictedMemoryInput(&real, MediaKind::kVideo, &deadline);
  ASSERT_TRUE(opened.has_value()) << opened.error().message;
  EXPECT_STREQ((*opened)->iformat->name, "mov,mp4,m4a,3gp,3g2,mj2");
  EXPECT_GT(real.pos, 0);
}

// Found by media_probe_fuzz (fuzz/regressions/media_probe_fuzz/stco_huge_entry_count.mp4):
// FFmpeg answers a chunk-offset table that declares ~2^30 entries with ENOMEM, which the probe
// reported as a server failure (500) instead of a verdict on the upload.
TEST_F(MediaFixtures, RegressionHugeChunkOffsetTableIsAContentErrorNotAServerFailure) {
  std::string bytes = ReadAll(Path("video_pass.mp4"));
  const size_t stco = bytes.find("stco");
  ASSERT_NE(stco, std::string::npos);
  bytes.replace(stco + 8, 4, std::string("\x40\x00\x00\x00", 4));  // entry_count after flags
  WriteAll(Scratch("huge_stco.mp4"), bytes);
  const ProbeResult from_file = MustProbePath(Scratch("huge_stco.mp4"), MediaKind::kVideo);
  EXPECT_NE(from_file.error.find("数据量过大"), std::string::npos) << from_file.error;
  const auto from_memory = ProbeMemory(bytes, MediaKind::kVideo);
  ASSERT_TRUE(from_memory.has_value()) << from_memory.error().message;
  ExpectSameProbe(from_file, *from_memory, "huge_stco.mp4");
  const auto rules = EvaluateStandard(from_file, MediaKind::kVideo);
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0].rule, "readable");
}

// ---- issue 14: media bombs cost bounded memory and CPU --------------------------------------
// Each file is probed in a forked child (tests/child_usage.h): peak memory may grow by at most
// 256 MiB and the probe may take at most 2 s of CPU, or the file is refused with a reason.

constexpr int64_t kMemoryBound = 256 * lep::testing::kMiB;
constexpr double kCpuBound = 2.0;

void PutBe32(std::string* bytes, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) (*bytes)[at + i] = static_cast<char>((v >> (24 - 8 * i)) & 0xFF);
}

lep::testing::ChildUsage ProbeInChild(const std::string& path) {
  return lep::testing::MeasureInChild([&path] {
    auto r = NewAvMediaProbe()->Probe(path, MediaKind::kVideo);
    if (!r) return "fail " + r.error().message;
    return r->error.empty() ? std::string("ok") : "refused " + r->error;
  });
}

void ExpectBounded(const lep::testing::ChildUsage& u, const std::string& what) {
  ASSERT_TRUE(u.ok) << what;
  EXPECT_LE(u.peak_growth_bytes, kMemoryBound)
      << what << ": grew " << u.peak_growth_bytes / lep::testing::kMiB << " MiB (" << u.output
      << ")";
  EXPECT_LE(u.cpu_s, kCpuBound) << what << ": " << u.cpu_s << " s CPU (" << u.output << ")";
  std::printf("%s: +%lld MiB, %.2f s CPU: %s\n", what.c_str(),
              static_cast<long long>(u.peak_growth_bytes / lep::testing::kMiB), u.cpu_s,
              u.output.c_str());
}

TEST_F(MediaFixtures, Issue14SampleTablesDeclaringEightyMillionSamples) {
  // The video track's sample sizes become one constant size for 80 M samples, all in the first
  // chunk: FFmpeg built an index of 80 M entries (~1.8 GB) from a few changed bytes.
  std::string bytes = ReadAll(Path("video_pass.mp4"));
  const size_t stsz = bytes.find("stsz");
  const size_t stsc = bytes.find("stsc");
  ASSERT_NE(stsz, std::string::npos);
  ASSERT_NE(stsc, std::string::npos);
  PutBe32(&bytes, stsz + 8, 1);            // sample_size (after version/flags)
  PutBe32(&bytes, stsz + 12, 80'000'000);  // sample_count
  PutBe32(&bytes, stsc + 16, 80'000'000);  // samples per chunk of the first entry
  WriteAll(Scratch("stsz_80m.mp4"), bytes);
  const auto u = ProbeInChild(Scratch("stsz_80m.mp4"));
  ExpectBounded(u, "stsz declaring 80 M samples");
  EXPECT_NE(u.output.find("refused 文件结构异常"), std::string::npos) << u.output;
  EXPECT_NE(u.output.find("数据量过大"), std::string::npos) << u.output;
}

TEST_F(MediaFixtures, Issue14FragmentRunDeclaringEightyThreeMillionSamples) {
  // A fragmented copy whose first track run declares 83 M samples and no per-sample fields, so
  // FFmpeg made every entry from nothing (the finding media_probe_fuzz had lost).
  const std::string frag = Scratch("fragmented.mp4");
  const std::string cmd = "ffmpeg -nostdin -v error -y -i " + Quote(Path("video_pass.mp4")) +
                          " -c copy -movflags frag_keyframe+empty_moov+default_base_moof " +
                          Quote(frag);
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::string bytes = ReadAll(frag);
  ASSERT_TRUE(MustProbePath(frag, MediaKind::kVideo).error.empty());
  const size_t trun = bytes.find("trun");
  ASSERT_NE(trun, std::string::npos);
  const uint32_t flags =
      (static_cast<uint32_t>(static_cast<unsigned char>(bytes[trun + 5])) << 16) |
      (static_cast<uint32_t>(static_cast<unsigned char>(bytes[trun + 6])) << 8) |
      static_cast<unsigned char>(bytes[trun + 7]);
  PutBe32(&bytes, trun + 4, flags & 0x000005);  // data offset and first-sample flags only
  PutBe32(&bytes, trun + 8, 83'000'000);        // sample_count
  WriteAll(Scratch("trun_83m.mp4"), bytes);
  const auto u = ProbeInChild(Scratch("trun_83m.mp4"));
  ExpectBounded(u, "trun declaring 83 M samples");
  EXPECT_NE(u.output.find("数据量过大"), std::string::npos) << u.output;
}

TEST_F(MediaFixtures, Issue14RealFilesStayWithinTheBounds) {
  for (const char* name : {"video_pass.mp4", "video_hevc.mp4", "video_moov_end.mp4"}) {
    const auto u = ProbeInChild(Path(name));
    ExpectBounded(u, name);
    EXPECT_EQ(u.output, "ok") << name;
  }
  // 4K with 16 reference frames and B-frames: the decoders find_stream_info opens hold the
  // most frames here.
  const std::string uhd = Scratch("uhd.mp4");
  const std::string cmd =
      "ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=3840x2160:rate=25 -t 0.6 "
      "-c:v libx264 -preset ultrafast -x264-params ref=16:bframes=8:b-adapt=0 -pix_fmt yuv420p " +
      Quote(uhd);
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const auto u = ProbeInChild(uhd);
  ExpectBounded(u, "3840×2160, 16 reference frames");
  EXPECT_EQ(u.output, "ok");
}

TEST_F(MediaFixtures, Issue14BusyProbesAreRefusedWithARetryableError) {
  ConcurrencyLimiter& limiter = MediaProbeLimiter();
  const ConcurrencyLimiter::Limits saved = limiter.limits();
  limiter.SetLimits({.capacity = 1, .max_waiting = 0, .max_wait = std::chrono::milliseconds(0)});
  {
    auto held = limiter.Acquire();
    ASSERT_TRUE(held);
    auto busy = NewAvMediaProbe()->Probe(Path("video_pass.mp4"), MediaKind::kVideo);
    ASSERT_FALSE(busy);
    EXPECT_TRUE(busy.error().Is(ErrorCode::kUnavailable));
    EXPECT_TRUE(busy.error().retry_after_s.has_value());
  }
  EXPECT_TRUE(NewAvMediaProbe()->Probe(Path("video_pass.mp4"), MediaKind::kVideo));
  limiter.SetLimits(saved);
}

TEST_F(MediaFixtures, MissingAndEmptyFiles) {
  auto missing = NewAvMediaProbe()->Probe(Path("no_such.mp4"), MediaKind::kVideo);
  ASSERT_FALSE(missing.has_value());
  EXPECT_TRUE(missing.error().Is(ErrorCode::kNotFound));
  std::ofstream(Scratch("empty.mp4")).close();
  EXPECT_EQ(MustProbePath(Scratch("empty.mp4"), MediaKind::kVideo).error, "文件为空");
}

TEST_F(MediaFixtures, RemuxFaststartMovesMoovForwardWithoutReencoding) {
  const std::string out = Scratch("remuxed.mp4");
  ASSERT_TRUE(RemuxFaststart(Path("video_moov_end.mp4"), out).has_value());
  const ProbeResult before = MustProbe("video_moov_end.mp4", MediaKind::kVideo);
  const ProbeResult after = MustProbePath(out, MediaKind::kVideo);
  EXPECT_FALSE(before.moov_before_mdat);
  EXPECT_TRUE(after.moov_before_mdat);
  EXPECT_EQ(after.error, "");
  EXPECT_EQ(after.container, before.container);
  EXPECT_EQ(after.video_codec, before.video_codec);
  EXPECT_EQ(after.audio_codec, before.audio_codec);
  EXPECT_EQ(after.width, before.width);
  EXPECT_EQ(after.height, before.height);
  EXPECT_NEAR(after.frame_rate, before.frame_rate, 0.01);
  EXPECT_EQ(after.sample_rate, before.sample_rate);
  EXPECT_EQ(after.channels, before.channels);
  EXPECT_NEAR(after.duration_s, before.duration_s, 0.05);
  EXPECT_NEAR(static_cast<double>(after.bit_rate), static_cast<double>(before.bit_rate),
              before.bit_rate * 0.02);
  EXPECT_TRUE(MeetsStandard(EvaluateStandard(after, MediaKind::kVideo)));
  ExpectMatchesFfprobe(after, Ffprobe(out), "remuxed.mp4");
}

TEST_F(MediaFixtures, RemuxFailsCleanly) {
  const std::string out = Scratch("remux_bad.mp4");
  EXPECT_FALSE(RemuxFaststart(Path("video_random.mp4"), out).has_value());
  EXPECT_FALSE(fs::exists(out));
  EXPECT_FALSE(RemuxFaststart(Path("video_playlist.mp4"), out).has_value());
  EXPECT_FALSE(fs::exists(out));
  EXPECT_FALSE(RemuxFaststart(Path("video_truncated.mp4"), out).has_value());
  EXPECT_FALSE(fs::exists(out));
  const std::string in = Path("video_pass.mp4");
  EXPECT_FALSE(RemuxFaststart(in, in).has_value());
  EXPECT_TRUE(fs::exists(in));
}

TEST_F(MediaFixtures, ProbeIsCheap) {
  auto probe = NewAvMediaProbe();
  const auto start = std::chrono::steady_clock::now();
  constexpr int kRuns = 5;
  for (int i = 0; i < kRuns; ++i)
    ASSERT_TRUE(probe->Probe(Path("video_pass.mp4"), MediaKind::kVideo));
  const auto ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() /
      kRuns;
  RecordProperty("probe_ms", std::to_string(ms));
  std::printf("probe of video_pass.mp4: %.1f ms\n", ms);
}

// ---- EvaluateStandard on hand-made results ----

ProbeResult GoodVideo() {
  ProbeResult p;
  p.container = "mp4";
  p.video_codec = "h264";
  p.audio_codec = "aac";
  p.width = 1280;
  p.height = 720;
  p.frame_rate = 25;
  p.bit_rate = 2'000'000;
  p.duration_s = 10;
  p.sample_rate = 48000;
  p.bits_per_sample = 32;
  p.channels = 2;
  p.has_video = p.has_audio = true;
  p.moov_before_mdat = true;
  return p;
}

ProbeResult GoodAudio() {
  ProbeResult p;
  p.container = "mp3";
  p.audio_codec = "mp3";
  p.sample_rate = 44100;
  p.bits_per_sample = 16;
  p.channels = 2;
  p.bit_rate = 128000;
  p.has_audio = true;
  return p;
}

std::set<std::string> VideoFailures(const ProbeResult& p) {
  return FailingRules(EvaluateStandard(p, MediaKind::kVideo));
}
std::set<std::string> AudioFailures(const ProbeResult& p) {
  return FailingRules(EvaluateStandard(p, MediaKind::kAudio));
}
using Rules = std::set<std::string>;

TEST(EvaluateStandard, VideoBoundaries) {
  EXPECT_EQ(VideoFailures(GoodVideo()), Rules{});
  ProbeResult p = GoodVideo();
  p.bit_rate = 1'999'999;
  EXPECT_EQ(VideoFailures(p), Rules{"bit_rate"});
  p = GoodVideo();
  p.frame_rate = 24.99;
  EXPECT_EQ(VideoFailures(p), Rules{"frame_rate"});
  p.frame_rate = 29.97;
  EXPECT_EQ(VideoFailures(p), Rules{});
  p = GoodVideo();
  p.width = 720;
  p.height = 1280;  // portrait HD
  EXPECT_EQ(VideoFailures(p), Rules{});
  p.width = 1279;
  p.height = 720;
  EXPECT_EQ(VideoFailures(p), Rules{"resolution"});
  p.width = 1920;
  p.height = 719;
  EXPECT_EQ(VideoFailures(p), Rules{"resolution"});
  p = GoodVideo();
  p.container = "mov";
  EXPECT_EQ(VideoFailures(p), Rules{"container"});
  p = GoodVideo();
  p.has_audio = false;
  p.audio_codec.clear();
  EXPECT_EQ(VideoFailures(p), Rules{"audio_codec"});
  // Playability of H.264 (issue 17 §5): profile and pixel format, unknown facts not held
  // against the file.
  for (const char* profile : {"Baseline", "Constrained Baseline", "Main", "High", ""}) {
    p = GoodVideo();
    p.video_profile = profile;
    p.pixel_format = "yuv420p";
    EXPECT_EQ(VideoFailures(p), Rules{}) << profile;
  }
  for (const char* profile : {"High 10", "High 4:2:2", "High 4:4:4 Predictive", "High 10 Intra"}) {
    p = GoodVideo();
    p.video_profile = profile;
    EXPECT_EQ(VideoFailures(p), Rules{"video_codec"}) << profile;
  }
  for (const char* fmt : {"yuv420p10le", "yuv422p", "yuv444p", "gray"}) {
    p = GoodVideo();
    p.video_profile = "High";
    p.pixel_format = fmt;
    EXPECT_EQ(VideoFailures(p), Rules{"video_codec"}) << fmt;
  }
}

const RuleResult& FindRule(const std::vector<RuleResult>& rules, const std::string& id) {
  for (const auto& r : rules) {
    if (r.rule == id) return r;
  }
  static const RuleResult kMissing{"missing"};
  ADD_FAILURE() << "no rule " << id;
  return kMissing;
}

TEST(EvaluateStandard, MeasuredTextNeverRoundsAcrossTheThreshold) {
  ProbeResult p = GoodVideo();
  p.bit_rate = 1'999'999;
  p.frame_rate = 24.9999;
  auto rules = EvaluateStandard(p, MediaKind::kVideo);
  EXPECT_EQ(FindRule(rules, "bit_rate").measured, "1.999999 Mbps");
  EXPECT_EQ(FindRule(rules, "frame_rate").measured, "24.9999 fps");
  p = GoodVideo();
  p.frame_rate = 30000.0 / 1001.0;
  p.width = 640;
  p.height = 360;
  rules = EvaluateStandard(p, MediaKind::kVideo);
  EXPECT_EQ(FindRule(rules, "frame_rate").measured, "29.97 fps");
  EXPECT_EQ(FindRule(rules, "bit_rate").measured, "2 Mbps");
  EXPECT_EQ(FindRule(rules, "resolution").measured, "640×360");
  EXPECT_EQ(FindRule(rules, "resolution").label, "分辨率");
  EXPECT_EQ(FindRule(rules, "resolution").required, "≥ 1280×720（竖屏 720×1280 亦可）");
  rules = EvaluateStandard(GoodAudio(), MediaKind::kAudio);
  EXPECT_EQ(FindRule(rules, "sample_rate").measured, "44.1 kHz");
  EXPECT_EQ(FindRule(rules, "channels").measured, "2（立体声）");
  EXPECT_EQ(FindRule(rules, "format").measured, "MP3");
}

TEST(EvaluateStandard, AudioBoundaries) {
  EXPECT_EQ(AudioFailures(GoodAudio()), Rules{});
  ProbeResult p = GoodAudio();
  p.sample_rate = 32000;
  EXPECT_EQ(AudioFailures(p), Rules{"sample_rate"});
  p.sample_rate = 48000;
  EXPECT_EQ(AudioFailures(p), Rules{});
  p = GoodAudio();
  // An mp3 stores no bit depth (issue 17 §5): whatever the decoder's sample format, the rule
  // says "not recorded" and passes.
  p.bits_per_sample = 0;
  EXPECT_EQ(AudioFailures(p), Rules{});
  // Other audio in an .mp3 upload fails the format rule and, with a stated depth below 16 or
  // none at all, the depth rule too.
  p.audio_codec = "pcm_u8";
  p.bits_per_sample = 8;
  EXPECT_EQ(AudioFailures(p), (Rules{"bit_depth", "format"}));
  p.bits_per_sample = 0;  // unknown cannot be shown to meet the standard
  EXPECT_EQ(AudioFailures(p), (Rules{"bit_depth", "format"}));
  p.bits_per_sample = 24;
  EXPECT_EQ(AudioFailures(p), Rules{"format"});
  p = GoodAudio();
  p.channels = 1;
  EXPECT_EQ(AudioFailures(p), Rules{"channels"});
  p.channels = 6;
  EXPECT_EQ(AudioFailures(p), Rules{"channels"});
  p = GoodAudio();
  p.audio_codec = "mp2";  // MPEG layer 2 in a .mp3
  EXPECT_EQ(AudioFailures(p), Rules{"format"});
}

TEST(EvaluateStandard, ProbeErrorIsOneFailingRule) {
  ProbeResult p = GoodVideo();
  p.error = "文件不完整";
  const auto rules = EvaluateStandard(p, MediaKind::kVideo);
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0].rule, "readable");
  EXPECT_EQ(rules[0].measured, "文件不完整");
  EXPECT_FALSE(rules[0].pass);
  EXPECT_FALSE(MeetsStandard(rules));
}

// ---- the box walk on bytes in memory ----

std::string Box(const std::string& type, const std::string& payload) {
  const uint32_t size = static_cast<uint32_t>(8 + payload.size());
  std::string b;
  for (int shift = 24; shift >= 0; shift -= 8) b += static_cast<char>((size >> shift) & 0xff);
  return b + type + payload;
}

std::string LargeBox(const std::string& type, const std::string& payload) {
  const uint64_t size = 16 + payload.size();
  std::string b("\0\0\0\1", 4);
  b += type;
  for (int shift = 56; shift >= 0; shift -= 8) b += static_cast<char>((size >> shift) & 0xff);
  return b + payload;
}

Result<Mp4Layout> Scan(const std::string& bytes) {
  return ScanMp4Boxes(bytes.size(), [&bytes](uint64_t off, unsigned char* buf, size_t n) {
    if (off > bytes.size() || bytes.size() - off < n) return false;
    std::copy_n(bytes.data() + off, n, reinterpret_cast<char*>(buf));
    return true;
  });
}

const std::string kFtyp = Box("ftyp", std::string("isom\0\0\2\0isomiso2avc1mp41", 24));

TEST(Mp4Boxes, MoovBeforeAndAfterMdat) {
  auto fast = Scan(kFtyp + Box("moov", "xxxx") + Box("mdat", "data"));
  ASSERT_TRUE(fast.has_value());
  EXPECT_TRUE(fast->moov_before_mdat);
  EXPECT_EQ(fast->major_brand, "isom");
  EXPECT_EQ(fast->compatible_brands.size(), 4u);
  EXPECT_EQ(ContainerFromBrands(*fast), "mp4");
  auto slow = Scan(kFtyp + Box("free", "") + Box("mdat", "data") + Box("moov", "xxxx"));
  ASSERT_TRUE(slow.has_value());
  EXPECT_FALSE(slow->moov_before_mdat);
  // An empty placeholder mdat before moov does not count.
  auto placeholder = Scan(kFtyp + Box("mdat", "") + Box("moov", "x") + Box("mdat", "data"));
  ASSERT_TRUE(placeholder.has_value());
  EXPECT_TRUE(placeholder->moov_before_mdat);
}

TEST(Mp4Boxes, LargeSizeAndSizeZero) {
  auto large = Scan(kFtyp + LargeBox("mdat", std::string(100, 'x')) + Box("moov", "m"));
  ASSERT_TRUE(large.has_value());
  EXPECT_FALSE(large->moov_before_mdat);
  std::string to_end = kFtyp + Box("moov", "m");
  to_end += std::string("\0\0\0\0mdat", 8) + std::string(50, 'd');  // size 0: to end of file
  auto zero = Scan(to_end);
  ASSERT_TRUE(zero.has_value());
  EXPECT_TRUE(zero->moov_before_mdat);
  EXPECT_TRUE(zero->has_mdat);
}

TEST(Mp4Boxes, Rejections) {
  const std::string whole = kFtyp + Box("moov", "xxxx") + Box("mdat", std::string(64, 'd'));
  auto cut = Scan(whole.substr(0, whole.size() - 10));
  ASSERT_FALSE(cut.has_value());
  EXPECT_NE(cut.error().message.find("不完整"), std::string::npos);
  EXPECT_FALSE(Scan(whole.substr(0, kFtyp.size() + 4)).has_value());  // cut inside a header
  EXPECT_FALSE(Scan("#EXTM3U\nhttp://127.0.0.1:9/x.ts\n").has_value());
  EXPECT_FALSE(Scan(kFtyp + Box("mdat", "data")).has_value());  // no moov
  EXPECT_FALSE(Scan("").has_value());
  auto bad_size = Scan(kFtyp + std::string("\0\0\0\4moov", 8));  // size < header
  EXPECT_FALSE(bad_size.has_value());
  auto huge_large = Scan(kFtyp + std::string("\0\0\0\1mdat\xff\xff\xff\xff\xff\xff\xff\xff", 16));
  EXPECT_FALSE(huge_large.has_value());
  // Trailing junk after a complete file is tolerated.
  EXPECT_TRUE(Scan(whole + std::string("\0\x01\x02", 3)).has_value());
  EXPECT_TRUE(Scan(whole + std::string(20, '\0')).has_value());
}

// ---- sample tables (issue 14) ----

std::string Full(const std::string& type, const std::string& fields) {
  return Box(type, std::string(4, '\0') + fields);
}

std::string U32(uint32_t v) {
  std::string b;
  for (int shift = 24; shift >= 0; shift -= 8) b += static_cast<char>((v >> shift) & 0xff);
  return b;
}

// moov > trak > (edts > elst) + mdia > minf > stbl > (stsz, stsc, stco).
std::string Track(uint32_t samples, uint32_t edits, const std::string& extra_stbl = "") {
  std::string elst = U32(edits);
  for (uint32_t i = 0; i < edits; ++i) elst += U32(1000) + U32(0) + U32(0x00010000);
  const std::string stbl = Box("stbl", Full("stsz", U32(100) + U32(samples)) +
                                           Full("stsc", U32(1) + U32(1) + U32(samples) + U32(1)) +
                                           Full("stco", U32(1) + U32(0)) + extra_stbl);
  return Box("trak",
             (edits ? Box("edts", Full("elst", elst)) : "") + Box("mdia", Box("minf", stbl)));
}

Result<Mp4Layout> ScanWithMdat(const std::string& moov_payload, size_t mdat_bytes) {
  return Scan(kFtyp + Box("moov", moov_payload) + Box("mdat", std::string(mdat_bytes, 'd')));
}

TEST(Mp4Boxes, Issue14SampleTablesAreCountedAndCapped) {
  auto ok = ScanWithMdat(Track(1000, 1) + Track(500, 0), 100'000);
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  EXPECT_EQ(ok->declared_samples, 1500u);
  EXPECT_EQ(ok->index_entries, 1500u);
  // More samples than the file has bytes.
  auto sparse = ScanWithMdat(Track(1'000'000, 0), 1000);
  ASSERT_FALSE(sparse.has_value());
  EXPECT_NE(sparse.error().message.find("数据量过大"), std::string::npos);
  // Over the index cap however large the file claims to be.
  EXPECT_FALSE(ScanWithMdat(Track(80'000'000, 0), 1000).has_value());
  // Edit lists repeat the index: 20 000 samples × 100 edits.
  auto edits = ScanWithMdat(Track(20'000, 100), 100'000);
  ASSERT_FALSE(edits.has_value());
  EXPECT_NE(edits.error().message.find("索引条目"), std::string::npos) << edits.error().message;
  // Tables out of place, a nested track, a compressed moov.
  EXPECT_FALSE(ScanWithMdat(Box("trak", Full("stsz", U32(0) + U32(10))), 1000).has_value());
  EXPECT_FALSE(ScanWithMdat(Box("trak", Track(10, 0)), 1000).has_value());
  EXPECT_FALSE(ScanWithMdat(Box("cmov", "zzzz"), 1000).has_value());
  // Fragments: the sum of all track runs counts.
  const std::string moof = Box("moof", Box("traf", Full("trun", U32(83'000'000))));
  EXPECT_FALSE(Scan(kFtyp + Box("moov", Track(0, 0)) + moof + Box("mdat", "d")).has_value());
}

TEST(Mp4Boxes, Issue14ChunkWiseAudioIndexIsCounted) {
  // Audio indexed chunk by chunk: 1000 chunks of 2^31 samples each.
  const std::string stbl =
      Box("stbl", Full("stsz", U32(1) + U32(0)) +
                      Full("stsc", U32(1) + U32(1) + U32(0x80000000u) + U32(1)) +
                      Full("stco", U32(1000) + std::string(4000, '\0')));
  auto r = ScanWithMdat(Box("trak", Box("mdia", Box("minf", stbl))), 10'000);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("索引条目"), std::string::npos) << r.error().message;
}

TEST(Mp4Boxes, QuickTimeBrand) {
  auto qt = Scan(Box("ftyp", std::string("qt  \0\0\0\0qt  ", 12)) + Box("moov", "m"));
  ASSERT_TRUE(qt.has_value());
  EXPECT_EQ(ContainerFromBrands(*qt), "mov");
}

}  // namespace
}  // namespace lep::media
