#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "storage/db/database.h"
#include "app/schema.h"
#include "storage/db/migrations.h"

namespace lep::storage {
namespace {

class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("lep-db-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

TEST(Sqlite, ExecBindsAndReturnsRows) {
  auto db = std::move(*OpenDatabase(":memory:"));
  ASSERT_TRUE(db->Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, n REAL)"));
  auto ins = db->QueryOne("INSERT INTO t (name, n) VALUES (?, ?) RETURNING id",
                          {std::string("太极拳"), 1.5});
  ASSERT_TRUE(ins);
  ASSERT_TRUE(*ins);
  EXPECT_EQ((*ins)->Int(0), 1);
  auto row = db->QueryOne("SELECT name, n, NULL FROM t WHERE id = ?", {int64_t{1}});
  ASSERT_TRUE(row && *row);
  EXPECT_EQ((*row)->Text(0), "太极拳");
  EXPECT_DOUBLE_EQ((*row)->Real(1), 1.5);
  EXPECT_TRUE((*row)->IsNull(2));
  auto bad = db->Exec("SELECT * FROM missing");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInternal);
  EXPECT_FALSE(db->Exec("SELECT ?", {}));  // parameter count mismatch is an error, not UB
}

TEST(Sqlite, UniqueViolationIsAlreadyExists) {
  auto db = std::move(*OpenDatabase(":memory:"));
  ASSERT_TRUE(db->Exec("CREATE TABLE u (name TEXT UNIQUE)"));
  ASSERT_TRUE(db->Exec("INSERT INTO u VALUES ('a')"));
  auto dup = db->Exec("INSERT INTO u VALUES ('a')");
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);
}

TEST(Sqlite, TransactionRollsBackOnError) {
  auto db = std::move(*OpenDatabase(":memory:"));
  ASSERT_TRUE(db->Exec("CREATE TABLE t (v INTEGER)"));
  auto st = db->Transaction([](SqlExecutor& tx) -> Status {
    LEP_RETURN_IF_ERROR(tx.Exec("INSERT INTO t VALUES (1)"));
    return Fail(Error::Conflict("stop"));
  });
  EXPECT_FALSE(st);
  auto n = db->QueryOne("SELECT COUNT(*) FROM t");
  EXPECT_EQ((*n)->Int(0), 0);
  ASSERT_TRUE(db->Transaction([](SqlExecutor& tx) { return tx.Exec("INSERT INTO t VALUES (2)").map([](auto&&) {}); }));
  EXPECT_EQ((*db->QueryOne("SELECT COUNT(*) FROM t"))->Int(0), 1);
}

TEST(Sqlite, ConcurrentWritersAllLand) {
  TempDir dir;
  auto db = std::move(*OpenDatabase("sqlite:" + dir.File("c.db")));
  ASSERT_TRUE(db->Exec("CREATE TABLE t (v INTEGER)"));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&db, t] {
      for (int i = 0; i < 50; ++i) {
        ASSERT_TRUE(db->Transaction([&](SqlExecutor& tx) {
          return tx.Exec("INSERT INTO t VALUES (?)", {int64_t{t * 100 + i}}).map([](auto&&) {});
        }));
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ((*db->QueryOne("SELECT COUNT(*) FROM t"))->Int(0), 200);
}

TEST(Migrations, AreNumberedRecordedAndIdempotent) {
  TempDir dir;
  std::string path = dir.File("m.db");
  {
    auto db = std::move(*OpenDatabase(path));
    auto applied = Migrate(*db, app::AllMigrations());
    ASSERT_TRUE(applied) << applied.error().message;
    EXPECT_EQ(*applied, static_cast<int>(app::AllMigrations().size()));
    EXPECT_EQ(*CurrentVersion(*db), app::AllMigrations().back().version);
  }
  auto db = std::move(*OpenDatabase(path));  // reopen: the record survived
  EXPECT_EQ(*Migrate(*db, app::AllMigrations()), 0);
  int last = 0;
  for (const auto& m : app::AllMigrations()) {
    EXPECT_GT(m.version, last) << "migrations must be strictly increasing";
    last = m.version;
  }
}

TEST(Migrations, AFailingMigrationLeavesNothingBehind) {
  auto db = std::move(*OpenDatabase(":memory:"));
  std::vector<Migration> ms = {{1, "ok", "CREATE TABLE a (x INTEGER)"},
                               {2, "broken", "CREATE TABLE b (x INTEGER);\nNOT SQL"}};
  EXPECT_FALSE(Migrate(*db, ms));
  EXPECT_EQ(*CurrentVersion(*db), 1);
  EXPECT_FALSE(db->Exec("SELECT * FROM b"));  // rolled back with its migration
}

}  // namespace
}  // namespace lep::storage
