#include "security/field_cipher.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/text.h"

namespace lep::security {
namespace {

constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "lep-pii_";

void EnsureSodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium init failed");
}

std::string Hex(std::string_view bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                 bytes.size());
  out.pop_back();
  return out;
}

std::string Subkey(std::string_view master, uint64_t id) {
  std::string k(32, '\0');
  crypto_kdf_derive_from_key(reinterpret_cast<unsigned char*>(k.data()), k.size(), id,
                             kKdfContext, reinterpret_cast<const unsigned char*>(master.data()));
  return k;
}

Error KeyError(const std::string& path, const std::string& what) {
  return Error::Internal("加密密钥文件 " + path + " " + what);
}

}  // namespace

Result<FieldCipher> FieldCipher::FromKey(std::string_view key32) {
  EnsureSodium();
  if (key32.size() != crypto_kdf_KEYBYTES) return Fail(Error::Internal("加密密钥长度应为 32 字节"));
  return FieldCipher(Subkey(key32, 1), Subkey(key32, 2));
}

Result<FieldCipher> FieldCipher::FromKeyFile(const std::string& path, bool create) {
  EnsureSodium();
  namespace fs = std::filesystem;
  std::error_code ec;
  if (create && !fs::exists(path, ec)) {
    fs::path parent = fs::path(path).parent_path();
    if (!parent.empty()) {
      fs::create_directories(parent, ec);
      ::chmod(parent.c_str(), 0700);
    }
    unsigned char key[crypto_kdf_KEYBYTES];
    crypto_kdf_keygen(key);
    std::string hex = Hex({reinterpret_cast<const char*>(key), sizeof key}) + "\n";
    sodium_memzero(key, sizeof key);
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
      bool ok = ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size()) &&
                ::fsync(fd) == 0;
      ::close(fd);
      sodium_memzero(hex.data(), hex.size());
      if (!ok) return Fail(KeyError(path, "写入失败"));
    } else if (errno != EEXIST) {
      return Fail(KeyError(path, std::string("无法创建：") + std::strerror(errno)));
    }
  }
  std::ifstream in(path);
  if (!in) return Fail(KeyError(path, "不存在或无法读取"));
  std::string hex;
  in >> hex;
  std::string key(crypto_kdf_KEYBYTES, '\0');
  size_t len = 0;
  if (hex.size() != 2 * crypto_kdf_KEYBYTES ||
      sodium_hex2bin(reinterpret_cast<unsigned char*>(key.data()), key.size(), hex.data(),
                     hex.size(), nullptr, &len, nullptr) != 0 ||
      len != key.size()) {
    return Fail(KeyError(path, "格式错误（应为 64 个十六进制字符）"));
  }
  auto cipher = FromKey(key);
  sodium_memzero(key.data(), key.size());
  sodium_memzero(hex.data(), hex.size());
  return cipher;
}

std::string FieldCipher::Encrypt(std::string_view plaintext, std::string_view context) const {
  if (plaintext.empty()) return {};
  constexpr size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  std::string buf(kNonce + plaintext.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  auto* out = reinterpret_cast<unsigned char*>(buf.data());
  randombytes_buf(out, kNonce);
  unsigned long long clen = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      out + kNonce, &clen, reinterpret_cast<const unsigned char*>(plaintext.data()),
      plaintext.size(), reinterpret_cast<const unsigned char*>(context.data()), context.size(),
      nullptr, out, reinterpret_cast<const unsigned char*>(enc_key_.data()));
  std::string b64(sodium_base64_ENCODED_LEN(buf.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(b64.data(), b64.size(), out, buf.size(), sodium_base64_VARIANT_ORIGINAL);
  b64.pop_back();  // the terminating NUL
  return std::string(kCipherPrefix) + b64;
}

Result<std::string> FieldCipher::Decrypt(std::string_view stored, std::string_view context) const {
  if (!IsEncrypted(stored)) return std::string(stored);
  std::string_view b64 = stored.substr(kCipherPrefix.size());
  std::string buf(b64.size(), '\0');
  size_t len = 0;
  const Error damaged = Error::Internal("加密数据已损坏或密钥不匹配");
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(buf.data()), buf.size(), b64.data(),
                        b64.size(), nullptr, &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    return Fail(damaged);
  }
  constexpr size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  if (len < kNonce + crypto_aead_xchacha20poly1305_ietf_ABYTES) return Fail(damaged);
  auto* in = reinterpret_cast<const unsigned char*>(buf.data());
  std::string plain(len - kNonce - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long plen = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plain.data()), &plen, nullptr, in + kNonce,
          len - kNonce, reinterpret_cast<const unsigned char*>(context.data()), context.size(),
          in, reinterpret_cast<const unsigned char*>(enc_key_.data())) != 0) {
    return Fail(damaged);
  }
  plain.resize(plen);
  return plain;
}

std::string FieldCipher::KeyedHash(std::string_view value, std::string_view context) const {
  if (value.empty()) return {};
  crypto_generichash_state st;
  unsigned char out[32];
  crypto_generichash_init(&st, reinterpret_cast<const unsigned char*>(mac_key_.data()),
                          mac_key_.size(), sizeof out);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(context.data()),
                            context.size());
  const unsigned char sep = 0;
  crypto_generichash_update(&st, &sep, 1);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(value.data()),
                            value.size());
  crypto_generichash_final(&st, out, sizeof out);
  return Hex({reinterpret_cast<const char*>(out), sizeof out});
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
