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
      // A message to one account's own address (a learner's password reset) instead of the
      // unit's 负责人: org_id then names the platform unit.
      {55, R"sql(
ALTER TABLE mail_outbox ADD COLUMN to_user BIGINT
)sql"},
      // Issue 17 §2: campaign start, provinces' internal deadlines, batch numbers given at
      // publication (drafts hold -id until then; batch_numbers.last is the last number given,
      // taken under its row lock so two publications never share or skip one).
      {51, R"sql(
ALTER TABLE campaigns ADD COLUMN starts_on TEXT NOT NULL DEFAULT '';
CREATE TABLE campaign_unit_deadlines (
  campaign_id BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  org_id BIGINT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  submission_deadline TEXT NOT NULL,
  updated_by BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (campaign_id, org_id)
);
CREATE TABLE batch_numbers (
  id BIGINT PRIMARY KEY,
  last BIGINT NOT NULL
);
INSERT INTO batch_numbers (id, last)
  SELECT 1, COALESCE(MAX(number), 0) FROM batches WHERE state = 'published';
INSERT INTO batch_numbers (id, last) SELECT 2, COALESCE(MAX(id), 0) FROM batches;
UPDATE batches SET number = -id WHERE state <> 'published';
ALTER TABLE notifications ADD COLUMN item_count BIGINT NOT NULL DEFAULT 1
)sql"},
  };
  return kParts;
}

}  // namespace lep::review
