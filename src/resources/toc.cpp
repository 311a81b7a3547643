#include "resources/toc.h"

#include <pugixml.hpp>

#include <regex>

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

// True when raw (unescaped) text holds an entity reference other than the five predefined
// ones and character references: without a DTD such a reference is not well-formed XML.
bool HasUndefinedEntity(std::string_view raw) {
  static const std::regex ok("^&(amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});");
  for (size_t i = raw.find('&'); i != std::string_view::npos; i = raw.find('&', i + 1)) {
    std::string_view rest = raw.substr(i, 16);
    if (!std::regex_search(rest.begin(), rest.end(), ok)) return true;
  }
  return false;
}

bool AnyUndefinedEntity(const pugi::xml_node& node) {
  for (const auto& a : node.attributes()) {
    if (HasUndefinedEntity(a.value())) return true;
  }
  for (const auto& c : node.children()) {
    if (c.type() == pugi::node_pcdata && HasUndefinedEntity(c.value())) return true;
    if (c.type() == pugi::node_element && AnyUndefinedEntity(c)) return true;
  }
  return false;
}

int Depth(const pugi::xml_node& node) {
  int max_child = 0;
  for (const auto& c : node.children()) {
    if (c.type() == pugi::node_element) max_child = std::max(max_child, Depth(c));
  }
  return 1 + max_child;
}

}  // namespace

Result<TocNode> ParseToc(std::string_view xml) {
  if (xml.size() > kMaxTocBytes) {
    return Fail(Error::InvalidArgument("资源目录超过 256 KB 上限"));
  }
  if (!text::IsValidUtf8(xml)) return Fail(Error::InvalidArgument("资源目录不是有效的 UTF-8 文本"));
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
  {
    // A second, raw pass (no unescaping) finds references to undefined entities.
    pugi::xml_document raw;
    unsigned raw_opts = opts & ~static_cast<unsigned>(pugi::parse_escapes);
    raw.load_buffer(xml.data(), xml.size(), raw_opts, pugi::encoding_utf8);
    if (AnyUndefinedEntity(raw)) {
      return Fail(Error::InvalidArgument("资源目录包含未定义的实体引用（如 &name;），请改用 &amp; 等转义"));
    }
  }
  pugi::xml_node root = doc.document_element();
  if (!root) return Fail(Error::InvalidArgument("资源目录缺少根元素"));
  if (Depth(root) > 32) return Fail(Error::InvalidArgument("资源目录层级过深（超过 32 层）"));
  return Convert(root, 0);
}

}  // namespace lep::resources
