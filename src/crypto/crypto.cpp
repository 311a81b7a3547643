#include "crypto/crypto.h"

// The low-level SHA-256 API is the one whose state can be saved; OpenSSL 3 marks it
// deprecated in favour of EVP, which cannot export a midstate.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <sodium.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <vector>

namespace lep::crypto {
namespace {

void EnsureInit() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) std::abort();  // no entropy source: nothing secure can run
  });
}

static_assert(sizeof(SHA256_CTX) <= 128, "Sha256::ctx_ too small");

SHA256_CTX& Ctx(unsigned char* p) { return *reinterpret_cast<SHA256_CTX*>(p); }
const SHA256_CTX& Ctx(const unsigned char* p) { return *reinterpret_cast<const SHA256_CTX*>(p); }

void PutBe(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t GetBe(std::string_view in, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(in[at + i]);
  return v;
}

uint64_t GetLe(std::string_view in, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(in[at + i]);
  return v;
}

}  // namespace

Sha256::Sha256() {
  std::memset(ctx_, 0, sizeof ctx_);
  SHA256_Init(&Ctx(ctx_));
}

void Sha256::Update(std::string_view data) { SHA256_Update(&Ctx(ctx_), data.data(), data.size()); }

std::string Sha256::Digest() const {
  SHA256_CTX copy = Ctx(ctx_);
  unsigned char out[SHA256_DIGEST_LENGTH];
  SHA256_Final(out, &copy);
  return std::string(reinterpret_cast<char*>(out), sizeof out);
}

std::string Sha256::HexDigest() const { return ToHex(Digest()); }

uint64_t Sha256::size() const {
  const SHA256_CTX& c = Ctx(ctx_);
  return ((static_cast<uint64_t>(c.Nh) << 32) | c.Nl) / 8;
}

std::string Sha256::SaveState() const {
  const SHA256_CTX& c = Ctx(ctx_);
  std::string raw;
  for (uint32_t h : c.h) PutBe(raw, h, 4);
  uint64_t total = size();
  PutBe(raw, total, 8);
  raw.append(reinterpret_cast<const char*>(c.data), c.num);
  return "v2:" + ToHex(raw);
}

std::optional<Sha256> Sha256::Restore(std::string_view saved) {
  uint32_t h[8];
  uint64_t total = 0;
  std::string buffered;
  if (saved.substr(0, 3) == "v2:") {
    auto raw = FromHex(saved.substr(3));
    if (!raw || raw->size() < 40) return std::nullopt;
    for (int i = 0; i < 8; ++i) h[i] = static_cast<uint32_t>(GetBe(*raw, 4 * i, 4));
    total = GetBe(*raw, 32, 8);
    buffered = raw->substr(40);
  } else {
    // libsodium's crypto_hash_sha256_state on a little-endian machine:
    // uint32_t state[8]; uint64_t count (bits); uint8_t buf[64].
    auto raw = FromHex(saved);
    if (!raw || raw->size() != 32 + 8 + 64) return std::nullopt;
    for (int i = 0; i < 8; ++i) h[i] = static_cast<uint32_t>(GetLe(*raw, 4 * i, 4));
    uint64_t bits = GetLe(*raw, 32, 8);
    if (bits % 8 != 0) return std::nullopt;
    total = bits / 8;
    buffered = raw->substr(40, total % 64);
  }
  if (buffered.size() != total % 64) return std::nullopt;
  Sha256 s;
  SHA256_CTX& c = Ctx(s.ctx_);
  for (int i = 0; i < 8; ++i) c.h[i] = h[i];
  uint64_t bits = total * 8;
  c.Nl = static_cast<SHA_LONG>(bits & 0xffffffffu);
  c.Nh = static_cast<SHA_LONG>(bits >> 32);
  std::memset(c.data, 0, sizeof c.data);
  std::memcpy(c.data, buffered.data(), buffered.size());
  c.num = static_cast<unsigned>(buffered.size());
  c.md_len = SHA256_DIGEST_LENGTH;
  return s;
}

std::string Sha256Hex(std::string_view data) {
  Sha256 s;
  s.Update(data);
  return s.HexDigest();
}

std::string Sha256Raw(std::string_view data) {
  Sha256 s;
  s.Update(data);
  return s.Digest();
}

Result<std::string> Sha256FileHex(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(Error::NotFound("文件不存在"));
  Sha256 s;
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    s.Update(std::string_view(buf.data(), static_cast<size_t>(in.gcount())));
  }
  if (in.bad()) return Fail(Error::Internal("读取文件失败"));
  return s.HexDigest();
}

std::string Sha1(std::string_view data) {
  unsigned char out[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out);
  return std::string(reinterpret_cast<char*>(out), sizeof out);
}

Digest::Digest(Algorithm a) : ctx_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_),
                    a == Algorithm::kSha1 ? EVP_sha1() : EVP_sha256(), nullptr);
}

Digest::~Digest() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Digest::Update(std::string_view data) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size());
}

std::string Digest::Final() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string HmacSha1(std::string_view key, std::string_view message) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

void RandomBytes(void* out, size_t n) {
  EnsureInit();
  randombytes_buf(out, n);
}

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  RandomBytes(out.data(), n);
  return out;
}

std::string RandomHex(size_t n) { return ToHex(RandomBytes(n)); }

uint32_t RandomUniform(uint32_t upper) {
  EnsureInit();
  return randombytes_uniform(upper);
}

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  EnsureInit();
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

void Wipe(void* p, size_t n) {
  EnsureInit();
  sodium_memzero(p, n);
}

std::string ToHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::optional<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

std::string ToBase64(std::string_view bytes) {
  EnsureInit();
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::optional<std::string> FromBase64(std::string_view text) {
  EnsureInit();
  std::string out(text.size() / 4 * 3 + 3, '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

std::string AeadEncrypt(std::string_view key, std::string_view plaintext,
                        std::string_view associated_data) {
  EnsureInit();
  constexpr size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  std::string out(kNonce + plaintext.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(p, kNonce);
  unsigned long long clen = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      p + kNonce, &clen, reinterpret_cast<const unsigned char*>(plaintext.data()),
      plaintext.size(), reinterpret_cast<const unsigned char*>(associated_data.data()),
      associated_data.size(), nullptr, p, reinterpret_cast<const unsigned char*>(key.data()));
  out.resize(kNonce + clen);
  return out;
}

std::optional<std::string> AeadDecrypt(std::string_view key, std::string_view sealed,
                                       std::string_view associated_data) {
  EnsureInit();
  constexpr size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  if (key.size() != kAeadKeyBytes) return std::nullopt;
  if (sealed.size() < kNonce + crypto_aead_xchacha20poly1305_ietf_ABYTES) return std::nullopt;
  std::string plain(sealed.size() - kNonce - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long plen = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(sealed.data());
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plain.data()), &plen, nullptr, p + kNonce,
          sealed.size() - kNonce, reinterpret_cast<const unsigned char*>(associated_data.data()),
          associated_data.size(), p, reinterpret_cast<const unsigned char*>(key.data())) != 0) {
    return std::nullopt;
  }
  plain.resize(plen);
  return plain;
}

std::string DeriveKey(std::string_view master, uint64_t id, std::string_view context8,
                      size_t bytes) {
  EnsureInit();
  char ctx[crypto_kdf_CONTEXTBYTES] = {0};
  std::memcpy(ctx, context8.data(), std::min(context8.size(), sizeof ctx));
  std::string out(bytes, '\0');
  crypto_kdf_derive_from_key(reinterpret_cast<unsigned char*>(out.data()), out.size(), id, ctx,
                             reinterpret_cast<const unsigned char*>(master.data()));
  return out;
}

std::string NewKey() {
  EnsureInit();
  std::string key(crypto_kdf_KEYBYTES, '\0');
  crypto_kdf_keygen(reinterpret_cast<unsigned char*>(key.data()));
  return key;
}

std::string KeyedHash(std::string_view key, std::string_view message, size_t bytes) {
  EnsureInit();
  std::string out(bytes, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(out.data()), out.size(),
                     reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                     reinterpret_cast<const unsigned char*>(key.data()), key.size());
  return out;
}

}  // namespace lep::crypto
