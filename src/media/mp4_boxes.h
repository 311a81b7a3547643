// Internal to lep_media: a walk over the top-level boxes of an ISO-BMFF (mp4) file, used to
// reject non-mp4 bytes before FFmpeg sees them, to detect truncation and to tell whether the
// moov box comes before the media data. Reads only box headers (and the ftyp payload). Pure
// apart from the injected reader; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/result.h"

namespace lep::media {

struct Mp4Layout {
  bool has_ftyp = false;
  std::string major_brand;                     // e.g. "isom", "qt  "
  std::vector<std::string> compatible_brands;  // at most 32
  bool has_moov = false;
  bool has_mdat = false;          // a non-empty mdat
  bool moov_before_mdat = false;  // moov precedes the first non-empty mdat (or there is none)
  bool fragmented = false;        // has a top-level moof
  int box_count = 0;
};

// Reads exactly `n` bytes at `offset` into `buf`; false on a short read or I/O error.
using ReadAtFn = std::function<bool(uint64_t offset, unsigned char* buf, size_t n)>;

// Walks the top-level boxes of a file of `file_size` bytes (32-bit sizes, 64-bit largesize,
// size 0 = "to the end of the file"). Content problems (not a box structure, a box running
// past the end, no moov) fail with kInvalidArgument and a Chinese reason; reader failures
// fail with kInternal.
[[nodiscard]] Result<Mp4Layout> ScanMp4Boxes(uint64_t file_size, const ReadAtFn& read_at);

// ScanMp4Boxes over a file on disk.
[[nodiscard]] Result<Mp4Layout> ScanMp4File(const std::string& path);

// "mp4" for ISO brands, "mov" for QuickTime ("qt  " or no ftyp), "3gp" for 3GPP/3GPP2.
std::string ContainerFromBrands(const Mp4Layout& layout);

}  // namespace lep::media
