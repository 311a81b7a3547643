// libFuzzer harness for the 资源目录 (toc) XML validator, resources::ParseToc.
// Invariants beyond "no crash": an accepted toc is within the limits ParseToc promises (size,
// UTF-8, no DOCTYPE/ENTITY, depth, no character XML forbids), every string of the tree is
// valid UTF-8, and the tree survives serialisation: writing it back as XML and parsing that
// gives the same tree.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/text.h"
#include "fuzz_check.h"
#include "resources/toc.h"

namespace {

using lep::resources::TocNode;

std::string Escape(std::string_view s) {
  std::string out;
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
      // Character references: the parser would normalise literal ones (EOL, attributes).
      case '\t':
        out += "&#9;";
        break;
      case '\n':
        out += "&#10;";
        break;
      case '\r':
        out += "&#13;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// ParseToc's rule: the first of title|name|label present, trimmed; when that is empty (or
// none is present) the element's own text.
bool TitleFromAttribute(const TocNode& n) {
  for (const char* key : {"title", "name", "label"}) {
    if (auto it = n.attrs.find(key); it != n.attrs.end())
      return !lep::text::Trim(it->second).empty();
  }
  return false;
}

void Serialize(const TocNode& n, std::string* out) {
  *out += "<" + n.tag;
  for (const auto& [k, v] : n.attrs) *out += " " + k + "=\"" + Escape(v) + "\"";
  *out += ">";
  if (!TitleFromAttribute(n)) *out += Escape(n.title);
  for (const auto& c : n.children) Serialize(c, out);
  *out += "</" + n.tag + ">";
}

bool Same(const TocNode& a, const TocNode& b) {
  if (a.tag != b.tag || a.title != b.title || a.attrs != b.attrs) return false;
  if (a.children.size() != b.children.size()) return false;
  for (size_t i = 0; i < a.children.size(); ++i) {
    if (!Same(a.children[i], b.children[i])) return false;
  }
  return true;
}

int CheckTree(const TocNode& n) {
  FUZZ_CHECK(!n.tag.empty());
  FUZZ_CHECK(lep::text::IsValidUtf8(n.tag) && lep::text::IsValidUtf8(n.title));
  FUZZ_CHECK(lep::text::Trim(n.title) == n.title);
  for (const auto& [k, v] : n.attrs) {
    FUZZ_CHECK(!k.empty() && lep::text::IsValidUtf8(k) && lep::text::IsValidUtf8(v));
  }
  int depth = 0;
  for (const auto& c : n.children) depth = std::max(depth, CheckTree(c));
  return depth + 1;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view xml(reinterpret_cast<const char*>(data), size);
  auto toc = lep::resources::ParseToc(xml);
  if (!toc) {
    FUZZ_CHECK(!toc.error().message.empty());
    return 0;
  }
  FUZZ_CHECK(xml.size() <= lep::resources::kMaxTocBytes);
  FUZZ_CHECK(lep::text::IsValidUtf8(xml));
  const std::string lower = lep::text::ToLowerAscii(xml);
  FUZZ_CHECK(lower.find("<!doctype") == std::string::npos);
  FUZZ_CHECK(lower.find("<!entity") == std::string::npos);
  FUZZ_CHECK(CheckTree(*toc) <= 32);
  for (size_t i = 0; i < xml.size(); ++i) {  // no literal character XML forbids
    const auto c = static_cast<unsigned char>(xml[i]);
    FUZZ_CHECK(c >= 0x20 || c == '\t' || c == '\n' || c == '\r');
    FUZZ_CHECK(xml.substr(i, 3) != "\xEF\xBF\xBE" && xml.substr(i, 3) != "\xEF\xBF\xBF");
  }

  std::string again;
  Serialize(*toc, &again);
  if (again.size() <= lep::resources::kMaxTocBytes) {
    auto reparsed = lep::resources::ParseToc(again);
    FUZZ_CHECK(reparsed.has_value());
    FUZZ_CHECK(Same(*toc, *reparsed));
  }
  return 0;
}
