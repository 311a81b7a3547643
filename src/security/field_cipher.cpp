#include "security/field_cipher.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/text.h"
#include "crypto/crypto.h"

namespace lep::security {
namespace {

constexpr std::string_view kKdfContext = "lep-pii_";

std::string Subkey(std::string_view master, uint64_t id) {
  return crypto::DeriveKey(master, id, kKdfContext);
}

Error KeyError(const std::string& path, const std::string& what) {
  return Error::Internal("加密密钥文件 " + path + " " + what);
}

}  // namespace

Result<FieldCipher> FieldCipher::FromKey(std::string_view key32) {
  if (key32.size() != crypto::kAeadKeyBytes) {
    return Fail(Error::Internal("加密密钥长度应为 32 字节"));
  }
  return FieldCipher(Subkey(key32, 1), Subkey(key32, 2));
}

Result<FieldCipher> FieldCipher::FromKeyFile(const std::string& path, bool create) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (create && !fs::exists(path, ec)) {
    fs::path parent = fs::path(path).parent_path();
    if (!parent.empty()) {
      fs::create_directories(parent, ec);
      ::chmod(parent.c_str(), 0700);
    }
    std::string key = crypto::NewKey();
    std::string hex = crypto::ToHex(key) + "\n";
    crypto::Wipe(key.data(), key.size());
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
      bool ok = ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size()) &&
                ::fsync(fd) == 0;
      ::close(fd);
      crypto::Wipe(hex.data(), hex.size());
      if (!ok) return Fail(KeyError(path, "写入失败"));
    } else if (errno != EEXIST) {
      return Fail(KeyError(path, std::string("无法创建：") + std::strerror(errno)));
    }
  }
  std::ifstream in(path);
  if (!in) return Fail(KeyError(path, "不存在或无法读取"));
  std::string hex;
  in >> hex;
  auto key = hex.size() == 2 * crypto::kAeadKeyBytes ? crypto::FromHex(hex) : std::nullopt;
  crypto::Wipe(hex.data(), hex.size());
  if (!key) return Fail(KeyError(path, "格式错误（应为 64 个十六进制字符）"));
  auto cipher = FromKey(*key);
  crypto::Wipe(key->data(), key->size());
  return cipher;
}

std::string FieldCipher::Encrypt(std::string_view plaintext, std::string_view context) const {
  if (plaintext.empty()) return {};
  return std::string(kCipherPrefix) +
         crypto::ToBase64(crypto::AeadEncrypt(enc_key_, plaintext, context));
}

Result<std::string> FieldCipher::Decrypt(std::string_view stored, std::string_view context) const {
  if (!IsEncrypted(stored)) return std::string(stored);
  auto sealed = crypto::FromBase64(stored.substr(kCipherPrefix.size()));
  auto plain = sealed ? crypto::AeadDecrypt(enc_key_, *sealed, context) : std::nullopt;
  if (!plain) return Fail(Error::Internal("加密数据已损坏或密钥不匹配"));
  return std::move(*plain);
}

std::string FieldCipher::KeyedHash(std::string_view value, std::string_view context) const {
  if (value.empty()) return {};
  std::string message(context);
  message.push_back('\0');
  message.append(value);
  return crypto::ToHex(crypto::KeyedHash(mac_key_, message));
}

std::string MaskPhone(std::string_view s) {
  // Keep the area code / first three digits and the last four; hide the rest.
  if (s.size() <= 4) return std::string(s.size(), '*');
  size_t dash = s.find('-');
  size_t keep_front = dash != std::string_view::npos && dash < s.size() - 4 ? dash + 1
                                                                          : std::min<size_t>(3, s.size() - 4);
  std::string out(s.substr(0, keep_front));
  out += "****";
  out += s.substr(s.size() - 4);
  return out;
}

std::string MaskEmail(std::string_view s) {
  size_t at = s.find('@');
  if (at == std::string_view::npos || at == 0) return "***";
  return std::string(s.substr(0, 1)) + "***" + std::string(s.substr(at));
}

std::string MaskName(std::string_view s) {
  auto cps = text::CodePointCount(s);
  if (cps <= 1) return "*";
  // The first code point, then one * per remaining code point.
  size_t first = 1;
  while (first < s.size() && (static_cast<unsigned char>(s[first]) & 0xC0) == 0x80) ++first;
  return std::string(s.substr(0, first)) + std::string(cps - 1, '*');
}

}  // namespace lep::security
