#include "video/captions.h"

#include <iconv.h>

#include <cerrno>
#include <cstdio>

#include "core/text.h"

namespace lep::video {
namespace {

constexpr const char* kField = "file";
constexpr const char* kLabel = "字幕文件";

// An iconv descriptor, closed on scope exit.
class Iconv {
 public:
  explicit Iconv(const char* from) : cd_(iconv_open("UTF-8", from)) {}
  ~Iconv() {
    if (ok()) iconv_close(cd_);
  }
  Iconv(const Iconv&) = delete;
  Iconv& operator=(const Iconv&) = delete;
  bool ok() const { return cd_ != reinterpret_cast<iconv_t>(-1); }
  iconv_t get() const { return cd_; }

 private:
  iconv_t cd_;
};

// Converts `in` from `from` to UTF-8; on a bad sequence sets *bad_offset and fails.
Result<std::string> Convert(const char* from, std::string_view in, size_t* bad_offset) {
  Iconv cd(from);
  if (!cd.ok()) return Fail(Error::Internal("系统缺少字符集转换模块 " + std::string(from)));
  std::string src(in);
  std::string out(src.size() * 4 + 16, '\0');
  char* inp = src.data();
  size_t inleft = src.size();
  char* outp = out.data();
  size_t outleft = out.size();
  if (iconv(cd.get(), &inp, &inleft, &outp, &outleft) == static_cast<size_t>(-1) ||
      iconv(cd.get(), nullptr, nullptr, &outp, &outleft) == static_cast<size_t>(-1)) {
    *bad_offset = src.size() - inleft;
    return Fail(Error::InvalidArgument("无法转换编码"));
  }
  out.resize(out.size() - outleft);
  return out;
}

size_t LineOfOffset(std::string_view bytes, size_t offset) {
  size_t line = 1;
  for (size_t i = 0; i < offset && i < bytes.size(); ++i) {
    if (bytes[i] == '\n') ++line;
  }
  return line;
}

std::vector<std::string_view> SplitLines(std::string_view s) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n' || s[i] == '\r') {
      lines.push_back(s.substr(start, i - start));
      if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
      start = i + 1;
    }
  }
  if (start < s.size()) lines.push_back(s.substr(start));
  return lines;
}

bool IsBlank(std::string_view line) {
  for (char c : line) {
    if (c != ' ' && c != '\t') return false;
  }
  return true;
}

std::string_view TrimAscii(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Reads exactly `n` digits at s[*pos]; false otherwise.
bool Digits(std::string_view s, size_t* pos, size_t min_n, size_t max_n, int64_t* value) {
  size_t n = 0;
  int64_t v = 0;
  while (*pos + n < s.size() && n < max_n && s[*pos + n] >= '0' && s[*pos + n] <= '9') {
    v = v * 10 + (s[*pos + n] - '0');
    ++n;
  }
  if (n < min_n) return false;
  if (*pos + n < s.size() && s[*pos + n] >= '0' && s[*pos + n] <= '9') return false;  // too long
  *pos += n;
  *value = v;
  return true;
}

// SRT: H:MM:SS,mmm (1–3 hour digits; ',' or '.'). WebVTT: [HH+:]MM:SS.mmm. Whole string.
std::optional<int64_t> ParseTimestamp(std::string_view s, bool vtt) {
  // Split on ':' to learn whether hours are present.
  size_t colons = 0;
  for (char c : s) colons += c == ':';
  size_t pos = 0;
  int64_t h = 0, m = 0, sec = 0, ms = 0;
  if (vtt) {
    if (colons == 2) {
      if (!Digits(s, &pos, 2, 9, &h)) return std::nullopt;
      if (pos >= s.size() || s[pos++] != ':') return std::nullopt;
    } else if (colons != 1) {
      return std::nullopt;
    }
  } else {
    if (colons != 2) return std::nullopt;
    if (!Digits(s, &pos, 1, 3, &h)) return std::nullopt;
    if (pos >= s.size() || s[pos++] != ':') return std::nullopt;
  }
  if (!Digits(s, &pos, 2, 2, &m) || m > 59) return std::nullopt;
  if (pos >= s.size() || s[pos++] != ':') return std::nullopt;
  if (!Digits(s, &pos, 2, 2, &sec) || sec > 59) return std::nullopt;
  if (pos >= s.size()) return std::nullopt;
  char sep = s[pos++];
  if (!(sep == '.' || (!vtt && sep == ','))) return std::nullopt;
  if (!Digits(s, &pos, 3, 3, &ms)) return std::nullopt;
  if (pos != s.size()) return std::nullopt;
  return ((h * 60 + m) * 60 + sec) * 1000 + ms;
}

bool AllowedSetting(std::string_view token) {
  size_t colon = token.find(':');
  if (colon == std::string_view::npos || colon + 1 >= token.size()) return false;
  std::string_view name = token.substr(0, colon);
  if (name != "vertical" && name != "line" && name != "position" && name != "size" &&
      name != "align") {
    return false;
  }
  for (char c : token.substr(colon + 1)) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '%' || c == '.' || c == ',' || c == '-';
    if (!ok) return false;
  }
  return true;
}

struct Timing {
  int64_t start = 0, end = 0;
  std::string settings;
};

std::optional<Timing> ParseTiming(std::string_view line, bool vtt) {
  size_t arrow = line.find("-->");
  if (arrow == std::string_view::npos) return std::nullopt;
  std::string_view left = TrimAscii(line.substr(0, arrow));
  std::string_view right = TrimAscii(line.substr(arrow + 3));
  size_t sp = right.find_first_of(" \t");
  std::string_view end_text = sp == std::string_view::npos ? right : right.substr(0, sp);
  std::string_view rest = sp == std::string_view::npos ? std::string_view() : right.substr(sp);
  auto start = ParseTimestamp(left, vtt);
  auto end = ParseTimestamp(end_text, vtt);
  if (!start || !end) return std::nullopt;
  Timing t{*start, *end, ""};
  if (vtt) {
    // Settings that are not understood are ignored, as a WebVTT parser does.
    size_t i = 0;
    while (i < rest.size()) {
      while (i < rest.size() && (rest[i] == ' ' || rest[i] == '\t')) ++i;
      size_t j = i;
      while (j < rest.size() && rest[j] != ' ' && rest[j] != '\t') ++j;
      std::string_view token = rest.substr(i, j - i);
      if (!token.empty() && AllowedSetting(token)) {
        if (!t.settings.empty()) t.settings += ' ';
        t.settings += token;
      }
      i = j;
    }
  }
  return t;
}

bool KnownEntity(std::string_view s, size_t amp, size_t* len) {
  size_t semi = s.find(';', amp);
  if (semi == std::string_view::npos || semi - amp > 10) return false;
  std::string_view name = s.substr(amp + 1, semi - amp - 1);
  bool ok = name == "amp" || name == "lt" || name == "gt" || name == "nbsp" || name == "lrm" ||
            name == "rlm";
  if (!ok && name.size() >= 2 && name[0] == '#') {
    std::string_view digits = name.substr(1);
    bool hex = digits[0] == 'x' || digits[0] == 'X';
    if (hex) digits.remove_prefix(1);
    ok = !digits.empty();
    for (char c : digits) {
      bool d =
          (c >= '0' && c <= '9') || (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
      ok = ok && d;
    }
  }
  if (ok) *len = semi - amp + 1;
  return ok;
}

// One line of cue text as WebVTT: <b>/<i>/<u> kept, other tags and ASS overrides ({\an8})
// dropped, stray '<', '>' and '&' escaped, control characters dropped.
std::string CleanTextLine(std::string_view s) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == '{' && i + 1 < s.size() && s[i + 1] == '\\') {
      size_t close = s.find('}', i);
      if (close != std::string_view::npos) {
        i = close + 1;
        continue;
      }
    }
    if (c == '<') {
      size_t close = s.find('>', i);
      if (close == std::string_view::npos) {
        out += "&lt;";
        ++i;
        continue;
      }
      std::string tag(s.substr(i + 1, close - i - 1));
      for (char& ch : tag) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (tag == "b" || tag == "i" || tag == "u" || tag == "/b" || tag == "/i" || tag == "/u") {
        out += "<" + tag + ">";
      }
      i = close + 1;
      continue;
    }
    if (c == '>') {
      out += "&gt;";
    } else if (c == '&') {
      size_t len = 0;
      if (KnownEntity(s, i, &len)) {
        out.append(s.substr(i, len));
        i += len;
        continue;
      }
      out += "&amp;";
    } else if (static_cast<unsigned char>(c) < 0x20 && c != '\t') {
      // dropped
    } else if (c == '\t') {
      out += ' ';
    } else {
      out += c;
    }
    ++i;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

class Problems {
 public:
  explicit Problems(size_t max) : max_(max) {}
  void Add(size_t line, const std::string& what) {
    ++total_;
    if (fields_.size() < max_) {
      fields_.push_back({kField, kLabel, "第 " + std::to_string(line) + " 行：" + what});
    }
  }
  bool empty() const { return total_ == 0; }
  Error ToError() const {
    std::string msg = fields_.front().message;
    if (total_ > 1) {
      msg = "字幕文件有 " + std::to_string(total_) + " 处错误，" + msg;
    }
    return Error::InvalidArgument(msg, fields_);
  }

 private:
  size_t max_;
  size_t total_ = 0;
  std::vector<FieldError> fields_;
};

std::string Quote(std::string_view s) {
  std::string q(s.substr(0, 80));
  if (!text::IsValidUtf8(q)) q = std::string(s.substr(0, 60));
  return "“" + q + "”";
}

const char* kSrtTimingHelp =
    "，应为“时:分:秒,毫秒 --> 时:分:秒,毫秒”（例如 00:01:02,500 --> 00:01:04,000）";
const char* kVttTimingHelp =
    "，应为“时:分:秒.毫秒 --> 时:分:秒.毫秒”（例如 00:01:02.500 --> 00:01:04.000）";

void AddCue(std::vector<Cue>* cues, Problems* problems, const Timing& t, size_t timing_line,
            const std::vector<std::string_view>& text_lines, const CaptionLimits& limits) {
  std::string text;
  for (auto l : text_lines) {
    std::string clean = CleanTextLine(l);
    if (clean.empty()) continue;
    if (!text.empty()) text += '\n';
    text += clean;
  }
  if (text.empty()) return;  // an empty cue shows nothing: dropped
  if (text::CodePointCount(text) > limits.max_cue_chars) {
    problems->Add(timing_line + 1,
                  "字幕文字过长（一条字幕最多 " + std::to_string(limits.max_cue_chars) + " 个字）");
    return;
  }
  cues->push_back({t.start, t.end, t.settings, text, static_cast<int>(timing_line)});
}

void ParseSrt(const std::vector<std::string_view>& lines, std::vector<Cue>* cues,
              Problems* problems, const CaptionLimits& limits) {
  size_t i = 0, n = lines.size();
  while (i < n) {
    while (i < n && IsBlank(lines[i])) ++i;
    if (i >= n) break;
    size_t b = i, e = i;
    while (e < n && !IsBlank(lines[e])) ++e;
    i = e;
    size_t timing = b;
    if (lines[b].find("-->") == std::string_view::npos) {
      if (!AllDigits(TrimAscii(lines[b]))) {
        problems->Add(b + 1, "应为字幕序号（数字）或时间轴，实际为" + Quote(lines[b]));
        continue;
      }
      timing = b + 1;
      if (timing >= e) {
        problems->Add(b + 1, "字幕序号 " + std::string(TrimAscii(lines[b])) + " 之后缺少时间轴");
        continue;
      }
    }
    auto t = ParseTiming(lines[timing], /*vtt=*/false);
    if (!t) {
      problems->Add(timing + 1, "时间轴格式错误" + Quote(lines[timing]) + kSrtTimingHelp);
      continue;
    }
    std::vector<std::string_view> text(lines.begin() + static_cast<long>(timing + 1),
                                       lines.begin() + static_cast<long>(e));
    AddCue(cues, problems, *t, timing + 1, text, limits);
    if (cues->size() > limits.max_cues) {
      problems->Add(timing + 1, "字幕条目过多（最多 " + std::to_string(limits.max_cues) + " 条）");
      return;
    }
  }
}

bool StartsWithWord(std::string_view line, std::string_view word) {
  if (line.substr(0, word.size()) != word) return false;
  return line.size() == word.size() || line[word.size()] == ' ' || line[word.size()] == '\t';
}

void ParseVtt(const std::vector<std::string_view>& lines, std::vector<Cue>* cues,
              Problems* problems, const CaptionLimits& limits) {
  size_t n = lines.size();
  size_t i = 1;
  // Header lines (e.g. "Kind: captions") up to the first blank line.
  while (i < n && !IsBlank(lines[i])) {
    if (lines[i].find("-->") != std::string_view::npos) {
      problems->Add(i + 1, "WEBVTT 文件头与第一条字幕之间需要一个空行");
      break;
    }
    ++i;
  }
  while (i < n) {
    while (i < n && IsBlank(lines[i])) ++i;
    if (i >= n) break;
    size_t b = i, e = i;
    while (e < n && !IsBlank(lines[e])) ++e;
    i = e;
    if (StartsWithWord(lines[b], "NOTE") || StartsWithWord(lines[b], "STYLE") ||
        StartsWithWord(lines[b], "REGION")) {
      continue;
    }
    size_t timing = b;
    if (lines[b].find("-->") == std::string_view::npos) {
      timing = b + 1;  // a cue identifier first
      if (timing >= e || lines[timing].find("-->") == std::string_view::npos) {
        problems->Add(b + 1, "应为时间轴，实际为" + Quote(lines[b]) + kVttTimingHelp);
        continue;
      }
    }
    auto t = ParseTiming(lines[timing], /*vtt=*/true);
    if (!t) {
      problems->Add(timing + 1, "时间轴格式错误" + Quote(lines[timing]) + kVttTimingHelp);
      continue;
    }
    std::vector<std::string_view> text(lines.begin() + static_cast<long>(timing + 1),
                                       lines.begin() + static_cast<long>(e));
    AddCue(cues, problems, *t, timing + 1, text, limits);
    if (cues->size() > limits.max_cues) {
      problems->Add(timing + 1, "字幕条目过多（最多 " + std::to_string(limits.max_cues) + " 条）");
      return;
    }
  }
}

std::string Hms(int64_t ms, char sep) { return FormatTimestamp(ms, sep); }

}  // namespace

std::string FormatTimestamp(int64_t ms, char sep) {
  if (ms < 0) ms = 0;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld%c%03lld",
                static_cast<long long>(ms / 3'600'000), static_cast<long long>(ms / 60'000 % 60),
                static_cast<long long>(ms / 1000 % 60), sep, static_cast<long long>(ms % 1000));
  return buf;
}

Result<DecodedText> DecodeCaptionText(std::string_view bytes) {
  if (bytes.empty())
    return Fail(Error::InvalidArgument("字幕文件为空", {{kField, kLabel, "字幕文件为空"}}));
  auto bad = [&](size_t offset, const std::string& what) {
    std::string msg = "第 " + std::to_string(LineOfOffset(bytes, offset)) + " 行：" + what;
    return Fail(Error::InvalidArgument(msg, {{kField, kLabel, msg}}));
  };
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") {
    std::string_view rest = bytes.substr(3);
    if (!text::IsValidUtf8(rest)) {
      size_t offset = 0;  // the first bad byte, for the line number
      (void)Convert("UTF-8", rest, &offset);
      return bad(offset + 3,
                 "文件以 UTF-8 标记开头，但含有无效的 UTF-8 字节（请重新另存为 UTF-8）");
    }
    return DecodedText{std::string(rest), "UTF-8"};
  }
  for (auto [bom, name] : {std::pair<std::string_view, const char*>{"\xFF\xFE", "UTF-16LE"},
                           {"\xFE\xFF", "UTF-16BE"}}) {
    if (bytes.substr(0, 2) != bom) continue;
    size_t offset = 0;
    auto out = Convert(name, bytes.substr(2), &offset);
    if (!out) {
      if (out.error().Is(ErrorCode::kInternal)) return Fail(out.error());
      std::string msg = "文件以 UTF-16 标记开头，但第 " + std::to_string(offset + 2) +
                        " 字节处的内容不是有效的 UTF-16（请重新另存为 UTF-8）";
      return Fail(Error::InvalidArgument(msg, {{kField, kLabel, msg}}));
    }
    return DecodedText{std::move(*out), name};
  }
  if (text::IsValidUtf8(bytes)) return DecodedText{std::string(bytes), "UTF-8"};
  size_t offset = 0;
  auto out = Convert("GB18030", bytes, &offset);
  if (!out) {
    if (out.error().Is(ErrorCode::kInternal)) return Fail(out.error());
    return bad(offset,
               "含有既不是 UTF-8 也不是 GBK/GB18030 的字节，无法识别字幕文件的编码（请另存为 "
               "UTF-8 或 GBK 编码）");
  }
  return DecodedText{std::move(*out), "GB18030"};
}

Result<ParsedCaptions> ParseCaptions(std::string_view bytes, int64_t media_duration_ms,
                                     const CaptionLimits& limits) {
  if (bytes.size() > limits.max_bytes) {
    std::string msg = "字幕文件过大（最多 " + std::to_string(limits.max_bytes >> 20) + " MB）";
    return Fail(Error::InvalidArgument(msg, {{kField, kLabel, msg}}));
  }
  LEP_ASSIGN_OR_RETURN(DecodedText decoded, DecodeCaptionText(bytes));
  ParsedCaptions out;
  out.encoding = decoded.encoding;
  auto lines = SplitLines(decoded.utf8);
  Problems problems(limits.max_errors);
  if (!lines.empty() && (lines[0] == "WEBVTT" || StartsWithWord(lines[0], "WEBVTT"))) {
    out.format = CaptionFormat::kWebVtt;
    ParseVtt(lines, &out.cues, &problems, limits);
  } else {
    out.format = CaptionFormat::kSrt;
    ParseSrt(lines, &out.cues, &problems, limits);
  }
  char sep = out.format == CaptionFormat::kSrt ? ',' : '.';
  int64_t previous_start = -1;
  size_t previous_line = 0;
  for (const Cue& c : out.cues) {
    size_t line = static_cast<size_t>(c.line);
    if (c.end_ms <= c.start_ms) {
      problems.Add(line,
                   "结束时间 " + Hms(c.end_ms, sep) + " 应晚于开始时间 " + Hms(c.start_ms, sep));
    }
    if (c.start_ms < previous_start) {
      problems.Add(line, "开始时间 " + Hms(c.start_ms, sep) + " 早于上一条字幕（第 " +
                             std::to_string(previous_line) + " 行）的开始时间 " +
                             Hms(previous_start, sep) + "，字幕应按时间顺序排列");
    }
    // A second of slack: measured durations and the last cue's end may round differently.
    if (media_duration_ms > 0 && c.end_ms > media_duration_ms + 1000) {
      problems.Add(
          line, "结束时间 " + Hms(c.end_ms, sep) + " 超出视频时长 " + Hms(media_duration_ms, sep));
    }
    previous_start = std::max(previous_start, c.start_ms);
    previous_line = line;
  }
  if (problems.empty() && out.cues.empty()) {
    std::string msg = "字幕文件中没有任何字幕条目";
    return Fail(Error::InvalidArgument(msg, {{kField, kLabel, msg}}));
  }
  if (!problems.empty()) return Fail(problems.ToError());
  return out;
}

std::string ToWebVtt(const std::vector<Cue>& cues) {
  std::string out = "WEBVTT\n\n";
  for (const Cue& c : cues) {
    out += FormatTimestamp(c.start_ms) + " --> " + FormatTimestamp(c.end_ms);
    if (!c.settings.empty()) out += " " + c.settings;
    out += "\n" + c.text + "\n\n";
  }
  return out;
}

std::string PlainText(std::string_view cue_text) {
  std::string out;
  size_t i = 0;
  while (i < cue_text.size()) {
    char c = cue_text[i];
    if (c == '<') {
      size_t close = cue_text.find('>', i);
      i = close == std::string_view::npos ? cue_text.size() : close + 1;
      continue;
    }
    if (c == '&') {
      static const std::pair<std::string_view, std::string_view> kEntities[] = {
          {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&nbsp;", " "}};
      bool matched = false;
      for (auto [e, v] : kEntities) {
        if (cue_text.substr(i, e.size()) == e) {
          out += v;
          i += e.size();
          matched = true;
          break;
        }
      }
      if (matched) continue;
    }
    out += c;
    ++i;
  }
  return out;
}

}  // namespace lep::video
