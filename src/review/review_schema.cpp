#include "review/review_schema.h"

namespace lep::review {

const storage::MigrationParts& ReviewSchema() {
  static const storage::MigrationParts kParts = {
      {4, R"sql(
CREATE TABLE campaigns (
  id {{pk}},
  name TEXT NOT NULL,
  year BIGINT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  contact_deadline TEXT NOT NULL DEFAULT '',
  submission_deadline TEXT NOT NULL DEFAULT '',
  first_review_deadline TEXT NOT NULL DEFAULT '',
  final_review_deadline TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE review_history (
  id {{pk}},
  resource_id BIGINT NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
  action TEXT NOT NULL,
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL,
  actor_id BIGINT NOT NULL,
  actor_org_id BIGINT NOT NULL DEFAULT 0,
  comment TEXT NOT NULL DEFAULT '',
  checklist TEXT NOT NULL DEFAULT '',
  took_over BIGINT NOT NULL DEFAULT 0,
  at BIGINT NOT NULL
);
CREATE INDEX review_history_resource ON review_history (resource_id, id);
CREATE TABLE batches (
  id {{pk}},
  number BIGINT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'draft',
  scheduled_at BIGINT NOT NULL DEFAULT 0,
  published_at BIGINT NOT NULL DEFAULT 0,
  created_by BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE batch_items (
  batch_id BIGINT NOT NULL REFERENCES batches(id) ON DELETE CASCADE,
  resource_id BIGINT NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
  PRIMARY KEY (batch_id, resource_id)
)
)sql"},
      {11, R"sql(
CREATE TABLE notifications (
  id {{pk}},
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  resource_id BIGINT REFERENCES resources(id) ON DELETE SET NULL,
  dedup_key TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  read_at BIGINT
);
CREATE UNIQUE INDEX notifications_dedup ON notifications (user_id, dedup_key);
CREATE INDEX notifications_inbox ON notifications (user_id, id);
CREATE TABLE reminder_runs (
  dedup_key TEXT PRIMARY KEY,
  at BIGINT NOT NULL
);
CREATE TABLE mail_outbox (
  id {{pk}},
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  dedup_key TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  attempts BIGINT NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL DEFAULT 0,
  sent_at BIGINT,
  last_error TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX mail_outbox_dedup ON mail_outbox (org_id, dedup_key);
CREATE INDEX mail_outbox_pending ON mail_outbox (sent_at, next_attempt_at);
CREATE INDEX batch_items_resource ON batch_items (resource_id);
CREATE INDEX batches_due ON batches (state, scheduled_at)
)sql"},
  };
  return kParts;
}

}  // namespace lep::review
