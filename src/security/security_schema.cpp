#include "security/security_schema.h"

namespace lep::security {

const storage::MigrationParts& SecuritySchema() {
  static const storage::MigrationParts kParts = {
      {1, R"sql(
CREATE TABLE audit_log (
  id {{pk}},
  at BIGINT NOT NULL,
  actor_id BIGINT,
  org_id BIGINT,
  ip TEXT NOT NULL DEFAULT '',
  action TEXT NOT NULL,
  object TEXT NOT NULL DEFAULT '',
  result TEXT NOT NULL DEFAULT 'ok',
  detail TEXT NOT NULL DEFAULT ''
)
)sql"},
      {6, R"sql(
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX audit_log_prev_hash ON audit_log (prev_hash)
)sql"},
      {9, R"sql(
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by BIGINT
);
CREATE TABLE fixity_checks (
  id {{pk}},
  resource_id BIGINT NOT NULL,
  blob TEXT NOT NULL,
  expected_sha256 TEXT NOT NULL,
  actual_sha256 TEXT NOT NULL,
  ok BIGINT NOT NULL,
  error TEXT NOT NULL DEFAULT '',
  checked_at BIGINT NOT NULL
);
CREATE INDEX fixity_checks_resource ON fixity_checks (resource_id, checked_at)
)sql"},
      // The one row every audit append locks before it reads the chain head (serialises
      // appends on PostgreSQL; SQLite serialises writers anyway).
      {14, R"sql(
CREATE TABLE audit_chain_head (
  id BIGINT PRIMARY KEY,
  appends BIGINT NOT NULL
);
INSERT INTO audit_chain_head (id, appends) VALUES (1, 0)
)sql"},
  };
  return kParts;
}

}  // namespace lep::security
