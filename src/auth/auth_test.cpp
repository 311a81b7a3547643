#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>

#include "auth/auth_service.h"
#include "auth/authorizer.h"
#include "auth/password.h"
#include "security/totp.h"
#include "orgs/org_repository_sql.h"
#include "app/schema.h"
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
  EXPECT_TRUE(Authorizer::CheckCreateUser(nou_admin, t.nou, Role::kReviewer));
  // 三权分立: the platform admin cannot open auditor / security admin / platform admin
  // accounts through the product (only `lep user add` from the shell can).
  EXPECT_FALSE(Authorizer::CheckCreateUser(nou_admin, t.nou, Role::kAuditor));
  EXPECT_FALSE(Authorizer::CheckCreateUser(nou_admin, t.nou, Role::kSecurityAdmin));
  EXPECT_FALSE(Authorizer::CheckCreateUser(nou_admin, t.nou, Role::kPlatformAdmin));
  EXPECT_FALSE(Authorizer::CheckCreateUser(nou_admin, t.gd, Role::kAuditor));
  EXPECT_FALSE(Authorizer::CheckCreateUser(nou_admin, t.gd, Role::kLearner));
}

// --- AuthService over an in-memory database with a fake clock -------------------------
class AuthServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::move(*storage::OpenDatabase(":memory:"));
    ASSERT_TRUE(storage::Migrate(*db_, app::AllMigrations()));
    orgs_ = orgs::NewSqlOrgRepository(*db_, cipher_);
    users_ = NewSqlUserRepository(*db_);
    sessions_ = NewSqlSessionRepository(*db_);
    service_ = std::make_unique<AuthService>(*users_, *sessions_, *orgs_, hasher_, clock_,
                                             AuthOptions{}, cipher_);
    root_ = *orgs_->Create(std::nullopt, OrgKind::kOpenUniversity, "国家开放大学", "", 0);
    ASSERT_TRUE(service_->CreateUserUnchecked(
        root_.id, {"alice", "Lep@Demo2022", "Alice", Role::kReviewer}));
  }

  FakeClock clock_;
  PasswordHasher hasher_{1, 8192};
  security::FieldCipher cipher_ = *security::FieldCipher::FromKey(std::string(32, 'k'));
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

TEST(LearnerUsernames, PhoneNumbersAndChineseNamesAreAccepted) {
  EXPECT_EQ(ValidateLearnerUsername("13800001234"), std::nullopt);
  EXPECT_EQ(ValidateLearnerUsername("王秀英"), std::nullopt);
  EXPECT_EQ(ValidateLearnerUsername("王秀英1955"), std::nullopt);
  EXPECT_EQ(ValidateLearnerUsername("retiree01"), std::nullopt);
  EXPECT_NE(ValidateLearnerUsername("1380000123"), std::nullopt);   // 10 digits
  EXPECT_NE(ValidateLearnerUsername("23800001234"), std::nullopt);  // not a mobile number
  EXPECT_NE(ValidateLearnerUsername("王"), std::nullopt);           // one character
  EXPECT_NE(ValidateLearnerUsername("王 秀英"), std::nullopt);      // a space
  EXPECT_NE(ValidateLearnerUsername("王秀英！"), std::nullopt);     // punctuation
  EXPECT_NE(ValidateLearnerUsername(std::string("\xe7\x8e", 2)), std::nullopt);  // broken UTF-8
  // Units' staff keep the ASCII rule.
  EXPECT_NE(ValidateUsername("王秀英"), std::nullopt);
}

TEST_F(AuthServiceTest, SignUpNeedsPrivacyConsentAndRecordsIt) {
  auto no = service_->RegisterLearner({"王秀英", "Study@2022", "", Role::kLearner, false});
  ASSERT_FALSE(no);
  EXPECT_EQ(no.error().fields.at(0).field, "privacy_consent");
  auto yes = service_->RegisterLearner({"王秀英", "Study@2022", "", Role::kLearner, true});
  ASSERT_TRUE(yes) << yes.error().message;
  EXPECT_GT(yes->privacy_consent_at, 0);
  auto phone = service_->RegisterLearner({"13800001234", "Study@2022", "", Role::kLearner, true});
  ASSERT_TRUE(phone) << phone.error().message;
  ASSERT_TRUE(service_->Login("王秀英", "Study@2022", "127.0.0.1", "test"));
}

TEST_F(AuthServiceTest, RegistrationValidatesEverything) {
  auto r = service_->RegisterLearner({"1x", "short", "", Role::kPlatformAdmin, true});
  ASSERT_FALSE(r);
  ASSERT_EQ(r.error().fields.size(), 2u);
  EXPECT_EQ(r.error().fields[0].field, "username");
  EXPECT_EQ(r.error().fields[1].field, "password");
  auto ok = service_->RegisterLearner({"learner1", "Study@2022", "学习者", Role::kPlatformAdmin, true});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->role, Role::kLearner);  // self-registration can never pick a role
  auto dup = service_->RegisterLearner({"learner1", "Study@2022", "", Role::kLearner, true});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);
}

// --- two-factor sign-in (TOTP) -------------------------------------------------------
std::string CodeNow(const std::string& b32, const Clock& clock, int64_t step_offset = 0) {
  auto raw = security::Base32Decode(b32);
  return security::TotpCodeAtStep(*raw, clock.NowMs() / 1000 / 30 + step_offset);
}

TEST_F(AuthServiceTest, PrivilegedRolesMustEnrolAfterTheGracePeriod) {
  auto s = service_->Login("alice", "Lep@Demo2022", "ip", "ua");  // a reviewer
  ASSERT_TRUE(s);
  auto p = service_->Authenticate(s->token);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->two_factor.required);
  EXPECT_FALSE(p->two_factor.enabled);
  EXPECT_FALSE(p->two_factor.enrolment_required);
  EXPECT_EQ(p->two_factor.grace_until, s->user.created_at + int64_t{7} * 24 * 3600 * 1000);
  clock_.Advance(std::chrono::hours(24 * 7));
  auto late = service_->Login("alice", "Lep@Demo2022", "ip", "ua");
  ASSERT_TRUE(late);
  EXPECT_TRUE(service_->Authenticate(late->token)->two_factor.enrolment_required);
  // Learners are never asked.
  ASSERT_TRUE(service_->RegisterLearner({"learner2", "Study@2022", "", Role::kLearner, true}));
  auto l = service_->Login("learner2", "Study@2022", "ip", "ua");
  EXPECT_FALSE(service_->Authenticate(l->token)->two_factor.required);
}

TEST_F(AuthServiceTest, EnrolThenEverySignInNeedsAFreshCode) {
  auto s = service_->Login("alice", "Lep@Demo2022", "ip", "ua");
  auto p = *service_->Authenticate(s->token);
  auto setup = service_->BeginTotpSetup(p);
  ASSERT_TRUE(setup) << setup.error().message;
  EXPECT_EQ(setup->otpauth_uri.rfind("otpauth://totp/", 0), 0u);
  // Not active before it is confirmed with a code.
  EXPECT_TRUE(service_->Login("alice", "Lep@Demo2022", "ip", "ua"));
  auto wrong = service_->ConfirmTotp(p, "000000" == CodeNow(setup->secret_b32, clock_) ? "111111"
                                                                                       : "000000");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::kTotpInvalid);
  auto codes = service_->ConfirmTotp(p, CodeNow(setup->secret_b32, clock_));
  ASSERT_TRUE(codes) << codes.error().message;
  ASSERT_EQ(codes->size(), 10u);
  // The secret is stored encrypted, not as its Base32 or raw form.
  auto stored = *users_->GetByUsername("alice");
  EXPECT_TRUE(security::FieldCipher::IsEncrypted(stored->totp_secret));
  EXPECT_EQ(stored->totp_secret.find(setup->secret_b32), std::string::npos);

  auto no_code = service_->Login("alice", "Lep@Demo2022", "ip", "ua");
  ASSERT_FALSE(no_code);
  EXPECT_EQ(no_code.error().code, ErrorCode::kTotpRequired);
  clock_.Advance(std::chrono::seconds(30));
  LoginRequest req{"alice", "Lep@Demo2022", CodeNow(setup->secret_b32, clock_), "", "ip", "ua"};
  auto ok = service_->Login(req);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_TRUE(service_->Authenticate(ok->token)->two_factor.enabled);
  auto replay = service_->Login(req);  // the same code twice: refused
  ASSERT_FALSE(replay);
  EXPECT_EQ(replay.error().code, ErrorCode::kTotpInvalid);
  // Wrong password with a right code is still a wrong password.
  clock_.Advance(std::chrono::seconds(30));
  auto bad_pw = service_->Login({"alice", "Wrong@Pass1", CodeNow(setup->secret_b32, clock_), "",
                                 "ip", "ua"});
  EXPECT_EQ(bad_pw.error().code, ErrorCode::kUnauthenticated);

  // A recovery code works once.
  LoginRequest rec{"alice", "Lep@Demo2022", "", codes->at(3), "ip", "ua"};
  EXPECT_TRUE(service_->Login(rec));
  auto again = service_->Login(rec);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kTotpInvalid);
  EXPECT_EQ((*users_->GetByUsername("alice"))->totp_recovery.size(), 9u);
}

TEST_F(AuthServiceTest, WrongCodesCountTowardsTheLockout) {
  auto s = service_->Login("alice", "Lep@Demo2022", "ip", "ua");
  auto p = *service_->Authenticate(s->token);
  auto setup = *service_->BeginTotpSetup(p);
  ASSERT_TRUE(service_->ConfirmTotp(p, CodeNow(setup.secret_b32, clock_)));
  std::string right = CodeNow(setup.secret_b32, clock_, 5);  // outside the window
  for (int i = 0; i < 5; ++i) {
    auto r = service_->Login({"alice", "Lep@Demo2022", right, "", "ip", "ua"});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kTotpInvalid) << i;
  }
  auto locked = service_->Login({"alice", "Lep@Demo2022", CodeNow(setup.secret_b32, clock_, 1), "",
                                 "ip", "ua"});
  ASSERT_FALSE(locked);
  EXPECT_EQ(locked.error().code, ErrorCode::kTooManyRequests);
}

TEST_F(AuthServiceTest, OnlyTheSecurityAdminResetsTwoFactorAndUnlocks) {
  ASSERT_TRUE(service_->CreateUserUnchecked(
      root_.id, {"sec", "Lep@Demo2022", "安全", Role::kSecurityAdmin}));
  ASSERT_TRUE(service_->CreateUserUnchecked(
      root_.id, {"boss", "Lep@Demo2022", "平台", Role::kPlatformAdmin}));
  auto alice = *service_->Authenticate(service_->Login("alice", "Lep@Demo2022", "ip", "ua")->token);
  auto setup = *service_->BeginTotpSetup(alice);
  ASSERT_TRUE(service_->ConfirmTotp(alice, CodeNow(setup.secret_b32, clock_)));
  auto sec = *service_->Authenticate(service_->Login("sec", "Lep@Demo2022", "ip", "ua")->token);
  auto boss = *service_->Authenticate(service_->Login("boss", "Lep@Demo2022", "ip", "ua")->token);
  EXPECT_EQ(service_->ResetTotp(boss, alice.user_id).error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_->Unlock(boss, alice.user_id).error().code, ErrorCode::kPermissionDenied);
  ASSERT_TRUE(service_->ResetTotp(sec, alice.user_id));
  EXPECT_FALSE(service_->Authenticate(service_->Login("alice", "Lep@Demo2022", "ip", "ua")->token)
                   ->two_factor.enabled);
  for (int i = 0; i < 5; ++i) ASSERT_FALSE(service_->Login("alice", "bad", "ip", "ua"));
  EXPECT_EQ(service_->Login("alice", "Lep@Demo2022", "ip", "ua").error().code,
            ErrorCode::kTooManyRequests);
  ASSERT_TRUE(service_->Unlock(sec, alice.user_id));
  EXPECT_TRUE(service_->Login("alice", "Lep@Demo2022", "ip", "ua"));
}

TEST_F(AuthServiceTest, SecurityEventsReachTheAuditSink) {
  std::vector<security::AuditRecord> seen;
  service_->SetAuditSink([&](const security::AuditRecord& r) -> Status {
    seen.push_back(r);
    return Ok();
  });
  ASSERT_FALSE(service_->Login("alice", "bad", "10.0.0.9", "ua"));
  ASSERT_FALSE(service_->Login("nobody", "bad", "10.0.0.9", "ua"));
  ASSERT_TRUE(service_->Login("alice", "Lep@Demo2022", "10.0.0.9", "ua"));
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].action, "auth.login");
  EXPECT_EQ(seen[0].result, "failed");
  EXPECT_EQ(seen[0].ip, "10.0.0.9");
  EXPECT_FALSE(seen[1].actor_id.has_value());
  EXPECT_EQ(seen[2].result, "ok");
}

TEST_F(AuthServiceTest, PasswordLengthFollowsThePolicy) {
  auto opt = service_->options();
  opt.password_min_length = 12;
  service_->SetOptions(opt);
  auto r = service_->RegisterLearner({"learner3", "Study@2022", "", Role::kLearner, true});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().fields.at(0).message.find("12"), std::string::npos);
  EXPECT_TRUE(service_->RegisterLearner({"learner3", "Study@2022abc", "", Role::kLearner, true}));
}

// --- throttling, enumeration, fail-closed audit (issue 14 items 4 and 5) --------------

// Counts the password checks (and the hashes they were made against).
class CountingHasher final : public PasswordHasher {
 public:
  using PasswordHasher::PasswordHasher;
  bool Verify(std::string_view hash, std::string_view password) const override {
    {
      std::lock_guard lock(mu_);
      hashes_.emplace_back(hash);
    }
    return PasswordHasher::Verify(hash, password);
  }
  size_t checks() const {
    std::lock_guard lock(mu_);
    return hashes_.size();
  }
  std::vector<std::string> hashes() const {
    std::lock_guard lock(mu_);
    return hashes_;
  }

 private:
  mutable std::mutex mu_;
  mutable std::vector<std::string> hashes_;
};

// The parameter part of an Argon2id string: "$argon2id$v=19$m=8,t=1,p=1$".
std::string Argon2Params(const std::string& hash) {
  size_t n = 0, pos = 0;
  for (; n < 3 && pos != std::string::npos; ++n) pos = hash.find('$', pos + 1);
  return hash.substr(0, pos == std::string::npos ? hash.size() : pos + 1);
}

// AuthService over a SQLite file (several connections, so attempts really run at once).
class ThrottleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("lep_auth_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    db_ = std::move(*storage::OpenDatabase("sqlite:" + (dir_ / "auth.db").string()));
    ASSERT_TRUE(storage::Migrate(*db_, app::AllMigrations()));
    orgs_ = orgs::NewSqlOrgRepository(*db_, cipher_);
    users_ = NewSqlUserRepository(*db_);
    sessions_ = NewSqlSessionRepository(*db_);
    service_ = std::make_unique<AuthService>(*users_, *sessions_, *orgs_, hasher_, clock_,
                                             AuthOptions{}, cipher_);
    service_->SetAuditSink([this](const security::AuditRecord& r) -> Status {
      std::lock_guard lock(mu_);
      if (refuse_audit_) return Fail(Error{ErrorCode::kUnavailable, "审计不可写", {}, {}});
      audit_.push_back(r);
      return Ok();
    });
    root_ = *orgs_->Create(std::nullopt, OrgKind::kOpenUniversity, "国家开放大学", "", 0);
    ASSERT_TRUE(service_->CreateUserUnchecked(
        root_.id, {"sec", "Lep@Demo2022", "安全管理员", Role::kSecurityAdmin}));
  }
  void TearDown() override {
    service_.reset();
    sessions_.reset();
    users_.reset();
    orgs_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  Result<LoginResult> Try(const std::string& user, const std::string& password,
                          const std::string& ip) {
    return service_->Login(user, password, ip, "ua");
  }
  size_t AuditCount(const std::string& result) {
    std::lock_guard lock(mu_);
    return static_cast<size_t>(std::count_if(audit_.begin(), audit_.end(), [&](const auto& r) {
      return r.action == "auth.login" && r.result == result;
    }));
  }

  std::filesystem::path dir_;
  FakeClock clock_;
  // Argon2id with a real (small) cost, so a check takes long enough for attempts to overlap.
  CountingHasher hasher_{1, 1 << 20};
  security::FieldCipher cipher_ = *security::FieldCipher::FromKey(std::string(32, 'k'));
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<orgs::OrgRepository> orgs_;
  std::unique_ptr<UserRepository> users_;
  std::unique_ptr<SessionRepository> sessions_;
  std::unique_ptr<AuthService> service_;
  Org root_;
  std::mutex mu_;
  bool refuse_audit_ = false;
  std::vector<security::AuditRecord> audit_;
};

TEST_F(ThrottleTest, ConcurrentWrongPasswordsGetOnlyThresholdChecks) {
  constexpr int kAttempts = 40;
  std::vector<std::thread> threads;
  std::atomic<int> unauthenticated{0}, too_many{0};
  for (int i = 0; i < kAttempts; ++i) {
    threads.emplace_back([&] {
      auto r = Try("sec", "Wrong@Pass1", "198.51.100.7");
      if (!r && r.error().Is(ErrorCode::kUnauthenticated)) ++unauthenticated;
      if (!r && r.error().Is(ErrorCode::kTooManyRequests)) ++too_many;
    });
  }
  for (auto& t : threads) t.join();
  // The count is taken before the hash, atomically: exactly the threshold is checked.
  EXPECT_EQ(hasher_.checks(), 5u);
  EXPECT_EQ(unauthenticated.load(), 5);
  EXPECT_EQ(too_many.load(), kAttempts - 5);
  EXPECT_EQ(AuditCount("failed"), 5u);
  EXPECT_EQ(AuditCount("locked"), static_cast<size_t>(kAttempts - 5));
  {
    std::lock_guard lock(mu_);
    EXPECT_EQ(std::count_if(audit_.begin(), audit_.end(),
                            [](const auto& r) { return r.action == "auth.lockout"; }),
              1);  // one lock, audited once, whoever applied it
  }
  auto right = Try("sec", "Lep@Demo2022", "198.51.100.7");  // locked: not even checked
  ASSERT_FALSE(right);
  EXPECT_EQ(right.error().code, ErrorCode::kTooManyRequests);
  EXPECT_EQ(hasher_.checks(), 5u);
}

TEST_F(ThrottleTest, AStrangerCannotLockTheUserOutOfTheirUsualAddress) {
  const std::string home = "10.0.0.8", stranger = "203.0.113.9";
  ASSERT_TRUE(Try("sec", "Lep@Demo2022", home));  // the address becomes known
  // One stranger, trying for hours: locked with back-off 15, 30, 60 min…
  int64_t expected_lock_s = 15 * 60;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 5; ++i) ASSERT_FALSE(Try("sec", "Wrong@Pass1", stranger));
    auto locked = Try("sec", "Lep@Demo2022", stranger);
    ASSERT_FALSE(locked);
    EXPECT_EQ(locked.error().code, ErrorCode::kTooManyRequests);
    EXPECT_EQ(locked.error().retry_after_s, expected_lock_s) << "round " << round;
    // Meanwhile the security administrator signs in from the usual address.
    EXPECT_TRUE(Try("sec", "Lep@Demo2022", home)) << "round " << round;
    clock_.Advance(std::chrono::seconds(expected_lock_s));
    expected_lock_s *= 2;
  }
  // Many strangers (a botnet): once 20 failures came from addresses the account never signed
  // in from, every such address is refused, even with the right password…
  clock_.Advance(std::chrono::hours(25));  // a quiet day restarts the back-off
  for (int i = 0; i < 20; ++i) {
    ASSERT_FALSE(Try("sec", "Wrong@Pass1", "192.0.2." + std::to_string(i + 1)));
  }
  auto unknown = Try("sec", "Lep@Demo2022", "192.0.2.200");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kTooManyRequests);
  // … but not the usual address.
  EXPECT_TRUE(Try("sec", "Lep@Demo2022", home));
  // An IPv6 attacker cannot escape by changing the host part of its /64.
  clock_.Advance(std::chrono::minutes(16));  // after the lock for unknown addresses
  for (int i = 0; i < 5; ++i) {
    ASSERT_FALSE(Try("sec", "Wrong@Pass1", "2001:db8:7:8::" + std::to_string(i + 1)));
  }
  EXPECT_EQ(ThrottleAddress("2001:db8:7:8::99"), "2001:db8:7:8::/64");
  EXPECT_EQ(Try("sec", "Lep@Demo2022", "2001:db8:7:8:ffff::1").error().code,
            ErrorCode::kTooManyRequests);
}

TEST_F(ThrottleTest, ThrottleAddressKeys) {
  EXPECT_EQ(ThrottleAddress("10.1.2.3"), "10.1.2.3");
  EXPECT_EQ(ThrottleAddress("::ffff:10.1.2.3"), "10.1.2.3");
  EXPECT_EQ(ThrottleAddress("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
  EXPECT_EQ(ThrottleAddress("::1"), "::/64");
  EXPECT_EQ(ThrottleAddress(""), "");
}

TEST_F(ThrottleTest, UnknownNamesCostOneCheckOfTheSameHashAndLockAlike) {
  auto unknown = Try("ghost", "Wrong@Pass1", "198.51.100.8");
  auto known = Try("sec", "Wrong@Pass1", "198.51.100.8");
  ASSERT_FALSE(unknown);
  ASSERT_FALSE(known);
  EXPECT_EQ(unknown.error().code, known.error().code);
  EXPECT_EQ(unknown.error().message, known.error().message);
  // Exactly one check each, against hashes of the same Argon2id cost.
  auto hashes = hasher_.hashes();
  ASSERT_EQ(hashes.size(), 2u);
  EXPECT_EQ(Argon2Params(hashes[0]), Argon2Params(hashes[1]));
  EXPECT_EQ(Argon2Params(hashes[0]).rfind("$argon2id$v=19$m=1024,t=1,p=1$", 0), 0u) << hashes[0];
  EXPECT_NE(hashes[0], hashes[1]);
  // A name that does not exist locks like one that does: the lockout reveals nothing.
  for (int i = 0; i < 4; ++i) {
    ASSERT_FALSE(Try("ghost", "Wrong@Pass1", "198.51.100.8"));
    ASSERT_FALSE(Try("sec", "Wrong@Pass1", "198.51.100.8"));
  }
  auto ghost_locked = Try("ghost", "Wrong@Pass1", "198.51.100.8");
  auto sec_locked = Try("sec", "Wrong@Pass1", "198.51.100.8");
  EXPECT_EQ(ghost_locked.error().code, ErrorCode::kTooManyRequests);
  EXPECT_EQ(sec_locked.error().code, ErrorCode::kTooManyRequests);
  EXPECT_EQ(ghost_locked.error().retry_after_s, sec_locked.error().retry_after_s);
  // The typed name is never stored as such in the throttle table.
  auto rows = db_->Exec("SELECT account FROM login_throttle");
  ASSERT_TRUE(rows);
  for (const auto& r : rows->rows) EXPECT_EQ(r.Text(0).find("ghost"), std::string::npos);
}

TEST_F(ThrottleTest, SecurityEventsFailClosed) {
  refuse_audit_ = true;
  // A failure that cannot be audited is not a quiet 401.
  auto wrong = Try("sec", "Wrong@Pass1", "10.0.0.8");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::kUnavailable);
  // Nor does an unaudited sign-in happen: no session is handed out or left usable.
  auto right = Try("sec", "Lep@Demo2022", "10.0.0.8");
  ASSERT_FALSE(right);
  EXPECT_EQ(right.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ((*db_->QueryOne("SELECT COUNT(*) FROM sessions"))->Int(0), 0);
  refuse_audit_ = false;
  auto ok = Try("sec", "Lep@Demo2022", "10.0.0.8");
  ASSERT_TRUE(ok);
  auto p = *service_->Authenticate(ok->token);
  // A sign-out that cannot be audited does not happen either.
  refuse_audit_ = true;
  EXPECT_FALSE(service_->Logout(p));
  EXPECT_TRUE(service_->Authenticate(ok->token));
  refuse_audit_ = false;
  EXPECT_TRUE(service_->Logout(p));
  EXPECT_FALSE(service_->Authenticate(ok->token));
}

}  // namespace
}  // namespace lep::auth
