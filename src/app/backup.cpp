#include "app/backup.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "crypto/crypto.h"
#include "portal/search_feed.h"
#include "security/audit_chain.h"
#include "security/security_policy.h"
#include "storage/blob/blob_store.h"

extern char** environ;

namespace lep::app {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr const char* kFormat = "lep-backup/1";
constexpr size_t kChunk = 1 << 20;

// The running digest of a copy or a check, through the one crypto wrapper.
struct Sha256 {
  crypto::Sha256 h;
  void Update(const char* p, size_t n) { h.Update(std::string_view(p, n)); }
  std::string Hex() const { return h.HexDigest(); }
};

// Copies src to dst (creating parents, mode 0600 for secrets or 0640), hashing while it
// reads; fsyncs dst. Returns the hex SHA-256.
Result<std::string> CopyHashed(const std::string& src, const std::string& dst, int64_t* size,
                               mode_t mode = 0640) {
  std::error_code ec;
  fs::create_directories(fs::path(dst).parent_path(), ec);
  int in = ::open(src.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return Fail(Error::Internal("无法读取 " + src + "：" + std::strerror(errno)));
  int out = ::open(dst.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (out < 0) {
    ::close(in);
    return Fail(Error::Internal("无法写入 " + dst + "：" + std::strerror(errno)));
  }
  Sha256 h;
  std::string buf(kChunk, '\0');
  int64_t total = 0;
  bool ok = true;
  for (;;) {
    ssize_t n = ::read(in, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) { ok = false; break; }
    if (n == 0) break;
    h.Update(buf.data(), static_cast<size_t>(n));
    for (ssize_t done = 0; done < n;) {
      ssize_t w = ::write(out, buf.data() + done, static_cast<size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) { ok = false; break; }
      done += w;
    }
    if (!ok) break;
    total += n;
  }
  ok = ok && ::fsync(out) == 0;
  ::close(in);
  if (::close(out) != 0) ok = false;
  if (!ok) return Fail(Error::Internal("复制 " + src + " 失败（磁盘空间不足？）"));
  if (size) *size = total;
  return h.Hex();
}

Status RunProgram(const std::vector<std::string>& args, const std::string& what) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) {
    return Fail(Error::Internal("无法运行 " + args[0] + "（请安装 postgresql-client）"));
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Fail(Error::Internal(what + "失败（" + args[0] + " 退出码 " +
                                std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) +
                                "）"));
  }
  return Ok();
}

std::string SqlQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

bool IsEmptyDir(const fs::path& p) {
  std::error_code ec;
  return !fs::exists(p, ec) || (fs::is_directory(p, ec) && fs::is_empty(p, ec));
}

Status WriteFileAtomically(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc | std::ios::binary);
    out << content;
    out.flush();
    if (!out) return Fail(Error::Internal("无法写入 " + tmp));
  }
  int fd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) return Fail(Error::Internal("无法写入 " + path));
  (void)storage::SyncDirOf(path);
  return Ok();
}

}  // namespace

Result<std::string> Sha256OfFile(const std::string& path, int64_t* size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Fail(Error::NotFound("文件不存在或无法读取：" + path));
  Sha256 h;
  std::string buf(kChunk, '\0');
  int64_t total = 0;
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return Fail(Error::Internal("读取失败：" + path));
    }
    if (n == 0) break;
    h.Update(buf.data(), static_cast<size_t>(n));
    total += n;
  }
  ::close(fd);
  if (size) *size = total;
  return h.Hex();
}

Result<BackupReport> CreateBackup(AppContext& ctx, const BackupOptions& opt,
                                  const std::function<void(int64_t, int64_t)>& progress) {
  if (opt.out_dir.empty()) return Fail(Error::InvalidArgument("请指定备份目录（--out）"));
  fs::path out(opt.out_dir);
  if (!IsEmptyDir(out)) {
    return Fail(Error::InvalidArgument("备份目录 " + opt.out_dir + " 已存在且不为空，请换一个新目录"));
  }
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) return Fail(Error::Internal("无法创建备份目录：" + ec.message()));
  ::chmod(out.c_str(), 0700);

  BackupReport rep;
  json files = json::array();
  auto add = [&](const std::string& rel, const std::string& sha, int64_t size) {
    files.push_back({{"path", rel}, {"size", size}, {"sha256", sha}});
    rep.files++;
    rep.bytes += size;
  };

  // The chain head goes to the anchor file first, so the copied anchor covers the snapshot.
  std::string anchor = ctx.config.data_dir + "/audit.anchor";
  (void)security::AnchorHead(*ctx.db, anchor, *ctx.clock);

  // Blobs are written once and never renamed, but a replaced cover or media file is deleted
  // after the database stops naming it, possibly while we copy. So: every blob before the
  // snapshot (a blob the snapshot names existed then, or appears after the first pass), the
  // snapshot, then the blobs that appeared meanwhile.
  fs::path blobs = fs::path(ctx.config.data_dir) / "blobs";
  std::set<std::string> copied;
  int64_t done = 0;
  auto copy_blobs = [&](bool after_snapshot) -> Status {
    std::vector<fs::path> sources;
    if (fs::exists(blobs, ec)) {
      for (auto it = fs::recursive_directory_iterator(blobs, ec);
           it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) break;
        if (it->is_directory() && it->path().filename() == "tmp" &&
            it->path().parent_path() == blobs) {
          it.disable_recursion_pending();  // unfinished uploads and remux scratch files
          continue;
        }
        if (it->is_regular_file() && !copied.count(fs::relative(it->path(), blobs).string())) {
          sources.push_back(it->path());
        }
      }
    }
    int64_t total = done + static_cast<int64_t>(sources.size());
    for (const auto& src : sources) {
      std::string name = fs::relative(src, blobs).string();
      std::string rel = "blobs/" + name;
      int64_t size = 0;
      auto sha = CopyHashed(src.string(), (out / rel).string(), &size);
      if (!sha) {
        if (!fs::exists(src)) {
          // Before the snapshot: replaced, so the snapshot will not name it. After: it may.
          if (after_snapshot) rep.warnings.push_back("文件在备份过程中被删除：" + rel);
          continue;
        }
        return Fail(sha.error());
      }
      copied.insert(name);
      add(rel, *sha, size);
      if (progress) progress(++done, total);
    }
    return Ok();
  };
  LEP_RETURN_IF_ERROR(copy_blobs(false));

  // Anchored heads newer than the snapshot are left out of the copied anchor file: the
  // restored chain ends at the snapshot, and such a head would look like a cut-off tail.
  // Every row up to this id is committed, so the snapshot holds it.
  LEP_ASSIGN_OR_RETURN(const int64_t audit_upto, security::LastAuditId(*ctx.db));

  json database;
  if (ctx.db->dialect() == storage::Dialect::kSqlite) {
    std::string db_file = (out / "lep.db").string();
    LEP_RETURN_IF_ERROR(ctx.db->Exec("VACUUM INTO " + SqlQuote(db_file)));
    int64_t size = 0;
    LEP_ASSIGN_OR_RETURN(std::string sha, Sha256OfFile(db_file, &size));
    add("lep.db", sha, size);
    database = {{"kind", "sqlite"}, {"path", "lep.db"}};
  } else {
    std::string dump = (out / "lep.pgdump").string();
    LEP_RETURN_IF_ERROR(RunProgram({"pg_dump", "--format=custom", "--no-owner", "--file", dump,
                                    ctx.config.DatabaseUrl()},
                                   "导出 PostgreSQL 数据库"));
    int64_t size = 0;
    LEP_ASSIGN_OR_RETURN(std::string sha, Sha256OfFile(dump, &size));
    add("lep.pgdump", sha, size);
    database = {{"kind", "postgresql"}, {"path", "lep.pgdump"}};
  }

  LEP_RETURN_IF_ERROR(copy_blobs(true));
  {
    fs::path src = fs::path(ctx.config.data_dir) / "sensitive_words.txt";
    if (fs::exists(src, ec)) {
      int64_t size = 0;
      LEP_ASSIGN_OR_RETURN(std::string sha,
                           CopyHashed(src.string(), (out / "sensitive_words.txt").string(), &size));
      add("sensitive_words.txt", sha, size);
    }
  }
  if (fs::exists(anchor, ec)) {
    std::ifstream in(anchor, std::ios::binary);
    if (!in) return Fail(Error::Internal("无法读取审计锚定文件"));
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string kept;
    for (size_t pos = 0; pos < text.size();) {
      size_t nl = text.find('\n', pos);
      if (nl == std::string::npos) break;  // a line still being appended
      std::string line = text.substr(pos, nl + 1 - pos);
      pos = nl + 1;
      auto j = json::parse(line, nullptr, false);
      if (j.is_object() && j.contains("id") && j["id"].is_number_integer() &&
          j["id"].get<int64_t>() > audit_upto) {
        continue;
      }
      kept += line;
    }
    std::string dst = (out / "audit.anchor").string();
    LEP_RETURN_IF_ERROR(WriteFileAtomically(dst, kept));
    int64_t size = 0;
    LEP_ASSIGN_OR_RETURN(std::string sha, Sha256OfFile(dst, &size));
    add("audit.anchor", sha, size);
  }
  bool key_included = false;
  if (opt.include_key) {
    int64_t size = 0;
    LEP_ASSIGN_OR_RETURN(std::string sha, CopyHashed(ctx.config.KeyFile(),
                                                     (out / "secrets" / "lep.key").string(),
                                                     &size, 0600));
    ::chmod((out / "secrets").c_str(), 0700);
    add("secrets/lep.key", sha, size);
    key_included = true;
    rep.warnings.push_back("备份中含有个人信息加密密钥（secrets/lep.key）：请将它与备份分开保管");
  } else {
    rep.warnings.push_back("备份中不含加密密钥：恢复时须用 --key 指定原密钥文件，否则联系人信息无法解密");
  }
  json manifest = {{"format", kFormat},
                   {"created_at", ctx.clock->NowMs()},
                   {"database", database},
                   {"key_included", key_included},
                   {"files", files}};
  LEP_RETURN_IF_ERROR(WriteFileAtomically((out / "manifest.json").string(), manifest.dump(1)));
  return rep;
}

Result<RestoreReport> RestoreBackup(const RestoreOptions& opt) {
  fs::path from(opt.from_dir);
  std::ifstream in(from / "manifest.json");
  if (!in) {
    return Fail(Error::InvalidArgument("备份目录中没有 manifest.json：备份不完整或目录错误"));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  json manifest = json::parse(ss.str(), nullptr, false);
  if (!manifest.is_object() || manifest.value("format", "") != kFormat ||
      !manifest.contains("files") || !manifest["files"].is_array()) {
    return Fail(Error::InvalidArgument("manifest.json 格式不正确"));
  }
  RestoreReport rep;
  std::vector<std::string> bad;
  for (const auto& f : manifest["files"]) {
    std::string rel = f.value("path", "");
    if (rel.empty() || rel.find("..") != std::string::npos || rel.front() == '/') {
      return Fail(Error::InvalidArgument("manifest.json 含非法路径：" + rel));
    }
    int64_t size = 0;
    auto sha = Sha256OfFile((from / rel).string(), &size);
    if (!sha) {
      bad.push_back(rel + "：缺失");
    } else if (*sha != f.value("sha256", "") || size != f.value("size", int64_t{-1})) {
      bad.push_back(rel + "：内容与清单不符（SHA-256 不一致）");
    } else {
      rep.files_verified++;
      rep.bytes_verified += size;
    }
  }
  if (!bad.empty()) {
    std::string msg = "备份校验失败，共 " + std::to_string(bad.size()) + " 个文件有问题：";
    for (size_t i = 0; i < bad.size() && i < 5; ++i) msg += (i ? "；" : "") + bad[i];
    return Fail(Error::FailedPrecondition(msg));
  }
  if (opt.verify_only) return rep;

  const Config& target = opt.target;
  fs::path data(target.data_dir);
  std::string kind = manifest["database"].value("kind", "");
  std::error_code ec;
  if (fs::exists(data / "lep.db", ec) || !IsEmptyDir(data / "blobs")) {
    return Fail(Error::FailedPrecondition("目标数据目录 " + target.data_dir +
                                          " 已有数据：恢复只写入新的空目录"));
  }
  fs::create_directories(data, ec);
  if (ec) return Fail(Error::Internal("无法创建数据目录：" + ec.message()));

  // The key first: without it the restored personal data is unreadable.
  std::string key_src = opt.key_file;
  if (key_src.empty() && fs::exists(from / "secrets" / "lep.key", ec)) {
    key_src = (from / "secrets" / "lep.key").string();
  }
  if (key_src.empty()) {
    return Fail(Error::InvalidArgument("备份中不含加密密钥：请用 --key 指定原密钥文件"));
  }
  LEP_ASSIGN_OR_RETURN(auto key_check, security::FieldCipher::FromKeyFile(key_src, false));
  (void)key_check;
  std::string key_dst = target.KeyFile();
  if (fs::exists(key_dst, ec)) {
    auto a = Sha256OfFile(key_dst), b = Sha256OfFile(key_src);
    if (!a || !b || *a != *b) {
      return Fail(Error::FailedPrecondition("目标位置已有另一个加密密钥：" + key_dst));
    }
  } else {
    int64_t size = 0;
    LEP_RETURN_IF_ERROR(CopyHashed(key_src, key_dst, &size, 0600));
  }

  for (const auto& f : manifest["files"]) {
    std::string rel = f["path"];
    if (rel == "secrets/lep.key" || rel == "lep.pgdump") continue;
    std::string dst = (data / rel).string();
    if (rel == "lep.db" && kind == "sqlite") {
      std::string db_path = target.DatabaseUrl().rfind("sqlite:", 0) == 0
                                ? target.DatabaseUrl().substr(7)
                                : (data / "lep.db").string();
      dst = db_path;
    }
    int64_t size = 0;
    LEP_RETURN_IF_ERROR(CopyHashed((from / rel).string(), dst, &size));
  }
  if (kind == "postgresql") {
    if (target.DatabaseUrl().rfind("postgres", 0) != 0) {
      return Fail(Error::InvalidArgument("这是 PostgreSQL 备份：请用 --database 指定一个空的 PostgreSQL 数据库"));
    }
    LEP_RETURN_IF_ERROR(RunProgram({"pg_restore", "--no-owner", "--exit-on-error", "--dbname",
                                    target.DatabaseUrl(), (from / "lep.pgdump").string()},
                                   "恢复 PostgreSQL 数据库"));
  }

  // Open it as the server would (migrations for an older backup, search index rebuilt),
  // then prove the restored data: audit chain intact, personal data decrypts. The index is
  // built inside the new directory: a configured search.dir belongs to the installation that
  // may be running beside us.
  Config opened = target;
  opened.search_dir.clear();
  LEP_ASSIGN_OR_RETURN(auto ctx, BuildAppContext(opened, nullptr, /*migrate=*/true));
  LEP_ASSIGN_OR_RETURN(rep.resources_indexed, ctx->search_feed->Reindex());
  std::optional<std::string> anchor;
  if (fs::exists(data / "audit.anchor", ec)) anchor = (data / "audit.anchor").string();
  LEP_ASSIGN_OR_RETURN(auto chain, security::VerifyChain(*ctx->db, anchor));
  if (!chain.ok) {
    return Fail(Error::FailedPrecondition("恢复后的审计日志校验失败：记录 " +
                                          std::to_string(chain.broken_id.value_or(0)) + "，" +
                                          chain.reason));
  }
  rep.audit_rows = chain.rows_checked;
  LEP_ASSIGN_OR_RETURN(auto root, ctx->org_repo->Root());
  LEP_ASSIGN_OR_RETURN(auto units, root ? ctx->org_repo->Subtree(root->id)
                                        : Result<std::vector<orgs::Org>>(std::vector<orgs::Org>{}));
  for (const auto& unit : units) {
    auto c = ctx->org_repo->GetContact(unit.id);
    if (!c) {
      return Fail(Error::FailedPrecondition("联系人信息无法解密（单位 " +
                                            std::to_string(unit.id.value) +
                                            "）：密钥与备份不匹配"));
    }
    if (*c) rep.contacts_decrypted++;
  }
  return rep;
}

Result<FixityReport> RunFixityCheck(AppContext& ctx) {
  LEP_ASSIGN_OR_RETURN(auto targets, ctx.media_repo->FixityTargets());
  FixityReport rep;
  for (const auto& t : targets) {
    std::string actual, error;
    auto path = ctx.blobs->PathOf(t.blob);
    int64_t size = 0;
    if (!path) {
      error = "存储编号无效";
    } else if (auto sha = Sha256OfFile(*path, &size); !sha) {
      error = "文件缺失或无法读取";
    } else {
      actual = *sha;
    }
    bool ok = error.empty() && actual == t.sha256;
    if (!ok && error.empty()) error = "SHA-256 与入库时记录的不一致";
    rep.checked++;
    rep.bytes += size;
    if (!ok) {
      rep.mismatches.push_back("资源 " + std::to_string(t.resource_id) +
                               (t.playback ? "（播放副本）" : "（原始文件）") + "：" + error);
    }
    LEP_RETURN_IF_ERROR(ctx.media_repo->RecordFixity(
        {t.resource_id, t.blob, t.sha256, actual, ok, error, ctx.clock->NowMs()}));
  }
  return rep;
}

Result<bool> MaybeRunScheduledFixity(AppContext& ctx) {
  if (ctx.config.fixity_interval_hours <= 0) return false;
  int64_t interval = int64_t{ctx.config.fixity_interval_hours} * 3600 * 1000;
  LEP_ASSIGN_OR_RETURN(bool due, security::ClaimPeriodicRun(*ctx.db, "fixity_last_run",
                                                            ctx.clock->NowMs(), interval));
  if (!due) return false;  // not yet, or another server took this run
  LEP_ASSIGN_OR_RETURN(auto rep, RunFixityCheck(ctx));
  security::AuditRecord r;
  r.at = ctx.clock->NowMs();
  r.action = "fixity.check";
  r.object = "media";
  r.result = rep.mismatches.empty() ? "ok" : "mismatch";
  r.detail = "校验 " + std::to_string(rep.checked) + " 个文件，" +
             std::to_string(rep.mismatches.size()) + " 个不一致";
  for (size_t i = 0; i < rep.mismatches.size() && i < 20; ++i) r.detail += "；" + rep.mismatches[i];
  (void)ctx.audit->Record(r);
  if (!rep.mismatches.empty()) {
    std::fprintf(stderr, "完整性校验：%s\n", r.detail.c_str());
  }
  return true;
}

FixityJob::FixityJob(AppContext& ctx) : ctx_(ctx) {
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stop_) {
      lock.unlock();
      if (auto ran = MaybeRunScheduledFixity(ctx_); !ran) {
        std::fprintf(stderr, "完整性校验失败：%s\n", ran.error().message.c_str());
      }
      lock.lock();
      cv_.wait_for(lock, std::chrono::minutes(10), [this] { return stop_; });
    }
  });
}

FixityJob::~FixityJob() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

}  // namespace lep::app
