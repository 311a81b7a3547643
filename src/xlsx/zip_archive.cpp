#include "xlsx/zip_archive.h"

#include <zip.h>

#include <algorithm>

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
  impl->budget_left = max_total_bytes;
  impl->max_entry = max_entry_bytes;
  return ZipArchive(std::move(impl));
}

bool ZipArchive::Contains(std::string_view name) const { return impl_->Locate(name) >= 0; }

Result<std::string> ZipArchive::Read(std::string_view name) {
  zip_int64_t idx = impl_->Locate(name);
  if (idx < 0) return Fail(Error::NotFound("xlsx 文件缺少 " + std::string(name)));
  const size_t cap = std::min(impl_->budget_left, impl_->max_entry);
  zip_stat_t st;
  zip_stat_init(&st);
  size_t declared = 0;
  if (zip_stat_index(impl_->zip.get(), static_cast<zip_uint64_t>(idx), 0, &st) == 0 &&
      (st.valid & ZIP_STAT_SIZE)) {
    // The declared size can lie; it only lets an honest oversized entry fail early.
    if (st.size > cap) return Fail(TooLargeError());
    declared = static_cast<size_t>(st.size);
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
  std::string out;
  out.reserve(declared);
  char buf[64 * 1024];
  for (;;) {
    zip_int64_t n = zip_fread(file.get(), buf, sizeof buf);
    if (n < 0) return Fail(CorruptError());  // bad deflate data or CRC mismatch
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > cap) return Fail(TooLargeError());
    out.append(buf, static_cast<size_t>(n));
  }
  impl_->budget_left -= out.size();
  return out;
}

}  // namespace lep::xlsx::internal
