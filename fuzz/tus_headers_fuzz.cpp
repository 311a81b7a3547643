// libFuzzer harness for the tus 1.0 header parsers: the whole input is tried as each of
// Upload-Metadata, Upload-Offset/Upload-Length and Upload-Checksum, and through Base64.
// Invariants: whatever parses re-encodes to a header that parses to the same value; numbers
// are exactly the decimal strings of at most 19 digits; Base64 decode∘encode is the identity.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/text.h"
#include "fuzz_check.h"
#include "uploads/tus_headers.h"

namespace {

using namespace lep::uploads;

void CheckMetadata(std::string_view v) {
  auto md = ParseUploadMetadata(v);
  if (!md) {
    FUZZ_CHECK(!md.error().message.empty());
    return;
  }
  std::string header;
  for (const auto& [key, value] : *md) {
    FUZZ_CHECK(!key.empty() && key.size() <= 64);
    for (char c : key) FUZZ_CHECK(c > ' ' && c <= '~' && c != ',');
    if (!header.empty()) header += ",";
    header += key;
    if (!value.empty()) header += " " + Base64Encode(value);
  }
  if (header.size() <= 8192) {
    auto again = ParseUploadMetadata(header);
    FUZZ_CHECK(again.has_value());
    FUZZ_CHECK(*again == *md);
  }
}

void CheckNumber(std::string_view v) {
  const auto n = ParseUploadNumber(v);
  const bool decimal =
      !v.empty() && v.size() <= 19 && v.find_first_not_of("0123456789") == std::string_view::npos;
  FUZZ_CHECK(n.has_value() == decimal);
  if (!n) return;
  const std::string canonical = std::to_string(*n);
  std::string_view digits = v;
  while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
  FUZZ_CHECK(canonical == digits);
}

void CheckChecksum(std::string_view v) {
  auto c = ParseUploadChecksum(v);
  if (!c) return;
  FUZZ_CHECK(c->digest.size() == (c->algorithm == ChecksumAlgorithm::kSha1 ? 20u : 32u));
  const std::string header =
      std::string(c->algorithm == ChecksumAlgorithm::kSha1 ? "sha1 " : "sha256 ") +
      Base64Encode(c->digest);
  auto again = ParseUploadChecksum(header);
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(again->algorithm == c->algorithm && again->digest == c->digest);
}

void CheckBase64(std::string_view v) {
  const std::string encoded = Base64Encode(v);
  FUZZ_CHECK(encoded.size() == (v.size() + 2) / 3 * 4);
  FUZZ_CHECK(encoded.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                       "0123456789+/=") == std::string::npos);
  const auto round_trip = Base64Decode(encoded);
  FUZZ_CHECK(round_trip && *round_trip == v);
  if (auto decoded = Base64Decode(v)) {
    FUZZ_CHECK(decoded->size() <= v.size() * 3 / 4);
    FUZZ_CHECK(Base64Decode(Base64Encode(*decoded)) == decoded);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view v(reinterpret_cast<const char*>(data), size);
  CheckMetadata(v);
  CheckNumber(v);
  CheckChecksum(v);
  CheckBase64(v);
  return 0;
}
