// The tables the security module owns: the hash-chained audit log, settings (the security policy) and fixity checks.
// Parts of the product's numbered migrations, joined in app/schema.cpp. Never edit a released
// part: add a part with a new version (and list that version in app/schema.cpp).
#pragma once

#include "storage/db/migrations.h"

namespace lep::security {

const storage::MigrationParts& SecuritySchema();

}  // namespace lep::security
