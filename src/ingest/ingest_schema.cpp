#include "ingest/ingest_schema.h"

namespace lep::ingest {

const storage::MigrationParts& IngestSchema() {
  static const storage::MigrationParts kParts = {
      {3, R"sql(
CREATE TABLE media (
  resource_id BIGINT PRIMARY KEY REFERENCES resources(id) ON DELETE CASCADE,
  blob TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  size BIGINT NOT NULL,
  filename TEXT NOT NULL,
  kind TEXT NOT NULL,
  playback_blob TEXT NOT NULL DEFAULT '',
  playback_sha256 TEXT NOT NULL DEFAULT '',
  probe TEXT NOT NULL DEFAULT '{}',
  report TEXT NOT NULL DEFAULT '[]',
  passed BIGINT NOT NULL DEFAULT 0,
  state TEXT NOT NULL DEFAULT 'checked',
  created_at BIGINT NOT NULL
)
)sql"},
      {7, R"sql(
CREATE TABLE link_checks (
  resource_id BIGINT PRIMARY KEY REFERENCES resources(id) ON DELETE CASCADE,
  url TEXT NOT NULL,
  reachable BIGINT NOT NULL,
  status BIGINT NOT NULL,
  final_url TEXT NOT NULL,
  hops BIGINT NOT NULL,
  elapsed_ms BIGINT NOT NULL,
  error_code TEXT NOT NULL,
  error TEXT NOT NULL,
  checked_at BIGINT NOT NULL
)
)sql"},
      {41, "CREATE INDEX media_sha256 ON media(sha256)"},
      // The lessons of an A03 course delivered as 实体资源: uploaded videos in order.
      {56, R"sql(
CREATE TABLE lessons (
  id {{pk}},
  resource_id BIGINT NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
  position BIGINT NOT NULL,
  title TEXT NOT NULL,
  blob TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  size BIGINT NOT NULL,
  filename TEXT NOT NULL,
  playback_blob TEXT NOT NULL,
  playback_sha256 TEXT NOT NULL,
  duration_s BIGINT NOT NULL DEFAULT 0,
  probe TEXT NOT NULL DEFAULT '{}',
  report TEXT NOT NULL DEFAULT '[]',
  passed BIGINT NOT NULL DEFAULT 0,
  state TEXT NOT NULL DEFAULT 'ready',
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX lessons_position ON lessons (resource_id, position);
CREATE INDEX lessons_sha256 ON lessons (sha256)
)sql"},
  };
  return kParts;
}

}  // namespace lep::ingest
