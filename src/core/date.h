// Calendar dates (yyyy-mm-dd) and "today" in Asia/Shanghai (UTC+8, no DST).
// Pure functions; thread-safe.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace lep {

struct Date {
  int year = 1970;
  int month = 1;
  int day = 1;
  auto operator<=>(const Date&) const = default;
  std::string ToString() const;  // "2022-05-15"
};

// Strict "yyyy-mm-dd" that names a real day (leap years included).
std::optional<Date> ParseIsoDate(std::string_view s);
Date DateFromUnixMs(int64_t unix_ms, int utc_offset_hours = 8);
inline Date ShanghaiToday(const Clock& clock) { return DateFromUnixMs(clock.NowMs(), 8); }
// Midnight at the start of date d in Asia/Shanghai, as Unix ms.
int64_t ShanghaiMidnightMs(const Date& d);

}  // namespace lep
