// Contract suites for every repository. Each runs against every backend available:
// SQLite always; PostgreSQL when LEP_TEST_PG_URL is set (wired in issue 9).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "auth/user_repository.h"
#include "orgs/org_repository_sql.h"
#include "storage/db/migrations.h"

namespace lep {
namespace {

using orgs::OrgId;
using orgs::OrgKind;

class RepositoryContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "sqlite") {
      dir_ = std::filesystem::temp_directory_path() /
             ("lep-contract-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
      std::filesystem::remove_all(dir_);
      std::filesystem::create_directories(dir_);
      auto db = storage::OpenDatabase("sqlite:" + (dir_ / "t.db").string());
      ASSERT_TRUE(db) << db.error().message;
      db_ = std::move(*db);
    } else {
      GTEST_SKIP() << "backend " << GetParam() << " not configured";
    }
    auto m = storage::Migrate(*db_, storage::AllMigrations());
    ASSERT_TRUE(m) << m.error().message;
    orgs_ = orgs::NewSqlOrgRepository(*db_);
    users_ = auth::NewSqlUserRepository(*db_);
    sessions_ = auth::NewSqlSessionRepository(*db_);
  }
  void TearDown() override {
    sessions_.reset();
    users_.reset();
    orgs_.reset();
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
  std::unique_ptr<storage::Database> db_;
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

std::vector<std::string> Backends() {
  std::vector<std::string> b = {"sqlite"};
  if (std::getenv("LEP_TEST_PG_URL")) b.push_back("postgres");
  return b;
}

INSTANTIATE_TEST_SUITE_P(Backends, RepositoryContract, ::testing::ValuesIn(Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace lep
