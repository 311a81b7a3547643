// The crypto wrapper against published vectors, and the resumable SHA-256 state: saved and
// restored at every split point it must give the one-shot digest, including states saved by
// libsodium before this wrapper existed (uploads in progress across an upgrade).
#include <gtest/gtest.h>
#include <sodium.h>

#include "crypto/crypto.h"

namespace lep::crypto {
namespace {

TEST(Crypto, Sha256KnownAnswers) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(ToHex(Sha1("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
}

TEST(Crypto, Sha256StateSurvivesSaveAndRestoreAtEverySplit) {
  std::string data;
  for (int i = 0; i < 300; ++i) data.push_back(static_cast<char>(i * 7 + 3));
  std::string want = Sha256Hex(data);
  for (size_t split = 0; split <= data.size(); ++split) {
    Sha256 a;
    a.Update(std::string_view(data).substr(0, split));
    std::string saved = a.SaveState();
    auto b = Sha256::Restore(saved);
    ASSERT_TRUE(b) << split;
    EXPECT_EQ(b->size(), split);
    b->Update(std::string_view(data).substr(split));
    ASSERT_EQ(b->HexDigest(), want) << "split at " << split;
  }
  // Digest() does not end the object.
  Sha256 c;
  c.Update("ab");
  (void)c.Digest();
  c.Update("c");
  EXPECT_EQ(c.HexDigest(), Sha256Hex("abc"));
}

TEST(Crypto, RestoresLibsodiumStatesOfOlderUploads) {
  ASSERT_GE(sodium_init(), 0);
  std::string data(1000, 'x');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 31);
  for (size_t split : {0u, 1u, 63u, 64u, 65u, 500u, 1000u}) {
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(data.data()), split);
    std::string hex = ToHex(std::string_view(reinterpret_cast<const char*>(&st), sizeof st));
    auto s = Sha256::Restore(hex);
    ASSERT_TRUE(s) << split;
    s->Update(std::string_view(data).substr(split));
    EXPECT_EQ(s->HexDigest(), Sha256Hex(data)) << split;
  }
}

TEST(Crypto, RestoreRefusesDamagedStates) {
  EXPECT_FALSE(Sha256::Restore("v2:zz"));
  EXPECT_FALSE(Sha256::Restore("v2:00"));
  EXPECT_FALSE(Sha256::Restore(std::string(208, 'g')));
  Sha256 a;
  a.Update("hello");
  std::string saved = a.SaveState();
  EXPECT_FALSE(Sha256::Restore(saved.substr(0, saved.size() - 2)));  // buffer shorter than count
}

TEST(Crypto, HmacSha1Rfc2202) {
  EXPECT_EQ(ToHex(HmacSha1(std::string(20, '\x0b'), "Hi There")),
            "b617318655057264e28bc0b6fb378c8ef146be00");
  EXPECT_EQ(ToHex(HmacSha1("Jefe", "what do ya want for nothing?")),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
}

TEST(Crypto, IncrementalDigestsMatchOneShot) {
  Digest d1(Digest::Algorithm::kSha1);
  d1.Update("a");
  d1.Update("bc");
  EXPECT_EQ(d1.Final(), Sha1("abc"));
  Digest d2(Digest::Algorithm::kSha256);
  d2.Update("abc");
  EXPECT_EQ(d2.Final(), Sha256Raw("abc"));
}

TEST(Crypto, AeadRoundTripAndTamperDetection) {
  std::string key = NewKey();
  ASSERT_EQ(key.size(), kAeadKeyBytes);
  std::string sealed = AeadEncrypt(key, "13800138000", "org_contacts.mobile");
  EXPECT_EQ(AeadDecrypt(key, sealed, "org_contacts.mobile"), "13800138000");
  EXPECT_FALSE(AeadDecrypt(key, sealed, "org_contacts.email"));
  std::string flipped = sealed;
  flipped[flipped.size() / 2] ^= 1;
  EXPECT_FALSE(AeadDecrypt(key, flipped, "org_contacts.mobile"));
  EXPECT_FALSE(AeadDecrypt(NewKey(), sealed, "org_contacts.mobile"));
  EXPECT_NE(AeadEncrypt(key, "x"), AeadEncrypt(key, "x"));  // fresh nonce each time
}

TEST(Crypto, EncodingsAndComparisons) {
  EXPECT_EQ(ToBase64("中文"), "5Lit5paH");
  EXPECT_EQ(FromBase64("5Lit5paH"), "中文");
  EXPECT_FALSE(FromBase64("!!"));
  EXPECT_EQ(FromHex("00ff"), std::string("\0\xff", 2));
  EXPECT_FALSE(FromHex("0g"));
  EXPECT_TRUE(ConstantTimeEqual("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "ab"));
  EXPECT_EQ(RandomHex(16).size(), 32u);
  EXPECT_NE(RandomHex(16), RandomHex(16));
  std::string master = NewKey();
  EXPECT_EQ(DeriveKey(master, 1, "lep-pii_"), DeriveKey(master, 1, "lep-pii_"));
  EXPECT_NE(DeriveKey(master, 1, "lep-pii_"), DeriveKey(master, 2, "lep-pii_"));
  EXPECT_EQ(KeyedHash(master, "a").size(), 32u);
  EXPECT_NE(KeyedHash(master, "a"), KeyedHash(NewKey(), "a"));
}

}  // namespace
}  // namespace lep::crypto
