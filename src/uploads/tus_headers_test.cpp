#include <gtest/gtest.h>

#include "uploads/tus_headers.h"

namespace lep::uploads {
namespace {

TEST(TusHeaders, UploadMetadata) {
  // filename 讲座.mp4, resource_id 12, a key without value.
  auto m = ParseUploadMetadata("filename " + Base64Encode("讲座.mp4") + ",resource_id MTI=,is_confidential");
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ((*m)["filename"], "讲座.mp4");
  EXPECT_EQ((*m)["resource_id"], "12");
  EXPECT_EQ((*m)["is_confidential"], "");
  EXPECT_FALSE(ParseUploadMetadata("filename !!!notbase64"));
  EXPECT_FALSE(ParseUploadMetadata("a MQ==,a Mg=="));  // duplicate key
  EXPECT_FALSE(ParseUploadMetadata(std::string(9000, 'a')));
  EXPECT_TRUE(ParseUploadMetadata("")->empty());
  // A path in the file name is only ever data.
  auto p = ParseUploadMetadata("filename " + Base64Encode("../../etc/passwd"));
  EXPECT_EQ((*p)["filename"], "../../etc/passwd");
}

TEST(TusHeaders, Numbers) {
  EXPECT_EQ(ParseUploadNumber("0"), 0u);
  EXPECT_EQ(ParseUploadNumber("8589934592"), 8589934592u);
  EXPECT_FALSE(ParseUploadNumber("-1"));
  EXPECT_FALSE(ParseUploadNumber("12a"));
  EXPECT_FALSE(ParseUploadNumber(""));
  EXPECT_FALSE(ParseUploadNumber(" 1"));
  EXPECT_FALSE(ParseUploadNumber("99999999999999999999"));
}

TEST(TusHeaders, Checksum) {
  // sha1("") = da39a3ee5e6b4b0d3255bfef95601890afd80709
  auto c = ParseUploadChecksum("sha1 2jmj7l5rSw0yVb/vlWAYkK/YBwk=");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->algorithm, ChecksumAlgorithm::kSha1);
  EXPECT_EQ(c->digest.size(), 20u);
  EXPECT_FALSE(ParseUploadChecksum("md5 1B2M2Y8AsgTpgAmY7PhCfg=="));
  EXPECT_FALSE(ParseUploadChecksum("sha256 2jmj7l5rSw0yVb/vlWAYkK/YBwk="));  // wrong length
  EXPECT_FALSE(ParseUploadChecksum("sha1"));
  EXPECT_EQ(Base64Encode("abc"), "YWJj");
  EXPECT_EQ(Base64Decode("YWJj"), "abc");
  EXPECT_EQ(Base64Encode("ab"), "YWI=");
}

}  // namespace
}  // namespace lep::uploads
