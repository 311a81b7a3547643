// The tables the auth module owns: accounts (users, with their two-factor columns) and sessions.
// Parts of the product's numbered migrations, joined in app/schema.cpp. Never edit a released
// part: add a part with a new version (and list that version in app/schema.cpp).
#pragma once

#include "storage/db/migrations.h"

namespace lep::auth {

const storage::MigrationParts& AuthSchema();

}  // namespace lep::auth
