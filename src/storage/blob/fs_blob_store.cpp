#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "crypto/crypto.h"
#include "storage/blob/blob_store.h"

namespace lep::storage {
namespace fs = std::filesystem;

bool SyncFile(int fd) { return ::fsync(fd) == 0; }

bool SyncDirOf(const std::string& path) {
  std::string dir = fs::path(path).parent_path().string();
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

namespace {

std::string NewId() { return crypto::RandomHex(16); }

bool ValidId(const std::string& id) {
  if (id.size() != 32) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

class FsBlobStore final : public BlobStore {
 public:
  explicit FsBlobStore(std::string root) : root_(std::move(root)) {
    std::error_code ec;
    fs::create_directories(fs::path(root_) / "tmp", ec);
  }

  Result<std::string> AdoptFile(const std::string& path) override {
    std::string id = NewId();
    fs::path dest = Dest(id);
    std::error_code ec;
    fs::create_directories(dest.parent_path(), ec);
    if (ec) return Fail(Error::Internal("无法创建存储目录：" + ec.message()));
    if (::rename(path.c_str(), dest.c_str()) != 0) {
      return Fail(Error::Internal(std::string("无法保存文件：") + std::strerror(errno)));
    }
    if (!SyncDirOf(dest.string())) return Fail(Error::Internal("无法持久化存储目录"));
    return id;
  }

  Result<std::string> PutBytes(std::string_view bytes) override {
    std::string tmp = (fs::path(TempDir()) / ("put-" + NewId())).string();
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0) return Fail(Error::Internal("无法写入临时文件"));
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        ::close(fd);
        ::unlink(tmp.c_str());
        return Fail(Error::Internal("写入文件失败（磁盘空间不足？）"));
      }
      done += static_cast<size_t>(n);
    }
    bool synced = SyncFile(fd);
    ::close(fd);
    if (!synced) {
      ::unlink(tmp.c_str());
      return Fail(Error::Internal("写入文件失败（无法同步到磁盘）"));
    }
    auto id = AdoptFile(tmp);
    if (!id) ::unlink(tmp.c_str());
    return id;
  }

  Result<std::string> PathOf(const std::string& id) const override {
    if (!ValidId(id)) return Fail(Error::NotFound("文件不存在"));
    return Dest(id).string();
  }

  Status Remove(const std::string& id) override {
    if (!ValidId(id)) return Fail(Error::NotFound("文件不存在"));
    std::error_code ec;
    fs::remove(Dest(id), ec);
    return Ok();
  }

  std::string TempDir() const override { return (fs::path(root_) / "tmp").string(); }

 private:
  fs::path Dest(const std::string& id) const {
    return fs::path(root_) / id.substr(0, 2) / id.substr(2, 2) / id;
  }
  std::string root_;
};

}  // namespace

std::unique_ptr<BlobStore> NewFsBlobStore(const std::string& root) {
  return std::make_unique<FsBlobStore>(root);
}

}  // namespace lep::storage
