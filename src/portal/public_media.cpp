#include "portal/public_media.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <vector>

namespace lep::portal {

namespace fs = std::filesystem;

std::string PublicMedia::LinkPath(resources::ResourceId id) const {
  return dir_ + "/" + std::to_string(id.value);
}

int64_t PublicMedia::resolves() const {
  std::lock_guard lock(mu_);
  return resolves_;
}

Result<std::optional<PublicMediaFile>> PublicMedia::Find(resources::ResourceId id) {
  const std::string link = LinkPath(id);
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(id.value);
    if (it != cache_.end()) {
      struct stat st {};
      if (::lstat(link.c_str(), &st) == 0) return std::optional<PublicMediaFile>(it->second);
      cache_.erase(it);  // withdrawn (here or on another server)
    }
    ++resolves_;
  }
  LEP_ASSIGN_OR_RETURN(auto found, resolve_(id));
  if (!found) return std::optional<PublicMediaFile>();
  // Publish the link atomically (a temporary name of our own, then rename).
  std::error_code ec;
  fs::create_directories(dir_, ec);
  static std::atomic<uint64_t> serial{0};
  const std::string tmp =
      link + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(++serial);
  fs::remove(tmp, ec);
  if (::symlink(fs::absolute(found->path).c_str(), tmp.c_str()) == 0 &&
      ::rename(tmp.c_str(), link.c_str()) == 0) {
    std::lock_guard lock(mu_);
    if (cache_.size() >= kMaxCached) cache_.clear();
    cache_[id.value] = *found;
  } else {
    fs::remove(tmp, ec);  // served, but not cached: the next request resolves again
  }
  return found;
}

void PublicMedia::Unlink(int64_t id) {
  std::error_code ec;
  fs::remove(LinkPath(resources::ResourceId{id}), ec);
}

void PublicMedia::Changed(const std::set<int64_t>& ids, bool all) {
  if (all) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir_, ec)) {
      std::error_code ignored;
      fs::remove(e.path(), ignored);
    }
    std::lock_guard lock(mu_);
    cache_.clear();
    return;
  }
  if (ids.empty()) return;
  std::vector<resources::ResourceId> v;
  for (int64_t id : ids) v.push_back(resources::ResourceId{id});
  auto published = resources_.FilterPublished(v);
  std::set<int64_t> still;
  if (published) {
    for (auto id : *published) still.insert(id.value);
  }
  for (int64_t id : ids) {
    if (!still.count(id)) Unlink(id);  // (a failed read unlinks all: safe)
  }
  std::lock_guard lock(mu_);
  for (int64_t id : ids) cache_.erase(id);
}

}  // namespace lep::portal
