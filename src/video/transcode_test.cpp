// The real ffmpeg (Debian CLI) as a bounded child: limits that the kernel enforces (nice,
// address space), stop on request, and one 720p clip through every step of the ladder —
// renditions that are never upscaled, segments on keyframe boundaries, codecs read from the
// init segments, a poster frame and the thumbnail sprites. Clips are made at test start.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "video/transcoder.h"

namespace lep::video {
namespace {

namespace fs = std::filesystem;

class TranscodeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(
        (fs::temp_directory_path() / ("lep-video-test-" + std::to_string(::getpid()))).string());
    fs::create_directories(*dir_);
    // 4 s of 1280×720 at 25 fps with AAC: the shape of a clip that passes 附件1.
    int rc = std::system(("ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=1280x720:rate=25 "
                          "-f lavfi -i sine=frequency=440:sample_rate=48000 -t 4 -c:v libx264 "
                          "-preset ultrafast -pix_fmt yuv420p -b:v 2M -c:a aac -b:a 128k "
                          "-movflags +faststart " +
                          *dir_ + "/clip.mp4")
                             .c_str());
    ASSERT_EQ(rc, 0);
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }
  static TranscodeOptions Options() {
    TranscodeOptions o;
    o.preset = "ultrafast";
    o.threads = 1;
    o.segment_seconds = 1;
    o.limits.address_space_bytes = 1536ull << 20;
    return o;
  }
  static inline std::string* dir_ = nullptr;
};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST_F(TranscodeTest, ChildGetsTheNiceLevelAndTheAddressSpaceLimit) {
  ChildLimits limits;
  limits.nice = 7;
  limits.address_space_bytes = 512ull << 20;
  std::vector<std::string> lines;
  ChildCallbacks cb;
  cb.on_line = [&](std::string_view l) { lines.emplace_back(l); };
  auto r = RunChild({"/bin/sh", "-c", "nice; ulimit -v; ulimit -c"}, limits, cb);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->ok()) << r->stderr_tail;
  ASSERT_EQ(lines.size(), 3u);
  errno = 0;
  int ours = ::getpriority(PRIO_PROCESS, 0);
  EXPECT_EQ(std::atoi(lines[0].c_str()), std::min(19, ours + 7));
  EXPECT_EQ(lines[1], std::to_string(512 * 1024));  // KiB
  EXPECT_EQ(lines[2], "0");                         // no core dumps
}

TEST_F(TranscodeTest, StopKillsTheChildAtOnce) {
  ChildLimits limits;
  limits.tick = std::chrono::milliseconds(50);
  int asked = 0;
  ChildCallbacks cb;
  cb.keep_going = [&] { return ++asked < 3; };
  auto started = std::chrono::steady_clock::now();
  auto r = RunChild({"/bin/sleep", "30"}, limits, cb);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->stopped);
  EXPECT_EQ(r->signal, SIGKILL);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  // A child that prints nothing for the stall timeout is killed too.
  limits.stall_timeout = std::chrono::milliseconds(300);
  auto stalled = RunChild({"/bin/sleep", "30"}, limits, {});
  ASSERT_TRUE(stalled);
  EXPECT_TRUE(stalled->stalled);
  EXPECT_FALSE(stalled->ok());
}

TEST_F(TranscodeTest, MemoryLimitMakesFfmpegFailWithAClearReason) {
  TranscodeOptions o = Options();
  o.limits.address_space_bytes = 24ull << 20;  // far too little for x264 at 720p
  Transcoder t(o);
  SourceInfo src{1280, 720, 25, 4, true};
  auto r = t.Encode(*dir_ + "/clip.mp4", src, PlanLadder(src)[3], *dir_ + "/tiny", {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
  EXPECT_NE(r.error().message.find("转码失败（720p）"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("内存上限（24 MiB）"), std::string::npos) << r.error().message;
}

TEST_F(TranscodeTest, ALadderFromA720pClip) {
  Transcoder t(Options());
  SourceInfo src{1280, 720, 25, 4, true};
  auto plan = PlanLadder(src);
  ASSERT_EQ(plan.size(), 4u);  // audio, 360p, 480p, 720p: no 1080p from 720p
  std::vector<double> progress;
  for (const auto& spec : plan) {
    auto r = t.Encode(*dir_ + "/clip.mp4", src, spec, *dir_ + "/" + spec.name, [&](double f) {
      progress.push_back(f);
      return true;
    });
    ASSERT_TRUE(r) << r.error().message;
    const Rendition& out = r->rendition;
    // 4 s in 1 s segments (keyframes forced on the boundaries).
    ASSERT_GE(r->playlist.segments.size(), 4u) << spec.name;
    ASSERT_LE(r->playlist.segments.size(), 5u) << spec.name;
    EXPECT_NEAR(r->playlist.segments[0].duration, 1.0, 0.05) << spec.name;
    EXPECT_EQ(r->playlist.init, "init.mp4");
    EXPECT_GT(out.bandwidth, 0);
    EXPECT_GE(out.bandwidth, out.average_bandwidth);
    if (spec.audio) {
      EXPECT_EQ(out.codecs, "mp4a.40.2");
      EXPECT_LT(out.average_bandwidth, 200'000);
    } else {
      EXPECT_EQ(out.height, spec.short_side) << spec.name;
      EXPECT_EQ(out.width, spec.short_side * 16 / 9 / 2 * 2 + (spec.short_side == 480 ? 2 : 0))
          << spec.name;
      // x264 lowers the profile to what the preset uses (ultrafast: constrained baseline);
      // the level is the one asked for. The codecs string is read from the output.
      EXPECT_EQ(out.codecs.substr(0, 5), "avc1.");
      EXPECT_EQ(out.codecs.substr(9), spec.level == "3.0" ? "1e" : "1f") << spec.name;
      // The encoder's VBV keeps the average near the rung's cap.
      EXPECT_LT(out.average_bandwidth, spec.bitrate * 2) << spec.name;
    }
    EXPECT_GT(r->cpu_seconds, 0);
  }
  ASSERT_FALSE(progress.empty());
  EXPECT_DOUBLE_EQ(progress.back(), 1.0);

  auto poster = t.Poster(*dir_ + "/clip.mp4", src, *dir_ + "/poster", {});
  ASSERT_TRUE(poster) << poster.error().message;
  EXPECT_EQ(ReadAll(*poster).substr(0, 3), "\xFF\xD8\xFF");
  ThumbnailPlan plan_t = PlanThumbnails(src);
  auto sprites = t.Sprites(*dir_ + "/clip.mp4", src, plan_t, *dir_ + "/thumbs", {});
  ASSERT_TRUE(sprites) << sprites.error().message;
  ASSERT_EQ(sprites->size(), 1u);
  EXPECT_EQ(ReadAll(sprites->front()).substr(0, 3), "\xFF\xD8\xFF");
}

TEST_F(TranscodeTest, StoppingAnEncodeIsUnavailableAndLeavesNoChild) {
  Transcoder t(Options());
  SourceInfo src{1280, 720, 25, 4, true};
  auto r = t.Encode(*dir_ + "/clip.mp4", src, PlanLadder(src)[3], *dir_ + "/stopped",
                    [](double) { return false; });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace lep::video
