#include "security/audit_chain.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

namespace lep::security {
namespace {

namespace fs = std::filesystem;
using storage::Database;

constexpr int64_t kDayMs = 24 * 3600 * 1000;

class AuditChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "lep_audit_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    anchor_ = (dir_ / "audit.anchor").string();
    auto db = storage::OpenDatabase("sqlite:" + (dir_ / "audit.db").string());
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    // The table of security_schema.cpp migration 1, then the chain migration.
    ASSERT_TRUE(
        db_->Exec("CREATE TABLE audit_log (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                  "at BIGINT NOT NULL, actor_id BIGINT, org_id BIGINT, "
                  "ip TEXT NOT NULL DEFAULT '', action TEXT NOT NULL, "
                  "object TEXT NOT NULL DEFAULT '', result TEXT NOT NULL DEFAULT 'ok', "
                  "detail TEXT NOT NULL DEFAULT '')"));
    for (const auto& sql : AuditChainMigrationSql()) ASSERT_TRUE(db_->Exec(sql)) << sql;
  }
  void TearDown() override {
    db_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Appends n records one day apart starting at clock time; returns the ids.
  std::vector<int64_t> Append(int n) {
    std::vector<int64_t> ids;
    for (int i = 0; i < n; ++i) {
      AuditRecord r{clock_.NowMs(),
                    7,
                    3,
                    "10.0.0.1",
                    "resource.review",
                    "resource:" + std::to_string(i),
                    "ok",
                    "通过 第" + std::to_string(i) + "条"};
      if (i % 3 == 0) r.actor_id.reset();
      auto st = db_->Transaction([&](storage::SqlExecutor& tx) -> Status {
        LEP_ASSIGN_OR_RETURN(int64_t id, AppendAudit(tx, r));
        ids.push_back(id);
        return Ok();
      });
      EXPECT_TRUE(st) << st.error().message;
      clock_.Advance(std::chrono::milliseconds(kDayMs));
    }
    return ids;
  }

  VerifyReport Verify(bool with_anchor = true) {
    auto rep = with_anchor ? VerifyChain(*db_, anchor_) : VerifyChain(*db_);
    EXPECT_TRUE(rep) << rep.error().message;
    return rep ? *rep : VerifyReport{};
  }

  FakeClock clock_{1'700'000'000'000};
  fs::path dir_;
  std::string anchor_;
  std::unique_ptr<Database> db_;
};

TEST(AuditCanonical, NullDiffersFromZeroAndFieldsCannotShift) {
  AuditRecord a{1, std::nullopt, 0, "", "x", "", "ok", ""};
  AuditRecord b{1, 0, 0, "", "x", "", "ok", ""};
  EXPECT_NE(CanonicalAuditRecord(a), CanonicalAuditRecord(b));
  AuditRecord c{1, 1, 1, "", "ab", "c", "ok", ""};
  AuditRecord d{1, 1, 1, "", "a", "bc", "ok", ""};
  EXPECT_NE(AuditHash(kGenesisHash, c), AuditHash(kGenesisHash, d));
  EXPECT_EQ(AuditHash(kGenesisHash, c).size(), 64u);
}

TEST_F(AuditChainTest, CleanChainVerifies) {
  auto ids = Append(5);
  ASSERT_TRUE(AnchorHead(*db_, anchor_, clock_));
  auto rep = Verify();
  EXPECT_TRUE(rep.ok) << rep.reason;
  EXPECT_EQ(rep.rows_checked, 5);
  EXPECT_EQ(rep.first_id, ids.front());
  EXPECT_EQ(rep.last_id, ids.back());
  EXPECT_TRUE(Verify(/*with_anchor=*/false).ok);
}

TEST_F(AuditChainTest, EmptyChainVerifiesAndAnchorsNothing) {
  auto a = AnchorHead(*db_, anchor_, clock_);
  ASSERT_TRUE(a);
  EXPECT_FALSE(*a);
  EXPECT_TRUE(Verify(false).ok);
}

TEST_F(AuditChainTest, EditedDetailIsFoundAndNamed) {
  auto ids = Append(6);
  ASSERT_TRUE(AnchorHead(*db_, anchor_, clock_));
  ASSERT_TRUE(db_->Exec("UPDATE audit_log SET detail = '驳回' WHERE id = ?", {ids[3]}));
  auto rep = Verify();
  EXPECT_FALSE(rep.ok);
  EXPECT_EQ(rep.broken_id, ids[3]);
  EXPECT_NE(rep.reason.find("修改"), std::string::npos) << rep.reason;
}

TEST_F(AuditChainTest, EditedNullableFieldIsFound) {
  auto ids = Append(4);
  ASSERT_TRUE(db_->Exec("UPDATE audit_log SET actor_id = 0 WHERE id = ?", {ids[0]}));
  auto rep = Verify(false);
  EXPECT_FALSE(rep.ok);
  EXPECT_EQ(rep.broken_id, ids[0]);
}

TEST_F(AuditChainTest, DeletedMiddleRowIsFound) {
  auto ids = Append(6);
  ASSERT_TRUE(AnchorHead(*db_, anchor_, clock_));
  ASSERT_TRUE(db_->Exec("DELETE FROM audit_log WHERE id = ?", {ids[2]}));
  auto rep = Verify();
  EXPECT_FALSE(rep.ok);
  EXPECT_EQ(rep.broken_id, ids[3]);
  EXPECT_NE(rep.reason.find(std::to_string(ids[1])), std::string::npos) << rep.reason;
}

TEST_F(AuditChainTest, ReorderedRowsAreFound) {
  auto ids = Append(5);
  // Swap the whole content (hashes included) of rows 2 and 3.
  ASSERT_TRUE(db_->Exec("UPDATE audit_log SET id = -1 WHERE id = ?", {ids[1]}));
  ASSERT_TRUE(db_->Exec("UPDATE audit_log SET id = ? WHERE id = ?", {ids[1], ids[2]}));
  ASSERT_TRUE(db_->Exec("UPDATE audit_log SET id = ? WHERE id = -1", {ids[2]}));
  auto rep = Verify(false);
  EXPECT_FALSE(rep.ok);
  EXPECT_EQ(rep.broken_id, ids[1]);
}

TEST_F(AuditChainTest, DeletedFirstRowIsFoundWithoutAnchor) {
  auto ids = Append(3);
  ASSERT_TRUE(db_->Exec("DELETE FROM audit_log WHERE id = ?", {ids[0]}));
  auto rep = Verify(false);
  EXPECT_FALSE(rep.ok);
  EXPECT_EQ(rep.broken_id, ids[1]);
}

TEST_F(AuditChainTest, DeletedTailIsFoundOnlyThroughTheAnchor) {
  auto ids = Append(6);
  ASSERT_TRUE(AnchorHead(*db_, anchor_, clock_));
  ASSERT_TRUE(db_->Exec("DELETE FROM audit_log WHERE id >= ?", {ids[4]}));
  EXPECT_TRUE(Verify(false).ok);  // the chain alone cannot see a cut tail
  auto rep = Verify();
  EXPECT_FALSE(rep.ok);
  EXPECT_EQ(rep.broken_id, ids[5]);
  EXPECT_NE(rep.reason.find("截断"), std::string::npos) << rep.reason;
}

TEST_F(AuditChainTest, RecomputedChainIsFoundThroughTheAnchor) {
  auto ids = Append(4);
  ASSERT_TRUE(AnchorHead(*db_, anchor_, clock_));
  // An attacker with write access edits row 2 and recomputes every hash after it.
  ASSERT_TRUE(db_->Exec("UPDATE audit_log SET detail = 'x' WHERE id = ?", {ids[1]}));
  std::string prev(kGenesisHash);
  auto rows = db_->Exec(
      "SELECT id, at, actor_id, org_id, ip, action, object, result, detail "
      "FROM audit_log ORDER BY id");
  ASSERT_TRUE(rows);
  ASSERT_TRUE(db_->Exec("DROP INDEX audit_log_prev_hash"));
  for (const auto& r : rows->rows) {
    AuditRecord a{r.Int(1),  r.OptInt(2), r.OptInt(3), r.Text(4),
                  r.Text(5), r.Text(6),   r.Text(7),   r.Text(8)};
    std::string h = AuditHash(prev, a);
    ASSERT_TRUE(db_->Exec("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?",
                          {prev, h, r.Int(0)}));
    prev = h;
  }
  EXPECT_TRUE(Verify(false).ok);
  auto rep = Verify();
  EXPECT_FALSE(rep.ok);
  EXPECT_EQ(rep.broken_id, ids[3]);
}

TEST_F(AuditChainTest, UnchainedInsertAfterChainStartIsFound) {
  auto ids = Append(2);
  ASSERT_TRUE(db_->Exec("INSERT INTO audit_log (at, action) VALUES (1, 'sneaky')"));
  auto rep = Verify(false);
  EXPECT_FALSE(rep.ok);
  EXPECT_EQ(rep.broken_id, ids[1] + 1);
}

TEST_F(AuditChainTest, LegacyRowsBeforeTheChainAreTolerated) {
  ASSERT_TRUE(db_->Exec("INSERT INTO audit_log (at, action) VALUES (1, 'old')"));
  Append(2);
  auto rep = Verify(false);
  EXPECT_TRUE(rep.ok) << rep.reason;
  EXPECT_EQ(rep.legacy_rows, 1);
  EXPECT_EQ(rep.rows_checked, 2);
}

TEST_F(AuditChainTest, ForkedAppendIsRejectedByTheUniqueIndex) {
  Append(2);
  // A second writer that read the same (old) head would link to it a second time.
  auto fork =
      db_->Exec("INSERT INTO audit_log (at, action, prev_hash, hash) VALUES (1, 'y', ?, 'g')",
                {std::string(kGenesisHash)});
  EXPECT_FALSE(fork);
}

TEST_F(AuditChainTest, PurgeThenVerifyPasses) {
  auto ids = Append(10);  // days 0..9
  ASSERT_TRUE(AnchorHead(*db_, anchor_, clock_));
  clock_.Advance(std::chrono::milliseconds(200 * kDayMs));
  const int64_t cutoff = 1'700'000'000'000 + 4 * kDayMs;  // keep days 4..9
  auto n = PurgeBefore(*db_, cutoff, anchor_, clock_);
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(*n, 4);
  auto rep = Verify();
  EXPECT_TRUE(rep.ok) << rep.reason;
  EXPECT_EQ(rep.first_id, ids[4]);
  EXPECT_EQ(rep.rows_checked, 6);
  // The chain keeps growing after a purge, and later tampering is still found.
  Append(2);
  ASSERT_TRUE(AnchorHead(*db_, anchor_, clock_));
  EXPECT_TRUE(Verify().ok);
  ASSERT_TRUE(db_->Exec("DELETE FROM audit_log WHERE id = ?", {ids[4]}));
  rep = Verify();
  EXPECT_FALSE(rep.ok);
  EXPECT_EQ(rep.broken_id, ids[5]);
}

TEST_F(AuditChainTest, PurgeOfEverythingKeepsTheHead) {
  auto ids = Append(3);
  clock_.Advance(std::chrono::milliseconds(400 * kDayMs));
  auto n = PurgeBefore(*db_, clock_.NowMs() - kMinRetentionMs, anchor_, clock_);
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(*n, 2);
  auto rep = Verify();
  EXPECT_TRUE(rep.ok) << rep.reason;
  EXPECT_EQ(rep.first_id, ids[2]);
  EXPECT_FALSE(Verify(false).ok);  // after a purge the anchor file is required
}

TEST_F(AuditChainTest, PurgeRefusesYoungCutoffAndBrokenChain) {
  auto ids = Append(3);
  auto young = PurgeBefore(*db_, clock_.NowMs() - 183 * kDayMs, anchor_, clock_);
  ASSERT_FALSE(young);
  EXPECT_TRUE(young.error().Is(ErrorCode::kInvalidArgument));
  clock_.Advance(std::chrono::milliseconds(400 * kDayMs));
  ASSERT_TRUE(db_->Exec("UPDATE audit_log SET detail = 'x' WHERE id = ?", {ids[0]}));
  auto broken = PurgeBefore(*db_, clock_.NowMs() - kMinRetentionMs, anchor_, clock_);
  ASSERT_FALSE(broken);
  EXPECT_TRUE(broken.error().Is(ErrorCode::kFailedPrecondition));
  auto count = db_->QueryOne("SELECT COUNT(*) FROM audit_log");
  EXPECT_EQ((*count)->Int(0), 3);
}

TEST_F(AuditChainTest, InterruptedPurgeStillVerifies) {
  auto ids = Append(5);
  // The genesis line was written but the DELETE never ran.
  auto keep = db_->QueryOne("SELECT prev_hash FROM audit_log WHERE id = ?", {ids[2]});
  {
    std::ofstream out(anchor_, std::ios::app);
    out << R"({"kind":"genesis","id":)" << ids[2] << R"(,"prev_hash":")" << (*keep)->Text(0)
        << R"(","at":1})"
        << "\n";
  }
  auto rep = Verify();
  EXPECT_TRUE(rep.ok) << rep.reason;
  EXPECT_EQ(rep.skipped_purgeable, 2);
}

TEST_F(AuditChainTest, MissingOrMalformedAnchorFileIsAnError) {
  Append(1);
  EXPECT_FALSE(VerifyChain(*db_, anchor_));
  {
    std::ofstream out(anchor_);
    out << "not json\n";
  }
  EXPECT_FALSE(VerifyChain(*db_, anchor_));
}

// Issue 14 item 4: appenders that run at once neither fail nor fork the chain. On SQLite the
// write transactions are serialised by BEGIN IMMEDIATE anyway; on PostgreSQL (run with
// LEP_TEST_PG_URL) two appenders used to read the same head, and the unique index on
// prev_hash then refused one of them.
void ConcurrentAppends(Database& db, const std::string& label) {
  constexpr int kThreads = 16, kEach = 20;
  std::atomic<int> failures{0};
  std::string first_error;
  std::mutex mu;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        AuditRecord r{1'700'000'000'000 + i,
                      t,
                      1,
                      "10.0.0.1",
                      "review.approve",
                      "resource:" + std::to_string(t * 100 + i),
                      "ok",
                      "并发"};
        auto st = db.Transaction([&](storage::SqlExecutor& tx) -> Status {
          return AppendAudit(tx, r).map([](auto&&) {});
        });
        if (!st) {
          ++failures;
          std::lock_guard lock(mu);
          if (first_error.empty()) first_error = st.error().message;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0) << label << ": " << first_error;
  auto rep = VerifyChain(db);
  ASSERT_TRUE(rep) << rep.error().message;
  EXPECT_TRUE(rep->ok) << label << ": " << rep->reason;
  EXPECT_EQ(rep->rows_checked, kThreads * kEach) << label;
}

std::string AuditTableSql(storage::Dialect d) {
  return std::string("CREATE TABLE audit_log (id ") +
         (d == storage::Dialect::kSqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT"
                                         : "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY") +
         ", at BIGINT NOT NULL, actor_id BIGINT, org_id BIGINT, ip TEXT NOT NULL DEFAULT '', "
         "action TEXT NOT NULL, object TEXT NOT NULL DEFAULT '', result TEXT NOT NULL DEFAULT "
         "'ok', detail TEXT NOT NULL DEFAULT '')";
}

TEST_F(AuditChainTest, ConcurrentAppendsNeitherFailNorFork) { ConcurrentAppends(*db_, "SQLite"); }

TEST(AuditChainPostgres, ConcurrentAppendsNeitherFailNorFork) {
  const char* pg = std::getenv("LEP_TEST_PG_URL");
  if (!pg || !*pg) GTEST_SKIP() << "LEP_TEST_PG_URL not set";
  const std::string schema = "lep_audit_" + std::to_string(::getpid());
  auto admin = storage::OpenDatabase(pg);
  ASSERT_TRUE(admin) << admin.error().message;
  ASSERT_TRUE((*admin)->Exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE"));
  ASSERT_TRUE((*admin)->Exec("CREATE SCHEMA " + schema));
  {
    std::string base = pg;
    auto db = storage::OpenDatabase(base + (base.find('?') == std::string::npos ? "?" : "&") +
                                    "options=-csearch_path%3D" + schema);
    ASSERT_TRUE(db) << db.error().message;
    ASSERT_TRUE((*db)->Exec(AuditTableSql(storage::Dialect::kPostgres)));
    for (const auto& sql : AuditChainMigrationSql()) ASSERT_TRUE((*db)->Exec(sql)) << sql;
    ConcurrentAppends(**db, "PostgreSQL");
  }
  EXPECT_TRUE((*admin)->Exec("DROP SCHEMA " + schema + " CASCADE"));
}

}  // namespace
}  // namespace lep::security
