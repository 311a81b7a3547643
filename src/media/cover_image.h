// Cover images (资源封面): proves the bytes are a real JPEG by decoding them with
// libjpeg-turbo (not by name or magic bytes alone) and renders a thumbnail of fixed width.
// Pure functions on byte buffers; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace lep::media {

inline constexpr size_t kMaxCoverBytes = 5u << 20;
inline constexpr int kThumbWidth = 480;

struct CoverImage {
  int width = 0;
  int height = 0;
  std::string thumbnail_jpeg;  // kThumbWidth wide (or the original width when smaller)
};

// kInvalidArgument with field "cover" / 资源封面 when the bytes are not a decodable JPEG,
// too large, or of absurd dimensions.
[[nodiscard]] Result<CoverImage> ProcessCover(std::string_view jpeg_bytes);

}  // namespace lep::media
