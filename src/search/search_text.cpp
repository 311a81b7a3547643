#include "search/search_text.h"

#include <algorithm>
#include <cstdint>

namespace lep::search {
namespace {

// Byte offsets of the code points of valid UTF-8 `s`, plus s.size() at the end.
std::vector<size_t> CodePointStarts(std::string_view s) {
  std::vector<size_t> starts;
  starts.reserve(s.size() + 1);
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) starts.push_back(i);
  }
  starts.push_back(s.size());
  return starts;
}

bool IsAsciiAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Sentence ends after which an excerpt may start cleanly.
bool IsSentenceEnd(std::string_view cp) {
  return cp == "。" || cp == "！" || cp == "？" || cp == "；" || cp == "." || cp == "!" ||
         cp == "?" || cp == ";" || cp == "\n";
}

}  // namespace

std::string FoldWidth(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
      out.push_back((b0 < 0x20 && b0 != '\t' && b0 != '\n') ? ' ' : static_cast<char>(b0));
      ++i;
      continue;
    }
    size_t len = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : 2;
    len = std::min(len, s.size() - i);
    if (len == 3) {
      const uint32_t cp = ((b0 & 0x0Fu) << 12) |
                          ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6) |
                          (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
      if (cp >= 0xFF01 && cp <= 0xFF5E) {
        AppendUtf8(out, cp - 0xFF01 + 0x21);
        i += 3;
        continue;
      }
      if (cp == 0x3000) {
        out.push_back(' ');
        i += 3;
        continue;
      }
    }
    out.append(s.substr(i, len));
    i += len;
  }
  return out;
}

std::string EscapeHtml(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string HighlightHtml(std::string_view text, std::string_view normalized,
                          const std::vector<std::string>& terms, size_t max_chars) {
  const std::string hay = LowerAscii(normalized);
  const std::vector<size_t> norm_starts = CodePointStarts(hay);
  const size_t n = norm_starts.size() - 1;

  // Mark matched code points of the normalised text. Matching valid UTF-8 against valid
  // UTF-8 can only hit code point boundaries, so byte offsets map back exactly.
  std::vector<bool> marked(n, false);
  for (const std::string& term : terms) {
    if (term.empty()) continue;
    const bool ascii_word = std::all_of(term.begin(), term.end(), IsAsciiAlnum);
    for (size_t pos = hay.find(term); pos != std::string::npos; pos = hay.find(term, pos + 1)) {
      const size_t end = pos + term.size();
      if (ascii_word && ((pos > 0 && IsAsciiAlnum(hay[pos - 1])) ||
                         (end < hay.size() && IsAsciiAlnum(hay[end])))) {
        continue;
      }
      auto first = std::lower_bound(norm_starts.begin(), norm_starts.end(), pos);
      auto last = std::lower_bound(norm_starts.begin(), norm_starts.end(), end);
      for (auto it = first; it != last; ++it)
        marked[static_cast<size_t>(it - norm_starts.begin())] = true;
    }
  }

  // Draw on the original text when the conversion kept code points aligned.
  std::string_view shown = text;
  std::vector<size_t> starts = CodePointStarts(text);
  if (starts.size() != norm_starts.size()) {
    shown = normalized;
    starts = CodePointStarts(normalized);
  }

  size_t begin = 0;
  size_t end = n;
  if (max_chars > 0 && n > max_chars) {
    // Densest window of max_chars code points; ties keep the earliest.
    size_t count = 0;
    for (size_t i = 0; i < max_chars; ++i) count += marked[i] ? 1 : 0;
    size_t best = count;
    size_t best_begin = 0;
    for (size_t i = max_chars; i < n; ++i) {
      count += marked[i] ? 1 : 0;
      count -= marked[i - max_chars] ? 1 : 0;
      if (count > best) {
        best = count;
        best_begin = i - max_chars + 1;
      }
    }
    if (best > 0) {
      // Start a little before the first match, or right after the sentence end that
      // precedes it if one is near, so the excerpt reads naturally.
      size_t m = best_begin;
      while (!marked[m]) ++m;
      const size_t lead = max_chars / 4;
      begin = m > lead ? m - lead : 0;
      const size_t back_limit = m > max_chars / 3 ? m - max_chars / 3 : 0;
      for (size_t i = m; i > back_limit; --i) {
        if (IsSentenceEnd(shown.substr(starts[i - 1], starts[i] - starts[i - 1]))) {
          begin = i;
          break;
        }
      }
      begin = std::min(begin, n - max_chars);
    }
    end = std::min(n, begin + max_chars);
  }

  std::string out;
  out.reserve((starts[end] - starts[begin]) * 5 / 4 + 16);
  if (begin > 0) out += "…";
  bool open = false;
  for (size_t i = begin; i < end; ++i) {
    if (marked[i] && !open) {
      out += "<mark>";
      open = true;
    } else if (!marked[i] && open) {
      out += "</mark>";
      open = false;
    }
    out += EscapeHtml(shown.substr(starts[i], starts[i + 1] - starts[i]));
  }
  if (open) out += "</mark>";
  if (end < n) out += "…";
  return out;
}

namespace {

// One UTF-8 code point at s[i] (its byte length; 1 for invalid bytes).
size_t CodePointLength(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  return i + n <= s.size() ? n : 1;
}

}  // namespace

std::string StripQuestionWords(std::string_view q) {
  // Longest first. The "how" words swallow a following one-character verb.
  static const char* const kPhrases[] = {
      "要注意些什么", "需要注意什么", "要注意什么", "注意些什么", "我想知道", "是怎么回事",
      "怎么样",       "怎么办",       "有哪些",     "有什么",     "是什么",   "什么是",
      "为什么",       "请问",         "我想学",     "怎么",       "怎样",     "如何",
      "哪些",         "什么",         "哪里",       "吗",         "呢",       "吧",
      "呀",           "？",           "?"};
  static const char* const kHowWords[] = {"怎么", "怎样", "如何"};
  static const std::string_view kVerbs = "练做写用学分办选吃治画唱看找买装查弄";
  static const std::string_view kLearnVerbs = "学练";  // 怎样学剪纸: always the question's
  static const char* const kTwoCharVerbs[] = {"练习", "学习", "使用", "制作", "选择", "入门"};
  std::string out;
  bool stripped = false;
  size_t i = 0;
  while (i < q.size()) {
    bool matched = false;
    for (const char* p : kPhrases) {
      std::string_view phrase(p);
      if (q.substr(i, phrase.size()) != phrase) continue;
      i += phrase.size();
      bool how = false;
      for (const char* h : kHowWords) how = how || phrase == h;
      if (how && i < q.size()) {
        bool two = false;
        for (const char* v : kTwoCharVerbs) {
          std::string_view verb(v);
          if (q.substr(i, verb.size()) == verb) {
            i += verb.size();
            two = true;
            break;
          }
        }
        // A one-character verb only at the end of a word (太极拳怎么练; not 怎么用智能手机).
        size_t n = two ? 0 : CodePointLength(q, i);
        bool word_end = i + n >= q.size() || static_cast<unsigned char>(q[i + n]) < 0x80;
        std::string_view verb = n == 3 ? q.substr(i, n) : std::string_view();
        if (n == 3 && (kLearnVerbs.find(verb) != std::string_view::npos ||
                       (word_end && kVerbs.find(verb) != std::string_view::npos))) {
          i += n;
        }
      }
      out += ' ';
      matched = stripped = true;
      break;
    }
    if (matched) continue;
    size_t n = CodePointLength(q, i);
    out.append(q.substr(i, n));
    i += n;
  }
  if (!stripped) return std::string(q);
  bool blank = out.find_first_not_of(" \t\n") == std::string::npos;
  return blank ? std::string(q) : out;
}

}  // namespace lep::search
