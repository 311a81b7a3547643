// Internal: a read-only zip archive over caller-owned bytes (libzip), with budgets so that a
// zip bomb is refused instead of filling memory: the number of entries (checked in the end of
// central directory record before libzip reads the directory), the bytes one entry may
// inflate to and the bytes all reads together may inflate to. Entries are streamed in chunks,
// never held whole. One instance per read; not thread-safe. zip.h stays inside zip_archive.cpp.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace lep::xlsx::internal {

// A real .xlsx has tens of parts (hundreds with many sheets and pictures). libzip spends a few
// hundred bytes per entry of the central directory; 32 MiB of minimal entries would be ~700 000.
inline constexpr size_t kMaxZipEntries = 10'000;

class ZipArchive {
 public:
  // bytes must outlive the archive.
  [[nodiscard]] static Result<ZipArchive> Open(std::string_view bytes, size_t max_total_bytes,
                                               size_t max_entry_bytes);
  ZipArchive(ZipArchive&&) noexcept;
  ZipArchive& operator=(ZipArchive&&) noexcept;
  ~ZipArchive();

  bool Contains(std::string_view name) const;

  // Feeds the decompressed entry to `sink` in chunks of at most `chunk_bytes`; stops at the
  // first error of the sink and returns it. NotFound if absent, InvalidArgument if corrupt or
  // over budget. Every byte counts against the total budget.
  using Sink = std::function<Status(std::string_view chunk)>;
  [[nodiscard]] Status Stream(std::string_view name, size_t chunk_bytes, const Sink& sink);

 private:
  struct Impl;
  explicit ZipArchive(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lep::xlsx::internal
