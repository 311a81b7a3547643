// The tables the resources module owns: the category tree and resources (the whole row: metadata, cover, workflow columns).
// Parts of the product's numbered migrations, joined in app/schema.cpp. Never edit a released
// part: add a part with a new version (and list that version in app/schema.cpp).
#pragma once

#include "storage/db/migrations.h"

namespace lep::resources {

const storage::MigrationParts& ResourcesSchema();

}  // namespace lep::resources
