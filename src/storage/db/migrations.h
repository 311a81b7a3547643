// Numbered schema migrations, applied in order and recorded in schema_migrations.
// Each migration runs in its own transaction; running twice is a no-op.
// SQL may use {{pk}} (auto-increment primary key) and {{now_ms}} (the database's clock in Unix
// ms), which each dialect spells its own way; a statement starting with {{sqlite}} or
// {{postgres}} runs on that dialect only. Versions must be strictly increasing and new ones
// go at the end: a database records only how far it got, so a number below the latest
// applied one would never run.
#pragma once

#include <string>
#include <vector>

#include "storage/db/database.h"

namespace lep::storage {

struct Migration {
  int version;
  std::string name;
  std::string sql;  // one or more statements separated by ";\n"
};

// All migrations of the product, oldest first.
const std::vector<Migration>& AllMigrations();

// Applies pending migrations; returns how many were applied.
[[nodiscard]] Result<int> Migrate(Database& db, const std::vector<Migration>& migrations);

// Latest applied version, 0 on an empty database.
[[nodiscard]] Result<int> CurrentVersion(Database& db);

}  // namespace lep::storage
