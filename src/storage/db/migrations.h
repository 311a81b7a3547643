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

// One module's share of a numbered migration: the statements for the tables that module
// owns. Each module declares its parts next to its SQL repositories; the composition root
// joins every module's parts into the product's one ordered list (app/schema.h).
struct MigrationPart {
  int version;
  std::string sql;
};
using MigrationParts = std::vector<MigrationPart>;

// The numbered migrations: for each (version, name) of `versions` (strictly increasing), the
// parts of that version from every module, in the order the modules are given (a module's
// tables may refer only to tables of modules before it). Aborts on a part whose version is
// not listed: that is a programming error found by the first test that migrates.
std::vector<Migration> JoinMigrations(const std::vector<std::pair<int, std::string>>& versions,
                                      const std::vector<const MigrationParts*>& modules);

// Applies pending migrations; returns how many were applied.
[[nodiscard]] Result<int> Migrate(Database& db, const std::vector<Migration>& migrations);

// Latest applied version, 0 on an empty database.
[[nodiscard]] Result<int> CurrentVersion(Database& db);

}  // namespace lep::storage
