#include "xlsx/zip_archive.h"

#include <zip.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace lep::xlsx::internal {
namespace {

struct ZipDiscard {
  void operator()(zip_t* za) const { zip_discard(za); }
};
struct ZipFileClose {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

Error CorruptError() {
  return Error::InvalidArgument(
      "文件不是有效的 xlsx 文件（压缩结构已损坏或不完整），请用 Excel 重新保存后上传");
}

Error TooLargeError() {
  return Error::InvalidArgument(
      "xlsx 文件解压后内容过大，已拒绝处理；请删除多余内容或拆分后重新上传");
}

uint64_t Le(std::string_view b, size_t at, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return v;
}

// The entry count the archive declares, from the last end-of-central-directory record (and
// its zip64 twin); nullopt-like 0 when there is none, which libzip then reports as corrupt.
// libzip allocates per declared entry while it reads the directory, so this runs first.
uint64_t DeclaredEntries(std::string_view b) {
  constexpr size_t kEocd = 22;
  if (b.size() < kEocd) return 0;
  const size_t lowest = b.size() > kEocd + 0xFFFF ? b.size() - kEocd - 0xFFFF : 0;
  for (size_t p = b.size() - kEocd + 1; p-- > lowest;) {
    if (b.compare(p, 4, "PK\x05\x06") != 0) continue;
    uint64_t entries = std::max(Le(b, p + 8, 2), Le(b, p + 10, 2));
    // A zip64 locator sits just before the record and points at the zip64 record.
    if (p >= 20 && b.compare(p - 20, 4, "PK\x06\x07") == 0) {
      const uint64_t z64 = Le(b, p - 20 + 8, 8);
      if (z64 + 56 <= b.size() && b.compare(z64, 4, "PK\x06\x06") == 0) {
        entries = std::max({entries, Le(b, z64 + 24, 8), Le(b, z64 + 32, 8)});
      }
    }
    return entries;
  }
  return 0;
}

}  // namespace

struct ZipArchive::Impl {
  std::unique_ptr<zip_t, ZipDiscard> zip;
  size_t budget_left = 0;
  size_t max_entry = 0;

  zip_int64_t Locate(std::string_view name) const {
    std::string n(name);
    zip_int64_t idx = zip_name_locate(zip.get(), n.c_str(), 0);
    if (idx < 0) idx = zip_name_locate(zip.get(), n.c_str(), ZIP_FL_NOCASE);
    return idx;
  }
};

ZipArchive::ZipArchive(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ZipArchive::ZipArchive(ZipArchive&&) noexcept = default;
ZipArchive& ZipArchive::operator=(ZipArchive&&) noexcept = default;
ZipArchive::~ZipArchive() = default;

Result<ZipArchive> ZipArchive::Open(std::string_view bytes, size_t max_total_bytes,
                                    size_t max_entry_bytes) {
  if (DeclaredEntries(bytes) > kMaxZipEntries) {
    return Fail(Error::InvalidArgument("xlsx 文件包含的部件数量过多（超过 " +
                                       std::to_string(kMaxZipEntries) +
                                       " 个），不是正常的 Excel 文件，已拒绝处理"));
  }
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  if (!src) {
    zip_error_fini(&error);
    return Fail(Error::Internal("无法读取上传的文件"));
  }
  zip_t* za = zip_open_from_source(src, ZIP_RDONLY, &error);
  zip_error_fini(&error);
  if (!za) {
    zip_source_free(src);  // still ours when the open failed
    return Fail(CorruptError());
  }
  auto impl = std::make_unique<Impl>();
  impl->zip.reset(za);
  if (zip_get_num_entries(za, 0) > static_cast<zip_int64_t>(kMaxZipEntries)) {
    return Fail(CorruptError());  // the record lied about the count
  }
  impl->budget_left = max_total_bytes;
  impl->max_entry = max_entry_bytes;
  return ZipArchive(std::move(impl));
}

bool ZipArchive::Contains(std::string_view name) const { return impl_->Locate(name) >= 0; }

Status ZipArchive::Stream(std::string_view name, size_t chunk_bytes, const Sink& sink) {
  zip_int64_t idx = impl_->Locate(name);
  if (idx < 0) return Fail(Error::NotFound("xlsx 文件缺少 " + std::string(name)));
  const size_t cap = std::min(impl_->budget_left, impl_->max_entry);
  zip_stat_t st;
  zip_stat_init(&st);
  // The declared size can lie; it only lets an honest oversized entry fail early.
  if (zip_stat_index(impl_->zip.get(), static_cast<zip_uint64_t>(idx), 0, &st) == 0 &&
      (st.valid & ZIP_STAT_SIZE) && st.size > cap) {
    return Fail(TooLargeError());
  }
  std::unique_ptr<zip_file_t, ZipFileClose> file(
      zip_fopen_index(impl_->zip.get(), static_cast<zip_uint64_t>(idx), 0));
  if (!file) {
    int code = zip_error_code_zip(zip_get_error(impl_->zip.get()));
    if (code == ZIP_ER_NOPASSWD || code == ZIP_ER_WRONGPASSWD || code == ZIP_ER_ENCRNOTSUPP) {
      return Fail(Error::InvalidArgument("不支持加密的 xlsx 文件，请取消密码后重新上传"));
    }
    if (code == ZIP_ER_COMPNOTSUPP) {
      return Fail(Error::InvalidArgument("xlsx 文件使用了不支持的压缩方式，请用 Excel 重新保存"));
    }
    return Fail(CorruptError());
  }
  std::vector<char> buf(std::max<size_t>(chunk_bytes, 4096));
  size_t total = 0;
  for (;;) {
    zip_int64_t n = zip_fread(file.get(), buf.data(), buf.size());
    if (n < 0) return Fail(CorruptError());  // bad deflate data or CRC mismatch
    if (n == 0) break;
    total += static_cast<size_t>(n);
    if (total > cap) return Fail(TooLargeError());
    impl_->budget_left -= static_cast<size_t>(n);
    LEP_RETURN_IF_ERROR(sink(std::string_view(buf.data(), static_cast<size_t>(n))));
  }
  return Ok();
}

}  // namespace lep::xlsx::internal
