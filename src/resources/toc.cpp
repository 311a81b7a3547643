#include "resources/toc.h"

#include <algorithm>
#include <cstdint>
#include <pugixml.hpp>
#include <regex>
#include <set>

#include "core/text.h"

namespace lep::resources {
namespace {

bool ContainsCaseInsensitive(std::string_view hay, std::string_view needle) {
  std::string h = text::ToLowerAscii(hay);
  return h.find(text::ToLowerAscii(needle)) != std::string::npos;
}

TocNode Convert(const pugi::xml_node& node, int depth) {
  TocNode out;
  out.tag = node.name();
  for (const auto& a : node.attributes()) out.attrs[a.name()] = a.value();
  for (const char* key : {"title", "name", "label"}) {
    if (auto a = node.attribute(key)) {
      out.title = text::Trim(a.value());
      break;
    }
  }
  std::string own_text;
  for (const auto& child : node.children()) {
    if (child.type() == pugi::node_element) {
      if (depth < 32) out.children.push_back(Convert(child, depth + 1));
    } else if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
      own_text += child.value();
    }
  }
  if (out.title.empty()) out.title = text::Trim(own_text);
  return out;
}

// A character XML 1.0 allows (production [2] Char): no NUL or other C0 controls, no
// surrogates, no U+FFFE/U+FFFF, nothing past U+10FFFF.
bool IsXmlChar(uint32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

// Checks the references of raw (unescaped) text: without a DTD only the five predefined
// entities exist, and a character reference must name a character XML allows (&#0; or a
// lone surrogate like &#xD800; is not well-formed and would not survive as UTF-8).
// Returns the reason, or "".
std::string ReferenceError(std::string_view raw) {
  static const std::regex ok("^&(amp|lt|gt|quot|apos|#([0-9]{1,7})|#x([0-9A-Fa-f]{1,6}));");
  for (size_t i = raw.find('&'); i != std::string_view::npos; i = raw.find('&', i + 1)) {
    std::string_view rest = raw.substr(i, 16);
    std::match_results<std::string_view::const_iterator> m;
    if (!std::regex_search(rest.begin(), rest.end(), m, ok)) {
      return "资源目录包含未定义的实体引用（如 &name;），请改用 &amp; 等转义";
    }
    if (m[2].matched || m[3].matched) {
      const auto c = static_cast<uint32_t>(m[2].matched ? std::stoul(m[2].str())
                                                        : std::stoul(m[3].str(), nullptr, 16));
      if (!IsXmlChar(c)) return "资源目录包含 XML 不允许的字符引用（如 &#0;、&#xD800;）";
    }
  }
  return "";
}

// Literal characters XML forbids: C0 controls other than tab, LF, CR (NUL included: pugixml
// would silently stop reading there) and U+FFFE/U+FFFF. Input is valid UTF-8.
bool HasIllegalLiteral(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return true;
    if (c == 0xEF && s.substr(i + 1, 1) == "\xBF" &&
        (s.substr(i + 2, 1) == "\xBE" || s.substr(i + 2, 1) == "\xBF")) {
      return true;
    }
  }
  return false;
}

// What pugixml accepts but XML does not, on the raw (unescaped) tree: bad references, and
// an attribute name twice on one element (the tree would keep one value, the title another).
// Recursive, so only called once the depth is known to be bounded. Returns the reason or "".
std::string WellFormednessError(const pugi::xml_node& node) {
  std::set<std::string_view> names;
  for (const auto& a : node.attributes()) {
    if (!names.insert(a.name()).second) {
      return "资源目录中同一元素的属性“" + std::string(a.name()) + "”重复出现";
    }
    if (auto e = ReferenceError(a.value()); !e.empty()) return e;
  }
  for (const auto& c : node.children()) {
    std::string e;
    if (c.type() == pugi::node_pcdata) e = ReferenceError(c.value());
    if (c.type() == pugi::node_element) e = WellFormednessError(c);
    if (!e.empty()) return e;
  }
  return "";
}

// Exactly one root element and no text beside it; `doc` is parsed with parse_fragment (a
// normal parse accepts both, keeping the first root and dropping or keeping the text).
std::string TopLevelError(const pugi::xml_document& doc) {
  int roots = 0;
  for (const auto& n : doc.children()) {
    if (n.type() == pugi::node_element) ++roots;
    if (n.type() == pugi::node_pcdata || n.type() == pugi::node_cdata) {
      return "资源目录的根元素之外不能有文本";
    }
  }
  if (roots == 0) return "资源目录缺少根元素";
  if (roots > 1) return "资源目录只能有一个根元素";
  return "";
}

// Element nesting depth of the document, counted without recursion (pugixml's traverse is
// iterative): a 256 KB toc can nest ~85 000 levels, deeper than a thread's stack allows.
// Stops as soon as `limit` is exceeded.
int ElementDepth(pugi::xml_document& doc, int limit) {
  struct Walker : pugi::xml_tree_walker {
    int limit = 0;
    int max = 0;
    bool for_each(pugi::xml_node& n) override {
      if (n.type() == pugi::node_element) max = std::max(max, depth() + 1);
      return max <= limit;
    }
  } walker;
  walker.limit = limit;
  doc.traverse(walker);
  return walker.max;
}

}  // namespace

Result<TocNode> ParseToc(std::string_view xml) {
  if (xml.size() > kMaxTocBytes) {
    return Fail(Error::InvalidArgument("资源目录超过 256 KB 上限"));
  }
  if (!text::IsValidUtf8(xml)) return Fail(Error::InvalidArgument("资源目录不是有效的 UTF-8 文本"));
  if (HasIllegalLiteral(xml)) {
    return Fail(Error::InvalidArgument("资源目录包含 XML 不允许的控制字符"));
  }
  // Reject DTDs outright: pugixml would not expand entities, but a DOCTYPE has no place in a
  // table of contents and other consumers of the stored XML might expand them.
  if (ContainsCaseInsensitive(xml, "<!DOCTYPE") || ContainsCaseInsensitive(xml, "<!ENTITY")) {
    return Fail(Error::InvalidArgument("资源目录不能包含 DOCTYPE 或 ENTITY 声明"));
  }
  pugi::xml_document doc;
  // parse_default without parse_doctype; only the five predefined entities are recognised.
  unsigned opts = pugi::parse_default & ~static_cast<unsigned>(pugi::parse_doctype);
  pugi::xml_parse_result r = doc.load_buffer(xml.data(), xml.size(), opts, pugi::encoding_utf8);
  if (!r) {
    return Fail(Error::InvalidArgument("资源目录不是格式正确的 XML：" +
                                       std::string(r.description()) + "（第 " +
                                       std::to_string(r.offset) + " 个字节附近）"));
  }
  // A second, raw pass: no unescaping (references are checked as written) and as a fragment,
  // so that text and elements beside the root are kept instead of silently dropped.
  pugi::xml_document raw;
  unsigned raw_opts = (opts & ~static_cast<unsigned>(pugi::parse_escapes)) | pugi::parse_fragment;
  raw.load_buffer(xml.data(), xml.size(), raw_opts, pugi::encoding_utf8);
  if (auto e = TopLevelError(raw); !e.empty()) return Fail(Error::InvalidArgument(e));
  if (ElementDepth(doc, 32) > 32) {
    return Fail(Error::InvalidArgument("资源目录层级过深（超过 32 层）"));
  }
  if (auto e = WellFormednessError(raw); !e.empty()) return Fail(Error::InvalidArgument(e));
  pugi::xml_node root = doc.document_element();
  return Convert(root, 0);
}

}  // namespace lep::resources
