#include "video/video_schema.h"

namespace lep::video {

const storage::MigrationParts& VideoSchema() {
  static const storage::MigrationParts kParts = {
      // Migration 40 also queues a transcode of every video that passed its technical check
      // before transcoding existed (workers take them one at a time, niced).
      {40, R"sql(
CREATE TABLE video_ladders (
  resource_id BIGINT PRIMARY KEY REFERENCES resources(id) ON DELETE CASCADE,
  source_blob TEXT NOT NULL,
  renditions TEXT NOT NULL DEFAULT '[]',
  poster_blob TEXT NOT NULL DEFAULT '',
  thumbnails_blob TEXT NOT NULL DEFAULT '',
  made_by TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);
CREATE TABLE video_files (
  blob TEXT PRIMARY KEY,
  resource_id BIGINT NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
  ext TEXT NOT NULL,
  content_type TEXT NOT NULL
);
CREATE INDEX video_files_resource ON video_files (resource_id);
CREATE TABLE video_captions (
  id {{pk}},
  resource_id BIGINT NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
  language TEXT NOT NULL,
  label TEXT NOT NULL,
  blob TEXT NOT NULL,
  filename TEXT NOT NULL,
  encoding TEXT NOT NULL,
  source_format TEXT NOT NULL,
  cue_count BIGINT NOT NULL,
  flagged TEXT NOT NULL DEFAULT '[]',
  created_by BIGINT,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX video_captions_language ON video_captions (resource_id, language);
CREATE TABLE video_trash (
  blob TEXT PRIMARY KEY,
  added_at BIGINT NOT NULL
);
INSERT INTO jobs (kind, resource_id, payload, state, attempts, max_attempts, run_after, created_at, updated_at)
  SELECT 'transcode', resource_id, '{"source":"' || playback_blob || '"}', 'queued', 0, 3, {{now_ms}}, {{now_ms}}, {{now_ms}}
  FROM media WHERE kind = 'video' AND passed = 1 AND state = 'ready'
)sql"},
  };
  return kParts;
}

}  // namespace lep::video
