#include "auth/password.h"

#include <sodium.h>

#include <stdexcept>

#include "core/text.h"

namespace lep::auth {

void InitCrypto() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium init failed");
}

PasswordHasher::PasswordHasher(uint64_t opslimit, uint64_t memlimit)
    : opslimit_(std::max<uint64_t>(opslimit, crypto_pwhash_argon2id_OPSLIMIT_MIN)),
      memlimit_(std::max<uint64_t>(memlimit, crypto_pwhash_argon2id_MEMLIMIT_MIN)) {
  InitCrypto();
}

Result<std::string> PasswordHasher::Hash(std::string_view password) const {
  char out[crypto_pwhash_argon2id_STRBYTES];
  if (crypto_pwhash_argon2id_str(out, password.data(), password.size(), opslimit_,
                                 static_cast<size_t>(memlimit_)) != 0) {
    return Fail(Error::Internal("密码处理失败（内存不足）"));
  }
  return std::string(out);
}

bool PasswordHasher::Verify(std::string_view hash, std::string_view password) const {
  std::string h(hash);  // needs NUL termination
  return crypto_pwhash_argon2id_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

Status CheckPasswordPolicy(std::string_view password, std::string_view username,
                           int min_length) {
  auto fail = [](std::string msg) {
    return Fail(Error::InvalidArgument("密码不符合安全要求：" + msg,
                                       {{"password", "密码", std::move(msg)}}));
  };
  if (!text::IsValidUtf8(password)) return fail("密码包含无效字符");
  if (text::CodePointCount(password) < static_cast<size_t>(min_length)) {
    return fail("密码长度至少 " + std::to_string(min_length) + " 位");
  }
  if (password.size() > 128) return fail("密码长度不能超过 128 个字节");
  bool lower = false, upper = false, digit = false, other = false;
  for (char c : password) {
    if (c >= 'a' && c <= 'z') lower = true;
    else if (c >= 'A' && c <= 'Z') upper = true;
    else if (c >= '0' && c <= '9') digit = true;
    else other = true;
  }
  int classes = lower + upper + digit + other;
  if (classes < 3) {
    return fail("密码须包含大写字母、小写字母、数字、特殊符号中的至少三类");
  }
  if (!username.empty() &&
      text::ToLowerAscii(password).find(text::ToLowerAscii(username)) != std::string::npos) {
    return fail("密码不能包含用户名");
  }
  return Ok();
}

std::string RandomToken(size_t n_bytes) {
  InitCrypto();
  std::string buf(n_bytes, '\0');
  randombytes_buf(buf.data(), buf.size());
  return text::Hex(buf);
}

std::string TokenHash(std::string_view token) {
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  return text::Hex(std::string_view(reinterpret_cast<const char*>(out), sizeof out));
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace lep::auth
