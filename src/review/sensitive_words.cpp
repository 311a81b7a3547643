#include "review/sensitive_words.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <opencc/SimpleConverter.hpp>
#include <tuple>

#include "core/text.h"

namespace lep::review {

namespace {

constexpr char32_t kReplacement = 0xFFFD;

// Decodes UTF-8 into code points. Each byte that does not start a valid sequence becomes one
// U+FFFD, so positions stay defined for any input. offsets (if given) gets the byte offset of
// every code point plus the total size at the end.
std::vector<char32_t> Decode(std::string_view s, std::vector<size_t>* offsets = nullptr) {
  std::vector<char32_t> out;
  out.reserve(s.size());
  if (offsets) {
    offsets->clear();
    offsets->reserve(s.size() + 1);
  }
  size_t i = 0;
  while (i < s.size()) {
    if (offsets) offsets->push_back(i);
    const auto c = static_cast<unsigned char>(s[i]);
    size_t extra = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if (c < 0x80) {
      out.push_back(c);
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3, cp = c & 0x07, min = 0x10000;
    } else {
      out.push_back(kReplacement);
      ++i;
      continue;
    }
    bool ok = i + extra < s.size();
    for (size_t k = 1; ok && k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (!ok || cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      out.push_back(kReplacement);
      ++i;
      continue;
    }
    out.push_back(cp);
    i += extra + 1;
  }
  if (offsets) offsets->push_back(s.size());
  return out;
}

void Append(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Full-width ASCII → half-width, ideographic space → space, then simple case folding for
// Latin, Latin-1, Greek and Cyrillic capitals (what institution names and titles contain).
char32_t FoldWidthAndCase(char32_t c) {
  if (c >= 0xFF01 && c <= 0xFF5E) {
    c -= 0xFEE0;
  } else if (c == 0x3000) {
    c = 0x20;
  }
  if (c >= 'A' && c <= 'Z') return c + 0x20;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 0x20;
  if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 0x20;
  if (c >= 0x410 && c <= 0x42F) return c + 0x20;
  if (c >= 0x400 && c <= 0x40F) return c + 0x50;
  return c;
}

// Code points OpenCC's t2s tables can touch: CJK blocks and beyond. Everything below is
// passed through without a call.
bool MayConvert(char32_t c) { return c >= 0x2E80; }

// Aho–Corasick over code points. Node 0 is the root.
struct Node {
  std::map<char32_t, int32_t> next;
  int32_t fail = 0;
  int32_t word = -1;  // index into patterns_ when a pattern ends here
  int32_t dict = -1;  // nearest node on the fail chain where a pattern ends
};

struct Pattern {
  std::string listed;  // as written in the list
  size_t length = 0;   // normalised code points
};

}  // namespace

class SensitiveWordScreen::Impl {
 public:
  explicit Impl(std::unique_ptr<opencc::SimpleConverter> converter)
      : converter_(std::move(converter)) {
    nodes_.emplace_back();
  }

  // The normalised code points of text and, for each, the index of the original code point it
  // came from (non-decreasing).
  struct Normalized {
    std::vector<char32_t> cps;
    std::vector<size_t> origin;
  };

  Normalized NormalizeCps(const std::vector<char32_t>& original) const {
    Normalized n;
    n.cps.reserve(original.size());
    n.origin.reserve(original.size());
    const bool any_cjk = std::any_of(original.begin(), original.end(), MayConvert);
    if (!any_cjk) {
      for (size_t i = 0; i < original.size(); ++i) {
        n.cps.push_back(original[i]);
        n.origin.push_back(i);
      }
    } else {
      // Whole-text conversion keeps OpenCC's phrase rules. t2s almost never changes the length;
      // when it keeps it, code points align one to one. When it does not, fall back to converting
      // each code point alone, which keeps the mapping exact at the cost of phrase context.
      std::string utf8;
      utf8.reserve(original.size() * 3);
      for (char32_t c : original) Append(utf8, c == 0 ? kReplacement : c);
      std::vector<char32_t> whole = Decode(Convert(utf8));
      if (whole.size() == original.size()) {
        n.cps = std::move(whole);
        for (size_t i = 0; i < original.size(); ++i) n.origin.push_back(i);
      } else {
        for (size_t i = 0; i < original.size(); ++i) {
          const char32_t c = original[i];
          std::vector<char32_t> one;
          if (MayConvert(c)) {
            std::string s;
            Append(s, c);
            one = Decode(Convert(s));
          }
          if (one.empty()) one.push_back(c);
          for (char32_t o : one) {
            n.cps.push_back(o);
            n.origin.push_back(i);
          }
        }
      }
    }
    for (char32_t& c : n.cps) c = FoldWidthAndCase(c);
    return n;
  }

  // Adds a word; false if it normalises to nothing or duplicates an earlier word.
  bool AddWord(const std::string& listed) {
    const std::string trimmed = text::Trim(listed);
    const Normalized n = NormalizeCps(Decode(trimmed));
    if (n.cps.empty()) return false;
    int32_t node = 0;
    for (char32_t c : n.cps) {
      auto it = nodes_[static_cast<size_t>(node)].next.find(c);
      if (it != nodes_[static_cast<size_t>(node)].next.end()) {
        node = it->second;
        continue;
      }
      const auto child = static_cast<int32_t>(nodes_.size());
      nodes_[static_cast<size_t>(node)].next.emplace(c, child);
      nodes_.emplace_back();
      node = child;
    }
    Node& end = nodes_[static_cast<size_t>(node)];
    if (end.word >= 0) return false;
    end.word = static_cast<int32_t>(patterns_.size());
    patterns_.push_back({trimmed, n.cps.size()});
    return true;
  }

  // Breadth-first: a node's fail link is final before its children need it.
  void BuildLinks() {
    std::vector<int32_t> queue;
    queue.reserve(nodes_.size());
    for (const auto& [c, child] : nodes_[0].next) {
      nodes_[static_cast<size_t>(child)].fail = 0;
      queue.push_back(child);
    }
    for (size_t head = 0; head < queue.size(); ++head) {
      const int32_t u = queue[head];
      for (const auto& [c, v] : nodes_[static_cast<size_t>(u)].next) {
        int32_t f = nodes_[static_cast<size_t>(u)].fail;
        int32_t target = 0;
        while (true) {
          const auto& fn = nodes_[static_cast<size_t>(f)].next;
          auto it = fn.find(c);
          if (it != fn.end()) {
            target = it->second;
            break;
          }
          if (f == 0) break;
          f = nodes_[static_cast<size_t>(f)].fail;
        }
        Node& vn = nodes_[static_cast<size_t>(v)];
        vn.fail = target;
        const Node& tn = nodes_[static_cast<size_t>(target)];
        vn.dict = tn.word >= 0 ? target : tn.dict;
        queue.push_back(v);
      }
    }
  }

  std::vector<SensitiveHit> ScreenText(std::string_view field, std::string_view text) const {
    std::vector<SensitiveHit> hits;
    if (patterns_.empty() || text.empty()) return hits;
    std::vector<size_t> offsets;
    const std::vector<char32_t> original = Decode(text, &offsets);
    const Normalized n = NormalizeCps(original);
    int32_t state = 0;
    for (size_t j = 0; j < n.cps.size(); ++j) {
      const char32_t c = n.cps[j];
      while (true) {
        const auto& next = nodes_[static_cast<size_t>(state)].next;
        auto it = next.find(c);
        if (it != next.end()) {
          state = it->second;
          break;
        }
        if (state == 0) break;
        state = nodes_[static_cast<size_t>(state)].fail;
      }
      const Node& sn = nodes_[static_cast<size_t>(state)];
      for (int32_t k = sn.word >= 0 ? state : sn.dict; k >= 0;
           k = nodes_[static_cast<size_t>(k)].dict) {
        const Pattern& p = patterns_[static_cast<size_t>(nodes_[static_cast<size_t>(k)].word)];
        const size_t first = n.origin[j + 1 - p.length];
        const size_t last = n.origin[j] + 1;  // exclusive
        SensitiveHit h;
        h.field = std::string(field);
        h.word = p.listed;
        h.matched = std::string(text.substr(offsets[first], offsets[last] - offsets[first]));
        h.position = first;
        h.length = last - first;
        hits.push_back(std::move(h));
      }
    }
    std::sort(hits.begin(), hits.end(), [](const SensitiveHit& a, const SensitiveHit& b) {
      return std::tie(a.position, b.length, a.word) < std::tie(b.position, a.length, b.word);
    });
    return hits;
  }

  std::string Normalize(std::string_view text) const {
    std::string out;
    for (char32_t c : NormalizeCps(Decode(text)).cps) Append(out, c);
    return out;
  }

  size_t WordCount() const { return patterns_.size(); }

 private:
  // OpenCC documents no thread-safety contract for Convert, so calls are serialised. Input is
  // valid UTF-8 without NUL (NormalizeCps guarantees it); on any exception the text is kept.
  std::string Convert(const std::string& s) const {
    std::lock_guard<std::mutex> lock(mu_);
    try {
      return converter_->Convert(s);
    } catch (...) {
      return s;
    }
  }

  std::unique_ptr<opencc::SimpleConverter> converter_;
  mutable std::mutex mu_;
  std::vector<Node> nodes_;
  std::vector<Pattern> patterns_;
};

Result<std::vector<std::string>> ParseWordList(std::string_view list_text) {
  if (list_text.substr(0, 3) == "\xEF\xBB\xBF") list_text.remove_prefix(3);
  std::vector<std::string> words;
  size_t line_no = 0;
  while (!list_text.empty()) {
    ++line_no;
    const size_t nl = list_text.find('\n');
    std::string_view line = list_text.substr(0, nl);
    list_text.remove_prefix(nl == std::string_view::npos ? list_text.size() : nl + 1);
    if (!text::IsValidUtf8(line)) {
      return Fail(Error::InvalidArgument(
          "敏感词表第 " + std::to_string(line_no) + " 行不是有效的 UTF-8 文本",
          {{"words", "敏感词表", "第 " + std::to_string(line_no) + " 行编码无效"}}));
    }
    std::string word = text::Trim(line);  // also drops the '\r' of CRLF
    if (word.empty() || word[0] == '#') continue;
    words.push_back(std::move(word));
  }
  return words;
}

SensitiveWordScreen::SensitiveWordScreen(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SensitiveWordScreen::SensitiveWordScreen(SensitiveWordScreen&&) noexcept = default;
SensitiveWordScreen& SensitiveWordScreen::operator=(SensitiveWordScreen&&) noexcept = default;
SensitiveWordScreen::~SensitiveWordScreen() = default;

Result<SensitiveWordScreen> SensitiveWordScreen::Create(const std::vector<std::string>& words,
                                                        const ScreenOptions& options) {
  std::unique_ptr<opencc::SimpleConverter> converter;
  try {
    converter = std::make_unique<opencc::SimpleConverter>(options.opencc_config);
  } catch (...) {  // opencc::Exception when the config or its dictionaries are missing
    return Fail(Error::Internal("敏感词筛查无法加载繁简转换配置：" + options.opencc_config));
  }
  auto impl = std::make_unique<Impl>(std::move(converter));
  for (const auto& w : words) impl->AddWord(w);
  impl->BuildLinks();
  return SensitiveWordScreen(std::move(impl));
}

Result<SensitiveWordScreen> SensitiveWordScreen::FromListText(std::string_view list_text,
                                                              const ScreenOptions& options) {
  LEP_ASSIGN_OR_RETURN(auto words, ParseWordList(list_text));
  return Create(words, options);
}

std::vector<SensitiveHit> SensitiveWordScreen::Screen(
    const std::vector<ScreenField>& fields) const {
  std::vector<SensitiveHit> all;
  for (const auto& f : fields) {
    auto hits = impl_->ScreenText(f.name, f.text);
    all.insert(all.end(), std::make_move_iterator(hits.begin()),
               std::make_move_iterator(hits.end()));
  }
  return all;
}

std::vector<SensitiveHit> SensitiveWordScreen::ScreenText(std::string_view field,
                                                          std::string_view text) const {
  return impl_->ScreenText(field, text);
}

std::string SensitiveWordScreen::Normalize(std::string_view text) const {
  return impl_->Normalize(text);
}

size_t SensitiveWordScreen::WordCount() const { return impl_->WordCount(); }

}  // namespace lep::review
