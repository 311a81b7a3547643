// The product's schema, one numbered migration per change. Never edit a released migration:
// add a new one.
#include "storage/db/migrations.h"

namespace lep::storage {

const std::vector<Migration>& AllMigrations() {
  static const std::vector<Migration> kMigrations = {
      {1, "orgs_users_sessions", R"sql(
CREATE TABLE orgs (
  id {{pk}},
  parent_id BIGINT REFERENCES orgs(id),
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  path TEXT NOT NULL,
  region TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX orgs_parent_name ON orgs (COALESCE(parent_id, 0), name);
CREATE INDEX orgs_path ON orgs (path);
CREATE TABLE org_contacts (
  org_id BIGINT PRIMARY KEY REFERENCES orgs(id),
  name TEXT NOT NULL,
  title TEXT NOT NULL,
  office_phone TEXT NOT NULL,
  mobile TEXT NOT NULL,
  email TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by BIGINT
);
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
CREATE INDEX sessions_user ON sessions (user_id);
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
      {2, "categories_resources", R"sql(
CREATE TABLE categories (
  id {{pk}},
  parent_id BIGINT REFERENCES categories(id),
  name TEXT NOT NULL,
  path TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL
);
CREATE INDEX categories_parent ON categories (parent_id);
CREATE TABLE resources (
  id {{pk}},
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  created_by BIGINT NOT NULL DEFAULT 0,
  state TEXT NOT NULL DEFAULT 'draft',
  version BIGINT NOT NULL DEFAULT 1,
  title TEXT NOT NULL,
  type TEXT NOT NULL,
  domain TEXT NOT NULL,
  platform TEXT NOT NULL DEFAULT '',
  link TEXT NOT NULL DEFAULT '',
  series TEXT NOT NULL DEFAULT '',
  series_order TEXT NOT NULL DEFAULT '',
  summary TEXT NOT NULL,
  duration TEXT NOT NULL DEFAULT '',
  created_on TEXT NOT NULL DEFAULT '',
  copyright_holder TEXT NOT NULL,
  presenters TEXT NOT NULL,
  clicks BIGINT NOT NULL DEFAULT 0,
  learners BIGINT NOT NULL DEFAULT 0,
  toc TEXT NOT NULL DEFAULT '',
  keywords TEXT NOT NULL DEFAULT '',
  category TEXT NOT NULL DEFAULT '',
  cover_blob TEXT NOT NULL DEFAULT '',
  cover_thumb_blob TEXT NOT NULL DEFAULT '',
  cover_width BIGINT NOT NULL DEFAULT 0,
  cover_height BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX resources_org ON resources (org_id);
CREATE INDEX resources_state ON resources (state);
CREATE INDEX resources_category ON resources (category);
CREATE UNIQUE INDEX resources_series_order ON resources (org_id, series, series_order)
  WHERE series <> '' AND series_order <> ''
)sql"},
      {3, "uploads_media", R"sql(
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
CREATE INDEX uploads_expires ON uploads (expires_at);
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
      {4, "review_workflow", R"sql(
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
ALTER TABLE resources ADD COLUMN campaign_id BIGINT;
ALTER TABLE resources ADD COLUMN claimed_by BIGINT NOT NULL DEFAULT 0;
ALTER TABLE resources ADD COLUMN attested_by BIGINT NOT NULL DEFAULT 0;
ALTER TABLE resources ADD COLUMN attested_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE resources ADD COLUMN batch_id BIGINT;
ALTER TABLE resources ADD COLUMN published_at BIGINT NOT NULL DEFAULT 0;
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
      {5, "portal_counters", R"sql(
CREATE TABLE learner_visits (
  resource_id BIGINT NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
  visitor TEXT NOT NULL,
  PRIMARY KEY (resource_id, visitor)
);
CREATE TABLE usage_daily (
  resource_id BIGINT NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
  day BIGINT NOT NULL,
  clicks BIGINT NOT NULL DEFAULT 0,
  learners BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (resource_id, day)
)
)sql"},
      {6, "audit_chain", R"sql(
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX audit_log_prev_hash ON audit_log (prev_hash)
)sql"},
      {7, "link_checks", R"sql(
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
      {8, "ratings_favourites_history", R"sql(
CREATE TABLE ratings (
  id {{pk}},
  resource_id BIGINT NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users(id),
  score BIGINT NOT NULL,
  comment TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL DEFAULT 'pending',
  flagged_words TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  moderated_by BIGINT NOT NULL DEFAULT 0,
  moderated_at BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX ratings_one_per_user ON ratings (resource_id, user_id);
CREATE TABLE favourites (
  user_id BIGINT NOT NULL REFERENCES users(id),
  resource_id BIGINT NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, resource_id)
);
CREATE TABLE learning_history (
  user_id BIGINT NOT NULL REFERENCES users(id),
  resource_id BIGINT NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
  position_s BIGINT NOT NULL DEFAULT 0,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, resource_id)
)
)sql"},
      {9, "security_totp_pii_settings", R"sql(
ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_pending TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_enabled BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN totp_recovery TEXT NOT NULL DEFAULT '';
ALTER TABLE org_contacts ADD COLUMN mobile_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE org_contacts ADD COLUMN email_hash TEXT NOT NULL DEFAULT '';
CREATE INDEX org_contacts_mobile_hash ON org_contacts (mobile_hash);
CREATE INDEX org_contacts_email_hash ON org_contacts (email_hash);
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
      {11, "notifications_scheduled_batches", R"sql(
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
      {12, "several_servers", R"sql(
CREATE TABLE click_dedup (
  resource_id BIGINT NOT NULL,
  visitor TEXT NOT NULL,
  counted_at BIGINT NOT NULL,
  PRIMARY KEY (resource_id, visitor)
);
CREATE INDEX click_dedup_age ON click_dedup (counted_at);
CREATE TABLE portal_outbox (
  seq {{pk}},
  resource_id BIGINT NOT NULL,
  at BIGINT NOT NULL DEFAULT ({{now_ms}})
);
CREATE INDEX portal_outbox_at ON portal_outbox (at);
{{sqlite}}CREATE TRIGGER resources_outbox_ins AFTER INSERT ON resources WHEN NEW.state = 'published' BEGIN INSERT INTO portal_outbox (resource_id) VALUES (NEW.id); END;
{{sqlite}}CREATE TRIGGER resources_outbox_upd AFTER UPDATE ON resources WHEN OLD.state = 'published' OR NEW.state = 'published' BEGIN INSERT INTO portal_outbox (resource_id) VALUES (NEW.id); END;
{{sqlite}}CREATE TRIGGER resources_outbox_del AFTER DELETE ON resources WHEN OLD.state = 'published' BEGIN INSERT INTO portal_outbox (resource_id) VALUES (OLD.id); END;
{{sqlite}}CREATE TRIGGER orgs_outbox_upd AFTER UPDATE OF name, region ON orgs BEGIN INSERT INTO portal_outbox (resource_id) SELECT id FROM resources WHERE org_id = NEW.id AND state = 'published'; END;
{{postgres}}CREATE FUNCTION portal_outbox_new() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO portal_outbox (resource_id) VALUES (NEW.id); RETURN NULL; END $$;
{{postgres}}CREATE FUNCTION portal_outbox_old() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO portal_outbox (resource_id) VALUES (OLD.id); RETURN NULL; END $$;
{{postgres}}CREATE FUNCTION portal_outbox_org() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO portal_outbox (resource_id) SELECT id FROM resources WHERE org_id = NEW.id AND state = 'published'; RETURN NULL; END $$;
{{postgres}}CREATE TRIGGER resources_outbox_ins AFTER INSERT ON resources FOR EACH ROW WHEN (NEW.state = 'published') EXECUTE FUNCTION portal_outbox_new();
{{postgres}}CREATE TRIGGER resources_outbox_upd AFTER UPDATE ON resources FOR EACH ROW WHEN (OLD.state = 'published' OR NEW.state = 'published') EXECUTE FUNCTION portal_outbox_new();
{{postgres}}CREATE TRIGGER resources_outbox_del AFTER DELETE ON resources FOR EACH ROW WHEN (OLD.state = 'published') EXECUTE FUNCTION portal_outbox_old();
{{postgres}}CREATE TRIGGER orgs_outbox_upd AFTER UPDATE OF name, region ON orgs FOR EACH ROW EXECUTE FUNCTION portal_outbox_org()
)sql"},
      // auth: sign-in throttling per (account, client address) and per account over the
      // addresses it never signed in from ('*'); account = keyed hash of the typed user name,
      // so unknown names are throttled like real ones. security: the one row every audit
      // append locks before it reads the chain head (serialises appends on PostgreSQL).
      {13, "login_throttle_audit_head", R"sql(
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
CREATE INDEX login_throttle_updated ON login_throttle (updated_at);
CREATE TABLE audit_chain_head (
  id BIGINT PRIMARY KEY,
  appends BIGINT NOT NULL
);
INSERT INTO audit_chain_head (id, appends) VALUES (1, 0)
)sql"},
  };
  return kMigrations;
}

}  // namespace lep::storage
