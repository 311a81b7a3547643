// Covers: real JPEGs made by ffmpeg pass; a PNG renamed .jpg, a truncated JPEG and random
// bytes are rejected with a Chinese message naming 资源封面.
#include <gtest/gtest.h>

// clang-format off
#include <cstdio>  // jpeglib.h needs FILE and size_t first
#include <jpeglib.h>
// clang-format on

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "child_usage.h"
#include "media/cover_image.h"

namespace lep::media {
namespace {

std::string Make(const std::string& name, const std::string& args) {
  std::string path = std::string(LEP_TEST_TMP) + "/" + name;
  std::string cmd = "ffmpeg -v error -y -f lavfi -i testsrc=size=" + args + ":rate=1 -frames:v 1 " +
                    path + " 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(Cover, RealJpegGetsSizeAndThumbnail) {
  std::string jpeg = Make("cover.jpg", "1280x720");
  auto img = ProcessCover(jpeg);
  ASSERT_TRUE(img) << img.error().message;
  EXPECT_EQ(img->width, 1280);
  EXPECT_EQ(img->height, 720);
  auto thumb = ProcessCover(img->thumbnail_jpeg);
  ASSERT_TRUE(thumb) << "the thumbnail is itself a JPEG";
  EXPECT_EQ(thumb->width, 480);
  EXPECT_EQ(thumb->height, 270);
  auto small = ProcessCover(Make("small.jpg", "320x200"));
  ASSERT_TRUE(small);
  EXPECT_EQ(ProcessCover(small->thumbnail_jpeg)->width, 320);  // never upscaled
}

TEST(Cover, RejectsWhatIsNotAJpeg) {
  std::string png = Make("fake.png", "640x360");
  auto r = ProcessCover(png);  // a PNG, whatever its name
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().fields.at(0).field, "cover");
  EXPECT_EQ(r.error().fields.at(0).label, "资源封面");
  EXPECT_NE(r.error().message.find("JPG"), std::string::npos);
  std::string jpeg = Make("cut.jpg", "640x360");
  EXPECT_FALSE(ProcessCover(jpeg.substr(0, jpeg.size() / 3)));
  EXPECT_FALSE(ProcessCover(std::string("\xFF\xD8\xFF\xE0") + std::string(2000, 'x')));
  EXPECT_FALSE(ProcessCover(""));
  EXPECT_FALSE(ProcessCover(std::string(kMaxCoverBytes + 1, '\xFF')));
}

// ---- issue 14: JPEG bombs cost bounded memory and CPU ----------------------------------------
// Each cover is decoded in a forked child (tests/child_usage.h): peak memory may grow by at
// most 256 MiB and the decode may take at most 2 s of CPU, or the cover is refused with a
// Chinese reason naming 资源封面.

constexpr int64_t kMemoryBound = 256 * lep::testing::kMiB;
constexpr double kCpuBound = 2.0;

// A JPEG made with libjpeg: a smooth gradient, `components` 1 (grey) or 3 (YCbCr 4:4:4), with
// the given scan script (none = baseline).
std::string Encode(int width, int height, int components, const std::vector<jpeg_scan_info>& scans,
                   int quality = 75) {
  jpeg_compress_struct cinfo{};
  jpeg_error_mgr err{};
  cinfo.err = jpeg_std_error(&err);
  jpeg_create_compress(&cinfo);
  unsigned char* out = nullptr;
  unsigned long out_size = 0;
  jpeg_mem_dest(&cinfo, &out, &out_size);
  cinfo.image_width = static_cast<JDIMENSION>(width);
  cinfo.image_height = static_cast<JDIMENSION>(height);
  cinfo.input_components = components;
  cinfo.in_color_space = components == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, quality, TRUE);
  for (int c = 0; c < cinfo.num_components; ++c) {
    cinfo.comp_info[c].h_samp_factor = cinfo.comp_info[c].v_samp_factor = 1;
  }
  if (!scans.empty()) {
    cinfo.scan_info = scans.data();
    cinfo.num_scans = static_cast<int>(scans.size());
  }
  jpeg_start_compress(&cinfo, TRUE);
  std::vector<unsigned char> row(static_cast<size_t>(width) * components);
  while (cinfo.next_scanline < cinfo.image_height) {
    for (int x = 0; x < width; ++x) {
      for (int c = 0; c < components; ++c) {
        row[static_cast<size_t>(x) * components + c] =
            static_cast<unsigned char>((x + cinfo.next_scanline * (c + 1)) / 16);
      }
    }
    JSAMPROW p = row.data();
    jpeg_write_scanlines(&cinfo, &p, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  std::string bytes(reinterpret_cast<char*>(out), out_size);
  std::free(out);
  return bytes;
}

// libjpeg's standard progressive script for one grey component.
std::vector<jpeg_scan_info> SimpleProgression() {
  return {{1, {0}, 0, 0, 0, 1},  {1, {0}, 1, 5, 0, 2}, {1, {0}, 6, 63, 0, 2},
          {1, {0}, 1, 63, 2, 1}, {1, {0}, 0, 0, 1, 0}, {1, {0}, 1, 63, 1, 0}};
}

// A valid script of ~700 scans for one grey component: every coefficient on its own, sent
// bit plane by bit plane (successive approximation from bit 10 down).
std::vector<jpeg_scan_info> ThousandsOfScans() {
  std::vector<jpeg_scan_info> scans;
  for (int al = 10; al >= 0; --al) {
    scans.push_back({1, {0}, 0, 0, al == 10 ? 0 : al + 1, al});
    for (int k = 1; k < 64; ++k) scans.push_back({1, {0}, k, k, al == 10 ? 0 : al + 1, al});
  }
  return scans;
}

// Rewrites the size in the frame header (SOF0/SOF2).
std::string WithDeclaredSize(std::string jpeg, int width, int height) {
  for (size_t i = 2; i + 9 < jpeg.size(); ++i) {
    const auto m = static_cast<unsigned char>(jpeg[i + 1]);
    if (static_cast<unsigned char>(jpeg[i]) == 0xFF && (m == 0xC0 || m == 0xC2)) {
      jpeg[i + 5] = static_cast<char>(height >> 8);
      jpeg[i + 6] = static_cast<char>(height & 0xFF);
      jpeg[i + 7] = static_cast<char>(width >> 8);
      jpeg[i + 8] = static_cast<char>(width & 0xFF);
      return jpeg;
    }
  }
  ADD_FAILURE() << "no frame header";
  return jpeg;
}

lep::testing::ChildUsage CoverInChild(const std::string& jpeg) {
  return lep::testing::MeasureInChild([&jpeg] {
    auto img = ProcessCover(jpeg);
    if (img) return "ok " + std::to_string(img->width) + "x" + std::to_string(img->height);
    std::string field = img.error().fields.empty() ? "" : img.error().fields[0].field;
    return std::string(ErrorCodeName(img.error().code)) + " " + field + " " + img.error().message;
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

TEST(Issue14CoverBombs, TinyProgressiveJpegDeclaring12000Squared) {
  // A few hundred bytes whose frame header claims 12000×12000: TurboJPEG allocated and zeroed
  // the whole coefficient buffer (~800 MB) before finding the data missing.
  const std::string bomb =
      WithDeclaredSize(Encode(16, 16, 3, {}, 75), 12000, 12000);  // baseline header first
  std::string progressive = WithDeclaredSize(Encode(16, 16, 1, SimpleProgression()), 12000, 12000);
  ASSERT_LT(progressive.size(), 2000u);
  for (const auto& [what, bytes] : {std::pair<std::string, std::string>{"baseline 12000²", bomb},
                                    {"progressive 12000²", progressive}}) {
    const auto u = CoverInChild(bytes);
    ExpectBounded(u, what);
    EXPECT_EQ(u.output.rfind("invalid_argument cover ", 0), 0u) << u.output;
    EXPECT_NE(u.output.find("12000×12000"), std::string::npos) << u.output;
  }
}

TEST(Issue14CoverBombs, ProgressiveJpegWhoseCoefficientsExceedTheDecoderBudget) {
  // 7000×7000 colour 4:4:4 is under the pixel cap, but a progressive decode would need
  // 7000² × 3 × 2 bytes ≈ 280 MiB of coefficients.
  const std::string bomb = WithDeclaredSize(Encode(16, 16, 3,
                                                   {{3, {0, 1, 2}, 0, 0, 0, 0},
                                                    {1, {0}, 1, 63, 0, 0},
                                                    {1, {1}, 1, 63, 0, 0},
                                                    {1, {2}, 1, 63, 0, 0}}),
                                            7000, 7000);
  const auto u = CoverInChild(bomb);
  ExpectBounded(u, "progressive 7000² 4:4:4");
  EXPECT_EQ(u.output.rfind("invalid_argument cover ", 0), 0u) << u.output;
  EXPECT_NE(u.output.find("内存过大"), std::string::npos) << u.output;
}

TEST(Issue14CoverBombs, ThousandsOfProgressiveScans) {
  // A valid 4000×4000 JPEG of ~700 scans: every scan walks the whole image again.
  const std::string bomb = Encode(4000, 4000, 1, ThousandsOfScans(), 95);
  ASSERT_LT(bomb.size(), kMaxCoverBytes);
  const auto u = CoverInChild(bomb);
  ExpectBounded(u, "700 scans");
  EXPECT_EQ(u.output.rfind("invalid_argument cover ", 0), 0u) << u.output;
  EXPECT_NE(u.output.find("扫描次数过多"), std::string::npos) << u.output;
}

TEST(Issue14CoverBombs, LargeRealCoversAreStillAcceptedWithinTheBounds) {
  // A 24-megapixel baseline photo-sized JPEG and a 12-megapixel progressive one.
  const auto baseline = CoverInChild(Make("big.jpg", "6000x4000"));
  ExpectBounded(baseline, "baseline 6000×4000");
  EXPECT_EQ(baseline.output, "ok 6000x4000");
  const auto progressive = CoverInChild(Encode(4000, 3000, 3, {}, 90) /* baseline colour */);
  ExpectBounded(progressive, "baseline colour 4000×3000");
  EXPECT_EQ(progressive.output, "ok 4000x3000");
  const auto grey_progressive = CoverInChild(Encode(4000, 3000, 1, SimpleProgression(), 90));
  ExpectBounded(grey_progressive, "progressive grey 4000×3000");
  EXPECT_EQ(grey_progressive.output, "ok 4000x3000");
}

TEST(Issue14CoverBombs, BusyDecodesAreRefusedWithARetryableError) {
  ConcurrencyLimiter& limiter = CoverDecodeLimiter();
  const ConcurrencyLimiter::Limits saved = limiter.limits();
  limiter.SetLimits({.capacity = 1, .max_waiting = 0, .max_wait = std::chrono::milliseconds(0)});
  const std::string jpeg = Make("busy.jpg", "320x200");
  {
    auto held = limiter.Acquire();
    ASSERT_TRUE(held);
    auto busy = ProcessCover(jpeg);
    ASSERT_FALSE(busy);
    EXPECT_TRUE(busy.error().Is(ErrorCode::kUnavailable));
    EXPECT_TRUE(busy.error().retry_after_s.has_value());
  }
  EXPECT_TRUE(ProcessCover(jpeg));
  limiter.SetLimits(saved);
}

}  // namespace
}  // namespace lep::media
