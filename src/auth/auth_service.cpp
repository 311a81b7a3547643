#include "auth/auth_service.h"

#include <arpa/inet.h>

#include <algorithm>

#include "auth/authorizer.h"
#include "core/text.h"
#include "security/totp.h"

namespace lep::auth {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

std::optional<std::string> ValidateUsername(std::string_view s) {
  if (s.size() < 3 || s.size() > 32) return "用户名长度应为 3–32 个字符";
  if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) {
    return "用户名须以英文字母开头";
  }
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    if (!ok) return "用户名只能包含英文字母、数字、下划线、点和连字符";
  }
  return std::nullopt;
}

namespace {

// The code points of valid UTF-8 (checked by the caller).
std::vector<char32_t> CodePoints(std::string_view s) {
  std::vector<char32_t> out;
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    const int n = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    char32_t cp = n == 1 ? b : n == 2 ? (b & 0x1F) : n == 3 ? (b & 0x0F) : (b & 0x07);
    for (int k = 1; k < n && i + k < s.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    }
    out.push_back(cp);
    i += n;
  }
  return out;
}

bool IsHan(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0xF900 && c <= 0xFAFF);
}

}  // namespace

std::optional<std::string> ValidateLearnerUsername(std::string_view s) {
  const std::string rule =
      "用户名可以是：11 位手机号码；2–16 个汉字（可夹字母、数字）；或英文字母开头的 3–32 "
      "位字母、数字、下划线";
  if (s.empty()) return "请填写用户名（" + rule + "）";
  const bool ascii = std::all_of(s.begin(), s.end(),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) {
    if (std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      if (s.size() == 11 && s[0] == '1') return std::nullopt;
      return "用数字作用户名时须为 11 位手机号码（以 1 开头）";
    }
    if (auto e = ValidateUsername(s)) return *e + "（" + rule + "）";
    return std::nullopt;
  }
  if (!text::IsValidUtf8(s)) return "用户名包含无效字符";
  auto cps = CodePoints(s);
  if (cps.size() < 2 || cps.size() > 16) return "中文用户名应为 2–16 个字";
  bool han = false;
  for (char32_t c : cps) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (IsHan(c)) {
      han = true;
    } else if (!alnum) {
      return "用户名不能包含空格、标点或符号（" + rule + "）";
    }
  }
  if (!han) return rule;
  return std::nullopt;
}

AuthService::AuthService(UserRepository& users, SessionRepository& sessions,
                         orgs::OrgRepository& orgs, const PasswordHasher& hasher,
                         const Clock& clock, AuthOptions options,
                         const security::FieldCipher& cipher)
    : users_(users),
      sessions_(sessions),
      orgs_(orgs),
      hasher_(hasher),
      clock_(clock),
      options_(options),
      cipher_(cipher) {
  if (auto h = hasher_.Hash(RandomToken(16))) dummy_hash_ = std::move(*h);
}

void AuthService::SetOptions(const AuthOptions& options) {
  std::lock_guard lock(options_mu_);
  options_ = options;
}

AuthOptions AuthService::options() const {
  std::lock_guard lock(options_mu_);
  return options_;
}

Status AuthService::Audit(const std::string& action, std::optional<int64_t> actor,
                          std::optional<int64_t> org, const std::string& ip,
                          const std::string& object, const std::string& result,
                          const std::string& detail) const {
  if (!audit_) return Ok();
  security::AuditRecord r;
  r.at = clock_.NowMs();
  r.actor_id = actor;
  r.org_id = org;
  r.ip = ip;
  r.action = action;
  r.object = object;
  r.result = result;
  r.detail = detail;
  return audit_(r);
}

TwoFactorStatus AuthService::TwoFactorOf(const User& u) const {
  AuthOptions opt = options();
  TwoFactorStatus s;
  s.enabled = u.totp_enabled;
  s.required = opt.require_two_factor && RequiresTwoFactor(u.role);
  if (s.required && !s.enabled) {
    s.grace_until = u.created_at + duration_cast<milliseconds>(opt.two_factor_grace).count();
    s.enrolment_required = clock_.NowMs() >= s.grace_until;
  }
  return s;
}

// true: the second factor is satisfied (or not needed); false: a wrong code (counted as a
// failed attempt by the caller); an error: no code given.
Result<bool> AuthService::CheckSecondFactor(const User& user, const LoginRequest& req) {
  if (!user.totp_enabled) return true;
  if (req.totp_code.empty() && req.recovery_code.empty()) {
    return Fail(
        Error{ErrorCode::kTotpRequired, "请输入动态验证码（或一个恢复码）", {}, std::nullopt});
  }
  if (!req.recovery_code.empty()) {
    std::vector<std::string> hashes = user.totp_recovery;
    if (!security::ConsumeRecoveryCode(hashes, req.recovery_code)) return false;
    LEP_ASSIGN_OR_RETURN(bool swapped,
                         users_.ReplaceRecoveryCodes(user.id, user.totp_recovery, hashes));
    return swapped;
  }
  LEP_ASSIGN_OR_RETURN(std::string secret,
                       cipher_.Decrypt(user.totp_secret, SecretContext(user.id)));
  auto step =
      security::Verify(secret, req.totp_code, clock_.NowMs() / 1000, {}, user.totp_last_step);
  if (!step) return false;
  return users_.UseTotpStep(user.id, *step);
}

namespace {

int64_t Ms(std::chrono::milliseconds d) { return d.count(); }

// Lock length after `lockouts` locks in a row: duration × 2^lockouts, at most max.
int64_t Backoff(int lockouts, const AuthOptions& opt) {
  int64_t d = Ms(opt.lockout_duration);
  const int64_t cap = Ms(opt.lockout_max);
  for (int i = 0; i < lockouts && d < cap; ++i) d *= 2;
  return std::max<int64_t>(1000, std::min(d, cap));
}

}  // namespace

std::string ThrottleAddress(std::string_view ip) {
  std::string s(ip);
  in6_addr a6{};
  if (inet_pton(AF_INET6, s.c_str(), &a6) == 1) {
    const unsigned char* b = a6.s6_addr;
    static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(b, b + 12, kMapped)) {
      return std::to_string(b[12]) + "." + std::to_string(b[13]) + "." + std::to_string(b[14]) +
             "." + std::to_string(b[15]);
    }
    in6_addr prefix{};
    std::copy(b, b + 8, prefix.s6_addr);
    char buf[INET6_ADDRSTRLEN] = {};
    if (inet_ntop(AF_INET6, &prefix, buf, sizeof buf)) return std::string(buf) + "/64";
  }
  return s;
}

// One attempt: who is asked for, from where, and which throttle rows counted it.
struct AuthService::Attempt {
  const LoginRequest& req;
  AuthOptions opt;
  int64_t now = 0;
  std::string account;             // keyed hash of the typed name
  std::string address;             // ThrottleAddress(req.ip)
  const User* user = nullptr;      // null: no such account
  LoginClaim pair;                 // (account, address)
  std::optional<LoginClaim> wide;  // (account, '*'): only from an address not known

  std::optional<int64_t> actor() const {
    return user ? std::optional<int64_t>(user->id.value) : std::nullopt;
  }
  std::optional<int64_t> org() const {
    return user && user->org_id ? std::optional(user->org_id->value) : std::nullopt;
  }
  // An unknown name is often a password typed into the wrong field: the audit row carries
  // the keyed hash of it (the same for every attempt with that text, so attempts can be
  // correlated), never the text.
  std::string object() const {
    return user ? "user:" + std::to_string(user->id.value)
                : "unknown-account:" + account.substr(0, 16);
  }
};

std::string AuthService::AccountKey(std::string_view username) const {
  return cipher_.KeyedHash(username, "login_throttle.account");
}

void AuthService::MaybePrune(int64_t now, const AuthOptions& opt) {
  int64_t last = last_prune_.load();
  if (now - last < 3'600'000 && now >= last) return;
  if (!last_prune_.compare_exchange_strong(last, now)) return;
  // Rows of failures only are kept two days (longer than any lock and the back-off memory);
  // an address that signed in stays known for known_address_memory.
  const int64_t stale = now - std::max<int64_t>(Ms(opt.lockout_max) * 2, 2 * 86'400'000);
  (void)users_.PruneLoginThrottle(stale, now, now - Ms(opt.known_address_memory));
}

Status AuthService::ReleaseClaims(const Attempt& a) {
  LEP_RETURN_IF_ERROR(users_.ReleaseLoginAttempt(a.account, a.address));
  if (a.wide) LEP_RETURN_IF_ERROR(users_.ReleaseLoginAttempt(a.account, kAnyUnknownAddress));
  return Ok();
}

// The answer while a lock is in force. The same words whether or not the account exists.
Error AuthService::Refuse(const Attempt& a, int64_t locked_until) {
  const int64_t secs = std::max<int64_t>(1, (locked_until - a.now + 999) / 1000);
  const int minutes = static_cast<int>((secs + 59) / 60);
  if (auto st = Audit("auth.login", a.actor(), a.org(), a.req.ip, a.object(), "locked",
                      "锁定期间尝试登录（至 " + text::FormatShanghai(locked_until) + "）");
      !st) {
    return st.error();
  }
  return Error::TooManyRequests("登录失败次数过多，已临时锁定，请于 " +
                                    text::FormatShanghai(locked_until) + "（北京时间，约 " +
                                    std::to_string(minutes) + " 分钟后）再试",
                                static_cast<int>(secs));
}

// Locks `address` (or, for kAnyUnknownAddress, the account for unknown addresses) with the
// back-off of claim c; the attempt that applied the lock audits it. Returns the lock's end.
Result<int64_t> AuthService::ApplyLock(const Attempt& a, std::string_view address,
                                       const LoginClaim& c) {
  LEP_ASSIGN_OR_RETURN(LoginLock lock, users_.LockLogin(a.account, address,
                                                        a.now + Backoff(c.lockouts, a.opt), a.now));
  if (!lock.applied) return lock.locked_until;
  if (a.user) LEP_RETURN_IF_ERROR(users_.NoteLock(a.user->id, lock.locked_until));
  const std::string scope = address == kAnyUnknownAddress
                                ? "来自未登录过的地址的登录（常用地址不受影响）"
                                : "来自 " + std::string(address) + " 的登录";
  LEP_RETURN_IF_ERROR(Audit("auth.lockout", a.actor(), a.org(), a.req.ip, a.object(), "locked",
                            scope + "锁定至 " + text::FormatShanghai(lock.locked_until) + "（第 " +
                                std::to_string(c.lockouts + 1) + " 次连续锁定）"));
  return lock.locked_until;
}

// A checked and failed attempt (it was counted by the claims): locks what reached its
// threshold, audits, and answers `answer`.
Error AuthService::Failed(const Attempt& a, const std::string& why, Error answer) {
  if (auto st = Audit("auth.login", a.actor(), a.org(), a.req.ip, a.object(), "failed", why); !st) {
    return st.error();
  }
  if (a.pair.failures >= a.opt.lockout_threshold) {
    if (auto st = ApplyLock(a, a.address, a.pair); !st) return st.error();
  }
  if (a.wide &&
      a.wide->failures >= std::max(a.opt.unknown_address_threshold, a.opt.lockout_threshold)) {
    if (auto st = ApplyLock(a, kAnyUnknownAddress, *a.wide); !st) return st.error();
  }
  return answer;
}

Result<LoginResult> AuthService::Login(const LoginRequest& req) {
  const Error wrong = Error::Unauthenticated("用户名或密码错误");
  if (req.username.empty() || req.password.empty() || req.username.size() > 64 ||
      req.password.size() > 1024) {
    return Fail(wrong);
  }
  Attempt a{req, options(), clock_.NowMs(), AccountKey(req.username), ThrottleAddress(req.ip)};
  MaybePrune(a.now, a.opt);
  LEP_ASSIGN_OR_RETURN(auto found, users_.GetByUsername(req.username));
  if (found) a.user = &*found;

  // Count the attempt before the password is checked (one atomic statement per row), so
  // concurrent attempts cannot all pass a check made before any of them failed: at most
  // lockout_threshold password checks per window, whatever the concurrency.
  const int64_t window_start_min = a.now - Ms(a.opt.lockout_window);
  const int64_t backoff_reset = a.now - Ms(std::chrono::hours(24));
  LEP_ASSIGN_OR_RETURN(a.pair, users_.ClaimLoginAttempt(a.account, a.address, a.now,
                                                        window_start_min, backoff_reset));
  if (a.pair.locked) return Fail(Refuse(a, a.pair.locked_until));
  // More attempts in flight than the threshold allows: lock now, check nothing. The claims
  // are given back (no password was checked); the answer names the lock in force.
  auto over = [&](std::string_view address, const LoginClaim& c,
                  int threshold) -> Result<std::optional<int64_t>> {
    if (c.failures <= threshold) return std::optional<int64_t>();
    LEP_ASSIGN_OR_RETURN(int64_t until, ApplyLock(a, address, c));
    LEP_RETURN_IF_ERROR(ReleaseClaims(a));
    return std::optional<int64_t>(until);
  };
  LEP_ASSIGN_OR_RETURN(auto pair_lock, over(a.address, a.pair, a.opt.lockout_threshold));
  if (pair_lock) return Fail(Refuse(a, *pair_lock));
  // Only attempts the address itself may still make count for the account as a whole.
  const bool known = a.pair.last_success_at > 0 &&
                     a.now - a.pair.last_success_at <= Ms(a.opt.known_address_memory);
  if (!known) {
    LEP_ASSIGN_OR_RETURN(auto wide, users_.ClaimLoginAttempt(a.account, kAnyUnknownAddress, a.now,
                                                             window_start_min, backoff_reset));
    if (wide.locked) {
      LEP_RETURN_IF_ERROR(users_.ReleaseLoginAttempt(a.account, a.address));
      return Fail(Refuse(a, wide.locked_until));
    }
    a.wide = wide;
    LEP_ASSIGN_OR_RETURN(auto wide_lock,
                         over(kAnyUnknownAddress, wide,
                              std::max(a.opt.unknown_address_threshold, a.opt.lockout_threshold)));
    if (wide_lock) return Fail(Refuse(a, *wide_lock));
  }

  // Exactly one password check per counted attempt, also for a name that does not exist
  // (against a dummy hash of the same cost): the answer and its timing reveal nothing.
  const bool password_ok =
      hasher_.Verify(a.user ? a.user->password_hash : dummy_hash_, req.password);
  if (!a.user) return Fail(Failed(a, "用户名不存在", wrong));
  if (!password_ok) return Fail(Failed(a, "密码错误", wrong));
  User& user = *found;
  if (user.disabled) {
    LEP_RETURN_IF_ERROR(ReleaseClaims(a));
    LEP_RETURN_IF_ERROR(
        Audit("auth.login", a.actor(), a.org(), req.ip, a.object(), "denied", "账号已停用"));
    return Fail(Error{ErrorCode::kAccountDisabled,
                      "账号已停用，不能登录：请联系本单位管理员（或上级单位管理员）启用",
                      {},
                      std::nullopt});
  }
  auto second = CheckSecondFactor(user, req);
  if (!second) {  // no code given: not a failed attempt
    LEP_RETURN_IF_ERROR(ReleaseClaims(a));
    return Fail(second.error());
  }
  if (!*second) {
    return Fail(
        Failed(a, req.recovery_code.empty() ? "动态验证码错误" : "恢复码错误",
               Error{ErrorCode::kTotpInvalid,
                     req.recovery_code.empty() ? "动态验证码错误或已使用，请等待下一个验证码"
                                               : "恢复码错误或已使用",
                     {},
                     std::nullopt}));
  }
  LEP_RETURN_IF_ERROR(users_.LoginSucceeded(a.account, a.address, a.now));
  // Only failures count towards the lock for unknown addresses.
  if (a.wide) LEP_RETURN_IF_ERROR(users_.ReleaseLoginAttempt(a.account, kAnyUnknownAddress));
  if (user.failed_count != 0 || user.locked_until != 0) {
    LEP_RETURN_IF_ERROR(users_.SaveLoginState(user.id, 0, 0, 0));
  }
  // A new token at every sign-in; the old sessions of this browser are not reused.
  std::string token = RandomToken(32);
  std::string csrf = RandomToken(32);
  LEP_ASSIGN_OR_RETURN(auto session, sessions_.Create(TokenHash(token), user.id, csrf, a.now,
                                                      req.ip, req.user_agent));
  auto audited = Audit("auth.login", a.actor(), a.org(), req.ip, a.object(), "ok",
                       !req.recovery_code.empty() ? "密码 + 恢复码"
                       : user.totp_enabled        ? "密码 + 动态验证码"
                                                  : "密码");
  if (!audited) {
    // Fail closed: a sign-in that is not in the audit log does not happen. The token was
    // never handed out, so even a session row left behind is unusable.
    (void)sessions_.Delete(session.id);
    return Fail(audited.error());
  }
  return LoginResult{std::move(user), std::move(token), std::move(csrf)};
}

Result<Principal> AuthService::Authenticate(const std::string& token) {
  if (token.size() != 64) return Fail(Error::Unauthenticated());
  LEP_ASSIGN_OR_RETURN(auto session, sessions_.GetByTokenHash(TokenHash(token)));
  if (!session) return Fail(Error::Unauthenticated());
  int64_t now = clock_.NowMs();
  AuthOptions opt = options();
  int64_t idle = duration_cast<milliseconds>(opt.idle_timeout).count();
  int64_t absolute = duration_cast<milliseconds>(opt.absolute_timeout).count();
  if (now - session->last_seen_at > idle || now - session->created_at > absolute) {
    (void)sessions_.Delete(session->id);
    return Fail(Error::Unauthenticated("登录已超时，请重新登录"));
  }
  LEP_ASSIGN_OR_RETURN(auto user, users_.Get(session->user_id));
  if (!user || user->disabled) return Fail(Error::Unauthenticated());
  // Touch at most once a minute: idle expiry stays accurate to a minute, writes stay rare.
  if (now - session->last_seen_at > 60'000) {
    LEP_RETURN_IF_ERROR(sessions_.Touch(session->id, now));
  }
  Principal p;
  p.user_id = user->id;
  p.username = user->username;
  p.display_name = user->display_name;
  p.role = user->role;
  p.session_id = session->id;
  p.csrf_token = session->csrf_token;
  p.two_factor = TwoFactorOf(*user);
  p.password_change_required = user->must_change_password;
  if (user->org_id) {
    LEP_ASSIGN_OR_RETURN(auto org, orgs_.Get(*user->org_id));
    p.org = org;
  }
  return p;
}

Status AuthService::Logout(const Principal& p) {
  // Audited first: a sign-out that cannot be recorded does not happen (the user may retry).
  LEP_RETURN_IF_ERROR(Audit("auth.logout", p.user_id.value,
                            p.org ? std::optional(p.org->id.value) : std::nullopt, p.ip,
                            "user:" + std::to_string(p.user_id.value), "ok", ""));
  return sessions_.Delete(p.session_id);
}

Result<TotpSetup> AuthService::BeginTotpSetup(const Principal& p) {
  if (p.role == Role::kLearner) {
    return Fail(Error::PermissionDenied("学习者账号无需启用双因素认证"));
  }
  LEP_ASSIGN_OR_RETURN(auto found, users_.Get(p.user_id));
  if (!found) return Fail(Error::NotFound("账号不存在"));
  User u = std::move(*found);
  if (u.totp_enabled) {
    return Fail(Error::FailedPrecondition("已启用双因素认证；如需更换设备，请联系安全管理员重置"));
  }
  std::string secret = security::GenerateSecret();
  u.totp_pending = cipher_.Encrypt(secret, SecretContext(u.id));
  LEP_RETURN_IF_ERROR(users_.SaveTotp(u));
  std::string b32 = security::Base32Encode(secret);
  return TotpSetup{b32, security::OtpauthUri(u.username, secret)};
}

Result<std::vector<std::string>> AuthService::ConfirmTotp(const Principal& p,
                                                          const std::string& code) {
  LEP_ASSIGN_OR_RETURN(auto found, users_.Get(p.user_id));
  if (!found) return Fail(Error::NotFound("账号不存在"));
  User u = std::move(*found);
  if (u.totp_enabled) return Fail(Error::FailedPrecondition("已启用双因素认证"));
  if (u.totp_pending.empty()) {
    return Fail(Error::FailedPrecondition("请先生成二维码（开始绑定），再输入验证码"));
  }
  LEP_ASSIGN_OR_RETURN(std::string secret, cipher_.Decrypt(u.totp_pending, SecretContext(u.id)));
  auto step = security::Verify(secret, code, clock_.NowMs() / 1000, {}, u.totp_last_step);
  if (!step) {
    return Fail(Error{ErrorCode::kTotpInvalid,
                      "验证码不正确，请核对手机时间后输入最新的 6 位验证码",
                      {{"code", "验证码", "验证码不正确"}},
                      std::nullopt});
  }
  auto codes = security::RecoveryCodes(10);
  u.totp_secret = u.totp_pending;
  u.totp_pending.clear();
  u.totp_enabled = true;
  u.totp_last_step = *step;
  u.totp_recovery.clear();
  for (const auto& c : codes) u.totp_recovery.push_back(security::HashRecoveryCode(c));
  LEP_RETURN_IF_ERROR(users_.SaveTotp(u));
  LEP_RETURN_IF_ERROR(Audit("auth.totp.enable", p.user_id.value,
                            p.org ? std::optional(p.org->id.value) : std::nullopt, p.ip,
                            "user:" + std::to_string(u.id.value), "ok", "启用双因素认证"));
  return codes;
}

Result<std::vector<std::string>> AuthService::RegenerateRecoveryCodes(const Principal& p,
                                                                      const std::string& code) {
  LEP_ASSIGN_OR_RETURN(auto found, users_.Get(p.user_id));
  if (!found) return Fail(Error::NotFound("账号不存在"));
  User u = std::move(*found);
  if (!u.totp_enabled) return Fail(Error::FailedPrecondition("尚未启用双因素认证"));
  LEP_ASSIGN_OR_RETURN(std::string secret, cipher_.Decrypt(u.totp_secret, SecretContext(u.id)));
  auto step = security::Verify(secret, code, clock_.NowMs() / 1000, {}, u.totp_last_step);
  if (!step) {
    return Fail(Error{ErrorCode::kTotpInvalid,
                      "验证码不正确或已使用",
                      {{"code", "验证码", "验证码不正确"}},
                      std::nullopt});
  }
  LEP_ASSIGN_OR_RETURN(bool fresh, users_.UseTotpStep(u.id, *step));
  if (!fresh) {
    return Fail(Error{ErrorCode::kTotpInvalid,
                      "验证码已使用，请等待下一个",
                      {{"code", "验证码", "验证码已使用"}},
                      std::nullopt});
  }
  auto codes = security::RecoveryCodes(10);
  std::vector<std::string> hashes;
  for (const auto& c : codes) hashes.push_back(security::HashRecoveryCode(c));
  LEP_ASSIGN_OR_RETURN(bool swapped, users_.ReplaceRecoveryCodes(u.id, u.totp_recovery, hashes));
  if (!swapped) return Fail(Error::Conflict("恢复码刚被修改，请重试"));
  LEP_RETURN_IF_ERROR(Audit("auth.totp.recovery_codes", p.user_id.value,
                            p.org ? std::optional(p.org->id.value) : std::nullopt, p.ip,
                            "user:" + std::to_string(u.id.value), "ok", "重新生成恢复码"));
  return codes;
}

Status AuthService::ResetTotp(const Principal& actor, UserId target) {
  LEP_RETURN_IF_ERROR(Authorizer::CheckSecurityAdmin(actor));
  LEP_ASSIGN_OR_RETURN(auto found, users_.Get(target));
  if (!found) return Fail(Error::NotFound("账号不存在"));
  User u = std::move(*found);
  if (u.id == actor.user_id) return Fail(Error::PermissionDenied("不能重置自己的双因素认证"));
  u.totp_secret.clear();
  u.totp_pending.clear();
  u.totp_enabled = false;
  u.totp_recovery.clear();
  LEP_RETURN_IF_ERROR(users_.SaveTotp(u));
  // A reset account must enrol again at its next sign-in; live sessions end now.
  LEP_RETURN_IF_ERROR(sessions_.DeleteForUser(u.id));
  LEP_RETURN_IF_ERROR(Audit("auth.totp.reset", actor.user_id.value,
                            actor.org ? std::optional(actor.org->id.value) : std::nullopt, actor.ip,
                            "user:" + std::to_string(u.id.value), "ok",
                            "重置 " + u.username + " 的双因素认证"));
  return Ok();
}

Status AuthService::Unlock(const Principal& actor, UserId target) {
  LEP_RETURN_IF_ERROR(Authorizer::CheckSecurityAdmin(actor));
  LEP_ASSIGN_OR_RETURN(auto found, users_.Get(target));
  if (!found) return Fail(Error::NotFound("账号不存在"));
  LEP_RETURN_IF_ERROR(users_.SaveLoginState(target, 0, 0, 0));
  LEP_RETURN_IF_ERROR(users_.ClearLoginThrottle(AccountKey(found->username)));
  LEP_RETURN_IF_ERROR(Audit("auth.unlock", actor.user_id.value,
                            actor.org ? std::optional(actor.org->id.value) : std::nullopt, actor.ip,
                            "user:" + std::to_string(target.value), "ok",
                            "解除 " + found->username + " 的锁定"));
  return Ok();
}

Result<User> AuthService::GetUser(const Principal& actor, UserId id) {
  LEP_ASSIGN_OR_RETURN(auto found, users_.Get(id));
  if (!found) return Fail(Error::NotFound("账号不存在"));
  if (!Authorizer::CanSeeAll(actor)) {
    if (!found->org_id) return Fail(Error::NotFound("账号不存在"));
    LEP_ASSIGN_OR_RETURN(auto org, orgs_.Get(*found->org_id));
    if (!org || !Authorizer::CanSeeOrg(actor, *org)) return Fail(Error::NotFound("账号不存在"));
  }
  return *found;
}

Result<User> AuthService::Insert(std::optional<orgs::OrgId> org_id, NewUser u,
                                 std::optional<UserId> created_by,
                                 std::vector<FieldError> errors) {
  u.username = text::Trim(u.username);
  u.display_name = text::Trim(u.display_name);
  if (auto e = u.role == Role::kLearner ? ValidateLearnerUsername(u.username)
                                        : ValidateUsername(u.username)) {
    errors.push_back({"username", "用户名", *e});
  }
  if (u.display_name.empty()) u.display_name = u.username;
  if (!text::IsValidUtf8(u.display_name) || text::CodePointCount(u.display_name) > 50) {
    errors.push_back({"display_name", "姓名", "姓名不能超过 50 个字"});
  }
  auto policy = CheckPasswordPolicy(u.password, u.username, options().password_min_length);
  if (!policy) {
    for (auto& f : policy.error().fields) errors.push_back(f);
  }
  if (!errors.empty()) {
    std::string msg = "账号信息有误：";
    for (size_t i = 0; i < errors.size(); ++i) {
      if (i) msg += "；";
      msg += errors[i].label + "：" + errors[i].message;
    }
    return Fail(Error::InvalidArgument(msg, std::move(errors)));
  }
  LEP_ASSIGN_OR_RETURN(std::string hash, hasher_.Hash(u.password));
  User user;
  user.org_id = org_id;
  user.username = u.username;
  user.display_name = u.display_name;
  user.role = u.role;
  user.password_hash = std::move(hash);
  user.created_at = clock_.NowMs();
  user.must_change_password = u.must_change_password;
  if (u.role == Role::kLearner && u.privacy_consent) user.privacy_consent_at = user.created_at;
  LEP_ASSIGN_OR_RETURN(User created, users_.Create(user, created_by));
  LEP_RETURN_IF_ERROR(Audit("user.create",
                            created_by ? std::optional(created_by->value) : std::nullopt,
                            org_id ? std::optional(org_id->value) : std::nullopt, "",
                            "user:" + std::to_string(created.id.value), "ok",
                            created.username + "（" + std::string(RoleName(created.role)) + "）"));
  return created;
}

Result<User> AuthService::RegisterLearner(NewUser u) {
  u.role = Role::kLearner;
  u.must_change_password = false;
  // Sign-up records the privacy notice's acceptance; without it nothing is created.
  std::vector<FieldError> consent;
  if (!u.privacy_consent) {
    consent.push_back(
        {"privacy_consent", "隐私政策", "请阅读并勾选同意《个人信息保护与隐私政策》后再注册"});
  }
  return Insert(std::nullopt, std::move(u), std::nullopt, std::move(consent));
}

Status AuthService::VerifyOwnPassword(const User& user, const std::string& password,
                                      const std::string& ip, const std::string& field,
                                      const std::string& label) {
  const Error wrong = Error::InvalidArgument(label + "不正确", {{field, label, "密码不正确"}});
  if (password.empty() || password.size() > 1024) return Fail(wrong);
  LoginRequest req{user.username, password, "", "", ip, ""};
  Attempt a{req, options(), clock_.NowMs(), AccountKey(user.username), ThrottleAddress(ip)};
  a.user = &user;
  const int64_t window_start_min = a.now - Ms(a.opt.lockout_window);
  const int64_t backoff_reset = a.now - Ms(std::chrono::hours(24));
  LEP_ASSIGN_OR_RETURN(a.pair, users_.ClaimLoginAttempt(a.account, a.address, a.now,
                                                        window_start_min, backoff_reset));
  if (a.pair.locked) return Fail(Refuse(a, a.pair.locked_until));
  if (a.pair.failures > a.opt.lockout_threshold) {
    LEP_ASSIGN_OR_RETURN(int64_t until, ApplyLock(a, a.address, a.pair));
    LEP_RETURN_IF_ERROR(ReleaseClaims(a));
    return Fail(Refuse(a, until));
  }
  if (!hasher_.Verify(user.password_hash, password)) {
    return Fail(Failed(a, "修改密码时当前密码错误", wrong));
  }
  return ReleaseClaims(a);
}

Status AuthService::VerifyOwnTotp(const User& user, const std::string& code) {
  if (!user.totp_enabled) return Ok();
  if (code.empty()) {
    return Fail(Error{ErrorCode::kInvalidArgument,
                      "已启用双因素认证：请输入动态验证码",
                      {{"totp_code", "动态验证码", "请输入 6 位动态验证码"}},
                      std::nullopt});
  }
  LEP_ASSIGN_OR_RETURN(std::string secret,
                       cipher_.Decrypt(user.totp_secret, SecretContext(user.id)));
  auto step = security::Verify(secret, code, clock_.NowMs() / 1000, {}, user.totp_last_step);
  bool fresh = false;
  if (step) {
    auto used = users_.UseTotpStep(user.id, *step);
    if (!used) return Fail(used.error());
    fresh = *used;
  }
  if (!fresh) {
    return Fail(Error{ErrorCode::kInvalidArgument,
                      "动态验证码错误或已使用，请等待下一个验证码",
                      {{"totp_code", "动态验证码", "验证码不正确或已使用"}},
                      std::nullopt});
  }
  return Ok();
}

Result<User> AuthService::CreateUser(const Principal& actor, orgs::OrgId org_id, NewUser u) {
  LEP_ASSIGN_OR_RETURN(auto org, orgs_.Get(org_id));
  if (!org || !Authorizer::CanSeeOrg(actor, *org)) return Fail(Error::NotFound("单位不存在"));
  LEP_RETURN_IF_ERROR(Authorizer::CheckCreateUser(actor, *org, u.role));
  return Insert(org_id, std::move(u), actor.user_id);
}

Result<User> AuthService::CreateUserUnchecked(std::optional<orgs::OrgId> org_id, NewUser u) {
  return Insert(org_id, std::move(u), std::nullopt);
}

Result<std::vector<User>> AuthService::ListUsers(const Principal& actor, orgs::OrgId org_id) {
  LEP_ASSIGN_OR_RETURN(auto org, orgs_.Get(org_id));
  if (!org || !Authorizer::CanSeeOrg(actor, *org)) return Fail(Error::NotFound("单位不存在"));
  if (!Authorizer::CanSeeAll(actor)) LEP_RETURN_IF_ERROR(Authorizer::CheckManageUnit(actor, *org));
  return users_.ListByOrg(org_id);
}

}  // namespace lep::auth
