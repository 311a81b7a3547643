// The tables the portal module owns: learner counting (visits, daily usage, click dedup), ratings, favourites, learning history and the search change feed (portal_outbox with its triggers).
// Parts of the product's numbered migrations, joined in app/schema.cpp. Never edit a released
// part: add a part with a new version (and list that version in app/schema.cpp).
#pragma once

#include "storage/db/migrations.h"

namespace lep::portal {

const storage::MigrationParts& PortalSchema();

}  // namespace lep::portal
