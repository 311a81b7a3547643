// Cover images (资源封面): proves the bytes are a real JPEG by decoding them with libjpeg-turbo
// (not by name or magic bytes alone) and renders a thumbnail of fixed width. A hostile file
// costs bounded memory and CPU: pixel count, decoder memory (progressive coefficient buffers),
// number of progressive scans and decoder CPU time are capped, and at most
// CoverDecodeLimiter() decodes run at once. Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/concurrency_limiter.h"
#include "core/result.h"

namespace lep::media {

inline constexpr size_t kMaxCoverBytes = 5u << 20;
inline constexpr int kThumbWidth = 480;
// Bounds for one decode (docs/security.md, "解析炸弹"). 50 megapixels is more than any camera
// a cover comes from; the decoder's memory cap is what limits a progressive image (its whole
// coefficient buffer: 2 bytes per sample), the scan cap what limits a file of endless scans.
inline constexpr int kMaxCoverSide = 12000;
inline constexpr int64_t kMaxCoverPixels = 50'000'000;
inline constexpr long kMaxCoverDecoderBytes = 160L << 20;
inline constexpr int kMaxCoverScans = 100;
inline constexpr double kMaxCoverDecodeCpuSeconds = 1.5;

struct CoverImage {
  int width = 0;
  int height = 0;
  std::string thumbnail_jpeg;  // kThumbWidth wide (or the original width when smaller)
};

// kInvalidArgument with field "cover" / 资源封面 when the bytes are not a decodable JPEG,
// too large, of absurd dimensions or too costly to decode; kUnavailable (503 + Retry-After)
// when CoverDecodeLimiter() has no free slot within its wait.
[[nodiscard]] Result<CoverImage> ProcessCover(std::string_view jpeg_bytes);

// The process-wide limiter of ProcessCover (2 at once, 2 more may wait up to 2 s).
ConcurrencyLimiter& CoverDecodeLimiter();

}  // namespace lep::media
