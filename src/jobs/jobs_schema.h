// The tables the jobs module owns: `jobs`, the durable queue of background work.
// Parts of the product's numbered migrations, joined in app/schema.cpp. Never edit a released
// part: add a part with a new version (and list that version in app/schema.cpp).
#pragma once

#include "storage/db/migrations.h"

namespace lep::jobs {

const storage::MigrationParts& JobsSchema();

}  // namespace lep::jobs
