#include "security/field_cipher.h"

#include <gtest/gtest.h>


#include "security/qr_svg.h"
#include "security/security_policy.h"

namespace lep::security {
namespace {

FieldCipher Cipher(char fill = 'k') { return *FieldCipher::FromKey(std::string(32, fill)); }

TEST(FieldCipher, RoundTripsAndHidesThePlaintext) {
  auto c = Cipher();
  std::string enc = c.Encrypt("13812341234", "org_contacts.mobile:7");
  EXPECT_TRUE(FieldCipher::IsEncrypted(enc));
  EXPECT_EQ(enc.find("1381234"), std::string::npos);
  EXPECT_NE(enc, c.Encrypt("13812341234", "org_contacts.mobile:7"));  // fresh nonce
  auto dec = c.Decrypt(enc, "org_contacts.mobile:7");
  ASSERT_TRUE(dec);
  EXPECT_EQ(*dec, "13812341234");
  EXPECT_EQ(c.Encrypt("", "x"), "");
}

TEST(FieldCipher, ValueIsBoundToItsContextAndKey) {
  auto c = Cipher();
  std::string enc = c.Encrypt("zhangsan@example.cn", "org_contacts.email:7");
  // Copied into another row or column: refused.
  EXPECT_FALSE(c.Decrypt(enc, "org_contacts.email:8"));
  EXPECT_FALSE(c.Decrypt(enc, "org_contacts.mobile:7"));
  EXPECT_FALSE(Cipher('x').Decrypt(enc, "org_contacts.email:7"));
  // One flipped character of the ciphertext: refused.
  std::string tampered = enc;
  tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(c.Decrypt(tampered, "org_contacts.email:7"));
  EXPECT_FALSE(c.Decrypt("enc1:!!notbase64", "org_contacts.email:7"));
}

TEST(FieldCipher, LegacyPlaintextReadsAsIs) {
  auto dec = Cipher().Decrypt("010-66096459", "org_contacts.office_phone:1");
  ASSERT_TRUE(dec);
  EXPECT_EQ(*dec, "010-66096459");
}

TEST(FieldCipher, KeyedHashIsStablePerKeyAndContext) {
  auto c = Cipher();
  EXPECT_EQ(c.KeyedHash("13812341234", "a"), c.KeyedHash("13812341234", "a"));
  EXPECT_NE(c.KeyedHash("13812341234", "a"), c.KeyedHash("13812341235", "a"));
  EXPECT_NE(c.KeyedHash("13812341234", "a"), c.KeyedHash("13812341234", "b"));
  EXPECT_NE(c.KeyedHash("13812341234", "a"), Cipher('z').KeyedHash("13812341234", "a"));
  EXPECT_EQ(c.KeyedHash("13812341234", "a").size(), 64u);
  EXPECT_EQ(c.KeyedHash("", "a"), "");
}

TEST(Masking, PhonesEmailsNames) {
  EXPECT_EQ(MaskPhone("13812341234"), "138****1234");
  EXPECT_EQ(MaskPhone("010-66096459"), "010-****6459");
  EXPECT_EQ(MaskPhone("0755-1234567"), "0755-****4567");
  EXPECT_EQ(MaskPhone("123"), "***");
  EXPECT_EQ(MaskEmail("zhangsan@example.cn"), "z***@example.cn");
  EXPECT_EQ(MaskEmail("broken"), "***");
  EXPECT_EQ(MaskName("张三丰"), "张**");
  EXPECT_EQ(MaskName("李"), "*");
}

TEST(SecurityPolicy, ValidatesEveryFieldAtOnce) {
  EXPECT_TRUE(ValidatePolicy(SecurityPolicy{}));
  SecurityPolicy p;
  p.password_min_length = 6;
  p.lockout_threshold = 50;
  p.totp_grace_days = -1;
  auto st = ValidatePolicy(p);
  ASSERT_FALSE(st);
  ASSERT_EQ(st.error().fields.size(), 3u);
  EXPECT_EQ(st.error().fields[0].field, "password_min_length");
  EXPECT_EQ(st.error().fields[0].label, "密码最小长度");
  EXPECT_EQ(st.error().fields[2].field, "totp_grace_days");
}

TEST(QrSvg, EncodesTheUriAsModules) {
  auto svg = QrSvg("otpauth://totp/%E7%BB%88:gd_admin?secret=JBSWY3DPEHPK3PXP", 4);
  ASSERT_TRUE(svg);
  EXPECT_EQ(svg->rfind("<svg", 0), 0u);
  EXPECT_NE(svg->find("<path"), std::string::npos);
  // Version 3 or 4 for this length: 29 or 33 modules + 8 quiet → 148 or 164 px.
  EXPECT_TRUE(svg->find("viewBox=\"0 0 148 148\"") != std::string::npos ||
              svg->find("viewBox=\"0 0 164 164\"") != std::string::npos)
      << svg->substr(0, 200);
  EXPECT_NE(*svg, *QrSvg("otpauth://totp/x?secret=AAAA", 4));
}

}  // namespace
}  // namespace lep::security
