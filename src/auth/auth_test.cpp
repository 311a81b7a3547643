#include <gtest/gtest.h>

#include "auth/auth_service.h"
#include "auth/authorizer.h"
#include "auth/password.h"
#include "orgs/org_repository_sql.h"
#include "storage/db/migrations.h"

namespace lep::auth {
namespace {

using orgs::Org;
using orgs::OrgId;
using orgs::OrgKind;

TEST(PasswordPolicy, Rules) {
  EXPECT_TRUE(CheckPasswordPolicy("Lep@Demo2022", "gd_admin"));
  auto too_short = CheckPasswordPolicy("Ab1!", "u");
  ASSERT_FALSE(too_short);
  EXPECT_EQ(too_short.error().fields.at(0).field, "password");
  EXPECT_EQ(too_short.error().fields.at(0).label, "密码");
  EXPECT_NE(too_short.error().message.find("密码"), std::string::npos);
  EXPECT_FALSE(CheckPasswordPolicy("abcdefgh12", "u"));   // two classes
  EXPECT_TRUE(CheckPasswordPolicy("abcdefgh12!", "u"));   // three classes
  EXPECT_FALSE(CheckPasswordPolicy("Xgd_Admin1!", "gd_admin"));  // contains username
}

TEST(PasswordHasher, Argon2idRoundTrip) {
  PasswordHasher h(1, 8192);
  auto hash = h.Hash("Lep@Demo2022");
  ASSERT_TRUE(hash);
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(h.Verify(*hash, "Lep@Demo2022"));
  EXPECT_FALSE(h.Verify(*hash, "Lep@Demo2023"));
  EXPECT_NE(*hash, *h.Hash("Lep@Demo2022"));  // salted
}

TEST(Tokens, RandomAndHashed) {
  std::string a = RandomToken(), b = RandomToken();
  EXPECT_EQ(a.size(), 64u);
  EXPECT_NE(a, b);
  EXPECT_EQ(TokenHash(a), TokenHash(a));
  EXPECT_NE(TokenHash(a), a);
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
}

// --- Authorizer: pure decisions over a small tree -------------------------------------
struct Tree {
  Org nou{OrgId{1}, std::nullopt, OrgKind::kOpenUniversity, "国家开放大学", "/1/", "", 0};
  Org ministry{OrgId{2}, OrgId{1}, OrgKind::kMinistryDept, "职成司", "/1/2/", "", 0};
  Org gd{OrgId{3}, OrgId{1}, OrgKind::kProvinceDept, "广东省教育厅", "/1/3/", "广东", 0};
  Org bj{OrgId{4}, OrgId{1}, OrgKind::kProvinceDept, "北京市教育委员会", "/1/4/", "北京", 0};
  Org gd_college{OrgId{5}, OrgId{3}, OrgKind::kProvincialCollege, "岭南", "/1/3/5/", "", 0};
  Org bj_college{OrgId{6}, OrgId{4}, OrgKind::kProvincialCollege, "京华", "/1/4/6/", "", 0};
};

Principal As(Role role, const Org& org) {
  Principal p;
  p.role = role;
  p.org = org;
  return p;
}

TEST(Authorizer, SubtreeVisibility) {
  Tree t;
  auto gd_admin = As(Role::kUnitAdmin, t.gd);
  EXPECT_TRUE(Authorizer::CanSeeOrg(gd_admin, t.gd));
  EXPECT_TRUE(Authorizer::CanSeeOrg(gd_admin, t.gd_college));
  EXPECT_FALSE(Authorizer::CanSeeOrg(gd_admin, t.bj));
  EXPECT_FALSE(Authorizer::CanSeeOrg(gd_admin, t.bj_college));
  EXPECT_FALSE(Authorizer::CanSeeOrg(gd_admin, t.nou));  // parent is outside the subtree
  auto uploader = As(Role::kUploader, t.gd_college);
  EXPECT_FALSE(Authorizer::CanSeeOrg(uploader, t.gd));
  EXPECT_TRUE(Authorizer::CanSeeOrg(As(Role::kAuditor, t.nou), t.bj_college));
  EXPECT_TRUE(Authorizer::CanSeeOrg(As(Role::kReviewer, t.ministry), t.bj_college));
  Principal learner;
  learner.role = Role::kLearner;
  EXPECT_FALSE(Authorizer::CanSeeOrg(learner, t.gd));
}

TEST(Authorizer, OpeningUnits) {
  Tree t;
  auto gd_admin = As(Role::kUnitAdmin, t.gd);
  EXPECT_TRUE(Authorizer::CheckOpenChild(gd_admin, t.gd, OrgKind::kProvincialCollege));
  auto wrong_kind = Authorizer::CheckOpenChild(gd_admin, t.gd, OrgKind::kEnterprise);
  ASSERT_FALSE(wrong_kind);
  EXPECT_EQ(wrong_kind.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(wrong_kind.error().fields.at(0).field, "kind");
  // Only directly under one's own unit.
  EXPECT_EQ(Authorizer::CheckOpenChild(gd_admin, t.gd_college, OrgKind::kProvincialCollege)
                .error()
                .code,
            ErrorCode::kPermissionDenied);
  EXPECT_FALSE(Authorizer::CheckOpenChild(As(Role::kUploader, t.gd), t.gd,
                                          OrgKind::kProvincialCollege));
  EXPECT_TRUE(Authorizer::CheckOpenChild(As(Role::kPlatformAdmin, t.nou), t.bj,
                                         OrgKind::kProvincialCollege));
  EXPECT_FALSE(Authorizer::CheckOpenChild(As(Role::kAuditor, t.nou), t.nou,
                                          OrgKind::kProvinceDept));
}

TEST(Authorizer, CreatingAccounts) {
  Tree t;
  auto gd_admin = As(Role::kUnitAdmin, t.gd);
  EXPECT_TRUE(Authorizer::CheckCreateUser(gd_admin, t.gd, Role::kReviewer));
  EXPECT_TRUE(Authorizer::CheckCreateUser(gd_admin, t.gd_college, Role::kUploader));
  EXPECT_TRUE(Authorizer::CheckCreateUser(gd_admin, t.gd_college, Role::kUnitAdmin));
  EXPECT_FALSE(Authorizer::CheckCreateUser(gd_admin, t.gd_college, Role::kReviewer));
  EXPECT_FALSE(Authorizer::CheckCreateUser(gd_admin, t.gd, Role::kPlatformAdmin));
  EXPECT_FALSE(Authorizer::CheckCreateUser(gd_admin, t.bj, Role::kUploader));
  auto college_admin = As(Role::kUnitAdmin, t.gd_college);
  EXPECT_TRUE(Authorizer::CheckCreateUser(college_admin, t.gd_college, Role::kUploader));
  EXPECT_FALSE(Authorizer::CheckCreateUser(college_admin, t.gd, Role::kUploader));
  EXPECT_FALSE(Authorizer::CheckCreateUser(As(Role::kUploader, t.gd), t.gd, Role::kUploader));
  auto nou_admin = As(Role::kPlatformAdmin, t.nou);
  EXPECT_TRUE(Authorizer::CheckCreateUser(nou_admin, t.nou, Role::kAuditor));
  EXPECT_FALSE(Authorizer::CheckCreateUser(nou_admin, t.gd, Role::kAuditor));
  EXPECT_FALSE(Authorizer::CheckCreateUser(nou_admin, t.gd, Role::kLearner));
}

// --- AuthService over an in-memory database with a fake clock -------------------------
class AuthServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::move(*storage::OpenDatabase(":memory:"));
    ASSERT_TRUE(storage::Migrate(*db_, storage::AllMigrations()));
    orgs_ = orgs::NewSqlOrgRepository(*db_);
    users_ = NewSqlUserRepository(*db_);
    sessions_ = NewSqlSessionRepository(*db_);
    service_ = std::make_unique<AuthService>(*users_, *sessions_, *orgs_, hasher_, clock_,
                                             AuthOptions{});
    root_ = *orgs_->Create(std::nullopt, OrgKind::kOpenUniversity, "国家开放大学", "", 0);
    ASSERT_TRUE(service_->CreateUserUnchecked(
        root_.id, {"alice", "Lep@Demo2022", "Alice", Role::kReviewer}));
  }

  FakeClock clock_;
  PasswordHasher hasher_{1, 8192};
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<orgs::OrgRepository> orgs_;
  std::unique_ptr<UserRepository> users_;
  std::unique_ptr<SessionRepository> sessions_;
  std::unique_ptr<AuthService> service_;
  Org root_;
};

TEST_F(AuthServiceTest, LoginIssuesAFreshTokenEachTime) {
  auto a = service_->Login("alice", "Lep@Demo2022", "127.0.0.1", "test");
  auto b = service_->Login("alice", "Lep@Demo2022", "127.0.0.1", "test");
  ASSERT_TRUE(a);
  ASSERT_TRUE(b);
  EXPECT_NE(a->token, b->token);
  EXPECT_NE(a->csrf_token, b->csrf_token);
  auto p = service_->Authenticate(a->token);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->username, "alice");
  EXPECT_EQ(p->org->name, "国家开放大学");
  EXPECT_FALSE(service_->Authenticate(std::string(64, '0')));
}

TEST_F(AuthServiceTest, WrongPasswordIs401AndSixthTryIsLocked) {
  for (int i = 0; i < 5; ++i) {
    auto r = service_->Login("alice", "wrong-Password1", "ip", "ua");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated) << i;
  }
  auto locked = service_->Login("alice", "Lep@Demo2022", "ip", "ua");
  ASSERT_FALSE(locked);
  EXPECT_EQ(locked.error().code, ErrorCode::kTooManyRequests);
  EXPECT_EQ(locked.error().retry_after_s, 15 * 60);
  clock_.Advance(std::chrono::minutes(14));
  EXPECT_FALSE(service_->Login("alice", "Lep@Demo2022", "ip", "ua"));
  clock_.Advance(std::chrono::minutes(1) + std::chrono::seconds(1));
  EXPECT_TRUE(service_->Login("alice", "Lep@Demo2022", "ip", "ua"));
}

TEST_F(AuthServiceTest, FailuresOutsideTheWindowDoNotLock) {
  for (int i = 0; i < 4; ++i) ASSERT_FALSE(service_->Login("alice", "bad", "ip", "ua"));
  clock_.Advance(std::chrono::minutes(16));
  for (int i = 0; i < 4; ++i) ASSERT_FALSE(service_->Login("alice", "bad", "ip", "ua"));
  EXPECT_TRUE(service_->Login("alice", "Lep@Demo2022", "ip", "ua"));
}

TEST_F(AuthServiceTest, SessionsExpireWhenIdleAndAbsolutely) {
  auto s = service_->Login("alice", "Lep@Demo2022", "ip", "ua");
  ASSERT_TRUE(s);
  clock_.Advance(std::chrono::minutes(29));
  ASSERT_TRUE(service_->Authenticate(s->token));  // activity refreshes the idle timer
  clock_.Advance(std::chrono::minutes(29));
  ASSERT_TRUE(service_->Authenticate(s->token));
  clock_.Advance(std::chrono::minutes(31));
  EXPECT_FALSE(service_->Authenticate(s->token));

  auto t = service_->Login("alice", "Lep@Demo2022", "ip", "ua");
  for (int i = 0; i < 12 * 4 - 1; ++i) {  // active every 15 min for 11 h 45 min
    clock_.Advance(std::chrono::minutes(15));
    ASSERT_TRUE(service_->Authenticate(t->token)) << i;
  }
  clock_.Advance(std::chrono::minutes(16));
  EXPECT_FALSE(service_->Authenticate(t->token));  // 12 h absolute limit
}

TEST_F(AuthServiceTest, LogoutEndsTheSession) {
  auto s = service_->Login("alice", "Lep@Demo2022", "ip", "ua");
  auto p = service_->Authenticate(s->token);
  ASSERT_TRUE(p);
  ASSERT_TRUE(service_->Logout(*p));
  EXPECT_FALSE(service_->Authenticate(s->token));
}

TEST_F(AuthServiceTest, RegistrationValidatesEverything) {
  auto r = service_->RegisterLearner({"1x", "short", "", Role::kPlatformAdmin});
  ASSERT_FALSE(r);
  ASSERT_EQ(r.error().fields.size(), 2u);
  EXPECT_EQ(r.error().fields[0].field, "username");
  EXPECT_EQ(r.error().fields[1].field, "password");
  auto ok = service_->RegisterLearner({"learner1", "Study@2022", "学习者", Role::kPlatformAdmin});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->role, Role::kLearner);  // self-registration can never pick a role
  auto dup = service_->RegisterLearner({"learner1", "Study@2022", "", Role::kLearner});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);
}

}  // namespace
}  // namespace lep::auth
