// Text helpers of the search module: width folding, HTML escaping, and <mark> highlighting of
// query terms in titles and summary excerpts. Independent of Xapian and OpenCC so they can be
// tested alone. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace lep::search {

// Full-width ASCII (U+FF01..U+FF5E) to ASCII, ideographic space to space, NUL and other C0
// controls except tab/newline to space. Input must be valid UTF-8.
std::string FoldWidth(std::string_view s);

// Escapes & < > " ' for HTML text and attribute context.
std::string EscapeHtml(std::string_view s);

// Highlights occurrences of terms (lower-case, as produced by the query parser) in `text`.
// `normalized` is `text` after FoldWidth + Traditional->Simplified conversion: terms are
// matched there (ASCII case-insensitively; ASCII words only on word boundaries) and, when
// both have the same number of code points, the marks are drawn on the original `text`
// (else on `normalized`). Everything outside the marks is HTML-escaped.
// With max_chars > 0 only an excerpt of about max_chars code points around the densest run
// of matches is returned, with "…" where text was cut.
std::string HighlightHtml(std::string_view text, std::string_view normalized,
                          const std::vector<std::string>& terms, size_t max_chars = 0);

// A question in plain Chinese (太极拳怎么练, 如何识别骗局, 养生是什么, 急救知识有哪些) without the
// words that only make it a question, so that the rest can be matched: 怎么/怎样/如何 (with the
// one-character verb that follows: 练, 用, 做…), 是什么/什么是, 有哪些/哪些, 为什么, 请问,
// 要注意什么 and the sentence-final particles and question marks. Input is simplified Chinese
// (after normalisation); a query that is nothing but such words is returned unchanged.
std::string StripQuestionWords(std::string_view q);

}  // namespace lep::search
