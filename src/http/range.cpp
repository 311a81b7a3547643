#include "http/range.h"

#include <charconv>

namespace lep::http {
namespace {

std::optional<uint64_t> Num(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

RangeResult ParseRange(std::string_view h, uint64_t size) {
  while (!h.empty() && h.front() == ' ') h.remove_prefix(1);
  if (h.substr(0, 6) != "bytes=") return {};
  h.remove_prefix(6);
  if (h.find(',') != std::string_view::npos) return {};  // multi-range: whole body
  size_t dash = h.find('-');
  if (dash == std::string_view::npos) return {};
  std::string_view a = h.substr(0, dash), b = h.substr(dash + 1);
  if (a.empty()) {  // suffix: last n bytes
    auto n = Num(b);
    if (!n) return {};
    if (*n == 0 || size == 0) return {RangeKind::kUnsatisfiable, {}};
    uint64_t len = std::min(*n, size);
    return {RangeKind::kSatisfiable, {size - len, len}};
  }
  auto first = Num(a);
  if (!first) return {};
  if (*first >= size) return {RangeKind::kUnsatisfiable, {}};
  uint64_t last = size - 1;
  if (!b.empty()) {
    auto l = Num(b);
    if (!l || *l < *first) return {};
    last = std::min(*l, size - 1);
  }
  return {RangeKind::kSatisfiable, {*first, last - *first + 1}};
}

}  // namespace lep::http
