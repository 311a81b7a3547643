#include "auth/account_service.h"

#include <algorithm>
#include <thread>

#include "auth/authorizer.h"
#include "core/text.h"
#include "crypto/crypto.h"
#include "orgs/contact.h"
#include "security/audit_chain.h"
#include "security/field_cipher.h"

namespace lep::auth {

namespace {

Error Gone() {
  return Error{ErrorCode::kGone,
               "链接无效、已使用或已过期：请联系本单位管理员重新发送激活链接",
               {},
               std::nullopt};
}

bool IsHexToken(std::string_view s) {
  if (s.size() != 64) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// The password policy's error, naming the form's field instead of "password".
Error PolicyError(Error e, const std::string& field, const std::string& label) {
  for (auto& f : e.fields) {
    f.field = field;
    f.label = label;
  }
  return e;
}

}  // namespace

std::optional<Delivery> ParseDelivery(std::string_view s) {
  if (s.empty() || s == "link") return Delivery::kLink;
  if (s == "temporary_password") return Delivery::kTemporaryPassword;
  return std::nullopt;
}

std::string TemporaryPassword(size_t length) {
  // No look-alike characters (0/O, 1/l/I): the administrator reads it out or copies it.
  static constexpr std::string_view kUpper = "ABCDEFGHJKLMNPQRSTUVWXYZ";
  static constexpr std::string_view kLower = "abcdefghijkmnopqrstuvwxyz";
  static constexpr std::string_view kDigit = "23456789";
  static constexpr std::string_view kSymbol = "@#%+=?!";
  InitCrypto();
  const std::string all =
      std::string(kUpper) + std::string(kLower) + std::string(kDigit) + std::string(kSymbol);
  for (;;) {
    std::string out;
    for (size_t i = 0; i < length; ++i) {
      out.push_back(all[crypto::RandomUniform(static_cast<uint32_t>(all.size()))]);
    }
    auto has = [&](std::string_view set) { return out.find_first_of(set) != std::string::npos; };
    if (has(kUpper) && has(kLower) && has(kDigit) && has(kSymbol)) return out;
  }
}

AccountService::AccountService(storage::Database& db, UserRepository& users,
                               AccountRepository& accounts, orgs::OrgRepository& orgs,
                               AuthService& auth, const PasswordHasher& hasher, const Clock& clock,
                               AccountOptions options)
    : db_(db),
      users_(users),
      accounts_(accounts),
      orgs_(orgs),
      auth_(auth),
      hasher_(hasher),
      clock_(clock),
      options_(options) {}

void AccountService::SetMailer(ActivationMailer mailer, std::string public_url) {
  mailer_ = std::move(mailer);
  while (!public_url.empty() && public_url.back() == '/') public_url.pop_back();
  public_url_ = std::move(public_url);
}

void AccountService::SetPersonalMail(const security::FieldCipher* cipher, PersonalMailer mailer,
                                     std::string public_url) {
  cipher_ = cipher;
  personal_mailer_ = std::move(mailer);
  while (!public_url.empty() && public_url.back() == '/') public_url.pop_back();
  personal_url_ = std::move(public_url);
}

namespace {

constexpr const char* kEmailContext = "users.email";

// One hash space for addresses: trimmed, lower-cased (as the contacts' lookup hash).
std::string NormalEmail(std::string_view v) {
  std::string out = text::ToLowerAscii(text::Trim(v));
  return out;
}

Status CheckEmail(const std::string& email) {
  if (email.empty()) return Ok();
  if (email.size() > 254 || !orgs::IsValidEmail(email)) {
    return Fail(Error::InvalidArgument(
        "电子邮箱格式不正确", {{"email", "电子邮箱", "电子邮箱格式不正确，例如 name@example.com"}}));
  }
  return Ok();
}

}  // namespace

Result<std::string> AccountService::OwnEmail(const Principal& p) {
  if (p.role != Role::kLearner) {
    return Fail(Error::PermissionDenied("只有学习者账号登记个人电子邮箱；工作人员的邮件发往单位负责人"));
  }
  if (!cipher_) return std::string();
  LEP_ASSIGN_OR_RETURN(std::string stored, accounts_.GetEmail(db_, p.user_id));
  if (stored.empty()) return std::string();
  return cipher_->Decrypt(stored, std::string(kEmailContext) + ":" + std::to_string(p.user_id.value));
}

Result<std::string> AccountService::SetOwnEmail(const Principal& p, const std::string& email) {
  if (p.role != Role::kLearner) {
    return Fail(Error::PermissionDenied("只有学习者账号登记个人电子邮箱；工作人员的邮件发往单位负责人"));
  }
  if (!cipher_) return Fail(Error::Internal("未配置个人信息加密"));
  const std::string clean = NormalEmail(email);
  LEP_RETURN_IF_ERROR(CheckEmail(clean));
  LEP_ASSIGN_OR_RETURN(auto found, users_.Get(p.user_id));
  if (!found) return Fail(Error::NotFound("账号不存在"));
  const std::string context = std::string(kEmailContext) + ":" + std::to_string(p.user_id.value);
  LEP_RETURN_IF_ERROR(db_.Transaction([&](storage::SqlExecutor& tx) -> Status {
    LEP_RETURN_IF_ERROR(accounts_.SetEmail(tx, p.user_id,
                                           clean.empty() ? "" : cipher_->Encrypt(clean, context),
                                           clean.empty() ? "" : cipher_->KeyedHash(clean, kEmailContext)));
    return Audit(tx, &p, *found, "user.email",
                 clean.empty() ? "清除个人电子邮箱" : "个人电子邮箱 " + security::MaskEmail(clean),
                 p.ip);
  }));
  return clean;
}

Result<User> AccountService::RegisterLearner(NewUser u, const std::string& email) {
  const std::string clean = NormalEmail(email);
  LEP_RETURN_IF_ERROR(CheckEmail(clean));
  if (!clean.empty() && !cipher_) return Fail(Error::Internal("未配置个人信息加密"));
  LEP_ASSIGN_OR_RETURN(User user, auth_.RegisterLearner(std::move(u)));
  if (!clean.empty()) {
    const std::string context = std::string(kEmailContext) + ":" + std::to_string(user.id.value);
    LEP_RETURN_IF_ERROR(db_.Transaction([&](storage::SqlExecutor& tx) -> Status {
      return accounts_.SetEmail(tx, user.id, cipher_->Encrypt(clean, context),
                                cipher_->KeyedHash(clean, kEmailContext));
    }));
  }
  return user;
}

Result<std::string> AccountService::AddressOf(UserId id) {
  if (!cipher_) return std::string();
  LEP_ASSIGN_OR_RETURN(std::string stored, accounts_.GetEmail(db_, id));
  if (stored.empty()) return std::string();
  return cipher_->Decrypt(stored, std::string(kEmailContext) + ":" + std::to_string(id.value));
}

Status AccountService::RequestPasswordReset(const std::string& login, const std::string& ip) {
  // Real time, not the injected clock: what a stranger measures is the wall.
  const auto deadline = std::chrono::steady_clock::now() + options_.reset_min_time;
  // The costly part of a hit (a random token and its hash) is paid on every request too.
  (void)TokenHash(RandomToken(32));
  Status st = IssuePasswordReset(login, ip);
  std::this_thread::sleep_until(deadline);
  return st;
}

Status AccountService::IssuePasswordReset(const std::string& login, const std::string& ip) {
  const std::string wanted = text::Trim(login);
  // Without e-mail there is nobody to send a link to: nothing is issued.
  if (wanted.empty() || wanted.size() > 254 || !cipher_ || !personal_mailer_ ||
      personal_url_.empty()) {
    return Ok();
  }
  // The account: by e-mail address when it looks like one, else by username.
  std::optional<User> user;
  if (wanted.find('@') != std::string::npos) {
    LEP_ASSIGN_OR_RETURN(auto ids,
                         accounts_.FindByEmailHash(db_, cipher_->KeyedHash(NormalEmail(wanted),
                                                                           kEmailContext)));
    for (UserId id : ids) {
      LEP_ASSIGN_OR_RETURN(auto u, users_.Get(id));
      if (u && u->role == Role::kLearner && !u->disabled) {
        user = std::move(*u);
        break;
      }
    }
  } else {
    LEP_ASSIGN_OR_RETURN(auto u, users_.GetByUsername(wanted));
    if (u && u->role == Role::kLearner && !u->disabled) user = std::move(*u);
  }
  if (!user) return Ok();
  const std::string context = std::string(kEmailContext) + ":" + std::to_string(user->id.value);
  const int64_t now = clock_.NowMs();
  return db_.Transaction([&](storage::SqlExecutor& tx) -> Status {
    LEP_ASSIGN_OR_RETURN(std::string stored, accounts_.GetEmail(tx, user->id));
    if (stored.empty()) return Ok();
    LEP_ASSIGN_OR_RETURN(std::string address, cipher_->Decrypt(stored, context));
    LEP_ASSIGN_OR_RETURN(auto last, accounts_.LastTokenAt(tx, user->id, TokenPurpose::kReset));
    const int64_t interval =
        std::chrono::duration_cast<std::chrono::milliseconds>(options_.reset_interval).count();
    if (last && *last > now - interval) return Ok();  // one link per interval, silently
    const std::string token = RandomToken(32);
    AccountToken t;
    t.user_id = user->id;
    t.token_hash = TokenHash(token);
    t.purpose = TokenPurpose::kReset;
    t.created_at = now;
    t.expires_at =
        now + std::chrono::duration_cast<std::chrono::milliseconds>(options_.reset_ttl).count();
    // Only the newest link works; the password itself is unchanged until one is used.
    LEP_RETURN_IF_ERROR(accounts_.RevokeTokens(tx, user->id, now));
    LEP_RETURN_IF_ERROR(accounts_.InsertToken(tx, t));
    const std::string link = personal_url_ + "/activate#token=" + token;
    const std::string body =
        user->display_name + "，您好：\n\n有人为您在国家终身教育智慧教育平台的学习账号 " +
        user->username + " 申请了重置密码。请在 " +
        std::to_string(options_.reset_ttl.count() / 60) +
        " 小时内打开下面的链接设置新密码（只能使用一次）：\n\n" + link +
        "\n\n如果不是您本人申请，请忽略本邮件，您的密码不会改变。";
    LEP_RETURN_IF_ERROR(personal_mailer_(tx, user->id, "reset:" + t.token_hash.substr(0, 32),
                                         "【国家终身教育智慧教育平台】重置密码", body));
    return Audit(tx, nullptr, *user, "user.password.reset_request",
                 user->username + "：忘记密码，重置链接已发往 " + security::MaskEmail(address), ip);
  });
}

Status AccountService::Audit(storage::SqlExecutor& tx, const Principal* actor, const User& target,
                             const std::string& action, const std::string& detail,
                             const std::string& ip) const {
  security::AuditRecord r;
  r.at = clock_.NowMs();
  r.actor_id = actor ? actor->user_id.value : target.id.value;
  if (actor && actor->org) {
    r.org_id = actor->org->id.value;
  } else if (!actor && target.org_id) {
    r.org_id = target.org_id->value;
  }
  r.ip = ip;
  r.action = action;
  r.object = "user:" + std::to_string(target.id.value);
  r.detail = detail;
  return security::AppendAudit(tx, r).map([](int64_t) {});
}

Result<User> AccountService::Manageable(const Principal& actor, UserId target,
                                        bool security_admin_allowed) {
  const Error not_found = Error::NotFound("账号不存在");
  LEP_ASSIGN_OR_RETURN(auto found, users_.Get(target));
  if (!found) return Fail(not_found);
  if (actor.role == Role::kSecurityAdmin) {
    if (found->id == actor.user_id) {
      return Fail(Error::PermissionDenied("不能对自己的账号执行此操作；修改密码请使用“修改密码”"));
    }
    if (security_admin_allowed) return *found;
    return Fail(Error::PermissionDenied("安全管理员不能调整账号角色（三权分立）"));
  }
  // Learners belong to no unit: only the security administrator reaches them.
  if (!found->org_id) return Fail(not_found);
  LEP_ASSIGN_OR_RETURN(auto org, orgs_.Get(*found->org_id));
  if (!org || !Authorizer::CanSeeOrg(actor, *org)) return Fail(not_found);
  if (found->id == actor.user_id) {
    return Fail(Error::PermissionDenied("不能对自己的账号执行此操作；修改密码请使用“修改密码”"));
  }
  LEP_RETURN_IF_ERROR(Authorizer::CheckManageUnit(actor, *org));
  if (IsPlatformRole(found->role)) {
    return Fail(Error::PermissionDenied(
        "平台管理员、安全管理员、审计员的账号只能由安全管理员重置或停用（三权分立）"));
  }
  return *found;
}

Result<Credential> AccountService::Issue(const Principal& actor, const User& user,
                                         Delivery delivery, TokenPurpose purpose,
                                         const std::string& action) {
  const int64_t now = clock_.NowMs();
  Credential cred;
  cred.delivery = delivery;
  const size_t length =
      std::max<size_t>(14, static_cast<size_t>(auth_.options().password_min_length));
  // A link leaves a random password nobody knows until the owner sets one.
  std::string password;
  for (int i = 0; i < 100; ++i) {
    password = TemporaryPassword(length);
    if (CheckPasswordPolicy(password, user.username, auth_.options().password_min_length)) break;
  }
  LEP_ASSIGN_OR_RETURN(std::string hash, hasher_.Hash(password));
  std::string token;
  std::optional<orgs::Contact> contact;
  if (delivery == Delivery::kTemporaryPassword) {
    cred.temporary_password = password;
  } else {
    token = RandomToken(32);
    cred.token = token;
    cred.expires_at =
        now + std::chrono::duration_cast<std::chrono::milliseconds>(options_.token_ttl).count();
    if (mailer_ && !public_url_.empty() && user.org_id) {
      LEP_ASSIGN_OR_RETURN(contact, orgs_.GetContact(*user.org_id));
      if (contact && contact->email.empty()) contact.reset();
    }
  }
  std::string unit_name;
  if (contact) {
    LEP_ASSIGN_OR_RETURN(auto org, orgs_.Get(*user.org_id));
    if (org) unit_name = org->name;
  }
  const bool temporary = delivery == Delivery::kTemporaryPassword;
  std::string detail =
      user.username + (temporary ? "：临时密码（首次登录须修改）" : "：一次性激活链接");
  if (contact) detail += "，已发往本单位负责人邮箱 " + security::MaskEmail(contact->email);
  LEP_RETURN_IF_ERROR(db_.Transaction([&](storage::SqlExecutor& tx) -> Status {
    LEP_RETURN_IF_ERROR(accounts_.SetPassword(tx, user.id, hash, temporary, now));
    LEP_RETURN_IF_ERROR(accounts_.RevokeTokens(tx, user.id, now));
    LEP_RETURN_IF_ERROR(accounts_.EndSessions(tx, user.id, std::nullopt));
    if (!temporary) {
      AccountToken t;
      t.user_id = user.id;
      t.token_hash = TokenHash(token);
      t.purpose = purpose;
      t.created_at = now;
      t.expires_at = cred.expires_at;
      t.created_by = actor.user_id.value;
      LEP_RETURN_IF_ERROR(accounts_.InsertToken(tx, t));
    }
    if (contact) {
      const std::string link = public_url_ + "/activate#token=" + token;
      const std::string subject = std::string("【国家终身教育智慧教育平台】") +
                                  (purpose == TokenPurpose::kActivate ? "账号激活" : "重置密码") +
                                  "：" + user.username;
      const std::string body =
          (unit_name.empty() ? std::string() : unit_name + " ") + "负责人：\n\n" +
          (purpose == TokenPurpose::kActivate ? "平台为贵单位开设了账号 " : "贵单位账号 ") +
          user.username + "（" + user.display_name + "，" + std::string(RoleLabel(user.role)) +
          "）" + (purpose == TokenPurpose::kActivate ? "" : "的密码已被管理员重置") +
          "。请把下面的一次性链接转交账号使用人，由其在 " +
          std::to_string(options_.token_ttl.count()) + " 小时内打开并设置自己的密码：\n\n" + link +
          "\n\n链接只能使用一次；过期后请联系管理员重新发送。如非本单位需要，请忽略本邮件并告知平台"
          "管理员。";
      LEP_RETURN_IF_ERROR(mailer_(tx, user.org_id->value,
                                  "account:" + TokenHash(token).substr(0, 32), subject, body));
    }
    return Audit(tx, &actor, user, action, detail, actor.ip);
  }));
  if (contact) {
    cred.mailed = true;
    cred.mailed_to = security::MaskEmail(contact->email);
    cred.token.clear();  // it went to the unit's 负责人; the administrator does not see it
  }
  return cred;
}

Status AccountService::ChangeOwnPassword(const Principal& p, const PasswordChange& c) {
  LEP_ASSIGN_OR_RETURN(auto found, users_.Get(p.user_id));
  if (!found) return Fail(Error::NotFound("账号不存在"));
  const User& user = *found;
  std::vector<FieldError> missing;
  if (c.current_password.empty()) {
    missing.push_back({"current_password", "当前密码", "请输入当前密码"});
  }
  if (c.new_password.empty()) missing.push_back({"new_password", "新密码", "请输入新密码"});
  if (!missing.empty()) {
    return Fail(Error::InvalidArgument("请填写" + missing.front().label, std::move(missing)));
  }
  LEP_RETURN_IF_ERROR(
      auth_.VerifyOwnPassword(user, c.current_password, p.ip, "current_password", "当前密码"));
  LEP_RETURN_IF_ERROR(auth_.VerifyOwnTotp(user, c.totp_code));
  if (c.new_password == c.current_password) {
    const std::string msg = "新密码不能与当前密码相同";
    return Fail(Error::InvalidArgument(msg, {{"new_password", "新密码", msg}}));
  }
  if (auto st =
          CheckPasswordPolicy(c.new_password, user.username, auth_.options().password_min_length);
      !st) {
    return Fail(PolicyError(st.error(), "new_password", "新密码"));
  }
  LEP_ASSIGN_OR_RETURN(std::string hash, hasher_.Hash(c.new_password));
  const int64_t now = clock_.NowMs();
  return db_.Transaction([&](storage::SqlExecutor& tx) -> Status {
    LEP_RETURN_IF_ERROR(accounts_.SetPassword(tx, user.id, hash, false, now));
    LEP_RETURN_IF_ERROR(accounts_.RevokeTokens(tx, user.id, now));
    LEP_ASSIGN_OR_RETURN(int64_t ended, accounts_.EndSessions(tx, user.id, p.session_id));
    return Audit(tx, &p, user, "user.password.change",
                 std::string(user.must_change_password ? "修改临时密码" : "修改本人密码") +
                     "，结束其他会话 " + std::to_string(ended) + " 个",
                 p.ip);
  });
}

Result<std::pair<User, Credential>> AccountService::CreateAccount(const Principal& actor,
                                                                  orgs::OrgId org_id, NewUser u,
                                                                  Delivery delivery) {
  // The account is opened with a random password nobody knows; Issue replaces it with the
  // owner's link or a temporary password.
  u.password.clear();
  for (int i = 0; i < 100 && u.password.empty(); ++i) {
    std::string pw = TemporaryPassword(
        std::max<size_t>(14, static_cast<size_t>(auth_.options().password_min_length)));
    if (CheckPasswordPolicy(pw, text::Trim(u.username), auth_.options().password_min_length)) {
      u.password = std::move(pw);
    }
  }
  u.must_change_password = false;
  LEP_ASSIGN_OR_RETURN(User created, auth_.CreateUser(actor, org_id, std::move(u)));
  LEP_ASSIGN_OR_RETURN(Credential cred, Issue(actor, created, delivery, TokenPurpose::kActivate,
                                              "user.activation.issue"));
  created.must_change_password = delivery == Delivery::kTemporaryPassword;
  return std::pair<User, Credential>(std::move(created), std::move(cred));
}

Result<Credential> AccountService::ResetPassword(const Principal& actor, UserId target,
                                                 Delivery delivery) {
  LEP_ASSIGN_OR_RETURN(User user, Manageable(actor, target, true));
  return Issue(actor, user, delivery, TokenPurpose::kReset, "user.password.reset");
}

Result<User> AccountService::SetDisabled(const Principal& actor, UserId target, bool disabled) {
  LEP_ASSIGN_OR_RETURN(User user, Manageable(actor, target, true));
  if (user.disabled == disabled) return user;
  const int64_t now = clock_.NowMs();
  LEP_RETURN_IF_ERROR(db_.Transaction([&](storage::SqlExecutor& tx) -> Status {
    LEP_RETURN_IF_ERROR(accounts_.SetDisabled(tx, user.id, disabled));
    std::string detail = (disabled ? "停用账号 " : "启用账号 ") + user.username;
    if (disabled) {
      LEP_ASSIGN_OR_RETURN(int64_t ended, accounts_.EndSessions(tx, user.id, std::nullopt));
      LEP_RETURN_IF_ERROR(accounts_.RevokeTokens(tx, user.id, now));
      detail += "，结束会话 " + std::to_string(ended) + " 个";
    }
    return Audit(tx, &actor, user, disabled ? "user.disable" : "user.enable", detail, actor.ip);
  }));
  user.disabled = disabled;
  return user;
}

Result<User> AccountService::ChangeRole(const Principal& actor, UserId target, Role role) {
  LEP_ASSIGN_OR_RETURN(User user, Manageable(actor, target, false));
  LEP_ASSIGN_OR_RETURN(auto org, orgs_.Get(*user.org_id));
  if (!org) return Fail(Error::NotFound("账号不存在"));
  LEP_RETURN_IF_ERROR(Authorizer::CheckCreateUser(actor, *org, role));
  if (user.role == role) return user;
  const Role before = user.role;
  LEP_RETURN_IF_ERROR(db_.Transaction([&](storage::SqlExecutor& tx) -> Status {
    LEP_RETURN_IF_ERROR(accounts_.SetRole(tx, user.id, role));
    return Audit(tx, &actor, user, "user.role",
                 user.username + "：" + std::string(RoleLabel(before)) + " → " +
                     std::string(RoleLabel(role)),
                 actor.ip);
  }));
  user.role = role;
  return user;
}

Result<TokenInfo> AccountService::CheckToken(const std::string& token) {
  if (!IsHexToken(token)) return Fail(Gone());
  LEP_ASSIGN_OR_RETURN(auto t, accounts_.FindToken(db_, TokenHash(token)));
  if (!t || t->used_at || t->expires_at <= clock_.NowMs()) return Fail(Gone());
  LEP_ASSIGN_OR_RETURN(auto user, users_.Get(t->user_id));
  if (!user || user->disabled) return Fail(Gone());
  return TokenInfo{user->username, user->display_name, t->purpose, t->expires_at};
}

Result<User> AccountService::Activate(const std::string& token, const std::string& password,
                                      const std::string& ip) {
  LEP_ASSIGN_OR_RETURN(TokenInfo info, CheckToken(token));
  LEP_ASSIGN_OR_RETURN(auto t, accounts_.FindToken(db_, TokenHash(token)));
  if (!t) return Fail(Gone());
  LEP_ASSIGN_OR_RETURN(auto found, users_.Get(t->user_id));
  if (!found) return Fail(Gone());
  User user = std::move(*found);
  if (password.empty()) {
    return Fail(Error::InvalidArgument("请设置密码", {{"password", "密码", "请设置密码"}}));
  }
  LEP_RETURN_IF_ERROR(
      CheckPasswordPolicy(password, user.username, auth_.options().password_min_length));
  LEP_ASSIGN_OR_RETURN(std::string hash, hasher_.Hash(password));
  const int64_t now = clock_.NowMs();
  LEP_RETURN_IF_ERROR(db_.Transaction([&](storage::SqlExecutor& tx) -> Status {
    // Compare-and-set: of two uses of one link (two tabs, a replay), one wins.
    LEP_ASSIGN_OR_RETURN(bool used, accounts_.UseToken(tx, t->id, now));
    if (!used) return Fail(Gone());
    LEP_RETURN_IF_ERROR(accounts_.SetPassword(tx, user.id, hash, false, now));
    LEP_RETURN_IF_ERROR(accounts_.RevokeTokens(tx, user.id, now));
    LEP_RETURN_IF_ERROR(accounts_.EndSessions(tx, user.id, std::nullopt).map([](int64_t) {}));
    return Audit(tx, nullptr, user,
                 info.purpose == TokenPurpose::kActivate ? "user.activate" : "user.password.set",
                 user.username + "：通过一次性链接设置密码", ip);
  }));
  user.must_change_password = false;
  return user;
}

}  // namespace lep::auth
