// HTTP Range (RFC 9110 §14) for a single byte range: "bytes=a-b", "bytes=a-", "bytes=-n".
// Multiple ranges are answered with the whole body (allowed by the RFC). Pure; fuzzable.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace lep::http {

struct ByteRange {
  uint64_t offset = 0;
  uint64_t length = 0;
};

enum class RangeKind { kNone, kSatisfiable, kUnsatisfiable };

struct RangeResult {
  RangeKind kind = RangeKind::kNone;  // kNone: serve the whole body (no/ignored header)
  ByteRange range;
};

RangeResult ParseRange(std::string_view header, uint64_t size);

}  // namespace lep::http
