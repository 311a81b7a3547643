// The tables the uploads module owns: tus uploads in progress (committed offset, SHA-256 state).
// Parts of the product's numbered migrations, joined in app/schema.cpp. Never edit a released
// part: add a part with a new version (and list that version in app/schema.cpp).
#pragma once

#include "storage/db/migrations.h"

namespace lep::uploads {

const storage::MigrationParts& UploadsSchema();

}  // namespace lep::uploads
