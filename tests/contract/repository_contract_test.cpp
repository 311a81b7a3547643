// Contract suites for the Database interface and every repository. Each runs against every
// backend available: SQLite always; PostgreSQL when LEP_TEST_PG_URL is set (a libpq URL, e.g.
// from scripts/pg-test-cluster.sh). On PostgreSQL each test gets a schema of its own, so tests
// running in parallel never see each other's rows.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "auth/user_repository.h"
#include "orgs/org_repository_sql.h"
#include "app/schema.h"
#include "contract/migrated_backend.h"
#include "storage/db/migrations.h"
#include "storage/db/postgres/postgres_database.h"
#include "test_database.h"

namespace lep {
namespace {

using orgs::OrgId;
using orgs::OrgKind;

class RepositoryContract : public MigratedBackend {
 protected:
  void SetUp() override {
    MigratedBackend::SetUp();
    if (!db_) return;
    orgs_ = orgs::NewSqlOrgRepository(*db_, cipher_);
    users_ = auth::NewSqlUserRepository(*db_);
    sessions_ = auth::NewSqlSessionRepository(*db_);
  }
  void TearDown() override {
    sessions_.reset();
    users_.reset();
    orgs_.reset();
    MigratedBackend::TearDown();
  }

  security::FieldCipher cipher_ = *security::FieldCipher::FromKey(std::string(32, 'k'));
  std::unique_ptr<orgs::OrgRepository> orgs_;
  std::unique_ptr<auth::UserRepository> users_;
  std::unique_ptr<auth::SessionRepository> sessions_;
};

TEST_P(RepositoryContract, OrgTreePathsAndSubtree) {
  auto root = orgs_->Create(std::nullopt, OrgKind::kOpenUniversity, "国家开放大学", "", 1);
  ASSERT_TRUE(root);
  EXPECT_EQ(root->path, "/" + std::to_string(root->id.value) + "/");
  auto gd = *orgs_->Create(root->id, OrgKind::kProvinceDept, "广东省教育厅", "广东", 2);
  auto bj = *orgs_->Create(root->id, OrgKind::kProvinceDept, "北京市教育委员会", "北京", 3);
  auto college = *orgs_->Create(gd.id, OrgKind::kProvincialCollege, "岭南学院", "广东", 4);
  EXPECT_EQ(college.parent_id, gd.id);
  EXPECT_TRUE(college.IsInSubtreeOf(gd));
  EXPECT_FALSE(college.IsInSubtreeOf(bj));

  auto fetched = orgs_->Get(college.id);
  ASSERT_TRUE(fetched && *fetched);
  EXPECT_EQ((*fetched)->name, "岭南学院");
  EXPECT_EQ((*fetched)->kind, OrgKind::kProvincialCollege);
  EXPECT_EQ((*fetched)->path, college.path);
  EXPECT_FALSE(*orgs_->Get(OrgId{9999}));

  auto children = *orgs_->Children(root->id);
  ASSERT_EQ(children.size(), 2u);
  EXPECT_EQ(children[0].name, "广东省教育厅");
  auto subtree = *orgs_->Subtree(gd.id);
  ASSERT_EQ(subtree.size(), 2u);
  EXPECT_EQ(subtree[0].id, gd.id);
  EXPECT_EQ(subtree[1].id, college.id);
  EXPECT_EQ((*orgs_->Root())->id, root->id);
}

TEST_P(RepositoryContract, SiblingNamesAreUnique) {
  auto root = *orgs_->Create(std::nullopt, OrgKind::kOpenUniversity, "国家开放大学", "", 1);
  ASSERT_TRUE(orgs_->Create(root.id, OrgKind::kProvinceDept, "广东省教育厅", "", 1));
  auto dup = orgs_->Create(root.id, OrgKind::kProvinceDept, "广东省教育厅", "", 1);
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(dup.error().fields.at(0).field, "name");
  EXPECT_EQ(orgs_->Children(root.id)->size(), 1u);
}

TEST_P(RepositoryContract, ContactUpsert) {
  auto root = *orgs_->Create(std::nullopt, OrgKind::kOpenUniversity, "国家开放大学", "", 1);
  EXPECT_FALSE(*orgs_->GetContact(root.id));
  orgs::Contact c{"甲", "处长", "010-66096459", "13800000000", "a@example.org", 5};
  ASSERT_TRUE(orgs_->PutContact(root.id, c, 1));
  c.title = "副处长";
  ASSERT_TRUE(orgs_->PutContact(root.id, c, 1));
  auto got = *orgs_->GetContact(root.id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->title, "副处长");  // one contact per unit, replaced
  EXPECT_EQ(got->mobile, "13800000000");
}

TEST_P(RepositoryContract, UsersAndLoginState) {
  auto root = *orgs_->Create(std::nullopt, OrgKind::kOpenUniversity, "国家开放大学", "", 1);
  auth::User u;
  u.org_id = root.id;
  u.username = "alice";
  u.display_name = "爱丽丝";
  u.role = auth::Role::kReviewer;
  u.password_hash = "$argon2id$fake";
  u.created_at = 7;
  auto created = users_->Create(u, std::nullopt);
  ASSERT_TRUE(created);
  EXPECT_GT(created->id.value, 0);
  auto dup = users_->Create(u, std::nullopt);
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().fields.at(0).field, "username");

  auto by_name = *users_->GetByUsername("alice");
  ASSERT_TRUE(by_name);
  EXPECT_EQ(by_name->role, auth::Role::kReviewer);
  EXPECT_EQ(by_name->org_id, root.id);
  ASSERT_TRUE(users_->SaveLoginState(created->id, 3, 100, 200));
  auto again = *users_->Get(created->id);
  EXPECT_EQ(again->failed_count, 3);
  EXPECT_EQ(again->locked_until, 200);
  EXPECT_EQ(users_->ListByOrg(root.id)->size(), 1u);
  EXPECT_FALSE(*users_->GetByUsername("bob"));
}

TEST_P(RepositoryContract, SessionsByTokenHash) {
  auth::User u;
  u.username = "learner";
  u.password_hash = "x";
  auto user = *users_->Create(u, std::nullopt);
  auto s = sessions_->Create("hash-1", user.id, "csrf-1", 10, "127.0.0.1", "ua");
  ASSERT_TRUE(s);
  auto got = *sessions_->GetByTokenHash("hash-1");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->csrf_token, "csrf-1");
  EXPECT_EQ(got->user_id, user.id);
  ASSERT_TRUE(sessions_->Touch(got->id, 20));
  EXPECT_EQ((*sessions_->GetByTokenHash("hash-1"))->last_seen_at, 20);
  ASSERT_TRUE(sessions_->Delete(got->id));
  EXPECT_FALSE(*sessions_->GetByTokenHash("hash-1"));
  ASSERT_TRUE(sessions_->Create("hash-2", user.id, "c", 1, "", ""));
  ASSERT_TRUE(sessions_->DeleteForUser(user.id));
  EXPECT_FALSE(*sessions_->GetByTokenHash("hash-2"));
}

// The Database interface itself: what every repository relies on, on every backend.
class DatabaseContract : public MigratedBackend {
 protected:
  DatabaseContract() { migrate_ = false; }
  void SetUp() override {
    MigratedBackend::SetUp();
    if (!db_) return;
    ASSERT_TRUE(
        db_->Exec("CREATE TABLE t (id BIGINT PRIMARY KEY, name TEXT UNIQUE, "
                  "n DOUBLE PRECISION, note TEXT NOT NULL DEFAULT '')"));
  }
};

TEST_P(DatabaseContract, ValuesRoundTrip) {
  EXPECT_EQ(db_->dialect(),
            GetParam() == "sqlite" ? storage::Dialect::kSqlite : storage::Dialect::kPostgres);
  auto ins = db_->QueryOne("INSERT INTO t (id, name, n) VALUES (?, ?, ?) RETURNING id",
                           {int64_t{7}, std::string("甲'乙?"), 2.5});
  ASSERT_TRUE(ins && *ins) << ins.error().message;
  EXPECT_EQ((*ins)->Int(0), 7);
  ASSERT_TRUE(
      db_->Exec("INSERT INTO t (id, name, n) VALUES (?, ?, ?)", {int64_t{8}, nullptr, nullptr}));
  auto row = db_->QueryOne("SELECT id, name, n, '?''?', COUNT(*) OVER () FROM t WHERE id = ?",
                           {int64_t{7}});
  ASSERT_TRUE(row && *row) << row.error().message;
  EXPECT_TRUE(std::holds_alternative<int64_t>((*row)->at(0)));
  EXPECT_EQ((*row)->Text(1), "甲'乙?");
  EXPECT_TRUE(std::holds_alternative<double>((*row)->at(2)));
  EXPECT_DOUBLE_EQ((*row)->Real(2), 2.5);
  EXPECT_EQ((*row)->Text(3), "?'?");  // a `?` inside a literal is not a placeholder
  EXPECT_TRUE(std::holds_alternative<int64_t>((*row)->at(4)));
  auto nulls = db_->QueryOne("SELECT name, n FROM t WHERE id = ?", {int64_t{8}});
  ASSERT_TRUE(nulls && *nulls);
  EXPECT_TRUE((*nulls)->IsNull(0));
  EXPECT_TRUE((*nulls)->IsNull(1));
  auto count = db_->QueryOne("SELECT COUNT(*) FROM t");
  ASSERT_TRUE(count && *count);
  EXPECT_TRUE(std::holds_alternative<int64_t>((*count)->at(0)));
  EXPECT_EQ((*count)->Int(0), 2);
}

TEST_P(DatabaseContract, AffectedRowsAndErrors) {
  ASSERT_TRUE(db_->Exec("INSERT INTO t (id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c')"));
  auto upd = db_->Exec("UPDATE t SET note = ? WHERE id > ?", {std::string("x"), int64_t{1}});
  ASSERT_TRUE(upd);
  EXPECT_EQ(upd->affected, 2);
  auto none = db_->Exec("DELETE FROM t WHERE id = ?", {int64_t{99}});
  ASSERT_TRUE(none);
  EXPECT_EQ(none->affected, 0);

  auto dup = db_->Exec("INSERT INTO t (id, name) VALUES (?, ?)", {int64_t{4}, std::string("a")});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(dup.error().message, "记录已存在");
  auto not_null = db_->Exec("INSERT INTO t (id, note) VALUES (?, ?)", {int64_t{5}, nullptr});
  ASSERT_FALSE(not_null);
  EXPECT_EQ(not_null.error().code, ErrorCode::kConflict);
  EXPECT_FALSE(db_->Exec("SELECT * FROM missing"));
  EXPECT_FALSE(db_->Exec("SELECT id FROM t WHERE id = ?", {}));  // parameter count mismatch
}

TEST_P(DatabaseContract, TransactionCommitsOrRollsBack) {
  ASSERT_TRUE(db_->Transaction([](storage::SqlExecutor& tx) -> Status {
    return tx.Exec("INSERT INTO t (id) VALUES (1)").map([](auto&&) {});
  }));
  auto st = db_->Transaction([](storage::SqlExecutor& tx) -> Status {
    LEP_RETURN_IF_ERROR(tx.Exec("INSERT INTO t (id) VALUES (2)"));
    return Fail(Error::Conflict("stop"));
  });
  EXPECT_FALSE(st);
  // A failed statement ends the transaction: nothing of it is kept.
  st = db_->Transaction([](storage::SqlExecutor& tx) -> Status {
    LEP_RETURN_IF_ERROR(tx.Exec("INSERT INTO t (id) VALUES (3)"));
    return tx.Exec("INSERT INTO t (id) VALUES (1)").map([](auto&&) {});
  });
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ((*db_->QueryOne("SELECT COUNT(*) FROM t"))->Int(0), 1);
  // The pool is still usable after the failures.
  EXPECT_TRUE(db_->Exec("INSERT INTO t (id) VALUES (4)"));
}

TEST_P(DatabaseContract, ConcurrentTransactions) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        Status st = db_->Transaction([&](storage::SqlExecutor& tx) -> Status {
          return tx.Exec("INSERT INTO t (id) VALUES (?)", {int64_t{t * 100 + i}}).map([](auto&&) {
          });
        });
        EXPECT_TRUE(st) << st.error().message;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ((*db_->QueryOne("SELECT COUNT(*) FROM t"))->Int(0), 100);
}

TEST_P(DatabaseContract, BrokenConnectionIsReopened) {
  if (GetParam() != "postgres") GTEST_SKIP() << "PostgreSQL only";
  auto db = storage::PostgresDatabase::Open(test_db_->url(), 1);
  ASSERT_TRUE(db) << db.error().message;
  auto killed = (*db)->Exec("SELECT pg_terminate_backend(pg_backend_pid())");
  ASSERT_FALSE(killed);
  EXPECT_EQ(killed.error().code, ErrorCode::kUnavailable);
  auto again = (*db)->QueryOne("SELECT COUNT(*) FROM t");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ((*again)->Int(0), 0);
}

TEST(PostgresPlaceholders, RewritesOnlyBarePlaceholders) {
  int n = 0;
  EXPECT_EQ(storage::RewritePlaceholders(
                "SELECT '?''?', \"a?\", E'\\'?', ? -- ?\n, ? /* ? */ FROM t WHERE x = ?", &n),
            "SELECT '?''?', \"a?\", E'\\'?', $1 -- ?\n, $2 /* ? */ FROM t WHERE x = $3");
  EXPECT_EQ(n, 3);
  EXPECT_EQ(storage::RewritePlaceholders("SELECT 1", &n), "SELECT 1");
  EXPECT_EQ(n, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, DatabaseContract, ::testing::ValuesIn(Backends()),
                         [](const auto& info) { return info.param; });

INSTANTIATE_TEST_SUITE_P(Backends, RepositoryContract, ::testing::ValuesIn(Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace lep

namespace lep {
namespace {

// Issue 16 item 8: `database.pool_size` connections are what a PostgreSQL database keeps.
TEST(PostgresPool, OpensTheConfiguredNumberOfConnections) {
  const char* base = std::getenv("LEP_TEST_PG_URL");
  if (base == nullptr || *base == '\0') GTEST_SKIP() << "LEP_TEST_PG_URL not set";
  const std::string name = "lep_pool_" + std::to_string(::getpid());
  std::string url = base;
  url += (url.find('?') == std::string::npos ? "?" : "&") + ("application_name=" + name);
  auto db = storage::OpenDatabase(url, 6);
  ASSERT_TRUE(db) << db.error().message;
  auto n = (*db)->QueryOne("SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = ?",
                           {name});
  ASSERT_TRUE(n && *n);
  EXPECT_EQ((*n)->Int(0), 6);
}

}  // namespace
}  // namespace lep
