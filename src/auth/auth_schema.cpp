#include "auth/auth_schema.h"

namespace lep::auth {

const storage::MigrationParts& AuthSchema() {
  static const storage::MigrationParts kParts = {
      {1, R"sql(
CREATE TABLE users (
  id {{pk}},
  org_id BIGINT REFERENCES orgs(id),
  username TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  failed_count BIGINT NOT NULL DEFAULT 0,
  first_failed_at BIGINT NOT NULL DEFAULT 0,
  locked_until BIGINT NOT NULL DEFAULT 0,
  disabled BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  created_by BIGINT
);
CREATE INDEX users_org ON users (org_id);
CREATE TABLE sessions (
  id {{pk}},
  token_hash TEXT NOT NULL UNIQUE,
  user_id BIGINT NOT NULL REFERENCES users(id),
  csrf_token TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  ip TEXT NOT NULL DEFAULT '',
  user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id)
)sql"},
      {9, R"sql(
ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_pending TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_enabled BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN totp_recovery TEXT NOT NULL DEFAULT ''
)sql"},
      // Sign-in throttling per (account, client address) and per account over the addresses
      // it never signed in from ('*'); account = keyed hash of the typed user name, so unknown
      // names are throttled like real ones.
      {14, R"sql(
CREATE TABLE login_throttle (
  account TEXT NOT NULL,
  address TEXT NOT NULL,
  failures BIGINT NOT NULL DEFAULT 0,
  window_start BIGINT NOT NULL DEFAULT 0,
  locked_until BIGINT NOT NULL DEFAULT 0,
  lockouts BIGINT NOT NULL DEFAULT 0,
  last_success_at BIGINT NOT NULL DEFAULT 0,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (account, address)
);
CREATE INDEX login_throttle_updated ON login_throttle (updated_at)
)sql"},
      // Account lifecycle (issue 17): a password that must be changed at the next sign-in,
      // learners' privacy consent, and one-time tokens (activation, reset) stored only as
      // hashes.
      {45, R"sql(
ALTER TABLE users ADD COLUMN must_change_password BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN password_changed_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN privacy_consent_at BIGINT NOT NULL DEFAULT 0;
CREATE TABLE account_tokens (
  id {{pk}},
  user_id BIGINT NOT NULL REFERENCES users(id),
  token_hash TEXT NOT NULL UNIQUE,
  purpose TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT,
  created_by BIGINT
);
CREATE INDEX account_tokens_user ON account_tokens (user_id)
)sql"},
      // Learners' own e-mail address for 忘记密码 (issue 17 §1): encrypted like contacts, with a
      // keyed hash to find the account by it.
      {55, R"sql(
ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN email_hash TEXT NOT NULL DEFAULT '';
CREATE INDEX users_email_hash ON users (email_hash)
)sql"},
  };
  return kParts;
}

}  // namespace lep::auth
