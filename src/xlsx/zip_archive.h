// Internal: a read-only zip archive over caller-owned bytes (libzip), with a budget on how
// much may be decompressed so a zip bomb is refused instead of filling memory.
// One instance per read; not thread-safe. zip.h stays inside zip_archive.cpp.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace lep::xlsx::internal {

class ZipArchive {
 public:
  // bytes must outlive the archive.
  [[nodiscard]] static Result<ZipArchive> Open(std::string_view bytes, size_t max_total_bytes,
                                               size_t max_entry_bytes);
  ZipArchive(ZipArchive&&) noexcept;
  ZipArchive& operator=(ZipArchive&&) noexcept;
  ~ZipArchive();

  bool Contains(std::string_view name) const;
  // The whole entry, decompressed; NotFound if absent, InvalidArgument if corrupt or over
  // budget. Every read counts against the total budget.
  [[nodiscard]] Result<std::string> Read(std::string_view name);

 private:
  struct Impl;
  explicit ZipArchive(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lep::xlsx::internal
