// Account lifecycle over the real server (issue 17 §1, 等保三级 身份鉴别): one's own password
// change, activation links (hash only, single use, expiry on the fake clock), temporary
// passwords that restrict the session until changed, resets / disabling / role changes within
// the administrator's units (another province's accounts answer 404 and stay unchanged),
// unit renames that reach the portal, and the learners' privacy consent.
#include <gtest/gtest.h>

#include "integration/server_fixture.h"
#include "security/totp.h"

namespace lep::testing {
namespace {

using nlohmann::json;

constexpr const char* kCollege = "岭南示范职业技术学院（演示）";

class AccountsTest : public ::testing::Test {
 protected:
  int64_t Id(const std::string& sql, const std::string& arg) {
    auto r = server_.ctx().db->QueryOne(sql, {arg});
    return r && *r ? (*r)->Int(0) : -1;
  }
  int64_t UserId(const std::string& name) {
    return Id("SELECT id FROM users WHERE username = ?", name);
  }
  int64_t OrgId(const std::string& name) { return Id("SELECT id FROM orgs WHERE name = ?", name); }
  std::string Text(const std::string& sql, const std::vector<storage::Value>& args = {}) {
    auto r = server_.ctx().db->QueryOne(sql, args);
    return r && *r ? (*r)->Text(0) : "";
  }
  int64_t Count(const std::string& sql, const std::vector<storage::Value>& args = {}) {
    auto r = server_.ctx().db->QueryOne(sql, args);
    return r && *r ? (*r)->Int(0) : -1;
  }
  Client As(const std::string& user, const std::string& password = "Lep@Demo2022") {
    Client c(server_.port());
    EXPECT_EQ(c.Login(user, password).status, 200) << user;
    return c;
  }
  std::string Users(int64_t org) { return "/api/v1/orgs/" + std::to_string(org) + "/users"; }
  std::string UserUrl(int64_t id, const std::string& tail) {
    return "/api/v1/users/" + std::to_string(id) + tail;
  }
  // Anonymous JSON POST the way the activation page sends it.
  HttpResult Anon(const std::string& path, const json& body,
                  std::map<std::string, std::string> headers = {}) {
    Client c(server_.port());
    return c.Request("POST", path, body.dump(), std::move(headers));
  }
  static std::string TokenOf(const json& credential) {
    std::string path = credential["activation_path"].get<std::string>();
    auto at = path.find("#token=");
    return at == std::string::npos ? "" : path.substr(at + 7);
  }

  TestServer server_;
};

TEST_F(AccountsTest, ChangingOnesPasswordEndsTheOtherSessionsAndKeepsThisOne) {
  Client here = As("gd_uploader");
  Client elsewhere = As("gd_uploader");
  auto wrong = here.Send("POST", "/api/v1/me/password",
                         {{"current_password", "Wrong@pass1"}, {"new_password", "Neu#Pass2022"}});
  ASSERT_EQ(wrong.status, 400) << wrong.body;
  EXPECT_EQ(wrong.Json()["error"]["fields"][0]["field"], "current_password");
  auto weak = here.Send("POST", "/api/v1/me/password",
                        {{"current_password", "Lep@Demo2022"}, {"new_password", "12345678"}});
  ASSERT_EQ(weak.status, 400) << weak.body;
  EXPECT_EQ(weak.Json()["error"]["fields"][0]["field"], "new_password");
  EXPECT_NE(weak.Json()["error"]["message"].get<std::string>().find("密码"), std::string::npos);
  auto same = here.Send("POST", "/api/v1/me/password",
                        {{"current_password", "Lep@Demo2022"}, {"new_password", "Lep@Demo2022"}});
  EXPECT_EQ(same.status, 400);
  EXPECT_EQ(elsewhere.Get("/api/v1/me").status, 200);  // nothing changed so far

  auto ok = here.Send("POST", "/api/v1/me/password",
                      {{"current_password", "Lep@Demo2022"}, {"new_password", "Neu#Pass2022"}});
  ASSERT_EQ(ok.status, 204) << ok.body;
  EXPECT_EQ(here.Get("/api/v1/me").status, 200);       // this session stays
  EXPECT_EQ(elsewhere.Get("/api/v1/me").status, 401);  // the other one ended
  Client c(server_.port());
  EXPECT_EQ(c.Login("gd_uploader").status, 401);
  EXPECT_EQ(c.Login("gd_uploader", "Neu#Pass2022").status, 200);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'user.password.change' AND "
                  "actor_id = ?",
                  {UserId("gd_uploader")}),
            1);
}

TEST_F(AccountsTest, WrongCurrentPasswordsCountTowardsTheLockout) {
  Client c = As("gd_uploader");
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(c.Send("POST", "/api/v1/me/password",
                     {{"current_password", "Wrong@pass1"}, {"new_password", "Neu#Pass2022"}})
                  .status,
              400);
  }
  auto locked = c.Send("POST", "/api/v1/me/password",
                       {{"current_password", "Lep@Demo2022"}, {"new_password", "Neu#Pass2022"}});
  EXPECT_EQ(locked.status, 429) << locked.body;
  EXPECT_EQ(Count("SELECT password_changed_at FROM users WHERE username = 'gd_uploader'"), 0);
  // The same lock as five wrong sign-ins: this address cannot sign in to the account either.
  Client other(server_.port());
  EXPECT_EQ(other.Login("gd_uploader").status, 429);
}

TEST_F(AccountsTest, ChangingThePasswordNeedsTheTotpCodeWhenEnrolled) {
  Client admin = As("gd_admin");
  auto setup = admin.Send("POST", "/api/v1/me/totp/setup", json::object());
  ASSERT_EQ(setup.status, 200);
  auto secret = *security::Base32Decode(setup.Json()["secret"].get<std::string>());
  auto code = [&](int64_t offset) {
    return security::TotpCodeAtStep(secret, server_.clock().NowMs() / 1000 / 30 + offset);
  };
  ASSERT_EQ(admin.Send("POST", "/api/v1/me/totp/confirm", {{"code", code(0)}}).status, 200);
  server_.clock().Advance(std::chrono::milliseconds(31'000));
  auto without =
      admin.Send("POST", "/api/v1/me/password",
                 {{"current_password", "Lep@Demo2022"}, {"new_password", "Neu#Pass2022"}});
  ASSERT_EQ(without.status, 400) << without.body;
  EXPECT_EQ(without.Json()["error"]["fields"][0]["field"], "totp_code");
  auto with = admin.Send("POST", "/api/v1/me/password",
                         {{"current_password", "Lep@Demo2022"},
                          {"new_password", "Neu#Pass2022"},
                          {"totp_code", code(0)}});
  EXPECT_EQ(with.status, 204) << with.body;
}

TEST_F(AccountsTest, ANewAccountsActivationLinkIsStoredHashedAndWorksOnce) {
  Client admin = As("gd_admin");
  auto made = admin.Send(
      "POST", Users(OrgId(kCollege)),
      {{"username", "lingnan_clerk"}, {"display_name", "新录入员"}, {"role", "uploader"}});
  ASSERT_EQ(made.status, 201) << made.body;
  json cred = made.Json()["credential"];
  EXPECT_EQ(cred["delivery"], "link");
  EXPECT_FALSE(cred["mailed"].get<bool>());
  const std::string token = TokenOf(cred);
  ASSERT_EQ(token.size(), 64u) << cred.dump();
  EXPECT_EQ(made.headers["cache-control"], "no-store");
  // Only the hash is stored; the administrator never learns a password.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM account_tokens WHERE token_hash = ?", {token}), 0);
  EXPECT_EQ(
      Count("SELECT COUNT(*) FROM account_tokens WHERE user_id = ?", {UserId("lingnan_clerk")}), 1);
  Client nobody(server_.port());
  EXPECT_EQ(nobody.Login("lingnan_clerk", "Lep@Demo2022").status, 401);

  auto check = Anon("/api/v1/auth/activation/check", {{"token", token}});
  ASSERT_EQ(check.status, 200) << check.body;
  EXPECT_EQ(check.Json()["username"], "lingnan_clerk");
  EXPECT_EQ(check.Json()["purpose"], "activate");
  auto weak = Anon("/api/v1/auth/activate", {{"token", token}, {"password", "short"}});
  ASSERT_EQ(weak.status, 400);
  EXPECT_EQ(weak.Json()["error"]["fields"][0]["field"], "password");
  auto ok = Anon("/api/v1/auth/activate", {{"token", token}, {"password", "Mein#Pass2022"}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  auto again = Anon("/api/v1/auth/activate", {{"token", token}, {"password", "Other#Pass2022"}});
  EXPECT_EQ(again.status, 410);
  EXPECT_EQ(again.Json()["error"]["code"], "gone");
  EXPECT_EQ(Anon("/api/v1/auth/activation/check", {{"token", token}}).status, 410);
  Client owner(server_.port());
  EXPECT_EQ(owner.Login("lingnan_clerk", "Other#Pass2022").status, 401);
  auto in = owner.Login("lingnan_clerk", "Mein#Pass2022");
  ASSERT_EQ(in.status, 200) << in.body;
  EXPECT_FALSE(in.Json()["user"]["password_change_required"].get<bool>());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'user.activate'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'user.activation.issue'"), 1);
}

TEST_F(AccountsTest, ActivationLinksExpireAfterSeventyTwoHours) {
  Client admin = As("gd_admin");
  auto made = admin.Send("POST", Users(OrgId(kCollege)),
                         {{"username", "late_clerk"}, {"role", "uploader"}});
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string token = TokenOf(made.Json()["credential"]);
  server_.clock().Advance(std::chrono::milliseconds(72LL * 3600 * 1000 - 1000));
  EXPECT_EQ(Anon("/api/v1/auth/activation/check", {{"token", token}}).status, 200);
  server_.clock().Advance(std::chrono::milliseconds(1000));
  EXPECT_EQ(Anon("/api/v1/auth/activation/check", {{"token", token}}).status, 410);
  EXPECT_EQ(Anon("/api/v1/auth/activate", {{"token", token}, {"password", "Mein#Pass2022"}}).status,
            410);
  // Malformed tokens are the same answer.
  EXPECT_EQ(Anon("/api/v1/auth/activate", {{"token", "abc"}, {"password", "Mein#Pass2022"}}).status,
            410);
}

TEST_F(AccountsTest, ATemporaryPasswordOnlyReachesTheOwnAccountUntilChanged) {
  Client admin = As("gd_admin");
  auto made = admin.Send(
      "POST", Users(OrgId(kCollege)),
      {{"username", "temp_clerk"}, {"role", "uploader"}, {"delivery", "temporary_password"}});
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string temp = made.Json()["credential"]["temporary_password"];
  EXPECT_GE(temp.size(), 14u);
  EXPECT_TRUE(made.Json()["credential"]["activation_path"].is_null());
  Client c(server_.port());
  auto in = c.Login("temp_clerk", temp);
  ASSERT_EQ(in.status, 200) << in.body;
  EXPECT_TRUE(in.Json()["user"]["password_change_required"].get<bool>());
  EXPECT_EQ(c.Get("/api/v1/me").status, 200);
  auto blocked = c.Get("/api/v1/resources");
  EXPECT_EQ(blocked.status, 403);
  EXPECT_EQ(blocked.Json()["error"]["code"], "password_change_required");
  EXPECT_EQ(c.Send("POST", "/api/v1/resources", {{"title", "x"}}).status, 403);
  ASSERT_EQ(c.Send("POST", "/api/v1/me/password",
                   {{"current_password", temp}, {"new_password", "Mein#Pass2022"}})
                .status,
            204);
  EXPECT_FALSE(c.Get("/api/v1/me").Json()["user"]["password_change_required"].get<bool>());
  EXPECT_EQ(c.Get("/api/v1/resources").status, 200);
}

TEST_F(AccountsTest, DemoAccountsAreNotForcedToChangeTheirPassword) {
  for (const char* user : {"gd_admin", "gd_uploader", "demo_learner", "nou_security"}) {
    Client c(server_.port());
    auto in = c.Login(user);
    ASSERT_EQ(in.status, 200) << user;
    EXPECT_FALSE(in.Json()["user"]["password_change_required"].get<bool>()) << user;
  }
}

TEST_F(AccountsTest, AnotherProvincesAdminCannotResetDisableOrChangeTheRoleOfItsAccounts) {
  const int64_t victim = UserId("gd_uploader");
  const std::string before = Text(
      "SELECT password_hash || '|' || disabled || '|' || role FROM users WHERE id = ?", {victim});
  Client session = As("gd_uploader");
  Client bj = As("bj_admin");
  for (const auto& [method, tail, body] : std::vector<std::tuple<std::string, std::string, json>>{
           {"POST", "/password-reset", json::object()},
           {"POST", "/password-reset", json{{"delivery", "temporary_password"}}},
           {"POST", "/disable", json::object()},
           {"POST", "/enable", json::object()},
           {"PUT", "/role", json{{"role", "unit_admin"}}}}) {
    auto r = bj.Send(method, UserUrl(victim, tail), body);
    EXPECT_EQ(r.status, 404) << tail << " " << r.body;
  }
  // An uploader of the same province has no right either (inside the subtree: 403).
  Client peer = As("gd_reviewer");
  EXPECT_EQ(peer.Send("POST", UserUrl(victim, "/disable"), json::object()).status, 403);
  EXPECT_EQ(Text("SELECT password_hash || '|' || disabled || '|' || role FROM users WHERE id = ?",
                 {victim}),
            before);
  EXPECT_EQ(session.Get("/api/v1/me").status, 200);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM account_tokens WHERE user_id = ?", {victim}), 0);
}

TEST_F(AccountsTest, TheUnitsAdminResetsWithALinkAndTheOldPasswordStopsWorking) {
  const int64_t victim = UserId("gd_uploader");
  Client session = As("gd_uploader");
  Client gd = As("gd_admin");
  auto r = gd.Send("POST", UserUrl(victim, "/password-reset"), json::object());
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string token = TokenOf(r.Json()["credential"]);
  EXPECT_EQ(session.Get("/api/v1/me").status, 401);  // sessions ended
  Client c(server_.port());
  EXPECT_EQ(c.Login("gd_uploader").status, 401);
  auto check = Anon("/api/v1/auth/activation/check", {{"token", token}});
  EXPECT_EQ(check.Json()["purpose"], "reset");
  // A second reset makes the first link void.
  auto second = gd.Send("POST", UserUrl(victim, "/password-reset"), json::object());
  ASSERT_EQ(second.status, 200);
  EXPECT_EQ(Anon("/api/v1/auth/activate", {{"token", token}, {"password", "Mein#Pass2022"}}).status,
            410);
  ASSERT_EQ(Anon("/api/v1/auth/activate",
                 {{"token", TokenOf(second.Json()["credential"])}, {"password", "Mein#Pass2022"}})
                .status,
            200);
  EXPECT_EQ(c.Login("gd_uploader", "Mein#Pass2022").status, 200);
  // One's own account is changed through "修改密码", not reset.
  EXPECT_EQ(gd.Send("POST", UserUrl(UserId("gd_admin"), "/password-reset"), json::object()).status,
            403);
}

TEST_F(AccountsTest, DisabledAccountsCannotSignInAndTheirSessionsEnd) {
  const int64_t victim = UserId("gd_uploader");
  Client session = As("gd_uploader");
  Client gd = As("gd_admin");
  auto off = gd.Send("POST", UserUrl(victim, "/disable"), json::object());
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_TRUE(off.Json()["user"]["disabled"].get<bool>());
  EXPECT_EQ(session.Get("/api/v1/me").status, 401);
  Client c(server_.port());
  auto refused = c.Login("gd_uploader");
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.Json()["error"]["code"], "account_disabled");
  EXPECT_NE(refused.Json()["error"]["message"].get<std::string>().find("停用"), std::string::npos);
  EXPECT_TRUE(c.cookie.empty());
  // A wrong password still says only "wrong": a disabled account is not revealed by it.
  EXPECT_EQ(c.Login("gd_uploader", "Wrong@pass1").status, 401);
  ASSERT_EQ(gd.Send("POST", UserUrl(victim, "/enable"), json::object()).status, 200);
  EXPECT_EQ(c.Login("gd_uploader").status, 200);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action IN ('user.disable', "
                  "'user.enable') AND object = ?",
                  {"user:" + std::to_string(victim)}),
            2);
}

TEST_F(AccountsTest, TheSecurityAdminResetsAnyAccountAndPlatformRolesAreItsAlone) {
  Client sec = As("nou_security");
  Client admin = As("nou_admin");
  // The platform admin cannot reset or disable the security admin (三权分立).
  EXPECT_EQ(
      admin.Send("POST", UserUrl(UserId("nou_security"), "/password-reset"), json::object()).status,
      403);
  EXPECT_EQ(admin.Send("POST", UserUrl(UserId("nou_auditor"), "/disable"), json::object()).status,
            403);
  auto r = sec.Send("POST", UserUrl(UserId("bj_uploader"), "/password-reset"),
                    {{"delivery", "temporary_password"}});
  ASSERT_EQ(r.status, 200) << r.body;
  Client c(server_.port());
  auto in = c.Login("bj_uploader", r.Json()["credential"]["temporary_password"]);
  ASSERT_EQ(in.status, 200);
  EXPECT_TRUE(in.Json()["user"]["password_change_required"].get<bool>());
  // …and learners, who belong to no unit.
  EXPECT_EQ(sec.Send("POST", UserUrl(UserId("demo_learner"), "/disable"), json::object()).status,
            200);
  EXPECT_EQ(admin.Send("POST", UserUrl(UserId("demo_learner"), "/enable"), json::object()).status,
            404);
  // The security admin does not grant roles.
  EXPECT_EQ(
      sec.Send("PUT", UserUrl(UserId("bj_uploader"), "/role"), {{"role", "unit_admin"}}).status,
      403);
}

TEST_F(AccountsTest, RoleChangesFollowTheAccountRules) {
  Client gd = As("gd_admin");
  const int64_t up = UserId("gd_uploader");
  auto reviewer = gd.Send("PUT", UserUrl(up, "/role"), {{"role", "reviewer"}});
  EXPECT_EQ(reviewer.status, 400);  // a college has no reviewers
  EXPECT_EQ(reviewer.Json()["error"]["fields"][0]["field"], "role");
  EXPECT_EQ(gd.Send("PUT", UserUrl(up, "/role"), {{"role", "platform_admin"}}).status, 400);
  EXPECT_EQ(gd.Send("PUT", UserUrl(up, "/role"), {{"role", "nonsense"}}).status, 400);
  EXPECT_EQ(gd.Send("PUT", UserUrl(UserId("gd_admin"), "/role"), {{"role", "uploader"}}).status,
            403);
  auto ok = gd.Send("PUT", UserUrl(up, "/role"), {{"role", "unit_admin"}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.Json()["user"]["role"], "unit_admin");
  EXPECT_EQ(Text("SELECT role FROM users WHERE id = ?", {up}), "unit_admin");
  EXPECT_EQ(Text("SELECT detail FROM audit_log WHERE action = 'user.role' ORDER BY id DESC"),
            "gd_uploader：录入员 → 单位管理员");
}

TEST_F(AccountsTest, RenamingAUnitIsAuditedAndTheChangeFeedCarriesItToThePortal) {
  const int64_t college = OrgId(kCollege);
  Client up = As("gd_uploader");
  auto r = up.Send("POST", "/api/v1/resources",
                   {{"title", "更名测试资源"},
                    {"type", "A01"},
                    {"domain", "老年教育"},
                    {"summary", "单位更名后门户应显示新名称。"},
                    {"copyright_holder", "演示学院"},
                    {"presenters", "张演示"},
                    {"category", "健康养生-太极拳"}});
  ASSERT_EQ(r.status, 201) << r.body;
  const int64_t id = r.Json()["id"];
  ASSERT_TRUE(server_.ctx().db->Exec(
      "UPDATE resources SET state = 'published', published_at = 1000 WHERE id = ?", {id}));
  ASSERT_TRUE(server_.ctx().search_feed->Sync({id}));

  Client bj = As("bj_admin");
  EXPECT_EQ(
      bj.Send("PUT", "/api/v1/orgs/" + std::to_string(college) + "/name", {{"name", "越权改名"}})
          .status,
      404);
  Client gd = As("gd_admin");
  EXPECT_EQ(gd.Send("PUT", "/api/v1/orgs/" + std::to_string(OrgId("广东省教育厅")) + "/name",
                    {{"name", "自己改名"}})
                .status,
            403);  // a unit does not rename itself
  auto bad = gd.Send("PUT", "/api/v1/orgs/" + std::to_string(college) + "/name", {{"name", "x"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.Json()["error"]["fields"][0]["field"], "name");
  const int64_t seq_before = Count("SELECT COALESCE(MAX(seq), 0) FROM portal_outbox");
  auto ok = gd.Send("PUT", "/api/v1/orgs/" + std::to_string(college) + "/name",
                    {{"name", "岭南示范职业技术大学（演示）"}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.Json()["name"], "岭南示范职业技术大学（演示）");
  EXPECT_EQ(Text("SELECT detail FROM audit_log WHERE action = 'org.rename' ORDER BY id DESC"),
            std::string(kCollege) + " → 岭南示范职业技术大学（演示）");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM portal_outbox WHERE seq > ? AND resource_id = ?",
                  {seq_before, id}),
            1);
  ASSERT_TRUE(server_.ctx().search_feed->ApplyOnce());
  Client anon(server_.port());
  auto detail = anon.Get("/api/v1/portal/resources/" + std::to_string(id));
  ASSERT_EQ(detail.status, 200);
  EXPECT_EQ(detail.Json()["unit"], "岭南示范职业技术大学（演示）");
}

TEST_F(AccountsTest, LearnersMustConsentToThePrivacyNoticeAndItIsRecorded) {
  auto no =
      Anon("/api/v1/auth/register",
           {{"username", "retiree02"}, {"password", "Taiji@2022"}, {"display_name", "李演示"}});
  ASSERT_EQ(no.status, 400) << no.body;
  EXPECT_EQ(no.Json()["error"]["fields"][0]["field"], "privacy_consent");
  EXPECT_EQ(UserId("retiree02"), -1);
  auto yes =
      Anon("/api/v1/auth/register",
           {{"username", "retiree02"}, {"password", "Taiji@2022"}, {"privacy_consent", true}});
  ASSERT_EQ(yes.status, 201) << yes.body;
  EXPECT_GT(Count("SELECT privacy_consent_at FROM users WHERE username = 'retiree02'"), 0);
}

TEST_F(AccountsTest, ActivationRoutesRefuseCrossSiteRequests) {
  Client admin = As("gd_admin");
  auto made = admin.Send("POST", Users(OrgId(kCollege)),
                         {{"username", "xsite_clerk"}, {"role", "uploader"}});
  const std::string token = TokenOf(made.Json()["credential"]);
  auto cross = Anon("/api/v1/auth/activate", {{"token", token}, {"password", "Mein#Pass2022"}},
                    {{"Sec-Fetch-Site", "cross-site"}});
  EXPECT_EQ(cross.status, 403);
  EXPECT_EQ(cross.Json()["error"]["code"], "csrf_failed");
  Client c(server_.port());
  EXPECT_EQ(c.Request("POST", "/api/v1/auth/activate",
                      json({{"token", token}, {"password", "Mein#Pass2022"}}).dump(),
                      {{"Content-Type", "text/plain"}})
                .status,
            415);
  EXPECT_EQ(Anon("/api/v1/auth/activation/check", {{"token", token}}).status, 200);  // unused
}

class AccountMailTest : public ::testing::Test {
 protected:
  TestServer server_{{}, [](Config& c) {
                       c.smtp_url = "smtp://127.0.0.1:9";
                       c.smtp_from = "noreply@example.org";
                       c.public_url = "https://lep.example.org/";
                     }};
};

TEST_F(AccountMailTest, TheActivationLinkGoesToTheUnitsContactNotToTheAdministrator) {
  auto gd = server_.ctx().db->QueryOne("SELECT id FROM orgs WHERE name = '广东省教育厅'");
  const int64_t org = (*gd)->Int(0);
  Client admin(server_.port());
  ASSERT_EQ(admin.Login("gd_admin").status, 200);
  auto made = admin.Send("POST", "/api/v1/orgs/" + std::to_string(org) + "/users",
                         {{"username", "gd_mailed"}, {"role", "uploader"}});
  ASSERT_EQ(made.status, 201) << made.body;
  json cred = made.Json()["credential"];
  EXPECT_TRUE(cred["mailed"].get<bool>());
  EXPECT_EQ(cred["mailed_to"], "g***@example.org");
  EXPECT_TRUE(cred["activation_path"].is_null());
  auto mail = server_.ctx().db->QueryOne(
      "SELECT subject, body FROM mail_outbox WHERE org_id = ? ORDER BY id DESC", {org});
  ASSERT_TRUE(mail && *mail);
  EXPECT_NE((*mail)->Text(0).find("gd_mailed"), std::string::npos);
  const std::string body = (*mail)->Text(1);
  const auto at = body.find("https://lep.example.org/activate#token=");
  ASSERT_NE(at, std::string::npos) << body;
  const std::string token = body.substr(at + 39, 64);
  Client anon(server_.port());
  EXPECT_EQ(
      anon.Request("POST", "/api/v1/auth/activation/check", json({{"token", token}}).dump()).status,
      200);
}

}  // namespace
}  // namespace lep::testing
