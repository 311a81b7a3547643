#include "http/multipart.h"

#include <algorithm>

namespace lep::http {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Value of `key="..."` or `key=token` inside a header value.
std::string Param(std::string_view header, std::string_view key) {
  std::string lower = Lower(header);
  std::string needle = std::string(key) + "=";
  size_t pos = 0;
  while ((pos = lower.find(needle, pos)) != std::string::npos) {
    if (pos == 0 || lower[pos - 1] == ' ' || lower[pos - 1] == ';') break;
    pos += needle.size();
  }
  if (pos == std::string::npos) return {};
  pos += needle.size();
  if (pos < header.size() && header[pos] == '"') {
    size_t end = header.find('"', pos + 1);
    if (end == std::string_view::npos) return {};
    return std::string(header.substr(pos + 1, end - pos - 1));
  }
  size_t end = header.find(';', pos);
  std::string_view v = header.substr(pos, end == std::string_view::npos ? end : end - pos);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  return std::string(v);
}

}  // namespace

std::optional<FilePart> FirstFilePart(std::string_view content_type, std::string_view body) {
  if (Lower(content_type).rfind("multipart/form-data", 0) != 0) return std::nullopt;
  std::string boundary = Param(content_type, "boundary");
  if (boundary.empty() || boundary.size() > 200) return std::nullopt;
  std::string delim = "--" + boundary;
  size_t pos = body.find(delim);
  while (pos != std::string_view::npos) {
    pos += delim.size();
    if (body.substr(pos, 2) == "--") return std::nullopt;  // closing delimiter
    if (body.substr(pos, 2) == "\r\n") pos += 2;
    size_t headers_end = body.find("\r\n\r\n", pos);
    if (headers_end == std::string_view::npos) return std::nullopt;
    std::string_view headers = body.substr(pos, headers_end - pos);
    size_t data_start = headers_end + 4;
    size_t next = body.find("\r\n" + delim, data_start);
    if (next == std::string_view::npos) return std::nullopt;
    FilePart part;
    size_t line_start = 0;
    while (line_start < headers.size()) {
      size_t line_end = headers.find("\r\n", line_start);
      if (line_end == std::string_view::npos) line_end = headers.size();
      std::string_view line = headers.substr(line_start, line_end - line_start);
      std::string lower = Lower(line);
      if (lower.rfind("content-disposition:", 0) == 0) {
        part.field_name = Param(line, "name");
        part.filename = Param(line, "filename");
      } else if (lower.rfind("content-type:", 0) == 0) {
        std::string_view v = line.substr(13);
        while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
        part.content_type = std::string(v);
      }
      line_start = line_end + 2;
    }
    if (!part.filename.empty()) {
      part.data = body.substr(data_start, next - data_start);
      return part;
    }
    pos = next + 2;
  }
  return std::nullopt;
}

}  // namespace lep::http
