// TOTP second factor (RFC 6238: HMAC-SHA-1, 30 s steps, 6 digits by default), RFC 4648 Base32,
// otpauth:// provisioning URIs and one-time recovery codes stored only as hashes.
// All functions are pure or use only the OS CSPRNG; thread-safe. Time is always passed in,
// never read from the wall clock here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace lep::security {

inline constexpr std::string_view kDefaultIssuer = "终身教育平台";

struct TotpOptions {
  int digits = 6;  // 6..8
  int64_t period_s = 30;
  int window = 1;  // accept steps T-window..T+window
};

// 20 random bytes (the RFC 4226 recommended length for HMAC-SHA-1), raw.
std::string GenerateSecret();

// RFC 4648 Base32, upper case, without '=' padding.
std::string Base32Encode(std::string_view bytes);
// Case-insensitive; ignores spaces, '-' and trailing '=' padding. Rejects other characters
// and impossible lengths.
[[nodiscard]] Result<std::string> Base32Decode(std::string_view text);

// otpauth://totp/ISSUER:ACCOUNT?secret=B32&issuer=ISSUER&algorithm=SHA1&digits=6&period=30
// with issuer and account percent-encoded (UTF-8 bytes, RFC 3986 unreserved kept).
std::string OtpauthUri(std::string_view account, std::string_view secret,
                       std::string_view issuer = kDefaultIssuer, const TotpOptions& opt = {});

// The code for time step `step` (= unix_time / period), zero-padded to opt.digits.
std::string TotpCodeAtStep(std::string_view secret, int64_t step, int digits = 6);
std::string TotpCode(std::string_view secret, int64_t unix_time, const TotpOptions& opt = {});

// Checks `code` (spaces ignored) against the steps around unix_time. Returns the matched
// step, or nullopt. Steps <= last_used_step are refused so a code cannot be replayed: the
// caller stores the returned step and passes it back next time.
std::optional<int64_t> Verify(std::string_view secret, std::string_view code, int64_t unix_time,
                              const TotpOptions& opt = {},
                              std::optional<int64_t> last_used_step = std::nullopt);

// n fresh codes like "abcd-ef2h-jk3m" (12 characters from 31 unambiguous ones, ~59 bits).
// Show them once; store only HashRecoveryCode() of each.
std::vector<std::string> RecoveryCodes(int n = 10);
// Hex BLAKE2b-256 of the normalised code (lower case, '-' and spaces removed).
std::string HashRecoveryCode(std::string_view code);
// Constant-time over all stored hashes. On a match removes that hash from `stored_hashes`
// (so each code works once) and returns true; the caller persists the shortened list.
bool ConsumeRecoveryCode(std::vector<std::string>& stored_hashes, std::string_view code);

}  // namespace lep::security
