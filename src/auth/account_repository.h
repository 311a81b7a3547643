// AccountRepository: the account-lifecycle writes — passwords set by their owner, by an
// activation or by an administrator, disabling, role changes, ending sessions — and the
// one-time tokens of activation and reset (table account_tokens, stored only as hashes).
// Every method runs on the caller's transaction, so a change and its audit row commit
// together. Implementations are stateless and thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/user.h"
#include "core/result.h"
#include "storage/db/database.h"

namespace lep::auth {

// Why a one-time token was issued.
enum class TokenPurpose { kActivate, kReset };
std::string_view TokenPurposeName(TokenPurpose p);  // "activate" / "reset"

struct AccountToken {
  int64_t id = 0;
  UserId user_id;
  std::string token_hash;
  TokenPurpose purpose = TokenPurpose::kActivate;
  int64_t created_at = 0;
  int64_t expires_at = 0;
  std::optional<int64_t> used_at;
  std::optional<int64_t> created_by;
};

class AccountRepository {
 public:
  virtual ~AccountRepository() = default;
  using Tx = storage::SqlExecutor;

  // Stores a new password hash; must_change marks it temporary.
  [[nodiscard]] virtual Status SetPassword(Tx& tx, UserId id, const std::string& hash,
                                           bool must_change, int64_t now) = 0;
  [[nodiscard]] virtual Status SetDisabled(Tx& tx, UserId id, bool disabled) = 0;
  [[nodiscard]] virtual Status SetRole(Tx& tx, UserId id, Role role) = 0;
  // Deletes the user's sessions except `keep`; returns how many ended.
  [[nodiscard]] virtual Result<int64_t> EndSessions(Tx& tx, UserId id,
                                                    std::optional<int64_t> keep) = 0;

  [[nodiscard]] virtual Status InsertToken(Tx& tx, const AccountToken& t) = 0;
  // Marks every unused token of the user used at `now` (a newer one, a password change or
  // a disabled account makes older links void).
  [[nodiscard]] virtual Status RevokeTokens(Tx& tx, UserId id, int64_t now) = 0;
  [[nodiscard]] virtual Result<std::optional<AccountToken>> FindToken(
      Tx& tx, const std::string& token_hash) = 0;
  // Compare-and-set: true when this call used the token (unused and not expired at now).
  [[nodiscard]] virtual Result<bool> UseToken(Tx& tx, int64_t id, int64_t now) = 0;
  // Records a learner's acceptance of the privacy notice.
  [[nodiscard]] virtual Status SetPrivacyConsent(Tx& tx, UserId id, int64_t at) = 0;
  // The account's own e-mail address, stored encrypted (`stored`) with its keyed lookup hash
  // ("" for none).
  [[nodiscard]] virtual Status SetEmail(Tx& tx, UserId id, const std::string& stored,
                                        const std::string& hash) = 0;
  [[nodiscard]] virtual Result<std::string> GetEmail(Tx& tx, UserId id) = 0;
  // Accounts whose address has this lookup hash.
  [[nodiscard]] virtual Result<std::vector<UserId>> FindByEmailHash(Tx& tx,
                                                                    const std::string& hash) = 0;
  // When the newest token of that purpose was issued to the user (nullopt: never).
  [[nodiscard]] virtual Result<std::optional<int64_t>> LastTokenAt(Tx& tx, UserId id,
                                                                   TokenPurpose purpose) = 0;
};

std::unique_ptr<AccountRepository> NewSqlAccountRepository();

}  // namespace lep::auth
