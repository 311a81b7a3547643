// TestDatabase: a fresh database per test for the contract suites — a SQLite file in a
// temporary directory, or, when LEP_TEST_PG_URL is set, a PostgreSQL schema of its own that
// every pooled connection uses through search_path, dropped afterwards. Backends() lists both;
// a test parameterised over them skips PostgreSQL when it is not configured.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "storage/db/database.h"
#include "storage/db/postgres/postgres_database.h"

namespace lep {

class TestDatabase {
 public:
  explicit TestDatabase(const std::string& backend) {
    static int counter = 0;
    std::string name =
        "lep_contract_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    if (backend == "sqlite") {
      dir_ = std::filesystem::temp_directory_path() / name;
      std::filesystem::remove_all(dir_);
      std::filesystem::create_directories(dir_);
      url_ = "sqlite:" + (dir_ / "t.db").string();
    } else if (const char* pg = std::getenv("LEP_TEST_PG_URL");
               backend == "postgres" && pg && *pg) {
      std::string base = pg;
      auto admin = storage::PostgresDatabase::Open(base, 1);
      if (!admin) {
        error_ = admin.error().message;
        return;
      }
      admin_ = std::move(*admin);
      auto made = admin_->Exec("CREATE SCHEMA " + name);
      if (!made) {
        error_ = made.error().message;
        return;
      }
      schema_ = name;
      url_ = base + (base.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
             name;
    }
  }
  ~TestDatabase() {
    if (admin_ && !schema_.empty()) (void)admin_->Exec("DROP SCHEMA " + schema_ + " CASCADE");
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  // Empty when the backend is not configured.
  const std::string& url() const { return url_; }
  const std::string& error() const { return error_; }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<storage::Database> admin_;
  std::string schema_;
  std::string url_;
  std::string error_;
};

// Both backends are always instantiated: ctest lists tests when they are built, and the
// PostgreSQL ones skip themselves at run time when LEP_TEST_PG_URL is not set.
inline std::vector<std::string> Backends() { return {"sqlite", "postgres"}; }

}  // namespace lep
