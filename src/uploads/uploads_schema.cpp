#include "uploads/uploads_schema.h"

namespace lep::uploads {

const storage::MigrationParts& UploadsSchema() {
  static const storage::MigrationParts kParts = {
      {3, R"sql(
CREATE TABLE uploads (
  id TEXT PRIMARY KEY,
  resource_id BIGINT NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
  org_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  kind TEXT NOT NULL,
  filename TEXT NOT NULL,
  length BIGINT NOT NULL,
  committed BIGINT NOT NULL DEFAULT 0,
  hash_state TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  completed_at BIGINT NOT NULL DEFAULT 0,
  sha256 TEXT NOT NULL DEFAULT ''
);
CREATE INDEX uploads_expires ON uploads (expires_at)
)sql"},
      // The lesson title a kind=lesson upload was created with.
      {56, "ALTER TABLE uploads ADD COLUMN title TEXT NOT NULL DEFAULT ''"},
  };
  return kParts;
}

}  // namespace lep::uploads
