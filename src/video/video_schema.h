// The tables the video module owns: `video_ladders` (the HLS ladder made from a resource's
// current media), `video_files` (every file of a ladder, by generated blob name),
// `video_captions` (字幕, one per language) and `video_trash` (blobs no longer referenced,
// removed after the transaction that dropped them). Parts of the product's numbered
// migrations, joined in app/schema.cpp; a released part is never edited.
#pragma once

#include "storage/db/migrations.h"

namespace lep::video {

const storage::MigrationParts& VideoSchema();

}  // namespace lep::video
