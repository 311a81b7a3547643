#include "media/mp4_boxes.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <string_view>
#include <utility>
#include <vector>

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

tl::unexpected<Error> TooLarge(const std::string& what) {
  return Fail(
      Error::InvalidArgument("文件结构异常（样本表声明的数据量过大：" + what + "），无法安全解析"));
}

tl::unexpected<Error> OutOfPlace(const std::string& type) {
  return Fail(Error::InvalidArgument("文件结构异常（样本表 " + type + " 出现在不应出现的位置）"));
}

// Boxes FFmpeg reads through its generic child walk, where a sample table may hide.
bool IsContainer(std::string_view t) {
  static constexpr std::array<std::string_view, 15> kContainers = {
      "moov", "mdia", "minf", "stbl", "edts", "dinf", "mvex", "udta",
      "tref", "traf", "mfra", "wave", "sinf", "schi", "ilst"};
  for (auto c : kContainers) {
    if (c == t) return true;
  }
  return false;
}

// Sample tables and the box each must sit in.
std::string_view HomeOf(std::string_view t) {
  if (t == "stsz" || t == "stz2" || t == "stsc" || t == "stco" || t == "co64" || t == "stts" ||
      t == "ctts" || t == "stss" || t == "stps" || t == "sbgp" || t == "sdtp") {
    return "stbl";
  }
  if (t == "elst") return "edts";
  if (t == "trun") return "traf";
  return {};
}

// Adds up what the sample tables below one moov (or moof) declare. Tables apply to the track
// opened last, as in FFmpeg's demuxer; a track inside a track is refused.
class TableScan {
 public:
  TableScan(uint64_t file_size, const ReadAtFn& read_at, Mp4Layout* out)
      : file_size_(file_size), read_at_(read_at), out_(out), boxes_(&own_boxes_) {}

  Status WalkTop(uint64_t begin, uint64_t end, std::string_view top) {
    return Walk(begin, end, top, 1, /*in_trak=*/false);
  }

  // After the whole file: the index entries of every track, then the totals against the caps.
  Status Finish() {
    for (const Track& t : tracks_) {
      LEP_ASSIGN_OR_RETURN(uint64_t chunk_wise, ChunkWiseEntries(t));
      const uint64_t entries = std::max(t.samples, chunk_wise) * std::max<uint64_t>(1, t.edits);
      LEP_RETURN_IF_ERROR(Add(&out_->index_entries, entries, kMaxIndexEntries, "索引条目"));
    }
    LEP_RETURN_IF_ERROR(Add(&out_->index_entries, fragment_samples_, kMaxIndexEntries, "索引条目"));
    if (out_->declared_samples > file_size_) {
      return TooLarge("声明了 " + std::to_string(out_->declared_samples) + " 个样本，而文件只有 " +
                      std::to_string(file_size_) + " 字节");
    }
    return Ok();
  }

 private:
  struct Track {
    uint64_t samples = 0;                             // stsz/stz2 sample counts
    uint64_t chunks = 0;                              // chunk offsets FFmpeg can actually read
    uint64_t edits = 0;                               // non-empty edit list entries
    std::vector<std::pair<uint64_t, uint64_t>> stsc;  // (first entry offset, entries)
  };

  bool Read(uint64_t offset, unsigned char* buf, size_t n) const {
    return offset <= file_size_ && file_size_ - offset >= n && read_at_(offset, buf, n);
  }

  static Status Add(uint64_t* total, uint64_t n, uint64_t cap, const char* what) {
    if (n > cap || *total + n > cap) {
      return TooLarge(std::string(what) + "超过 " + std::to_string(cap) + " 个");
    }
    *total += n;
    return Ok();
  }

  // Entries of a table that FFmpeg can read: it stops at the end of the file, not of the box.
  uint64_t Backed(uint64_t first_entry, uint64_t declared, uint64_t entry_size) const {
    if (first_entry >= file_size_) return 0;
    return std::min(declared, (file_size_ - first_entry) / entry_size);
  }

  Status Walk(uint64_t begin, uint64_t end, std::string_view parent, int depth, bool in_trak) {
    if (depth > 12) return Fail(Error::InvalidArgument("文件结构异常（box 嵌套过深）"));
    uint64_t offset = begin;
    while (end > offset && end - offset >= 8) {
      if (++*boxes_ > 1'000'000) {
        return Fail(Error::InvalidArgument("文件结构异常（box 数量过多）"));
      }
      unsigned char head[16];
      if (!Read(offset, head, 8)) return Fail(Error::Internal("读取媒体文件失败"));
      const std::string type(reinterpret_cast<const char*>(head + 4), 4);
      uint64_t size = Be32(head);
      uint64_t header = 8;
      if (size == 1) {
        if (end - offset < 16 || !Read(offset + 8, head + 8, 8)) break;
        size = Be64(head + 8);
        header = 16;
      } else if (size == 0) {
        size = end - offset;
      }
      if (size < header) break;             // FFmpeg stops here too
      size = std::min(size, end - offset);  // and clamps a child to its parent
      const uint64_t payload = offset + header;
      const uint64_t box_end = offset + size;
      LEP_RETURN_IF_ERROR(OnBox(type, payload, box_end, parent, depth, in_trak));
      offset = box_end;
    }
    return Ok();
  }

  Status OnBox(const std::string& type, uint64_t payload, uint64_t end, std::string_view parent,
               int depth, bool in_trak) {
    if (type == "cmov") {
      return Fail(Error::InvalidArgument("不支持压缩的 moov（cmov），请用常规方式重新导出 MP4"));
    }
    if (type == "trak") {
      if (in_trak || parent != "moov") return OutOfPlace(type);
      tracks_.emplace_back();
      return Walk(payload, end, type, depth + 1, true);
    }
    if (type == "moof" && depth > 1) return OutOfPlace(type);
    if (IsContainer(type)) return Walk(payload, end, type, depth + 1, in_trak);
    if (type == "meta") return Walk(payload + 4, end, type, depth + 1, in_trak);  // a full box
    if (type == "stsd") return SampleEntries(payload, end, depth, in_trak);
    if (type == "tkhd" && parent == "trak") return TrackHeader(payload, end);
    const std::string_view home = HomeOf(type);
    if (home.empty()) return Ok();
    if (refuse_tables_ || home != parent || (home != "traf" && (!in_trak || tracks_.empty()))) {
      return OutOfPlace(type);
    }
    return Table(type, payload, end);
  }

  // tkhd (ISO/IEC 14496-12 §8.3.2): width and height are the last two 16.16 fields, after
  // 76 bytes of version 0 fields or 88 of version 1.
  Status TrackHeader(uint64_t payload, uint64_t end) {
    if (out_->track_width > 0) return Ok();
    unsigned char f[96] = {};
    const uint64_t avail = std::min<uint64_t>(end - payload, sizeof f);
    if (avail < 84 || !Read(payload, f, static_cast<size_t>(avail))) return Ok();
    const uint64_t at = f[0] == 1 ? 88 : 76;
    if (avail < at + 8) return Ok();
    const uint32_t w = Be32(f + at) >> 16, h = Be32(f + at + 4) >> 16;
    if (w > 0 && h > 0 && w <= 16384 && h <= 16384) {
      out_->track_width = static_cast<int>(w);
      out_->track_height = static_cast<int>(h);
    }
    return Ok();
  }

  // Sample entries carry child boxes after fields whose length depends on the kind of track;
  // a sample table among them at any of those lengths is refused.
  Status SampleEntries(uint64_t payload, uint64_t end, int depth, bool in_trak) {
    unsigned char head[8];
    if (end - payload < 8 || !Read(payload, head, 8)) return Ok();
    const uint64_t count = std::min<uint64_t>(Be32(head + 4), 64);
    uint64_t offset = payload + 8;
    for (uint64_t i = 0; i < count && end > offset && end - offset >= 8; ++i) {
      if (!Read(offset, head, 8)) return Fail(Error::Internal("读取媒体文件失败"));
      uint64_t size = Be32(head);
      if (size < 8) break;
      size = std::min(size, end - offset);
      for (uint64_t fields : {8, 16, 20, 28, 44, 64, 78}) {
        if (size < 8 + fields) continue;
        TableScan probe(file_size_, read_at_, out_);
        probe.refuse_tables_ = true;
        probe.boxes_ = boxes_;
        LEP_RETURN_IF_ERROR(
            probe.Walk(offset + 8 + fields, offset + size, "stsd", depth + 2, in_trak));
      }
      offset += size;
    }
    return Ok();
  }

  Status Table(const std::string& type, uint64_t payload, uint64_t end) {
    unsigned char f[16] = {};
    const uint64_t avail = std::min<uint64_t>(end - payload, 16);
    if (avail < 8 || !Read(payload, f, static_cast<size_t>(avail))) return Ok();
    const unsigned version = f[0];
    Track* track = tracks_.empty() ? nullptr : &tracks_.back();
    uint64_t entries = 0;
    if (type == "stsz" || type == "stz2") {
      if (avail < 12) return Ok();
      const uint64_t samples = Be32(f + 8);
      const bool sized = type == "stz2" || Be32(f + 4) == 0;  // one size per sample follows
      LEP_RETURN_IF_ERROR(Add(&out_->declared_samples, samples, kMaxIndexEntries, "样本数"));
      track->samples += samples;
      entries = sized ? samples : 0;
    } else if (type == "trun") {
      entries = Be32(f + 4);
      LEP_RETURN_IF_ERROR(Add(&out_->declared_samples, entries, kMaxIndexEntries, "样本数"));
      fragment_samples_ += entries;
    } else if (type == "stco" || type == "co64") {
      entries = Be32(f + 4);
      track->chunks += Backed(payload + 8, entries, type == "stco" ? 4 : 8);
    } else if (type == "stsc") {
      entries = Be32(f + 4);
      track->stsc.emplace_back(payload + 8, Backed(payload + 8, entries, 12));
    } else if (type == "elst") {
      entries = Be32(f + 4);
      uint64_t edits = Backed(payload + 8, entries, version == 1 ? 20 : 12);
      // A leading empty edit (media time -1) only delays the start; it adds no entries.
      unsigned char first[16];
      const uint64_t at = payload + 8 + (version == 1 ? 8 : 4);
      if (edits > 0 && Read(at, first, version == 1 ? 8 : 4)) {
        const bool empty = version == 1 ? Be64(first) == ~uint64_t{0} : Be32(first) == 0xFFFFFFFF;
        if (empty) --edits;
      }
      track->edits += edits;
    } else if (type == "sbgp") {
      if (avail < (version == 1 ? 16u : 12u)) return Ok();
      entries = Be32(f + (version == 1 ? 12 : 8));
    } else if (type != "sdtp") {  // stts, ctts, stss, stps
      entries = Be32(f + 4);
    }
    return Add(&out_->table_entries, entries, kMaxTableEntries, "样本表条目");
  }

  // FFmpeg indexes uncompressed-style audio chunk by chunk, in packets of at least 160
  // samples (1024 for most): at most chunks × (samples per chunk / 160 + 1) entries, counted
  // over the chunks it can read.
  Result<uint64_t> ChunkWiseEntries(const Track& t) const {
    uint64_t total = 0;
    for (const auto& [first_entry, count] : t.stsc) {
      std::vector<unsigned char> buf;
      uint64_t prev_first = 0, prev_spc = 0;
      bool have_prev = false;
      constexpr uint64_t kBlock = 4096;  // entries read at a time
      for (uint64_t i = 0; i < count; i += kBlock) {
        const uint64_t n = std::min(kBlock, count - i);
        buf.resize(static_cast<size_t>(n * 12));
        if (!Read(first_entry + i * 12, buf.data(), buf.size())) {
          return Fail(Error::Internal("读取媒体文件失败"));
        }
        for (uint64_t k = 0; k < n; ++k) {
          const uint64_t first = Be32(buf.data() + k * 12);
          const uint64_t spc = Be32(buf.data() + k * 12 + 4);
          if (have_prev) total += Covered(prev_first, first, t.chunks) * (prev_spc / 160 + 1);
          prev_first = first;
          prev_spc = spc;
          have_prev = true;
          if (total > kMaxIndexEntries) return total;
        }
      }
      if (have_prev) total += Covered(prev_first, t.chunks + 1, t.chunks) * (prev_spc / 160 + 1);
    }
    return total;
  }

  static uint64_t Covered(uint64_t first, uint64_t next_first, uint64_t chunks) {
    return next_first > first ? std::min(next_first - first, chunks) : 0;
  }

  uint64_t file_size_;
  const ReadAtFn& read_at_;
  Mp4Layout* out_;
  std::vector<Track> tracks_;
  uint64_t fragment_samples_ = 0;
  bool refuse_tables_ = false;  // inside sample entries: FFmpeg would read them, we refuse
  uint64_t own_boxes_ = 0;
  uint64_t* boxes_;  // shared with the walks of sample entries
};

}  // namespace

Result<Mp4Layout> ScanMp4Boxes(uint64_t file_size, const ReadAtFn& read_at) {
  Mp4Layout layout;
  if (file_size == 0) return Fail(Error::InvalidArgument("文件为空"));
  uint64_t offset = 0;
  uint64_t moov_offset = 0;
  uint64_t mdat_offset = 0;
  TableScan tables(file_size, read_at, &layout);
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
      LEP_RETURN_IF_ERROR(tables.WalkTop(offset + header, offset + size, "moov"));
    } else if (type == "mdat" && !layout.has_mdat && size > header) {
      layout.has_mdat = true;
      mdat_offset = offset;
    } else if (type == "moof") {
      layout.fragmented = true;
      LEP_RETURN_IF_ERROR(tables.WalkTop(offset + header, offset + size, "moof"));
    }
    offset += size;
  }
  if (!layout.has_moov) {
    return Fail(Error::InvalidArgument("文件缺少 moov（索引）box，可能未完整上传或不是有效的 MP4"));
  }
  LEP_RETURN_IF_ERROR(tables.Finish());
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
