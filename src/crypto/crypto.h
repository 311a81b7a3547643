// The one wrapper over the cryptographic libraries (OpenSSL for hashing, libsodium for random
// bytes, authenticated encryption and key derivation): no other file of lep includes their
// headers (password hashing with Argon2id keeps its own, in auth/password.cpp). libsodium is
// initialised once, on first use, by every function that needs it. All functions are
// thread-safe; a Sha256 object is used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace lep::crypto {

// Incremental SHA-256 (OpenSSL: SHA-NI where the CPU has it) whose running state can be saved
// and restored, so a resumable upload hashes every byte exactly once across many requests and
// servers.
class Sha256 {
 public:
  Sha256();
  void Update(std::string_view data);
  // The digest of everything so far (32 raw bytes / 64 lowercase hex); the object may go on.
  std::string Digest() const;
  std::string HexDigest() const;
  // The running state as text (version prefix "v2:"); Restore() accepts it and, for uploads
  // begun before this format, the hex of libsodium's crypto_hash_sha256_state.
  std::string SaveState() const;
  static std::optional<Sha256> Restore(std::string_view saved);
  // Bytes hashed so far.
  uint64_t size() const;

 private:
  alignas(8) unsigned char ctx_[128];
};

std::string Sha256Hex(std::string_view data);
// Streams a file; kNotFound / kInternal when it cannot be read.
[[nodiscard]] Result<std::string> Sha256FileHex(const std::string& path);
// Raw digests for protocol checksums (tus Upload-Checksum).
std::string Sha1(std::string_view data);
std::string Sha256Raw(std::string_view data);
// Incremental digest of one of those algorithms, for a request body checked at its end.
class Digest {
 public:
  enum class Algorithm { kSha1, kSha256 };
  explicit Digest(Algorithm a);
  ~Digest();
  Digest(const Digest&) = delete;
  Digest& operator=(const Digest&) = delete;
  void Update(std::string_view data);
  std::string Final();  // raw bytes; call once

 private:
  void* ctx_;
};
// RFC 2104 HMAC (TOTP uses SHA-1 per RFC 6238).
std::string HmacSha1(std::string_view key, std::string_view message);

void RandomBytes(void* out, size_t n);
std::string RandomBytes(size_t n);
// Uniform in [0, upper) without modulo bias.
uint32_t RandomUniform(uint32_t upper);
// n random bytes as 2n lowercase hex characters.
std::string RandomHex(size_t n);
// Compares without leaking where two equal-length strings differ.
bool ConstantTimeEqual(std::string_view a, std::string_view b);
// Overwrites memory that held a secret.
void Wipe(void* p, size_t n);
std::string ToHex(std::string_view bytes);
std::optional<std::string> FromHex(std::string_view hex);
// Standard base64 with padding (RFC 4648 §4).
std::string ToBase64(std::string_view bytes);
std::optional<std::string> FromBase64(std::string_view text);

// XChaCha20-Poly1305 (IETF) with a 32-byte key: nonce (24 bytes) || ciphertext || tag.
inline constexpr size_t kAeadKeyBytes = 32;
std::string AeadEncrypt(std::string_view key, std::string_view plaintext,
                        std::string_view associated_data = {});
// nullopt when the key is wrong or the bytes were changed.
std::optional<std::string> AeadDecrypt(std::string_view key, std::string_view sealed,
                                       std::string_view associated_data = {});
// A subkey for one purpose (libsodium crypto_kdf: 8-character context, numeric id).
std::string DeriveKey(std::string_view master, uint64_t id, std::string_view context8,
                      size_t bytes = 32);
std::string NewKey();  // kAeadKeyBytes random bytes
// Keyed BLAKE2b (lookup hashes of encrypted fields).
std::string KeyedHash(std::string_view key, std::string_view message, size_t bytes = 32);

}  // namespace lep::crypto
