#include "portal/catalog_files.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace lep::portal {
namespace {

namespace fs = std::filesystem;

// Files of servers that are gone (another pid) are removed once they are this old.
constexpr auto kOrphanAge = std::chrono::hours(24);

struct Output {
  const CatalogFormat* format = nullptr;
  std::unique_ptr<CatalogWriter> writer;
  std::ofstream out;
  std::string tmp, path;
  uint64_t hash = 1469598103934665603ull;  // FNV-1a 64 of the bytes written
  uint64_t size = 0;

  Status Write(const std::string& bytes) {
    for (unsigned char c : bytes) {
      hash ^= c;
      hash *= 1099511628211ull;
    }
    size += bytes.size();
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) return Fail(Error::Internal("无法写入资源目录文件"));
    return Ok();
  }
};

std::string Quoted(uint64_t hash, uint64_t size) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "\"%016llx-%llx\"", static_cast<unsigned long long>(hash),
                static_cast<unsigned long long>(size));
  return buf;
}

void RemoveFiles(const std::map<std::string, CatalogFile>& files) {
  std::error_code ec;
  for (const auto& [ext, f] : files) fs::remove(f.path, ec);
}

}  // namespace

CatalogFiles::~CatalogFiles() { Stop(); }

int64_t CatalogFiles::builds() const {
  std::lock_guard lock(mu_);
  return builds_;
}

std::shared_ptr<const CatalogFiles::Built> CatalogFiles::Snapshot() {
  std::lock_guard lock(mu_);
  return built_;
}

void CatalogFiles::Changed(const std::set<int64_t>& ids, bool all) {
  {
    std::lock_guard lock(mu_);
    if (!pending_all_ && pending_.empty()) first_pending_at_ = clock_.NowMs();
    pending_all_ = pending_all_ || all;
    if (!all) pending_.insert(ids.begin(), ids.end());
  }
  cv_.notify_all();
}

Status CatalogFiles::Build() {
  std::lock_guard build(build_mu_);
  return BuildLocked();
}

Status CatalogFiles::BuildLocked() {
  // What the files will reflect: every feed row up to mark (rows still settling are
  // re-checked when a file is handed out).
  LEP_ASSIGN_OR_RETURN(int64_t db_now, feed_.DatabaseNowMs());
  LEP_ASSIGN_OR_RETURN(int64_t mark, feed_.MaxSeqBefore(db_now - kSettleMs));
  std::set<int64_t> pending;
  bool pending_all = false;
  int64_t pending_at = 0;
  uint64_t generation = 0;
  {
    std::lock_guard lock(mu_);
    pending.swap(pending_);
    std::swap(pending_all, pending_all_);
    std::swap(pending_at, first_pending_at_);
    generation = ++generation_;
  }
  auto restore_pending = [&] {
    std::lock_guard lock(mu_);
    pending_.insert(pending.begin(), pending.end());
    pending_all_ = pending_all_ || pending_all;
    if (first_pending_at_ == 0 || (pending_at != 0 && pending_at < first_pending_at_)) {
      first_pending_at_ = pending_at;
    }
  };
  std::vector<Output> outs(formats_.size());
  auto fail = [&](Error e) -> Status {
    std::error_code ec;
    for (auto& o : outs) {
      o.out.close();
      if (!o.tmp.empty()) fs::remove(o.tmp, ec);
    }
    restore_pending();
    return Fail(std::move(e));
  };
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) return fail(Error::Internal("无法创建资源目录文件夹：" + ec.message()));
  const std::string stem =
      dir_ + "/catalog-" + std::to_string(::getpid()) + "-" + std::to_string(generation);
  for (size_t i = 0; i < formats_.size(); ++i) {
    Output& o = outs[i];
    o.format = &formats_[i];
    o.writer = formats_[i].make();
    o.path = stem + "." + formats_[i].ext;
    o.tmp = o.path + ".tmp";
    o.out.open(o.tmp, std::ios::binary | std::ios::trunc);
    if (!o.out) return fail(Error::Internal("无法创建资源目录文件"));
  }
  auto keys = resources_.CatalogKeys();
  if (!keys) return fail(keys.error());
  auto next = std::make_shared<Built>();
  next->mark = mark;
  next->generation = generation;
  next->ids.reserve(keys->size());
  for (size_t start = 0; start < keys->size(); start += kChunk) {
    std::vector<resources::ResourceId> ids;
    for (size_t i = start; i < std::min(keys->size(), start + kChunk); ++i) {
      ids.push_back((*keys)[i].id);
    }
    auto rows = resources_.GetPublished(ids);  // those withdrawn meanwhile drop out
    if (!rows) return fail(rows.error());
    for (const auto& r : *rows) next->ids.push_back(r.resource.id.value);
    for (auto& o : outs) {
      auto bytes = o.writer->Chunk(*rows);
      if (!bytes) return fail(bytes.error());
      if (auto st = o.Write(*bytes); !st) return fail(st.error());
    }
  }
  for (auto& o : outs) {
    auto bytes = o.writer->Finish();
    if (!bytes) return fail(bytes.error());
    if (auto st = o.Write(*bytes); !st) return fail(st.error());
    o.out.close();
    if (!o.out) return fail(Error::Internal("无法写入资源目录文件"));
  }
  for (auto& o : outs) {
    fs::rename(o.tmp, o.path, ec);
    if (ec) return fail(Error::Internal("无法保存资源目录文件：" + ec.message()));
    o.tmp.clear();
  }
  next->at = clock_.NowMs();
  const auto rows = static_cast<int64_t>(next->ids.size());
  for (auto& o : outs) {
    next->files[o.format->ext] = {
        o.path, o.format->content_type, Quoted(o.hash, o.size), o.size, rows, next->at};
  }
  std::sort(next->ids.begin(), next->ids.end());
  std::shared_ptr<const Built> drop;
  {
    std::lock_guard lock(mu_);
    drop = std::move(previous_);
    previous_ = std::move(built_);
    built_ = std::move(next);
    ++builds_;
  }
  if (drop) RemoveFiles(drop->files);
  // Files left by servers that are gone.
  const std::string mine = "catalog-" + std::to_string(::getpid()) + "-";
  const auto old = fs::file_time_type::clock::now() - kOrphanAge;
  for (const auto& e : fs::directory_iterator(dir_, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("catalog-", 0) != 0 || name.rfind(mine, 0) == 0) continue;
    std::error_code ignored;
    if (e.last_write_time(ignored) < old) fs::remove(e.path(), ignored);
  }
  return Ok();
}

Result<bool> CatalogFiles::ListsWithdrawn(const Built& b) {
  LEP_ASSIGN_OR_RETURN(int64_t pruned, feed_.PrunedSeq());
  if (pruned > b.mark) return true;  // rows we would need are gone: cannot tell
  LEP_ASSIGN_OR_RETURN(auto rows, feed_.RowsAfter(b.mark));
  std::set<int64_t> listed;
  for (const auto& r : rows) {
    if (std::binary_search(b.ids.begin(), b.ids.end(), r.resource_id)) {
      listed.insert(r.resource_id);
    }
  }
  if (listed.empty()) return false;
  std::vector<resources::ResourceId> ids;
  for (int64_t id : listed) ids.push_back(resources::ResourceId{id});
  LEP_ASSIGN_OR_RETURN(auto published, resources_.FilterPublished(ids));
  return published.size() < ids.size();
}

Result<CatalogFile> CatalogFiles::Current(const std::string& ext) {
  if (std::none_of(formats_.begin(), formats_.end(),
                   [&](const CatalogFormat& f) { return f.ext == ext; })) {
    return Fail(Error::NotFound("没有这种格式的资源目录"));
  }
  auto b = Snapshot();
  bool rebuild = !b;
  if (b) {
    LEP_ASSIGN_OR_RETURN(rebuild, ListsWithdrawn(*b));
  }
  if (rebuild) {
    std::lock_guard build(build_mu_);
    // Another request may have rebuilt meanwhile; a build started after the withdrawal we saw
    // committed does not list it.
    b = Snapshot();
    bool still = !b;
    if (b) {
      LEP_ASSIGN_OR_RETURN(still, ListsWithdrawn(*b));
    }
    if (still) {
      LEP_RETURN_IF_ERROR(BuildLocked());
      b = Snapshot();
    }
  }
  return b->files.at(ext);
}

Result<bool> CatalogFiles::RebuildIfDue() {
  std::set<int64_t> pending;
  bool all = false;
  int64_t since = 0;
  {
    std::lock_guard lock(mu_);
    pending = pending_;
    all = pending_all_;
    since = first_pending_at_;
  }
  auto b = Snapshot();
  bool due = !b || all;
  if (!due && !pending.empty()) {
    // Added or withdrawn: rebuild now. Only counts or metadata of listed rows: after kStaleMs.
    std::vector<resources::ResourceId> ids;
    for (int64_t id : pending) ids.push_back(resources::ResourceId{id});
    LEP_ASSIGN_OR_RETURN(auto published, resources_.FilterPublished(ids));
    std::set<int64_t> now_published;
    for (auto id : published) now_published.insert(id.value);
    for (int64_t id : pending) {
      bool listed = std::binary_search(b->ids.begin(), b->ids.end(), id);
      if (listed != (now_published.count(id) > 0)) {
        due = true;
        break;
      }
    }
    if (!due && clock_.NowMs() - since >= kStaleMs) due = true;
  }
  if (!due) return false;
  LEP_RETURN_IF_ERROR(Build());
  return true;
}

void CatalogFiles::Start(std::chrono::seconds every) {
  {
    std::lock_guard lock(mu_);
    if (thread_.joinable()) return;
    stop_ = false;
  }
  thread_ = std::thread([this, every] {
    std::unique_lock lock(mu_);
    while (!stop_) {
      lock.unlock();
      auto rebuilt = RebuildIfDue();
      if (!rebuilt) {
        std::fprintf(stderr, "资源目录文件生成失败：%s\n", rebuilt.error().message.c_str());
      }
      lock.lock();
      cv_.wait_for(lock, every, [&] { return stop_; });
    }
  });
}

void CatalogFiles::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace lep::portal
