#include "xlsx/cell_format.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>

#include "core/text.h"

namespace lep::xlsx::internal {
namespace {

// Days since 1970-01-01 to a civil date (H. Hinnant's algorithm).
void CivilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
}

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Position of an "_xHHHH_" escape starting at i, if there is one.
bool IsXEscapeAt(std::string_view s, size_t i) {
  if (i + 7 > s.size() || s[i] != '_' || s[i + 1] != 'x' || s[i + 6] != '_') return false;
  for (size_t k = i + 2; k < i + 6; ++k) {
    if (!IsHex(s[k])) return false;
  }
  return true;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

NumFmtKind ClassifyBuiltinNumFmt(int id) {
  if ((id >= 14 && id <= 17) || id == 22) return NumFmtKind::kDate;
  if ((id >= 18 && id <= 21) || (id >= 45 && id <= 47)) return NumFmtKind::kTime;
  // zh-CN built-ins: 32-35, 55, 56 are times ("h"时"mm"分"), the rest are dates.
  if ((id >= 32 && id <= 35) || id == 55 || id == 56) return NumFmtKind::kTime;
  if ((id >= 27 && id <= 36) || (id >= 50 && id <= 58)) return NumFmtKind::kDate;
  return NumFmtKind::kNumber;
}

NumFmtKind ClassifyNumFmtCode(std::string_view code) {
  // Only the first section (positive numbers) decides; literals and colours do not count.
  bool has_ymd = false, has_m = false, has_hs = false;
  for (size_t i = 0; i < code.size(); ++i) {
    char c = code[i];
    if (c == ';') break;
    if (c == '"') {
      size_t end = code.find('"', i + 1);
      if (end == std::string_view::npos) break;
      i = end;
      continue;
    }
    if (c == '\\' || c == '_' || c == '*') {
      ++i;  // escaped literal, padding or fill character
      continue;
    }
    if (c == '[') {
      size_t end = code.find(']', i + 1);
      if (end == std::string_view::npos) break;
      std::string_view inner = code.substr(i + 1, end - i - 1);
      // Elapsed time [h] [mm] [ss] counts; colours, locales and conditions do not.
      if (!inner.empty() && inner.find_first_not_of("hHmMsS") == std::string_view::npos) {
        has_hs = true;
      }
      i = end;
      continue;
    }
    // AM/PM or A/P marker: skip it so its "m" is not read as a month.
    if (text::ToLowerAscii(code.substr(i, 5)) == "am/pm") {
      i += 4;
      continue;
    }
    if (text::ToLowerAscii(code.substr(i, 3)) == "a/p") {
      i += 2;
      continue;
    }
    char l = static_cast<char>(c | 0x20);
    if (l == 'y' || l == 'd') has_ymd = true;
    if (l == 'm') has_m = true;
    if (l == 'h' || l == 's') has_hs = true;
  }
  if (has_ymd || (has_m && !has_hs)) return NumFmtKind::kDate;
  if (has_hs) return NumFmtKind::kTime;
  return NumFmtKind::kNumber;
}

std::string FormatNumber(double v) {
  if (!std::isfinite(v)) return v != v ? "NaN" : (v > 0 ? "INF" : "-INF");
  if (v == 0) return "0";
  char buf[64];
  // 15 significant digits: d.dddddddddddddde±XX
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific, 14);
  std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));
  bool negative = sci.front() == '-';
  if (negative) sci.remove_prefix(1);
  size_t e_pos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e_pos)) {
    if (c != '.') digits += c;
  }
  int exponent = 0;
  std::string_view exp_text = sci.substr(e_pos + 1);
  if (!exp_text.empty() && exp_text.front() == '+') exp_text.remove_prefix(1);
  std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exponent);
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();

  std::string out = negative ? "-" : "";
  if (exponent < -10 || exponent >= 21) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char e[16];
    std::snprintf(e, sizeof e, "E%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    return out + e;
  }
  if (exponent < 0) {
    return out + "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
  }
  auto int_len = static_cast<size_t>(exponent) + 1;
  if (digits.size() <= int_len) return out + digits + std::string(int_len - digits.size(), '0');
  return out + digits.substr(0, int_len) + "." + digits.substr(int_len);
}

std::optional<std::string> FormatSerialDate(double serial, bool date1904, bool time_only) {
  // 2958465 is 9999-12-31, the last date Excel can show.
  if (!std::isfinite(serial) || serial < 0 || serial >= 2958466) return std::nullopt;
  auto total_seconds = static_cast<int64_t>(std::llround(serial * 86400.0));
  int64_t days = total_seconds / 86400;
  int64_t secs = total_seconds % 86400;
  char buf[48];
  if (time_only && days == 0) {
    std::snprintf(buf, sizeof buf, "%02d:%02d:%02d", static_cast<int>(secs / 3600),
                  static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
    return std::string(buf);
  }
  // Day 0 of the 1900 system is 1899-12-31, and Lotus' phantom 1900-02-29 is day 60, so
  // from day 61 on the epoch is effectively 1899-12-30. 1904 system: day 0 is 1904-01-01.
  int64_t unix_days;
  if (date1904) {
    unix_days = days - 24107;  // 1904-01-01 is 24107 days before 1970-01-01
  } else {
    unix_days = days - (days >= 61 ? 25569 : 25568);
  }
  int64_t y;
  unsigned m, d;
  CivilFromDays(unix_days, y, m, d);
  if (secs == 0) {
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  } else {
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u %02d:%02d:%02d", static_cast<long long>(y), m,
                  d, static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                  static_cast<int>(secs % 60));
  }
  return std::string(buf);
}

std::string FormatIsoDate(std::string_view iso) {
  std::string date(iso.substr(0, std::min<size_t>(10, iso.size())));
  if (iso.size() <= 11) return date;
  std::string time(iso.substr(11, 8));
  if (time == "00:00:00" || time.size() < 8) return date;
  return date + " " + time;
}

std::string DecodeXstring(std::string_view s) {
  if (s.find("_x") == std::string_view::npos) return std::string(s);
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    if (IsXEscapeAt(s, i)) {
      uint32_t cp = 0;
      std::from_chars(s.data() + i + 2, s.data() + i + 6, cp, 16);
      AppendUtf8(out, cp);
      i += 7;
    } else {
      out += s[i++];
    }
  }
  return out;
}

std::string EscapeLiteralXstring(std::string_view s) {
  if (s.find("_x") == std::string_view::npos) return std::string(s);
  std::string out;
  out.reserve(s.size() + 8);
  for (size_t i = 0; i < s.size(); ++i) {
    if (IsXEscapeAt(s, i)) out += "_x005F";
    out += s[i];
  }
  return out;
}

}  // namespace lep::xlsx::internal
