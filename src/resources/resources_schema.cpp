#include "resources/resources_schema.h"

namespace lep::resources {

const storage::MigrationParts& ResourcesSchema() {
  static const storage::MigrationParts kParts = {
      {2, R"sql(
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
      {4, R"sql(
ALTER TABLE resources ADD COLUMN campaign_id BIGINT;
ALTER TABLE resources ADD COLUMN claimed_by BIGINT NOT NULL DEFAULT 0;
ALTER TABLE resources ADD COLUMN attested_by BIGINT NOT NULL DEFAULT 0;
ALTER TABLE resources ADD COLUMN attested_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE resources ADD COLUMN batch_id BIGINT;
ALTER TABLE resources ADD COLUMN published_at BIGINT NOT NULL DEFAULT 0
)sql"},
      // The media and cover file names an import row gave (媒体文件名 / 封面文件名), matched
      // against the files an uploader drops on the bulk upload page.
      {52, R"sql(
CREATE TABLE resource_import_files (
  resource_id BIGINT PRIMARY KEY REFERENCES resources(id) ON DELETE CASCADE,
  media_file TEXT NOT NULL DEFAULT '',
  cover_file TEXT NOT NULL DEFAULT ''
)
)sql"},
      // 提交方式 of an A03 course: 'link' (a third-party platform) or 'files' (lessons).
      {56, "ALTER TABLE resources ADD COLUMN delivery TEXT NOT NULL DEFAULT 'link'"},
  };
  return kParts;
}

}  // namespace lep::resources
