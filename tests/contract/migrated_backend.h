// MigratedBackend: the fixture of the contract suites. For each backend of Backends() a fresh
// database, migrated like the product (app::AllMigrations) unless a subclass clears migrate_
// in its constructor; the test is skipped when the backend is not configured. A subclass calls
// MigratedBackend::SetUp() first and builds its repositories only when db_ is set, and drops
// them before MigratedBackend::TearDown(). One test at a time.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "app/schema.h"
#include "storage/db/database.h"
#include "storage/db/migrations.h"
#include "test_database.h"

namespace lep {

class MigratedBackend : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    test_db_ = std::make_unique<TestDatabase>(GetParam());
    ASSERT_TRUE(test_db_->error().empty()) << test_db_->error();
    if (test_db_->url().empty()) GTEST_SKIP() << "backend " << GetParam() << " not configured";
    auto db = storage::OpenDatabase(test_db_->url());
    ASSERT_TRUE(db) << db.error().message;
    if (migrate_) {
      auto migrated = storage::Migrate(**db, app::AllMigrations());
      ASSERT_TRUE(migrated) << migrated.error().message;
    }
    db_ = std::move(*db);
  }
  void TearDown() override {
    db_.reset();
    test_db_.reset();
  }

  bool migrate_ = true;
  std::unique_ptr<TestDatabase> test_db_;
  std::unique_ptr<storage::Database> db_;  // null when skipped or not set up
};

}  // namespace lep
