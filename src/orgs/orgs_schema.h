// The tables the orgs module owns: units (orgs) and their contact persons (org_contacts).
// Parts of the product's numbered migrations, joined in app/schema.cpp. Never edit a released
// part: add a part with a new version (and list that version in app/schema.cpp).
#pragma once

#include "storage/db/migrations.h"

namespace lep::orgs {

const storage::MigrationParts& OrgsSchema();

}  // namespace lep::orgs
