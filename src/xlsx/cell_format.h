// Internal: how spreadsheet cell values become display strings (numbers like Excel's General
// format, serial dates as ISO text) and how number formats are classified as dates.
// Pure functions; thread-safe. Not part of the public API of lep_xlsx.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lep::xlsx::internal {

enum class NumFmtKind { kNumber, kDate, kTime };

// Kind of a built-in number format id (ECMA-376 18.8.30, including the zh-CN ids 27-36 and
// 50-58), or of a custom format code when code is not empty.
NumFmtKind ClassifyBuiltinNumFmt(int id);
NumFmtKind ClassifyNumFmtCode(std::string_view code);

// Integers without ".0"; otherwise at most 15 significant digits. Fixed notation for
// 1e-10 <= |v| < 1e21, "1.5E+25"-style outside that range.
std::string FormatNumber(double v);

// "yyyy-mm-dd", or "yyyy-mm-dd hh:mm:ss" when the serial has a time part; a time-only format
// with a serial below 1 renders "hh:mm:ss". nullopt when the serial is not a plausible date.
std::optional<std::string> FormatSerialDate(double serial, bool date1904, bool time_only);

// An ISO 8601 value of a t="d" cell ("2024-03-01T08:30:00") in the same style as above.
std::string FormatIsoDate(std::string_view iso);

// Decodes the OOXML ST_Xstring escapes "_xHHHH_" (Excel writes "_x000D_" for CR and
// "_x005F_" for a literal underscore that would otherwise start an escape).
std::string DecodeXstring(std::string_view s);
// The inverse for text that will be written verbatim: only a literal "_xHHHH_" needs escaping.
std::string EscapeLiteralXstring(std::string_view s);

}  // namespace lep::xlsx::internal
