// The table the OAI-PMH module owns: `oai_records`, one row per resource that was ever public,
// kept by triggers on `resources` and `orgs` in the changing transaction (so every server and
// every code path, including raw SQL, records publication and withdrawal the same way).
// Parts of the product's numbered migrations, joined in app/schema.cpp. Never edit a released
// part: add a part with a new version.
#pragma once

#include "storage/db/migrations.h"

namespace lep::oai {

const storage::MigrationParts& OaiSchema();

}  // namespace lep::oai
