// Captions (字幕): an uploaded SRT or WebVTT file is decoded (UTF-8, UTF-16 with a byte-order
// mark, or GBK/GB18030 converted with glibc's iconv), parsed and validated — well-formed,
// every cue ends after it starts, cues in the order of their start times, inside the media's
// duration — with Chinese errors that name the line, and written back as a clean WebVTT file
// (text tags other than <b>, <i>, <u> dropped, STYLE/REGION blocks dropped). Pure functions
// over values; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace lep::video {

enum class CaptionFormat { kSrt, kWebVtt };

struct Cue {
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  std::string settings;  // WebVTT cue settings kept (e.g. "line:0 align:start"), else ""
  std::string text;      // WebVTT cue text (may hold <b>/<i>/<u>), lines joined by '\n'
  int line = 0;          // 1-based line of the cue's timing line in the uploaded file
};

struct DecodedText {
  std::string utf8;      // without byte-order mark, line ends as in the file
  std::string encoding;  // "UTF-8", "UTF-16LE", "UTF-16BE" or "GB18030" (GBK is a subset)
};

// Bounds for hostile files; exceeding one is an error naming the line.
struct CaptionLimits {
  size_t max_bytes = 2u << 20;
  size_t max_cues = 20'000;
  size_t max_cue_chars = 1'000;  // code points of one cue's text
  size_t max_errors = 20;        // reported at most (the message gives the total)
};

struct ParsedCaptions {
  CaptionFormat format = CaptionFormat::kSrt;
  std::string encoding;
  std::vector<Cue> cues;
};

// Detects the encoding and converts to UTF-8; kInvalidArgument (naming the line) when the
// bytes are neither UTF-8 nor GB18030.
[[nodiscard]] Result<DecodedText> DecodeCaptionText(std::string_view bytes);

// Decodes, recognises the format (a file starting with "WEBVTT" is WebVTT, anything else is
// read as SRT), parses and validates. media_duration_ms ≤ 0: duration unknown, not checked.
// Every problem (up to limits.max_errors) is a FieldError {field "file", label "字幕文件",
// message "第 N 行：…"}; the error's message is the first of them.
[[nodiscard]] Result<ParsedCaptions> ParseCaptions(std::string_view bytes,
                                                   int64_t media_duration_ms,
                                                   const CaptionLimits& limits = {});

// The cues as a WebVTT file ("WEBVTT\n\n" then one block per cue).
std::string ToWebVtt(const std::vector<Cue>& cues);

// The text of a cue without tags and with the basic entities decoded (for screening).
std::string PlainText(std::string_view cue_text);

// "01:02:03.456" (sep '.') or "01:02:03,456" (sep ',').
std::string FormatTimestamp(int64_t ms, char sep = '.');

}  // namespace lep::video
