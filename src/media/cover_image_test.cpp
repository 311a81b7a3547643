// Covers: real JPEGs made by ffmpeg pass; a PNG renamed .jpg, a truncated JPEG and random
// bytes are rejected with a Chinese message naming 资源封面.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

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

}  // namespace
}  // namespace lep::media
