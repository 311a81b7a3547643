// Password hashing (Argon2id through libsodium) and the password policy.
// PasswordHasher is thread-safe; the policy check is a pure function.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace lep::auth {

class PasswordHasher {
 public:
  // opslimit/memlimit as libsodium's crypto_pwhash (tests use the minimum).
  PasswordHasher(uint64_t opslimit, uint64_t memlimit);
  virtual ~PasswordHasher() = default;
  [[nodiscard]] Result<std::string> Hash(std::string_view password) const;
  // Virtual so that tests can count the checks (sign-in must check exactly once per attempt).
  virtual bool Verify(std::string_view hash, std::string_view password) const;

 private:
  uint64_t opslimit_;
  uint64_t memlimit_;
};

// ≥ min_length characters, ≥ 3 of 4 classes (lower, upper, digit, symbol), must not contain
// the username (case-insensitive), ≤ 128 bytes. Error names the field password / 密码.
[[nodiscard]] Status CheckPasswordPolicy(std::string_view password, std::string_view username,
                                         int min_length = 8);

// Fresh random token of n bytes, hex-encoded; and a one-way hash of a token for storage.
std::string RandomToken(size_t n_bytes = 32);
std::string TokenHash(std::string_view token);
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Must be called once before any other function here (idempotent).
void InitCrypto();

}  // namespace lep::auth
