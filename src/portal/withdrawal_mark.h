// WithdrawalMark: a file in the data directory that every server shares, lengthened by one
// byte whenever a resource stops being public (withdrawn, or its unit's view changed so that
// it is no longer shown). A cached public page remembers the mark it was built under; while
// the mark is unchanged no resource has left the portal since, and the page may be served
// from memory without a database read — on this server or on one whose change feed is behind,
// because the withdrawing server lengthens the shared file at once. Reading the mark is one
// stat(2): cheap enough for the I/O thread. The file only grows (a byte per withdrawal), so
// (inode, size) never repeats while the file exists; removing it also changes the mark.
// Thread-safe.
#pragma once

#include <cstdint>
#include <string>

namespace lep::portal {

struct MarkToken {
  uint64_t inode = 0;  // 0: no file (yet)
  uint64_t size = 0;
  bool operator==(const MarkToken&) const = default;
};

class WithdrawalMark {
 public:
  explicit WithdrawalMark(std::string path) : path_(std::move(path)) {}

  // The mark now (one stat). An unreadable mark compares unequal to every earlier one.
  [[nodiscard]] MarkToken Read() const;
  // Something left the portal: the mark changes for every server. Best effort (a failure is
  // logged; pages then age out within their TTL).
  void Bump();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace lep::portal
