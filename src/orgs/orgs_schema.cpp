#include "orgs/orgs_schema.h"

namespace lep::orgs {

const storage::MigrationParts& OrgsSchema() {
  static const storage::MigrationParts kParts = {
      {1, R"sql(
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
)
)sql"},
      {9, R"sql(
ALTER TABLE org_contacts ADD COLUMN mobile_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE org_contacts ADD COLUMN email_hash TEXT NOT NULL DEFAULT '';
CREATE INDEX org_contacts_mobile_hash ON org_contacts (mobile_hash);
CREATE INDEX org_contacts_email_hash ON org_contacts (email_hash)
)sql"},
      // The stamped 登记表 scans (issue 17 §4): every upload is kept; the newest is current.
      {54, R"sql(
CREATE TABLE org_registration_forms (
  id {{pk}},
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  blob TEXT NOT NULL,
  size BIGINT NOT NULL,
  sha256 TEXT NOT NULL,
  file_name TEXT NOT NULL,
  uploaded_at BIGINT NOT NULL,
  uploaded_by BIGINT NOT NULL
);
CREATE INDEX org_registration_forms_org ON org_registration_forms (org_id, id)
)sql"},
  };
  return kParts;
}

}  // namespace lep::orgs
