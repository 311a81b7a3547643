#include "oai/oai_schema.h"

namespace lep::oai {

// A row is written when a resource becomes published (deleted = 0, datestamp = the
// publication's time as the application wrote it) and when it stops being published —
// withdrawn, sent back, or its row deleted — (deleted = 1: the tombstone OAI-PMH's
// deletedRecord=persistent promises). A rename of the unit changes dc:creator, so it moves
// the datestamp of the unit's published records. Rows are never removed.
const storage::MigrationParts& OaiSchema() {
  static const storage::MigrationParts kParts = {
      {50, R"sql(
CREATE TABLE oai_records (
  resource_id BIGINT PRIMARY KEY,
  datestamp BIGINT NOT NULL,
  deleted BIGINT NOT NULL DEFAULT 0,
  set_spec TEXT NOT NULL
);
CREATE INDEX oai_records_datestamp ON oai_records (datestamp);
INSERT INTO oai_records (resource_id, datestamp, deleted, set_spec)
  SELECT id, CASE WHEN published_at > updated_at THEN published_at ELSE updated_at END, 0, type
  FROM resources WHERE state = 'published';
INSERT INTO oai_records (resource_id, datestamp, deleted, set_spec)
  SELECT id, updated_at, 1, type FROM resources WHERE state = 'withdrawn';
{{sqlite}}CREATE TRIGGER resources_oai_ins AFTER INSERT ON resources WHEN NEW.state = 'published' BEGIN INSERT INTO oai_records (resource_id, datestamp, deleted, set_spec) VALUES (NEW.id, MAX(NEW.updated_at, NEW.published_at), 0, NEW.type) ON CONFLICT (resource_id) DO UPDATE SET datestamp = excluded.datestamp, deleted = 0, set_spec = excluded.set_spec; END;
{{sqlite}}CREATE TRIGGER resources_oai_pub AFTER UPDATE OF state ON resources WHEN NEW.state = 'published' AND OLD.state <> 'published' BEGIN INSERT INTO oai_records (resource_id, datestamp, deleted, set_spec) VALUES (NEW.id, MAX(NEW.updated_at, NEW.published_at), 0, NEW.type) ON CONFLICT (resource_id) DO UPDATE SET datestamp = excluded.datestamp, deleted = 0, set_spec = excluded.set_spec; END;
{{sqlite}}CREATE TRIGGER resources_oai_unpub AFTER UPDATE OF state ON resources WHEN OLD.state = 'published' AND NEW.state <> 'published' BEGIN INSERT INTO oai_records (resource_id, datestamp, deleted, set_spec) VALUES (NEW.id, NEW.updated_at, 1, NEW.type) ON CONFLICT (resource_id) DO UPDATE SET datestamp = excluded.datestamp, deleted = 1; END;
{{sqlite}}CREATE TRIGGER resources_oai_del AFTER DELETE ON resources WHEN OLD.state = 'published' BEGIN INSERT INTO oai_records (resource_id, datestamp, deleted, set_spec) VALUES (OLD.id, {{now_ms}}, 1, OLD.type) ON CONFLICT (resource_id) DO UPDATE SET datestamp = excluded.datestamp, deleted = 1; END;
{{sqlite}}CREATE TRIGGER orgs_oai_rename AFTER UPDATE OF name ON orgs WHEN OLD.name <> NEW.name BEGIN UPDATE oai_records SET datestamp = {{now_ms}} WHERE deleted = 0 AND resource_id IN (SELECT id FROM resources WHERE org_id = NEW.id AND state = 'published'); END;
{{postgres}}CREATE FUNCTION oai_published() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO oai_records (resource_id, datestamp, deleted, set_spec) VALUES (NEW.id, GREATEST(NEW.updated_at, NEW.published_at), 0, NEW.type) ON CONFLICT (resource_id) DO UPDATE SET datestamp = excluded.datestamp, deleted = 0, set_spec = excluded.set_spec; RETURN NULL; END $$;
{{postgres}}CREATE FUNCTION oai_unpublished() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO oai_records (resource_id, datestamp, deleted, set_spec) VALUES (NEW.id, NEW.updated_at, 1, NEW.type) ON CONFLICT (resource_id) DO UPDATE SET datestamp = excluded.datestamp, deleted = 1; RETURN NULL; END $$;
{{postgres}}CREATE FUNCTION oai_deleted() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO oai_records (resource_id, datestamp, deleted, set_spec) VALUES (OLD.id, {{now_ms}}, 1, OLD.type) ON CONFLICT (resource_id) DO UPDATE SET datestamp = excluded.datestamp, deleted = 1; RETURN NULL; END $$;
{{postgres}}CREATE FUNCTION oai_org_renamed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE oai_records SET datestamp = {{now_ms}} WHERE deleted = 0 AND resource_id IN (SELECT id FROM resources WHERE org_id = NEW.id AND state = 'published'); RETURN NULL; END $$;
{{postgres}}CREATE TRIGGER resources_oai_ins AFTER INSERT ON resources FOR EACH ROW WHEN (NEW.state = 'published') EXECUTE FUNCTION oai_published();
{{postgres}}CREATE TRIGGER resources_oai_pub AFTER UPDATE OF state ON resources FOR EACH ROW WHEN (NEW.state = 'published' AND OLD.state <> 'published') EXECUTE FUNCTION oai_published();
{{postgres}}CREATE TRIGGER resources_oai_unpub AFTER UPDATE OF state ON resources FOR EACH ROW WHEN (OLD.state = 'published' AND NEW.state <> 'published') EXECUTE FUNCTION oai_unpublished();
{{postgres}}CREATE TRIGGER resources_oai_del AFTER DELETE ON resources FOR EACH ROW WHEN (OLD.state = 'published') EXECUTE FUNCTION oai_deleted();
{{postgres}}CREATE TRIGGER orgs_oai_rename AFTER UPDATE OF name ON orgs FOR EACH ROW WHEN (OLD.name <> NEW.name) EXECUTE FUNCTION oai_org_renamed()
)sql"},
  };
  return kParts;
}

}  // namespace lep::oai
