#include "jobs/jobs_schema.h"

namespace lep::jobs {

const storage::MigrationParts& JobsSchema() {
  static const storage::MigrationParts kParts = {
      {13, R"sql(
CREATE TABLE jobs (
  id {{pk}},
  kind TEXT NOT NULL,
  resource_id BIGINT,
  payload TEXT NOT NULL DEFAULT '{}',
  state TEXT NOT NULL DEFAULT 'queued',
  attempts BIGINT NOT NULL DEFAULT 0,
  max_attempts BIGINT NOT NULL DEFAULT 5,
  run_after BIGINT NOT NULL,
  lease_owner TEXT NOT NULL DEFAULT '',
  lease_until BIGINT NOT NULL DEFAULT 0,
  progress BIGINT NOT NULL DEFAULT 0,
  error TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  finished_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX jobs_due ON jobs (state, run_after, id);
CREATE INDEX jobs_resource ON jobs (resource_id, kind, id)
)sql"},
  };
  return kParts;
}

}  // namespace lep::jobs
