// Parsing of tus 1.0 request headers: Upload-Metadata (comma-separated "key base64value"),
// Upload-Offset / Upload-Length (non-negative decimal) and Upload-Checksum
// ("sha1 <base64>" / "sha256 <base64>"). Pure; thread-safe; fuzzable.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace lep::uploads {

[[nodiscard]] Result<std::map<std::string, std::string>> ParseUploadMetadata(std::string_view v);
std::optional<uint64_t> ParseUploadNumber(std::string_view v);

enum class ChecksumAlgorithm { kSha1, kSha256 };
struct Checksum {
  ChecksumAlgorithm algorithm;
  std::string digest;  // raw bytes
};
// kInvalidArgument for a malformed header; kUnsupported algorithms map to
// kPreconditionFailed... per tus: 400 Bad Request.
[[nodiscard]] Result<Checksum> ParseUploadChecksum(std::string_view v);

std::optional<std::string> Base64Decode(std::string_view in);
std::string Base64Encode(std::string_view in);

}  // namespace lep::uploads
