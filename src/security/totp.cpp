#include "security/totp.h"

#include <array>

#include "core/text.h"
#include "crypto/crypto.h"

namespace lep::security {
namespace {

constexpr std::string_view kB32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
// No i, l, o, 0, 1: codes are read off paper.
constexpr std::string_view kRecoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789";

int64_t Pow10(int digits) {
  int64_t p = 1;
  for (int i = 0; i < digits; ++i) p *= 10;
  return p;
}

std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

std::string NormaliseRecovery(std::string_view code) {
  std::string out;
  for (char c : code) {
    if (c == '-' || c == ' ' || c == '\t') continue;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    out += c;
  }
  return out;
}

}  // namespace

std::string GenerateSecret() { return crypto::RandomBytes(20); }

std::string Base32Encode(std::string_view bytes) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out += kB32[(buffer >> (bits - 5)) & 0x1F];
      bits -= 5;
    }
  }
  if (bits > 0) out += kB32[(buffer << (5 - bits)) & 0x1F];
  return out;
}

Result<std::string> Base32Decode(std::string_view text) {
  auto bad = [] { return Fail(Error::InvalidArgument("密钥格式不正确（应为 Base32）")); };
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  size_t symbols = 0;
  for (char c : text) {
    if (c == ' ' || c == '-') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    size_t v = kB32.find(c);
    if (v == std::string_view::npos) return bad();
    ++symbols;
    buffer = (buffer << 5) | static_cast<uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      out += static_cast<char>((buffer >> (bits - 8)) & 0xFF);
      bits -= 8;
    }
  }
  // Lengths 1, 3 and 6 (mod 8) cannot come from whole bytes.
  size_t rem = symbols % 8;
  if (rem == 1 || rem == 3 || rem == 6) return bad();
  return out;
}

std::string OtpauthUri(std::string_view account, std::string_view secret, std::string_view issuer,
                       const TotpOptions& opt) {
  std::string iss = PercentEncode(issuer);
  return "otpauth://totp/" + iss + ":" + PercentEncode(account) +
         "?secret=" + Base32Encode(secret) + "&issuer=" + iss +
         "&algorithm=SHA1&digits=" + std::to_string(opt.digits) +
         "&period=" + std::to_string(opt.period_s);
}

std::string TotpCodeAtStep(std::string_view secret, int64_t step, int digits) {
  std::array<unsigned char, 8> msg{};
  auto counter = static_cast<uint64_t>(step);
  for (int i = 7; i >= 0; --i) {
    msg[static_cast<size_t>(i)] = static_cast<unsigned char>(counter & 0xFF);
    counter >>= 8;
  }
  std::string digest = crypto::HmacSha1(
      secret, std::string_view(reinterpret_cast<const char*>(msg.data()), msg.size()));
  const auto* mac = reinterpret_cast<const unsigned char*>(digest.data());
  size_t offset = mac[19] & 0x0F;
  uint32_t bin = (static_cast<uint32_t>(mac[offset] & 0x7F) << 24) |
                 (static_cast<uint32_t>(mac[offset + 1]) << 16) |
                 (static_cast<uint32_t>(mac[offset + 2]) << 8) |
                 static_cast<uint32_t>(mac[offset + 3]);
  if (digits < 6) digits = 6;
  if (digits > 8) digits = 8;
  std::string code = std::to_string(static_cast<int64_t>(bin) % Pow10(digits));
  return std::string(static_cast<size_t>(digits) - code.size(), '0') + code;
}

std::string TotpCode(std::string_view secret, int64_t unix_time, const TotpOptions& opt) {
  return TotpCodeAtStep(secret, unix_time / opt.period_s, opt.digits);
}

std::optional<int64_t> Verify(std::string_view secret, std::string_view code, int64_t unix_time,
                              const TotpOptions& opt, std::optional<int64_t> last_used_step) {
  std::string given;
  for (char c : code) {
    if (c == ' ') continue;
    if (c < '0' || c > '9') return std::nullopt;
    given += c;
  }
  if (unix_time < 0 || opt.period_s <= 0 || opt.window < 0 || opt.window > 10 ||
      static_cast<int>(given.size()) != opt.digits || secret.empty()) {
    return std::nullopt;
  }
  int64_t now_step = unix_time / opt.period_s;
  std::optional<int64_t> matched;
  // Every candidate is computed and compared, so timing does not reveal which step matched.
  for (int64_t d = -opt.window; d <= opt.window; ++d) {
    int64_t step = now_step + d;
    if (step < 0) continue;
    std::string expect = TotpCodeAtStep(secret, step, opt.digits);
    bool eq = crypto::ConstantTimeEqual(expect, given);
    bool fresh = !last_used_step || step > *last_used_step;
    if (eq && fresh && !matched) matched = step;
  }
  return matched;
}

std::vector<std::string> RecoveryCodes(int n) {
  std::vector<std::string> out;
  while (static_cast<int>(out.size()) < n) {
    std::string code;
    for (int i = 0; i < 12; ++i) {
      if (i > 0 && i % 4 == 0) code += '-';
      code +=
          kRecoveryAlphabet[crypto::RandomUniform(static_cast<uint32_t>(kRecoveryAlphabet.size()))];
    }
    bool dup = false;
    for (const auto& c : out) dup = dup || c == code;
    if (!dup) out.push_back(std::move(code));
  }
  return out;
}

std::string HashRecoveryCode(std::string_view code) {
  static constexpr std::string_view kDomain = "lep-recovery-code-v1";
  return crypto::ToHex(crypto::KeyedHash(kDomain, NormaliseRecovery(code)));
}

bool ConsumeRecoveryCode(std::vector<std::string>& stored_hashes, std::string_view code) {
  std::string h = HashRecoveryCode(code);
  std::optional<size_t> hit;
  for (size_t i = 0; i < stored_hashes.size(); ++i) {
    const auto& s = stored_hashes[i];
    bool eq = crypto::ConstantTimeEqual(s, h);
    if (eq && !hit) hit = i;
  }
  if (!hit) return false;
  stored_hashes.erase(stored_hashes.begin() + static_cast<std::ptrdiff_t>(*hit));
  return true;
}

}  // namespace lep::security
