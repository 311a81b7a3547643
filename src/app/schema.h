// The product's schema: every module's migration parts joined into one ordered list of
// numbered migrations (storage/db/migrations.h). Each module owns its tables
// (<module>/<module>_schema.cpp); this file only knows their order.
#pragma once

#include <vector>

#include "storage/db/migrations.h"

namespace lep::app {

// All migrations of the product, oldest first.
const std::vector<storage::Migration>& AllMigrations();

}  // namespace lep::app
