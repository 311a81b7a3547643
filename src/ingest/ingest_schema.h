// The tables the ingest module owns: stored media with their technical reports, and A03 link checks.
// Parts of the product's numbered migrations, joined in app/schema.cpp. Never edit a released
// part: add a part with a new version (and list that version in app/schema.cpp).
#pragma once

#include "storage/db/migrations.h"

namespace lep::ingest {

const storage::MigrationParts& IngestSchema();

}  // namespace lep::ingest
