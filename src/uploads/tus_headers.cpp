#include "uploads/tus_headers.h"

#include <charconv>

namespace lep::uploads {

std::optional<std::string> Base64Decode(std::string_view in) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  if (in.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(in.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v = val(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

std::string Base64Encode(std::string_view in) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (static_cast<unsigned char>(in[i]) << 16) |
                 (static_cast<unsigned char>(in[i + 1]) << 8) | static_cast<unsigned char>(in[i + 2]);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t v = static_cast<unsigned char>(in[i]) << 16;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

Result<std::map<std::string, std::string>> ParseUploadMetadata(std::string_view v) {
  std::map<std::string, std::string> out;
  if (v.size() > 8192) return Fail(Error::InvalidArgument("Upload-Metadata 过长"));
  while (!v.empty()) {
    size_t comma = v.find(',');
    std::string_view pair = v.substr(0, comma);
    v = comma == std::string_view::npos ? std::string_view() : v.substr(comma + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    while (!pair.empty() && pair.back() == ' ') pair.remove_suffix(1);
    if (pair.empty()) continue;
    size_t space = pair.find(' ');
    std::string key(pair.substr(0, space));
    if (key.empty() || key.size() > 64) return Fail(Error::InvalidArgument("Upload-Metadata 键名无效"));
    for (char c : key) {
      if (c <= ' ' || c > '~' || c == ',') {
        return Fail(Error::InvalidArgument("Upload-Metadata 键名无效"));
      }
    }
    std::string value;
    if (space != std::string_view::npos) {
      auto decoded = Base64Decode(pair.substr(space + 1));
      if (!decoded) {
        return Fail(Error::InvalidArgument("Upload-Metadata 中“" + key + "”的值不是有效的 Base64"));
      }
      value = std::move(*decoded);
    }
    if (out.count(key)) return Fail(Error::InvalidArgument("Upload-Metadata 键名重复：" + key));
    out[key] = std::move(value);
  }
  return out;
}

std::optional<uint64_t> ParseUploadNumber(std::string_view v) {
  if (v.empty() || v.size() > 19) return std::nullopt;
  uint64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size()) return std::nullopt;
  return n;
}

Result<Checksum> ParseUploadChecksum(std::string_view v) {
  size_t space = v.find(' ');
  if (space == std::string_view::npos) {
    return Fail(Error::InvalidArgument("Upload-Checksum 格式应为“算法 Base64摘要”"));
  }
  std::string_view algo = v.substr(0, space);
  auto digest = Base64Decode(v.substr(space + 1));
  Checksum c;
  if (algo == "sha1") {
    c.algorithm = ChecksumAlgorithm::kSha1;
    if (!digest || digest->size() != 20) {
      return Fail(Error::InvalidArgument("Upload-Checksum 的 sha1 摘要无效"));
    }
  } else if (algo == "sha256") {
    c.algorithm = ChecksumAlgorithm::kSha256;
    if (!digest || digest->size() != 32) {
      return Fail(Error::InvalidArgument("Upload-Checksum 的 sha256 摘要无效"));
    }
  } else {
    return Fail(Error::InvalidArgument("不支持的校验算法：" + std::string(algo) +
                                       "（支持 sha1、sha256）"));
  }
  c.digest = std::move(*digest);
  return c;
}

}  // namespace lep::uploads
