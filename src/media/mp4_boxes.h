// Internal to lep_media: a walk over the boxes of an ISO-BMFF (mp4) file, used to reject
// non-mp4 bytes before FFmpeg sees them, to detect truncation, to tell whether the moov box
// comes before the media data, and to refuse sample tables whose declared sizes would make
// FFmpeg's index cost more memory and CPU than the probe may spend (issue 14: a 1.6 KB file
// declaring 80 M samples). Reads only box headers, the first fields of the sample tables and
// the ftyp payload. Pure apart from the injected reader; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/result.h"

namespace lep::media {

// What FFmpeg's mov demuxer may build from the sample tables: index entries (24 bytes each,
// another 8 for composition offsets, twice while edit lists are applied) over all tracks and
// fragments, and table entries read into memory. 1.5 M index entries is ~5 hours of 30 fps
// video with AAC audio; the bound keeps a probe under 256 MiB (docs/security.md, "解析炸弹").
inline constexpr uint64_t kMaxIndexEntries = 1'500'000;
inline constexpr uint64_t kMaxTableEntries = 3 * kMaxIndexEntries;

struct Mp4Layout {
  bool has_ftyp = false;
  std::string major_brand;                     // e.g. "isom", "qt  "
  std::vector<std::string> compatible_brands;  // at most 32
  bool has_moov = false;
  bool has_mdat = false;          // a non-empty mdat
  bool moov_before_mdat = false;  // moov precedes the first non-empty mdat (or there is none)
  bool fragmented = false;        // has a top-level moof
  int box_count = 0;              // top-level boxes
  // From the sample tables of the first moov and of every moof: samples declared (stsz, stz2,
  // trun), the index entries FFmpeg may build from them (edit lists and the chunk-wise audio
  // index included) and the entries of all tables together.
  uint64_t declared_samples = 0;
  uint64_t index_entries = 0;
  uint64_t table_entries = 0;
  // Presentation size of the first track whose track header states one (video tracks; audio
  // tracks state 0×0), rounded down from 16.16 fixed point. 0 when none does. Used when the
  // video codec is not one the probe decodes and the sample entry gives no size (MPEG-4 Part 2).
  int track_width = 0, track_height = 0;
};

// Reads exactly `n` bytes at `offset` into `buf`; false on a short read or I/O error.
using ReadAtFn = std::function<bool(uint64_t offset, unsigned char* buf, size_t n)>;

// Walks the top-level boxes of a file of `file_size` bytes (32-bit sizes, 64-bit largesize,
// size 0 = "to the end of the file") and the sample tables inside the first moov and every
// moof. Content problems (not a box structure, a box running past the end, no moov, a
// compressed moov, sample tables out of place or declaring more than kMaxIndexEntries index
// entries, kMaxTableEntries table entries or more samples than the file has bytes) fail with
// kInvalidArgument and a Chinese reason; reader failures fail with kInternal.
[[nodiscard]] Result<Mp4Layout> ScanMp4Boxes(uint64_t file_size, const ReadAtFn& read_at);

// ScanMp4Boxes over a file on disk.
[[nodiscard]] Result<Mp4Layout> ScanMp4File(const std::string& path);

// "mp4" for ISO brands, "mov" for QuickTime ("qt  " or no ftyp), "3gp" for 3GPP/3GPP2.
std::string ContainerFromBrands(const Mp4Layout& layout);

}  // namespace lep::media
