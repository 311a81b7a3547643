#include "orgs/registration_form.h"

#include <algorithm>

#include "core/text.h"

namespace lep::orgs {

std::optional<std::string> CheckPdfBytes(std::string_view bytes) {
  if (bytes.empty()) return "文件为空，请选择加盖公章的登记表扫描件（PDF）";
  if (bytes.size() > kMaxRegistrationFormBytes) {
    return "文件超过 20 MB，请降低扫描分辨率（200–300 dpi 即可）后重新上传";
  }
  // "%PDF-1.4", "%PDF-2.0": the header must open the file.
  if (bytes.size() < 8 || bytes.substr(0, 5) != "%PDF-" || bytes[5] < '1' || bytes[5] > '2' ||
      bytes[6] != '.' || bytes[7] < '0' || bytes[7] > '9') {
    return "文件不是 PDF（文件开头没有 PDF 标识），请将盖章后的登记表扫描或导出为 PDF 后上传";
  }
  size_t end = bytes.size();
  while (end > 0 && (bytes[end - 1] == '\n' || bytes[end - 1] == '\r' || bytes[end - 1] == ' ' ||
                     bytes[end - 1] == '\t' || bytes[end - 1] == '\0')) {
    --end;
  }
  std::string_view body = bytes.substr(0, end);
  if (body.size() < 5 || body.substr(body.size() - 5) != "%%EOF") {
    return "PDF 文件不完整（缺少文件结尾），可能上传中断或文件已损坏，请重新导出后上传";
  }
  std::string_view tail = body.substr(body.size() - std::min<size_t>(body.size(), 1024));
  size_t sx = tail.rfind("startxref");
  if (sx == std::string_view::npos) {
    return "PDF 文件不完整（缺少交叉引用表位置），文件可能已损坏，请重新导出后上传";
  }
  // startxref is followed by the byte offset of the cross-reference section, inside the file.
  size_t i = sx + 9;
  while (i < tail.size() && (tail[i] == '\r' || tail[i] == '\n' || tail[i] == ' ')) ++i;
  uint64_t offset = 0;
  size_t digits = 0;
  while (i < tail.size() && tail[i] >= '0' && tail[i] <= '9' && digits < 19) {
    offset = offset * 10 + static_cast<uint64_t>(tail[i] - '0');
    ++i;
    ++digits;
  }
  if (digits == 0 || offset >= bytes.size()) {
    return "PDF 文件已损坏（交叉引用表位置无效），请重新导出后上传";
  }
  return std::nullopt;
}

std::string CleanFormFileName(std::string_view name) {
  size_t slash = name.find_last_of("/\\");
  if (slash != std::string_view::npos) name = name.substr(slash + 1);
  std::string out;
  for (char ch : name) {
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f || ch == '"') continue;
    out += ch;
  }
  out = text::Trim(out);
  if (!text::IsValidUtf8(out)) out.clear();
  if (text::CodePointCount(out) > 100) {
    // Cut at a code point boundary: continuation bytes are 10xxxxxx.
    size_t count = 0, at = 0;
    for (; at < out.size(); ++at) {
      if ((static_cast<unsigned char>(out[at]) & 0xC0) != 0x80 && ++count > 100) break;
    }
    out.resize(at);
  }
  return out.empty() ? std::string("登记表.pdf") : out;
}

}  // namespace lep::orgs
