#include "security/totp.h"

#include <gtest/gtest.h>

#include <set>

namespace lep::security {
namespace {

const std::string kRfcSecret = "12345678901234567890";

struct Vector {
  int64_t time;
  const char* code8;
};

// RFC 6238 Appendix B, SHA-1 column.
const Vector kRfcVectors[] = {
    {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
    {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
};

TEST(Totp, Rfc6238EightDigits) {
  for (const auto& v : kRfcVectors) {
    EXPECT_EQ(TotpCode(kRfcSecret, v.time, {.digits = 8}), v.code8) << v.time;
  }
}

TEST(Totp, Rfc6238SixDigitsIsLastSix) {
  for (const auto& v : kRfcVectors) {
    EXPECT_EQ(TotpCode(kRfcSecret, v.time), std::string(v.code8).substr(2)) << v.time;
  }
}

TEST(Totp, VerifyReturnsMatchedStepWithinWindow) {
  const int64_t t = 1111111111;  // step 37037037
  const std::string code = TotpCode(kRfcSecret, t);
  EXPECT_EQ(Verify(kRfcSecret, code, t), 37037037);
  EXPECT_EQ(Verify(kRfcSecret, code, t + 30), 37037037);  // one step late: accepted
  EXPECT_EQ(Verify(kRfcSecret, code, t - 30), 37037037);  // one step early: accepted
  EXPECT_EQ(Verify(kRfcSecret, code, t + 60), std::nullopt);
  EXPECT_EQ(Verify(kRfcSecret, code, t - 60), std::nullopt);
  EXPECT_EQ(Verify(kRfcSecret, code, t + 60, {.window = 2}), 37037037);
  EXPECT_EQ(Verify(kRfcSecret, code, t + 30, {.window = 0}), std::nullopt);
  EXPECT_EQ(Verify(kRfcSecret, "14050471", t, {.digits = 8}), 37037037);
}

TEST(Totp, VerifyRefusesReuseOfTheSameStep) {
  const int64_t t = 1234567890;
  const std::string code = TotpCode(kRfcSecret, t);
  auto step = Verify(kRfcSecret, code, t);
  ASSERT_TRUE(step);
  EXPECT_EQ(Verify(kRfcSecret, code, t, {}, step), std::nullopt);
  EXPECT_EQ(Verify(kRfcSecret, TotpCode(kRfcSecret, t + 30), t + 30, {}, step), *step + 1);
}

TEST(Totp, VerifyRejectsMalformedCodes) {
  const int64_t t = 59;
  EXPECT_EQ(Verify(kRfcSecret, "", t), std::nullopt);
  EXPECT_EQ(Verify(kRfcSecret, "28708", t), std::nullopt);
  EXPECT_EQ(Verify(kRfcSecret, "2870821", t), std::nullopt);
  EXPECT_EQ(Verify(kRfcSecret, "28708a", t), std::nullopt);
  EXPECT_EQ(Verify("", "287082", t), std::nullopt);
  EXPECT_EQ(Verify(kRfcSecret, "287 082", t), 1);  // spaces are ignored
  EXPECT_EQ(Verify(kRfcSecret, "287082", -1), std::nullopt);
}

TEST(Base32, Rfc4648Vectors) {
  EXPECT_EQ(Base32Encode(""), "");
  EXPECT_EQ(Base32Encode("f"), "MY");
  EXPECT_EQ(Base32Encode("fo"), "MZXQ");
  EXPECT_EQ(Base32Encode("foo"), "MZXW6");
  EXPECT_EQ(Base32Encode("foob"), "MZXW6YQ");
  EXPECT_EQ(Base32Encode("fooba"), "MZXW6YTB");
  EXPECT_EQ(Base32Encode("foobar"), "MZXW6YTBOI");
  EXPECT_EQ(Base32Encode(kRfcSecret), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  EXPECT_EQ(*Base32Decode("MZXW6YTBOI======"), "foobar");
  EXPECT_EQ(*Base32Decode("mzxw 6ytb oi"), "foobar");
}

TEST(Base32, RoundTripsRandomSecretsAndRejectsGarbage) {
  for (int i = 0; i < 50; ++i) {
    std::string s = GenerateSecret();
    ASSERT_EQ(s.size(), 20u);
    std::string b32 = Base32Encode(s.substr(0, static_cast<size_t>(i % 20)));
    EXPECT_EQ(*Base32Decode(b32), s.substr(0, static_cast<size_t>(i % 20)));
  }
  EXPECT_FALSE(Base32Decode("MZ1W"));  // '1' is not in the alphabet
  EXPECT_FALSE(Base32Decode("M"));     // 5 bits cannot be a byte
  EXPECT_FALSE(Base32Decode("MZX"));
  EXPECT_NE(GenerateSecret(), GenerateSecret());
}

TEST(Totp, OtpauthUriIsPercentEncoded) {
  std::string uri = OtpauthUri("张三@nou.edu.cn", kRfcSecret);
  EXPECT_EQ(uri,
            "otpauth://totp/%E7%BB%88%E8%BA%AB%E6%95%99%E8%82%B2%E5%B9%B3%E5%8F%B0:"
            "%E5%BC%A0%E4%B8%89%40nou.edu.cn?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
            "&issuer=%E7%BB%88%E8%BA%AB%E6%95%99%E8%82%B2%E5%B9%B3%E5%8F%B0"
            "&algorithm=SHA1&digits=6&period=30");
  EXPECT_EQ(OtpauthUri("a b:c", "x", "Org&Co"),
            "otpauth://totp/Org%26Co:a%20b%3Ac?secret=PA&issuer=Org%26Co"
            "&algorithm=SHA1&digits=6&period=30");
}

TEST(RecoveryCodes, UniqueFormattedAndUsableOnce) {
  auto codes = RecoveryCodes();
  ASSERT_EQ(codes.size(), 10u);
  std::set<std::string> unique(codes.begin(), codes.end());
  EXPECT_EQ(unique.size(), codes.size());
  std::vector<std::string> stored;
  for (const auto& c : codes) {
    ASSERT_EQ(c.size(), 14u) << c;
    EXPECT_EQ(c[4], '-');
    EXPECT_EQ(c[9], '-');
    for (char ch : c) EXPECT_EQ(std::string("ilo01").find(ch), std::string::npos) << c;
    stored.push_back(HashRecoveryCode(c));
    EXPECT_EQ(stored.back().size(), 64u);
    EXPECT_EQ(stored.back().find(c.substr(0, 4)), std::string::npos);
  }
  // Case and dashes do not matter; each code works exactly once.
  std::string typed = codes[3];
  for (auto& ch : typed) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  typed.erase(std::remove(typed.begin(), typed.end(), '-'), typed.end());
  EXPECT_TRUE(ConsumeRecoveryCode(stored, typed));
  EXPECT_EQ(stored.size(), 9u);
  EXPECT_FALSE(ConsumeRecoveryCode(stored, codes[3]));
  EXPECT_FALSE(ConsumeRecoveryCode(stored, "aaaa-bbbb-cccc"));
  EXPECT_TRUE(ConsumeRecoveryCode(stored, codes[0]));
  EXPECT_EQ(stored.size(), 8u);
}

}  // namespace
}  // namespace lep::security
