#include "media/mp4_boxes.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <string_view>

namespace lep::media {
namespace {

// A file of millions of tiny boxes is not a real upload; bound the walk.
constexpr int kMaxTopLevelBoxes = 100000;
constexpr size_t kMaxBrands = 32;

uint32_t Be32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

uint64_t Be64(const unsigned char* p) { return (uint64_t{Be32(p)} << 32) | Be32(p + 4); }

bool IsPrintableType(const unsigned char* p) {
  for (int i = 0; i < 4; ++i) {
    if (p[i] < 0x20 || p[i] > 0x7e) return false;
  }
  return true;
}

// Boxes a real mp4/mov file may start with.
bool IsPlausibleFirstBox(std::string_view type) {
  static constexpr std::array<std::string_view, 11> kFirst = {
      "ftyp", "styp", "moov", "mdat", "free", "skip", "wide", "pnot", "uuid", "pdin", "junk"};
  for (auto t : kFirst) {
    if (t == type) return true;
  }
  return false;
}

tl::unexpected<Error> NotMp4() {
  return Fail(Error::InvalidArgument("文件内容不是 MP4 格式（文件头不是 MP4 box 结构）"));
}

tl::unexpected<Error> Truncated() {
  return Fail(Error::InvalidArgument("文件不完整（可能上传中断或文件被截断）"));
}

}  // namespace

Result<Mp4Layout> ScanMp4Boxes(uint64_t file_size, const ReadAtFn& read_at) {
  Mp4Layout layout;
  if (file_size == 0) return Fail(Error::InvalidArgument("文件为空"));
  uint64_t offset = 0;
  uint64_t moov_offset = 0;
  uint64_t mdat_offset = 0;
  while (offset < file_size) {
    const uint64_t remaining = file_size - offset;
    const bool complete_so_far = layout.has_moov && layout.has_mdat;
    if (remaining < 8) {
      // A few stray bytes after a complete file are harmless; anything else is a cut box.
      if (complete_so_far) break;
      return layout.box_count == 0 ? NotMp4() : Truncated();
    }
    if (++layout.box_count > kMaxTopLevelBoxes) {
      return Fail(Error::InvalidArgument("文件结构异常（顶层 box 数量过多）"));
    }
    unsigned char head[16];
    if (!read_at(offset, head, 8)) return Fail(Error::Internal("读取媒体文件失败"));
    const std::string type(reinterpret_cast<const char*>(head + 4), 4);
    if (!IsPrintableType(head + 4)) {
      if (complete_so_far) break;  // trailing junk after a complete file
      return layout.box_count == 1 ? NotMp4()
                                   : Fail(Error::InvalidArgument("文件已损坏（MP4 box 结构无效）"));
    }
    if (layout.box_count == 1 && !IsPlausibleFirstBox(type)) return NotMp4();
    uint64_t size = Be32(head);
    uint64_t header = 8;
    if (size == 1) {
      if (remaining < 16) return Truncated();
      if (!read_at(offset + 8, head + 8, 8)) return Fail(Error::Internal("读取媒体文件失败"));
      size = Be64(head + 8);
      header = 16;
    } else if (size == 0) {
      size = remaining;  // the last box runs to the end of the file
    }
    if (size < header) return Fail(Error::InvalidArgument("文件已损坏（MP4 box 长度无效）"));
    if (size > remaining) return Truncated();

    if (type == "ftyp" && !layout.has_ftyp) {
      layout.has_ftyp = true;
      const uint64_t payload = size - header;
      if (payload >= 8) {
        const size_t n = static_cast<size_t>(std::min<uint64_t>(payload, 8 + 4 * kMaxBrands));
        std::vector<unsigned char> buf(n);
        if (!read_at(offset + header, buf.data(), n)) {
          return Fail(Error::Internal("读取媒体文件失败"));
        }
        layout.major_brand.assign(reinterpret_cast<const char*>(buf.data()), 4);
        for (size_t i = 8; i + 4 <= n; i += 4) {
          layout.compatible_brands.emplace_back(reinterpret_cast<const char*>(buf.data() + i), 4);
        }
      }
    } else if (type == "moov" && !layout.has_moov) {
      layout.has_moov = true;
      moov_offset = offset;
    } else if (type == "mdat" && !layout.has_mdat && size > header) {
      layout.has_mdat = true;
      mdat_offset = offset;
    } else if (type == "moof") {
      layout.fragmented = true;
    }
    offset += size;
  }
  if (!layout.has_moov) {
    return Fail(Error::InvalidArgument("文件缺少 moov（索引）box，可能未完整上传或不是有效的 MP4"));
  }
  layout.moov_before_mdat = !layout.has_mdat || moov_offset < mdat_offset;
  return layout;
}

Result<Mp4Layout> ScanMp4File(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(Error::Internal("无法打开媒体文件"));
  in.seekg(0, std::ios::end);
  const std::streamoff end = in.tellg();
  if (end < 0) return Fail(Error::Internal("读取媒体文件失败"));
  return ScanMp4Boxes(static_cast<uint64_t>(end),
                      [&in](uint64_t offset, unsigned char* buf, size_t n) {
                        in.clear();
                        in.seekg(static_cast<std::streamoff>(offset));
                        in.read(reinterpret_cast<char*>(buf), static_cast<std::streamsize>(n));
                        return in.gcount() == static_cast<std::streamsize>(n);
                      });
}

std::string ContainerFromBrands(const Mp4Layout& layout) {
  if (!layout.has_ftyp || layout.major_brand == "qt  ") return "mov";
  if (layout.major_brand.rfind("3g", 0) == 0) return "3gp";
  return "mp4";
}

}  // namespace lep::media
