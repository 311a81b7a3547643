// AccountService: the account lifecycle (issue 17 §1, 等保三级 身份鉴别) — a user's own
// password change, accounts opened and passwords reset with a one-time activation link or a
// temporary password that must be changed at the next sign-in, disabling and enabling, and
// role changes. Who may act on whom is the Authorizer's subtree rule (outside it: 404); every
// change writes its audit row in its own transaction. Thread-safe: state lives in the
// database; the clock is injected.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "auth/account_repository.h"
#include "auth/auth_service.h"
#include "auth/password.h"
#include "auth/user.h"
#include "auth/user_repository.h"
#include "core/clock.h"
#include "core/result.h"
#include "orgs/org_repository.h"
#include "security/field_cipher.h"
#include "storage/db/database.h"

namespace lep::auth {

// How an administrator hands a new or reset account to its owner.
enum class Delivery {
  kLink,  // a one-time activation link (e-mailed to the unit's 负责人 when possible)
  kTemporaryPassword,  // a random password shown once, to be changed at the first sign-in
};
std::optional<Delivery> ParseDelivery(std::string_view s);  // "link" / "temporary_password"

// What the administrator receives, shown once and never stored in clear.
struct Credential {
  Delivery delivery = Delivery::kLink;
  std::string token;               // kLink: goes into the link; "" when mailed
  int64_t expires_at = 0;          // kLink
  std::string temporary_password;  // kTemporaryPassword
  bool mailed = false;             // kLink: queued to the unit's 负责人
  std::string mailed_to;           // the masked address it was sent to
};

// A link's account, as the activation page shows it.
struct TokenInfo {
  std::string username;
  std::string display_name;
  TokenPurpose purpose = TokenPurpose::kActivate;
  int64_t expires_at = 0;
};

struct PasswordChange {
  std::string current_password;
  std::string new_password;
  std::string totp_code;  // required when the user has two-factor enabled
};

// Queues an activation e-mail to the 负责人 of unit org_id on the caller's transaction:
// (tx, org_id, dedup key, subject, body). Set by the app when e-mail is configured.
using ActivationMailer = std::function<Status(storage::SqlExecutor&, int64_t, const std::string&,
                                              const std::string&, const std::string&)>;

// Queues an e-mail to an account's own address on the caller's transaction:
// (tx, user id, dedup key, subject, body). Set by the app when e-mail is configured.
using PersonalMailer = std::function<Status(storage::SqlExecutor&, UserId, const std::string&,
                                            const std::string&, const std::string&)>;

struct AccountOptions {
  std::chrono::hours token_ttl{72};
  // A learner's own 忘记密码 link: shorter-lived, and at most one per account in this interval.
  std::chrono::minutes reset_ttl{120};
  std::chrono::minutes reset_interval{10};
  // Every 忘记密码 request takes at least this long (real time), whether or not the account
  // exists: the answer's timing must not tell which usernames or addresses are registered.
  std::chrono::milliseconds reset_min_time{150};
};

class AccountService {
 public:
  AccountService(storage::Database& db, UserRepository& users, AccountRepository& accounts,
                 orgs::OrgRepository& orgs, AuthService& auth, const PasswordHasher& hasher,
                 const Clock& clock, AccountOptions options = {});

  // E-mail delivery of activation links: public_url is the platform's address as users reach
  // it ("https://lep.example.cn"), the base of the link in the mail.
  void SetMailer(ActivationMailer mailer, std::string public_url);
  // Learners' own e-mail addresses: cipher (required for the address; outlives the service)
  // stores them encrypted with a keyed lookup hash; mailer (optional) sends 忘记密码 links.
  void SetPersonalMail(const security::FieldCipher* cipher, PersonalMailer mailer,
                       std::string public_url);

  // A learner's own e-mail address ("" for none); other roles kPermissionDenied (their mail
  // goes to their unit's 负责人).
  [[nodiscard]] Result<std::string> OwnEmail(const Principal& p);
  // Sets or clears ("") it, validated (kInvalidArgument naming `email`); audited.
  [[nodiscard]] Result<std::string> SetOwnEmail(const Principal& p, const std::string& email);
  // Sign-up with an optional e-mail address, checked before the account is created.
  [[nodiscard]] Result<User> RegisterLearner(NewUser u, const std::string& email);
  // 忘记密码: when `login` (a username or an e-mail address) names an enabled learner with an
  // address, mails a one-time reset link (reset_ttl) unless one went out within
  // reset_interval. The old password keeps working until the link is used. Answers the same
  // (Ok) whether or not such an account exists; only internal failures are errors.
  [[nodiscard]] Status RequestPasswordReset(const std::string& login, const std::string& ip);
  // Above without the padding to reset_min_time.
  [[nodiscard]] Status IssuePasswordReset(const std::string& login, const std::string& ip);
  // The account's own address in clear, for the mail delivery round ("" for none).
  [[nodiscard]] Result<std::string> AddressOf(UserId id);

  // The caller's own password: the current one (and the TOTP code when enrolled), the new one
  // under the security policy; ends the user's other sessions and keeps this one.
  [[nodiscard]] Status ChangeOwnPassword(const Principal& p, const PasswordChange& c);

  // Opens an account in org_id without a known password; `u.password` is ignored.
  [[nodiscard]] Result<std::pair<User, Credential>> CreateAccount(const Principal& actor,
                                                                  orgs::OrgId org_id, NewUser u,
                                                                  Delivery delivery);
  // Resets a password (unit admins within their units, the security administrator for
  // everyone): the old password stops working, sessions and older links end.
  [[nodiscard]] Result<Credential> ResetPassword(const Principal& actor, UserId target,
                                                 Delivery delivery);
  // Disabled accounts cannot sign in and their sessions end at once.
  [[nodiscard]] Result<User> SetDisabled(const Principal& actor, UserId target, bool disabled);
  // A new role within the rules of account creation (Authorizer::CheckCreateUser); platform
  // roles are never granted or taken here.
  [[nodiscard]] Result<User> ChangeRole(const Principal& actor, UserId target, Role role);

  // The activation page: whose link it is (kGone when unknown, used or expired).
  [[nodiscard]] Result<TokenInfo> CheckToken(const std::string& token);
  // Sets the password through a link, once; ends every session of the account.
  [[nodiscard]] Result<User> Activate(const std::string& token, const std::string& password,
                                      const std::string& ip);

 private:
  // The target account if actor may manage it: 404 outside actor's units, 403 inside without
  // the right, 403 on one's own account.
  Result<User> Manageable(const Principal& actor, UserId target, bool security_admin_allowed);
  // Issues the credential and writes it with the audit row in one transaction.
  Result<Credential> Issue(const Principal& actor, const User& user, Delivery delivery,
                           TokenPurpose purpose, const std::string& action);
  Status Audit(storage::SqlExecutor& tx, const Principal* actor, const User& target,
               const std::string& action, const std::string& detail, const std::string& ip) const;

  storage::Database& db_;
  UserRepository& users_;
  AccountRepository& accounts_;
  orgs::OrgRepository& orgs_;
  AuthService& auth_;
  const PasswordHasher& hasher_;
  const Clock& clock_;
  AccountOptions options_;
  ActivationMailer mailer_;
  std::string public_url_;
  const security::FieldCipher* cipher_ = nullptr;
  PersonalMailer personal_mailer_;
  std::string personal_url_;
};

// A random password of `length` characters with all four classes and no look-alikes.
std::string TemporaryPassword(size_t length = 14);

}  // namespace lep::auth
