#include "portal/portal_schema.h"

namespace lep::portal {

const storage::MigrationParts& PortalSchema() {
  static const storage::MigrationParts kParts = {
      {5, R"sql(
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
      {8, R"sql(
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
      {12, R"sql(
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
  };
  return kParts;
}

}  // namespace lep::portal
