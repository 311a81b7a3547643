// Upload: one tus upload in progress or finished. A value type; thread-safe to copy.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace lep::uploads {

struct Upload {
  std::string id;  // 32 hex characters, generated
  int64_t resource_id = 0;
  int64_t org_id = 0;
  int64_t user_id = 0;
  std::string kind;      // "media" | "cover" | "lesson" (an A03 course's video)
  std::string filename;  // display only, never a path
  std::string title;     // a lesson's title (kind "lesson"), else empty
  uint64_t length = 0;
  uint64_t offset = 0;     // committed (durable) bytes
  std::string hash_state;  // saved SHA-256 state after `offset` bytes (crypto::Sha256)
  int64_t created_at = 0;
  int64_t expires_at = 0;  // 0: cancelled (the resource was submitted)
  int64_t completed_at = 0;
  std::string sha256;  // hex, when complete
  std::map<std::string, std::string> metadata;
};

}  // namespace lep::uploads
