#include "uploads/upload_service.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include "auth/authorizer.h"
#include "core/text.h"
#include "crypto/crypto.h"
#include "storage/blob/blob_store.h"

namespace lep::uploads {
namespace fs = std::filesystem;

namespace {

std::string NewUploadId() { return crypto::RandomHex(16); }

bool ValidUploadId(const std::string& id) {
  if (id.size() != 32) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string SafeDisplayName(const std::string& raw) {
  std::string name = raw;
  size_t slash = name.find_last_of("/\\");
  if (slash != std::string::npos) name = name.substr(slash + 1);
  if (!text::IsValidUtf8(name)) name = "upload";
  std::string out;
  for (char c : name) {
    if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) out.push_back(c);
  }
  if (out.size() > 200) {
    out.resize(200);
    while (!text::IsValidUtf8(out)) out.pop_back();  // never half a character (≤ 3 bytes)
  }
  if (out.empty() || out == "." || out == "..") out = "upload";
  return out;
}

}  // namespace

Result<std::string> ValidLessonTitle(const std::string& raw) {
  std::string title = text::Trim(raw);
  if (title.empty() || !text::IsValidUtf8(title) || text::CodePointCount(title) > 200) {
    return Fail(Error::InvalidArgument("课时名称应为 1–200 个字",
                                       {{"title", "课时名称", "课时名称应为 1–200 个字"}}));
  }
  return title;
}

struct UploadService::Impl {
  UploadRepository& repo;
  resources::ResourceService& resources;
  const Clock& clock;
  UploadOptions options;

  std::string PartPath(const std::string& id) const {
    return (fs::path(options.dir) / (id + ".part")).string();
  }

  // The one-PATCH-at-a-time lock of an upload: an exclusive OFD lock on its .part file in
  // the shared directory. OFD locks belong to the open file description, so they exclude
  // another request of this process as well as one of another server on the same files, and
  // the kernel drops them when the holder dies (kill -9 frees the upload at once). Returns
  // the locked descriptor (opened O_RDWR), -1 with kLocked when somebody holds it, or -1
  // with another error when the file is gone.
  Result<int> LockPart(const std::string& id) {
    std::string path = PartPath(id);
    int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) return Fail(Error::NotFound("上传文件丢失，请重新上传"));
    struct flock fl {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    fl.l_start = 0;
    fl.l_len = 0;  // the whole file, whatever its length
    if (::fcntl(fd, F_OFD_SETLK, &fl) != 0) {
      int err = errno;
      ::close(fd);
      if (err == EAGAIN || err == EACCES) {
        return Fail(
            Error{ErrorCode::kLocked, "该文件正在另一个请求中上传，请稍后重试", {}, std::nullopt});
      }
      return Fail(Error::Internal("无法锁定上传文件"));
    }
    return fd;
  }

  Result<std::optional<Upload>> Load(const std::string& id) {
    if (!ValidUploadId(id)) return std::optional<Upload>();
    return repo.Get(id);
  }

  // Compare-and-set from the offset this PATCH started at: the lock already excludes a
  // second writer, and this keeps the row honest should the lock ever be lost (a shared
  // file system without working locks) — the loser gets a conflict, never a rewound offset.
  Status SaveProgress(const Upload& u, uint64_t expected_offset) {
    return repo.SaveProgress(u.id, expected_offset, u.offset, u.hash_state);
  }

  // Removes the upload and its bytes unless a PATCH holds it (then false).
  bool Discard(const std::string& id) {
    auto fd = LockPart(id);
    if (!fd && fd.error().Is(ErrorCode::kLocked)) return false;
    DiscardLocked(id);
    if (fd) ::close(*fd);
    return true;
  }

  // The same for the holder of the lock.
  void DiscardLocked(const std::string& id) {
    std::error_code ec;
    fs::remove(PartPath(id), ec);
    (void)repo.Delete(id);
  }

  // The resource behind an upload, if p may write to it (the one visibility rule).
  Result<resources::Resource> CheckWriter(const auth::Principal& p, int64_t resource_id,
                                          bool need_editable) {
    LEP_ASSIGN_OR_RETURN(auto loaded,
                         resources.LoadWritable(p, resources::ResourceId{resource_id}));
    if (need_editable && !resources::IsEditable(loaded.resource.state)) {
      return Fail(Error::FailedPrecondition("资源当前状态为“" +
                                            std::string(resources::StateLabel(loaded.resource.state)) +
                                            "”，不能再上传文件"));
    }
    return std::move(loaded.resource);
  }

  // need_editable: PATCH continues an upload only while its resource is a draft or returned
  // (a stale upload must never replace reviewed media); HEAD may still tell the offset.
  Result<Upload> LoadForWriter(const auth::Principal& p, const std::string& id,
                               bool need_editable) {
    LEP_ASSIGN_OR_RETURN(auto u, Load(id));
    if (!u) return Fail(Error::NotFound("上传不存在或已删除"));
    auto allowed = CheckWriter(p, u->resource_id, need_editable && !u->completed_at);
    if (!allowed) {
      if (allowed.error().Is(ErrorCode::kNotFound)) return Fail(Error::NotFound("上传不存在或已删除"));
      return Fail(allowed.error());
    }
    if (!u->completed_at && u->expires_at <= clock.NowMs()) {
      if (!Discard(u->id)) {
        return Fail(
            Error{ErrorCode::kLocked, "该文件正在另一个请求中上传，请稍后重试", {}, std::nullopt});
      }
      // expires_at = 0: cancelled when the resource was submitted for review.
      return Fail(Error{ErrorCode::kGone,
                        u->expires_at == 0
                            ? "资源已提交审核，未完成的上传已取消"
                            : "上传已过期（超过保留时间未完成），请重新上传",
                        {}, std::nullopt});
    }
    return *u;
  }
};

namespace {

// How long a finished upload waits for a busy completion (media check slots) before it fails.
constexpr std::chrono::seconds kBusyRetryFor{120};

class Writer final : public PatchWriter {
 public:
  Writer(UploadService::Impl& impl, const CompletionHandler& on_complete, Upload u, int fd,
         std::optional<Checksum> checksum)
      : impl_(impl), on_complete_(on_complete), u_(std::move(u)), fd_(fd),
        start_(u_.offset), checksum_(std::move(checksum)),
        sha_(std::move(*crypto::Sha256::Restore(u_.hash_state))) {
    if (checksum_) {
      md_.emplace(checksum_->algorithm == ChecksumAlgorithm::kSha1
                      ? crypto::Digest::Algorithm::kSha1
                      : crypto::Digest::Algorithm::kSha256);
    }
  }
  ~Writer() override {
    if (fd_ >= 0) ::close(fd_);  // releases the upload's lock
  }

  Status Write(std::string_view chunk) override {
    if (written_ + chunk.size() > u_.length - start_) {
      failed_ = true;
      error_ = Error{ErrorCode::kPayloadTooLarge, "上传内容超过了声明的文件大小（Upload-Length）",
                     {}, std::nullopt};
      return Fail(error_);
    }
    size_t done = 0;
    while (done < chunk.size()) {
      ssize_t n = ::write(fd_, chunk.data() + done, chunk.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        failed_ = true;
        error_ = Error::Internal(errno == ENOSPC ? "服务器磁盘空间不足，请稍后重试"
                                                 : "写入文件失败，请稍后重试");
        return Fail(error_);
      }
      done += static_cast<size_t>(n);
    }
    // Start writing these pages back now (asynchronously), so that the fdatasync of the next
    // checkpoint finds little left to do: the disk works while the next bytes arrive.
    ::sync_file_range(fd_, static_cast<off_t>(start_ + written_),
                      static_cast<off_t>(chunk.size()), SYNC_FILE_RANGE_WRITE);
    sha_.Update(chunk);
    if (md_) md_->Update(chunk);
    written_ += chunk.size();
    // Without a checksum every received byte is final: checkpoint long PATCHes so a crash
    // keeps most of a 3 GB single-request upload.
    if (!checksum_ && written_ - checkpointed_ >= impl_.options.commit_every) {
      LEP_RETURN_IF_ERROR(Commit());
    }
    return Ok();
  }

  Result<Upload> Finish(bool complete) override {
    if (checksum_ || failed_) {
      bool verified = false;
      if (checksum_ && complete && !failed_) {
        verified = md_->Final() == checksum_->digest;
        if (!verified) {
          Rollback();
          return Fail(Error{ErrorCode::kChecksumMismatch,
                            "数据校验失败（Upload-Checksum 不一致），本段数据已丢弃，请重新发送",
                            {}, std::nullopt});
        }
      }
      if (!verified) {
        // An unverifiable or failed request keeps nothing of itself.
        Rollback();
        if (failed_) return Fail(error_);
        return u_;
      }
    }
    LEP_RETURN_IF_ERROR(Commit());
    if (u_.offset == u_.length) return Complete();
    return u_;
  }

 private:
  Status Commit() {
    if (::fdatasync(fd_) != 0) {
      Rollback();
      return Fail(Error::Internal("无法将数据写入磁盘（同步失败），本段数据未被接收"));
    }
    Upload next = u_;
    next.offset = start_ + written_;
    next.hash_state = sha_.SaveState();
    if (auto saved = impl_.SaveProgress(next, u_.offset); !saved) {
      // Someone else moved the upload: the file is theirs now, leave it alone.
      lost_ = true;
      failed_ = true;
      error_ = saved.error();
      return saved;
    }
    u_ = next;
    checkpointed_ = written_;
    return Ok();
  }

  void Rollback() {
    if (lost_) return;
    // Back to the last committed offset; the hash state in the database matches it.
    if (::ftruncate(fd_, static_cast<off_t>(u_.offset)) == 0) {
      ::lseek(fd_, static_cast<off_t>(u_.offset), SEEK_SET);
    }
  }

  Result<Upload> Complete() {
    u_.sha256 = sha_.HexDigest();
    // fd_ (and with it the lock) stays open until the upload is settled: no other request
    // may touch the file while the completion handler adopts it.
    u_.completed_at = impl_.clock.NowMs();
    std::string path = impl_.PartPath(u_.id);
    if (on_complete_) {
      auto done = on_complete_(u_, path);
      // Busy (every media-check slot taken, a burst of uploads ending at once): the bytes are
      // on disk and acknowledged, so wait for a slot instead of dropping them — bounded, and
      // only while the file is still here (a handler that adopted it and then failed has
      // already cleaned up).
      const auto give_up = std::chrono::steady_clock::now() + kBusyRetryFor;
      std::error_code exists_ec;
      while (!done && done.error().Is(ErrorCode::kUnavailable) &&
             std::chrono::steady_clock::now() < give_up && fs::exists(path, exists_ec)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        done = on_complete_(u_, path);
      }
      if (!done) {
        impl_.DiscardLocked(u_.id);
        return Fail(done.error());
      }
    }
    std::error_code ec;
    fs::remove(path, ec);  // adopted files were moved away already
    LEP_RETURN_IF_ERROR(impl_.repo.MarkCompleted(u_.id, u_.completed_at, u_.sha256));
    ::close(fd_);  // settled: release the lock
    fd_ = -1;
    return u_;
  }

  UploadService::Impl& impl_;
  const CompletionHandler& on_complete_;
  Upload u_;
  int fd_;
  uint64_t start_;
  uint64_t written_ = 0;
  uint64_t checkpointed_ = 0;
  bool failed_ = false;
  bool lost_ = false;
  Error error_;
  std::optional<Checksum> checksum_;
  crypto::Sha256 sha_;
  std::optional<crypto::Digest> md_;
};

}  // namespace

UploadService::UploadService(UploadRepository& repo, resources::ResourceService& resources,
                             const Clock& clock, UploadOptions options)
    : impl_(new Impl{repo, resources, clock, options}), options_(options) {
  std::error_code ec;
  fs::create_directories(options.dir, ec);
}

UploadService::~UploadService() = default;

Result<Upload> UploadService::Create(const auth::Principal& p, uint64_t length,
                                     const std::map<std::string, std::string>& metadata) {
  std::vector<FieldError> errors;
  auto get = [&](const char* k) {
    auto it = metadata.find(k);
    return it == metadata.end() ? std::string() : it->second;
  };
  std::string kind = get("kind").empty() ? "media" : get("kind");
  if (kind != "media" && kind != "cover" && kind != "lesson") {
    errors.push_back({"kind", "文件类别",
                      "文件类别应为 media（音视频）、cover（封面）或 lesson（网络课程的课程视频）"});
  }
  int64_t resource_id = 0;
  if (auto n = ParseUploadNumber(get("resource_id")); n && *n > 0) {
    resource_id = static_cast<int64_t>(*n);
  } else {
    errors.push_back({"resource_id", "资源ID", "Upload-Metadata 须包含 resource_id（资源ID）"});
  }
  if (!errors.empty()) return Fail(Error::InvalidArgument(errors[0].message, errors));
  LEP_ASSIGN_OR_RETURN(auto resource, impl_->CheckWriter(p, resource_id, true));
  const bool course = resource.meta.type == resources::ResourceType::kCourse;
  if (kind == "media" && course) {
    return Fail(Error::InvalidArgument(
        "网络课程（A03）的课程视频请按课时上传（文件类别 lesson），或以链接方式提交"));
  }
  if (kind == "lesson" &&
      (!course || resource.meta.delivery != resources::CourseDelivery::kFiles)) {
    return Fail(Error::InvalidArgument(
        course ? "该网络课程的提交方式为“链接”；如需上传课程视频，请先将提交方式改为“实体资源”并保存"
               : "只有网络课程（A03）可以按课时上传课程视频",
        {{"kind", "文件类别", "只有提交方式为“实体资源”的网络课程可以上传课程视频"}}));
  }
  std::string title = text::Trim(get("title"));
  if (kind == "lesson" && !title.empty()) {
    LEP_ASSIGN_OR_RETURN(title, ValidLessonTitle(title));
  }
  uint64_t max = kind == "cover" ? options_.max_cover_bytes : options_.max_media_bytes;
  if (length > max) {
    return Fail(Error{ErrorCode::kPayloadTooLarge,
                      std::string(kind == "cover" ? "封面" : "文件") + "过大：上限为 " +
                          std::to_string(max / (1 << 20)) + " MB",
                      {}, std::nullopt});
  }
  // Abuse bounds: what one unit and one account may hold in unfinished uploads.
  int64_t now = impl_->clock.NowMs();
  LEP_ASSIGN_OR_RETURN(auto pending, impl_->repo.Pending(resource.org_id.value, p.user_id.value,
                                                        now));
  if (pending.account_uploads >= options_.account_pending_uploads) {
    return Fail(Error::TooManyRequests(
        "您已有 " + std::to_string(pending.account_uploads) +
            " 个未完成的上传（上限 " + std::to_string(options_.account_pending_uploads) +
            " 个），请先完成或删除它们再开始新的上传",
        60));
  }
  if (pending.unit_bytes + length > options_.unit_pending_bytes) {
    return Fail(Error{ErrorCode::kPayloadTooLarge,
                      "本单位未完成的上传已占用 " + std::to_string(pending.unit_bytes >> 20) +
                          " MB，再加上本文件将超过上限 " +
                          std::to_string(options_.unit_pending_bytes >> 20) +
                          " MB；请先完成或删除未完成的上传",
                      {},
                      std::nullopt});
  }
  Upload u;
  u.id = NewUploadId();
  u.resource_id = resource_id;
  u.org_id = resource.org_id.value;
  u.user_id = p.user_id.value;
  u.kind = kind;
  u.filename = SafeDisplayName(get("filename").empty() ? get("name") : get("filename"));
  if (kind == "lesson") u.title = title;
  u.length = length;
  u.hash_state = crypto::Sha256().SaveState();
  u.created_at = now;
  u.expires_at = u.created_at + std::chrono::duration_cast<std::chrono::milliseconds>(
                                    options_.expiry).count();
  std::string path = impl_->PartPath(u.id);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd < 0) return Fail(Error::Internal("无法创建上传文件"));
  ::close(fd);
  storage::SyncDirOf(path);
  auto st_ok = impl_->repo.Insert(u);
  if (!st_ok) {
    std::error_code ec;
    fs::remove(path, ec);
    return Fail(st_ok.error());
  }
  return u;
}

Result<Upload> UploadService::Get(const auth::Principal& p, const std::string& id) {
  return impl_->LoadForWriter(p, id, false);
}

Result<std::unique_ptr<PatchWriter>> UploadService::BeginPatch(
    const auth::Principal& p, const std::string& id, uint64_t offset,
    std::optional<Checksum> checksum, std::optional<uint64_t> content_length) {
  LEP_ASSIGN_OR_RETURN(Upload u, impl_->LoadForWriter(p, id, true));
  if (u.completed_at) return Fail(Error::Conflict("上传已完成，无需继续发送"));
  auto locked = impl_->LockPart(u.id);
  if (!locked) {
    if (locked.error().Is(ErrorCode::kLocked)) return Fail(locked.error());
    // The file is gone: completed (adopted) or removed meanwhile, perhaps by another server.
    auto now = impl_->Load(id);
    if (now && *now && (*now)->completed_at) {
      return Fail(Error::Conflict("上传已完成，无需继续发送"));
    }
    if (now && !*now) return Fail(Error::NotFound("上传不存在或已删除"));
    if (now && (*now)->offset == (*now)->length) {
      // Every byte is in: another request is handing the finished file over right now.
      return Fail(
          Error{ErrorCode::kLocked, "该文件正在另一个请求中处理，请稍后重试", {}, std::nullopt});
    }
    return Fail(Error::Internal("上传文件丢失，请重新上传"));
  }
  int fd = *locked;
  auto fail = [&fd](Error e) -> Result<std::unique_ptr<PatchWriter>> {
    ::close(fd);
    return Fail(std::move(e));
  };
  // Re-read under the lock: a PATCH on this or another server may have committed since the
  // first read. Offset and hash state always come from the database, never from memory.
  auto fresh = impl_->Load(id);
  if (!fresh || !*fresh) return fail(Error::NotFound("上传不存在或已删除"));
  u = std::move(**fresh);
  if (u.completed_at) return fail(Error::Conflict("上传已完成，无需继续发送"));
  if (offset != u.offset) {
    return fail(Error::Conflict("Upload-Offset 与服务器记录不一致：服务器已收到 " +
                                std::to_string(u.offset) + " 字节"));
  }
  if (content_length && *content_length > u.length - u.offset) {
    return fail(Error{ErrorCode::kPayloadTooLarge,
                      "上传内容超过了声明的文件大小（Upload-Length）",
                      {},
                      std::nullopt});
  }
  struct stat sb {};
  ::fstat(fd, &sb);
  uint64_t size = static_cast<uint64_t>(sb.st_size);
  if (size < u.offset) return fail(Error::Internal("上传文件不完整，请重新上传"));
  // Bytes past the committed offset were never acknowledged (a crash mid-PATCH): drop them.
  if (size > u.offset && ::ftruncate(fd, static_cast<off_t>(u.offset)) != 0) {
    return fail(Error::Internal("无法恢复上传文件"));
  }
  ::lseek(fd, static_cast<off_t>(u.offset), SEEK_SET);
  if (!crypto::Sha256::Restore(u.hash_state)) {
    return fail(Error::Internal("上传校验状态已损坏，请重新上传该文件"));
  }
  return std::unique_ptr<PatchWriter>(new Writer(*impl_, on_complete_, u, fd, std::move(checksum)));
}

Status UploadService::Terminate(const auth::Principal& p, const std::string& id) {
  LEP_ASSIGN_OR_RETURN(Upload u, impl_->LoadForWriter(p, id, false));
  if (!impl_->Discard(u.id)) {
    return Fail(Error{ErrorCode::kLocked, "该文件正在上传，请先暂停", {}, std::nullopt});
  }
  return Ok();
}

int UploadService::SweepExpired() {
  auto ids = impl_->repo.Expired(impl_->clock.NowMs());
  if (!ids) return 0;
  int n = 0;
  for (const auto& id : *ids) {
    if (impl_->Discard(id)) ++n;  // skipped while a PATCH (on any server) holds it
  }
  return n;
}

}  // namespace lep::uploads
