// libFuzzer harness for the HTTP Range parser, http::ParseRange.
// Input: "SIZE\nHEADER" (SIZE decimal, the file size) or just HEADER; each header is also tried
// against a few fixed sizes (0, 1, 1000, 2^64-1). Invariants: a satisfiable range is non-empty
// and lies inside the file (no overflow); other outcomes carry no range; the canonical
// "bytes=first-last" of a result parses to the same range (below 10^19); "bytes=A-B" with decimal A
// ≤ B and A < size is always satisfiable with exactly [A, min(B, size-1)].
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "http/range.h"

namespace {

using lep::http::ParseRange;
using lep::http::RangeKind;

constexpr uint64_t kTwentyDigits = 10'000'000'000'000'000'000u;

std::optional<uint64_t> Decimal(std::string_view s) {
  if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  uint64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

void Check(std::string_view header, uint64_t size) {
  const auto r = ParseRange(header, size);
  if (r.kind != RangeKind::kSatisfiable) {
    FUZZ_CHECK(r.range.offset == 0 && r.range.length == 0);
  } else {
    FUZZ_CHECK(r.range.length >= 1);
    FUZZ_CHECK(r.range.offset < size);
    FUZZ_CHECK(r.range.length <= size - r.range.offset);
    // Positions of 20 digits (files over 10^19 bytes) are outside what the parser reads.
    const uint64_t last = r.range.offset + r.range.length - 1;
    if (last < kTwentyDigits) {
      const std::string canonical =
          "bytes=" + std::to_string(r.range.offset) + "-" + std::to_string(last);
      const auto again = ParseRange(canonical, size);
      FUZZ_CHECK(again.kind == RangeKind::kSatisfiable);
      FUZZ_CHECK(again.range.offset == r.range.offset && again.range.length == r.range.length);
    }
  }
  // The plain closed form, checked against its definition.
  if (header.substr(0, 6) == "bytes=") {
    const std::string_view spec = header.substr(6);
    const size_t dash = spec.find('-');
    if (dash != std::string_view::npos) {
      const auto a = Decimal(spec.substr(0, dash)), b = Decimal(spec.substr(dash + 1));
      if (a && b && *a <= *b && *a < size) {
        FUZZ_CHECK(r.kind == RangeKind::kSatisfiable);
        FUZZ_CHECK(r.range.offset == *a);
        FUZZ_CHECK(r.range.offset + r.range.length - 1 == std::min(*b, size - 1));
      }
      if (a && *a >= size) FUZZ_CHECK(r.kind != RangeKind::kSatisfiable);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view header(reinterpret_cast<const char*>(data), size);
  const size_t nl = header.find('\n');
  if (nl != std::string_view::npos) {
    if (auto file_size = Decimal(header.substr(0, nl))) {
      header.remove_prefix(nl + 1);
      Check(header, *file_size);
    }
  }
  for (uint64_t s : {uint64_t{0}, uint64_t{1}, uint64_t{1000}, ~uint64_t{0}}) Check(header, s);
  return 0;
}
