// Small UTF-8 text helpers shared by validators. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lep::text {

bool IsValidUtf8(std::string_view s);
// Number of code points (s must be valid UTF-8).
size_t CodePointCount(std::string_view s);
// Trims ASCII whitespace and the ideographic space U+3000 from both ends.
std::string Trim(std::string_view s);
std::string ToLowerAscii(std::string_view s);
// Lower-case hex of bytes.
std::string Hex(std::string_view bytes);
// RFC 3986 percent-encoding of every byte but the unreserved A–Z a–z 0–9 - . _ (upper-case
// hex), e.g. for the UTF-8 file name of a Content-Disposition filename* (RFC 5987).
std::string PercentEncode(std::string_view s);
// Time in Asia/Shanghai (UTC+8, no DST) as "YYYY-MM-DD HH:MM".
std::string FormatShanghai(int64_t unix_ms);

}  // namespace lep::text
