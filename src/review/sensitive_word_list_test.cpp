// SensitiveWordList: the list file shared by servers (a change made through one list is
// picked up by another on the same file), the security administrator's rights and the audit
// row of a replacement.
#include "review/sensitive_word_list.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "app/schema.h"
#include "core/clock.h"
#include "sql_probe.h"
#include "storage/db/migrations.h"

namespace lep::review {
namespace {

namespace fs = std::filesystem;

class SensitiveWordListTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "lep_words_XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    db_ = std::move(*storage::OpenDatabase(":memory:"));
    ASSERT_TRUE(storage::Migrate(*db_, app::AllMigrations()));
    audit_ = std::make_unique<security::AuditRecorder>(*db_, clock_);
    security_admin_.user_id = auth::UserId{7};
    security_admin_.role = auth::Role::kSecurityAdmin;
    security_admin_.ip = "192.0.2.7";
    platform_admin_.user_id = auth::UserId{8};
    platform_admin_.role = auth::Role::kPlatformAdmin;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Path() const { return (dir_ / "sensitive_words.txt").string(); }
  std::vector<std::string> WordsOf(const SensitiveWordList& list) {
    auto w = list.Words(security_admin_);
    EXPECT_TRUE(w) << w.error().message;
    return w ? *w : std::vector<std::string>{};
  }

  fs::path dir_;
  FakeClock clock_{1'700'000'000'000};
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<security::AuditRecorder> audit_;
  auth::Principal security_admin_, platform_admin_;
};

TEST_F(SensitiveWordListTest, StartsFromDefaultsAndWritesTheFile) {
  SensitiveWordList list(Path(), *audit_);
  ASSERT_TRUE(list.Load({"赌博", "代考"}));
  EXPECT_EQ(WordsOf(list), (std::vector<std::string>{"赌博", "代考"}));
  EXPECT_TRUE(fs::exists(Path()));
  ASSERT_EQ(list.ScreenText("title", "禁止賭博").size(), 1u);
  EXPECT_EQ(list.ScreenText("title", "禁止賭博")[0].word, "赌博");

  SensitiveWordList again(Path(), *audit_);  // a restart reads the file, not the defaults
  ASSERT_TRUE(again.Load({"别的词"}));
  EXPECT_EQ(WordsOf(again), (std::vector<std::string>{"赌博", "代考"}));
}

TEST_F(SensitiveWordListTest, AnotherServersChangeIsPickedUpFromTheFile) {
  SensitiveWordList here(Path(), *audit_);
  SensitiveWordList there(Path(), *audit_);
  ASSERT_TRUE(here.Load({"赌博"}));
  ASSERT_TRUE(there.Load({"赌博"}));
  // File times are compared for equality; make sure the next write gets a new one.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(here.Replace(security_admin_, {"办证"}));
  EXPECT_TRUE(there.ScreenText("title", "快速办证").empty());
  there.ReloadIfChanged();
  EXPECT_EQ(WordsOf(there), (std::vector<std::string>{"办证"}));
  EXPECT_EQ(there.ScreenText("title", "快速办证").size(), 1u);
  EXPECT_TRUE(there.ScreenText("title", "赌博").empty());
}

TEST_F(SensitiveWordListTest, OnlyTheSecurityAdministratorReplacesAndItIsAudited) {
  SensitiveWordList list(Path(), *audit_);
  ASSERT_TRUE(list.Load({"赌博"}));
  auto refused = list.Replace(platform_admin_, {"x"});
  ASSERT_FALSE(refused);
  EXPECT_TRUE(refused.error().Is(ErrorCode::kPermissionDenied));
  EXPECT_EQ(WordsOf(list), (std::vector<std::string>{"赌博"}));
  EXPECT_TRUE(list.Words(platform_admin_));  // the platform admin may read it
  auth::Principal learner;
  learner.user_id = auth::UserId{9};
  EXPECT_FALSE(list.Words(learner));

  ASSERT_TRUE(list.Replace(security_admin_, {"代考", "办证"}));
  auto rows = testing::SqlProbe(*db_).Audit();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].action, "sensitive_words.replace");
  EXPECT_EQ(rows[0].detail, "2 个词");
  EXPECT_EQ(rows[0].actor_id, 7);
  EXPECT_EQ(rows[0].ip, "192.0.2.7");
}

}  // namespace
}  // namespace lep::review
