// BlobStore: immutable files (media, covers) stored under generated names, never under a
// name a user chose. FsBlobStore keeps them on local disk (or a shared mount) as
// ROOT/ab/cd/<id>; an object store can implement the same interface later. Thread-safe.
#pragma once

#include <memory>
#include <string>

#include "core/result.h"

namespace lep::storage {

class BlobStore {
 public:
  virtual ~BlobStore() = default;
  // Moves a finished file (on the same filesystem) into the store atomically and durably;
  // returns its new generated id.
  [[nodiscard]] virtual Result<std::string> AdoptFile(const std::string& path) = 0;
  // Writes bytes as a new blob (small files: covers, thumbnails).
  [[nodiscard]] virtual Result<std::string> PutBytes(std::string_view bytes) = 0;
  // Local path of a blob for reading/serving; kNotFound for malformed or unknown ids.
  [[nodiscard]] virtual Result<std::string> PathOf(const std::string& id) const = 0;
  [[nodiscard]] virtual Status Remove(const std::string& id) = 0;
  // A scratch directory on the same filesystem, for files about to be adopted.
  virtual std::string TempDir() const = 0;
};

std::unique_ptr<BlobStore> NewFsBlobStore(const std::string& root);

// fsync a file and its directory entry; false on failure.
bool SyncFile(int fd);
bool SyncDirOf(const std::string& path);

}  // namespace lep::storage
