// FieldCipher: encryption of personal data at rest (contact phones and e-mails, TOTP secrets)
// with XChaCha20-Poly1305 (libsodium AEAD), the key kept in a file outside the database, and
// keyed hashes (BLAKE2b with a derived key) for equality lookups without decrypting.
// Each value is bound to its context (e.g. "org_contacts.mobile:42") as associated data, so
// a ciphertext copied into another row or column does not decrypt.
// Immutable after construction; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace lep::security {

inline constexpr std::string_view kCipherPrefix = "enc1:";

class FieldCipher {
 public:
  // Reads a 32-byte key (64 hex characters) from path; with create, writes a fresh random
  // key there first (mode 0600, parent directory 0700) when the file does not exist.
  [[nodiscard]] static Result<FieldCipher> FromKeyFile(const std::string& path, bool create);
  // A key given directly (tests, restore checks): exactly 32 bytes.
  [[nodiscard]] static Result<FieldCipher> FromKey(std::string_view key32);

  // "enc1:" + base64(nonce || ciphertext || tag). Empty plaintext stays empty.
  std::string Encrypt(std::string_view plaintext, std::string_view context) const;
  // Inverse of Encrypt. A value without the prefix is legacy plaintext and returned as is
  // (rows written before encryption); a damaged value or a wrong key/context fails.
  [[nodiscard]] Result<std::string> Decrypt(std::string_view stored,
                                            std::string_view context) const;
  // Hex keyed hash of value for lookups; stable for one key. "" for "".
  std::string KeyedHash(std::string_view value, std::string_view context) const;

  static bool IsEncrypted(std::string_view stored) {
    return stored.substr(0, kCipherPrefix.size()) == kCipherPrefix;
  }

 private:
  FieldCipher(std::string enc_key, std::string mac_key)
      : enc_key_(std::move(enc_key)), mac_key_(std::move(mac_key)) {}
  std::string enc_key_;  // subkey 1 of the master key
  std::string mac_key_;  // subkey 2
};

// Masking for roles that do not need the full value: 138****1234, 010-****6459,
// z***@example.cn, 张*. Pure.
std::string MaskPhone(std::string_view s);
std::string MaskEmail(std::string_view s);
std::string MaskName(std::string_view s);

}  // namespace lep::security
