// SensitiveWordScreen: matches a configurable word list over the named text fields of a
// resource with an Aho–Corasick automaton over code points, after normalising words and text
// alike (full-width ASCII → half-width, case folding, Traditional → Simplified with OpenCC t2s).
// Hits point into the ORIGINAL text, in code points. Immutable after construction and safe to
// use from many threads (OpenCC calls are serialised: OpenCC documents no thread contract).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace lep::review {

// One word per line; blank lines and lines starting with '#' (after trimming) are ignored; a
// UTF-8 BOM and CRLF line ends are accepted. Fails (kInvalidArgument, naming the line) on
// invalid UTF-8.
[[nodiscard]] Result<std::vector<std::string>> ParseWordList(std::string_view list_text);

struct ScreenField {
  std::string name;  // e.g. "title", "summary", "toc"
  std::string text;
};

struct SensitiveHit {
  std::string field;    // ScreenField::name
  std::string word;     // the word as written in the list
  std::string matched;  // the span of the original text that matched, e.g. "賭博"
  size_t position = 0;  // start, in code points of the original field text
  size_t length = 0;    // in code points of the original field text
  bool operator==(const SensitiveHit&) const = default;
};

struct ScreenOptions {
  // OpenCC configuration for Traditional → Simplified (Debian package libopencc-data).
  std::string opencc_config = "/usr/share/opencc/t2s.json";
};

class SensitiveWordScreen {
 public:
  // Words that normalise to the same text are merged (the first listed is reported); words
  // that normalise to nothing are skipped. Fails (kInternal) if OpenCC cannot be loaded.
  [[nodiscard]] static Result<SensitiveWordScreen> Create(const std::vector<std::string>& words,
                                                          const ScreenOptions& options = {});
  // ParseWordList + Create.
  [[nodiscard]] static Result<SensitiveWordScreen> FromListText(std::string_view list_text,
                                                                const ScreenOptions& options = {});

  SensitiveWordScreen(SensitiveWordScreen&&) noexcept;
  SensitiveWordScreen& operator=(SensitiveWordScreen&&) noexcept;
  ~SensitiveWordScreen();

  // Every occurrence of every word, overlapping ones included, ordered by field (as given),
  // then position, then longer first. Invalid UTF-8 bytes count as one code point each.
  std::vector<SensitiveHit> Screen(const std::vector<ScreenField>& fields) const;
  std::vector<SensitiveHit> ScreenText(std::string_view field, std::string_view text) const;

  // The normalised form used for matching (exposed for tests and for the admin UI's preview).
  std::string Normalize(std::string_view text) const;
  size_t WordCount() const;

 private:
  class Impl;
  explicit SensitiveWordScreen(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lep::review
