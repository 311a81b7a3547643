// 等保三级 controls over the real server: two-factor sign-in and its enforcement, 三权分立
// (policy by the security admin only, the audit log by the auditor only, the auditor changes
// nothing), encrypted and masked personal data, abuse limits and the trusted-proxy client IP.
#include <gtest/gtest.h>

#include "integration/server_fixture.h"
#include "security/totp.h"

namespace lep::testing {
namespace {

using nlohmann::json;

int64_t OrgId(TestServer& s, const std::string& name) {
  auto r = s.ctx().db->QueryOne("SELECT id FROM orgs WHERE name = ?", {name});
  return r && *r ? (*r)->Int(0) : -1;
}

int64_t UserId(TestServer& s, const std::string& name) {
  auto r = s.ctx().db->QueryOne("SELECT id FROM users WHERE username = ?", {name});
  return r && *r ? (*r)->Int(0) : -1;
}

std::string Code(TestServer& s, const std::string& b32, int64_t offset = 0) {
  return security::TotpCodeAtStep(*security::Base32Decode(b32),
                                  s.clock().NowMs() / 1000 / 30 + offset);
}

class SecurityApiTest : public ::testing::Test {
 protected:
  TestServer server_{{}, [](Config& c) { c.require_two_factor = true; }};
  Client As(const std::string& user) {
    Client c(server_.port());
    EXPECT_EQ(c.Login(user).status, 200) << user;
    return c;
  }
  // Enrols user and returns its Base32 secret.
  std::string Enrol(Client& c) {
    auto setup = c.Send("POST", "/api/v1/me/totp/setup", json::object());
    EXPECT_EQ(setup.status, 200) << setup.body;
    std::string secret = setup.Json()["secret"];
    EXPECT_NE(setup.Json()["qr_svg"].get<std::string>().find("<svg"), std::string::npos);
    EXPECT_NE(setup.Json()["otpauth_uri"].get<std::string>().find("secret=" + secret),
              std::string::npos);
    auto confirm = c.Send("POST", "/api/v1/me/totp/confirm", {{"code", Code(server_, secret)}});
    EXPECT_EQ(confirm.status, 200) << confirm.body;
    EXPECT_EQ(confirm.Json()["recovery_codes"].size(), 10u);
    return secret;
  }
};

TEST_F(SecurityApiTest, TwoFactorSignInForAPrivilegedAccount) {
  Client admin = As("gd_admin");
  auto me = admin.Get("/api/v1/me").Json()["user"]["totp"];
  EXPECT_EQ(me["required"], true);
  EXPECT_EQ(me["enabled"], false);
  EXPECT_EQ(me["enrolment_required"], false);  // within the grace period
  EXPECT_TRUE(me["grace_until"].is_number());
  std::string secret = Enrol(admin);

  Client c(server_.port());
  auto no_code = c.Login("gd_admin");
  EXPECT_EQ(no_code.status, 401);
  EXPECT_EQ(no_code.Json()["error"]["code"], "totp_required");
  EXPECT_TRUE(c.cookie.empty());  // no session without the second factor
  auto wrong = c.LoginWith({{"username", "gd_admin"},
                            {"password", "Lep@Demo2022"},
                            {"totp_code", Code(server_, secret, 4)}});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.Json()["error"]["code"], "totp_invalid");
  server_.clock().Advance(std::chrono::seconds(30));
  json good = {{"username", "gd_admin"}, {"password", "Lep@Demo2022"},
               {"totp_code", Code(server_, secret)}};
  auto ok = c.LoginWith(good);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.Json()["user"]["totp"]["enabled"], true);
  EXPECT_EQ(c.Get("/api/v1/orgs").status, 200);
  Client replay(server_.port());
  EXPECT_EQ(replay.LoginWith(good).status, 401);  // one code, one sign-in
}

TEST_F(SecurityApiTest, AfterTheGracePeriodOnlyEnrolmentIsAllowed) {
  server_.clock().Advance(std::chrono::hours(24 * 8));
  Client c = As("gd_reviewer");
  EXPECT_EQ(c.Get("/api/v1/me").Json()["user"]["totp"]["enrolment_required"], true);
  auto blocked = c.Get("/api/v1/reviews/queue");
  EXPECT_EQ(blocked.status, 403);
  EXPECT_EQ(blocked.Json()["error"]["code"], "totp_enrolment_required");
  EXPECT_NE(blocked.Json()["error"]["message"].get<std::string>().find("双因素"),
            std::string::npos);
  Enrol(c);  // /api/v1/me/totp/* stays reachable
  EXPECT_EQ(c.Get("/api/v1/reviews/queue").status, 200);
  // Uploaders are not required to enrol.
  EXPECT_EQ(As("gd_uploader").Get("/api/v1/resources").status, 200);
}

TEST_F(SecurityApiTest, GraceZeroInThePolicyEnforcesAtOnce) {
  Client sec = As("nou_security");
  auto put = sec.Send("PUT", "/api/v1/security/policy", {{"totp_grace_days", 0}});
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.Json()["totp_grace_days"], 0);
  Client admin = As("nou_admin");
  EXPECT_EQ(admin.Get("/api/v1/campaigns").Json()["error"]["code"], "totp_enrolment_required");
}

TEST_F(SecurityApiTest, PolicyBelongsToTheSecurityAdmin) {
  Client sec = As("nou_security");
  auto bad = sec.Send("PUT", "/api/v1/security/policy",
                      {{"password_min_length", 4}, {"lockout_threshold", "x"}});
  EXPECT_EQ(bad.status, 400);
  auto bad_range = sec.Send("PUT", "/api/v1/security/policy", {{"password_min_length", 4}});
  EXPECT_EQ(bad_range.status, 400);
  EXPECT_EQ(bad_range.Json()["error"]["fields"][0]["field"], "password_min_length");
  auto put = sec.Send("PUT", "/api/v1/security/policy",
                      {{"password_min_length", 12}, {"lockout_threshold", 3}});
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(sec.Get("/api/v1/security/policy").Json()["password_min_length"], 12);
  for (const char* other : {"nou_admin", "nou_auditor", "gd_admin"}) {
    Client c = As(other);
    EXPECT_EQ(c.Get("/api/v1/security/policy").status, 403) << other;
    EXPECT_EQ(c.Send("PUT", "/api/v1/security/policy", {{"lockout_threshold", 9}}).status, 403)
        << other;
  }
  // In effect at once: a 10-character password no longer meets it, 3 failures lock.
  Client gd = As("gd_admin");
  auto weak = gd.Send("POST", "/api/v1/orgs/" + std::to_string(OrgId(server_, "广东省教育厅")) +
                                  "/users",
                      {{"username", "gd_new"}, {"password", "Abc@12345x"}, {"role", "uploader"}});
  EXPECT_EQ(weak.status, 400);
  Client x(server_.port());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(x.Login("bj_admin", "Wrong@pass1").status, 401);
  EXPECT_EQ(x.Login("bj_admin").status, 429);
  // …and audited, by whom.
  auto row = server_.ctx().db->QueryOne(
      "SELECT actor_id, detail FROM audit_log WHERE action = 'security.policy' ORDER BY id DESC");
  ASSERT_TRUE(row && *row);
  EXPECT_EQ((*row)->Int(0), UserId(server_, "nou_security"));
}

TEST_F(SecurityApiTest, OnlyTheAuditorReadsAndVerifiesTheAuditLog) {
  Client bad(server_.port());
  EXPECT_EQ(bad.Login("gd_admin", "Wrong@pass1").status, 401);
  As("gd_admin");
  Client auditor = As("nou_auditor");
  auto log = auditor.Get("/api/v1/audit?action=auth.login&limit=5");
  ASSERT_EQ(log.status, 200) << log.body;
  auto items = log.Json()["items"];
  ASSERT_GE(items.size(), 3u);
  bool saw_failure = false;
  for (const auto& it : items) {
    EXPECT_EQ(it["action"], "auth.login");
    if (it["result"] == "failed") saw_failure = true;
    EXPECT_EQ(it["ip"], "127.0.0.1");
  }
  EXPECT_TRUE(saw_failure);
  auto page = auditor.Get("/api/v1/audit?limit=1");
  ASSERT_TRUE(page.Json()["next_before_id"].is_number());
  auto next = auditor.Get("/api/v1/audit?limit=1&before_id=" +
                          std::to_string(page.Json()["next_before_id"].get<int64_t>()));
  EXPECT_LT(next.Json()["items"][0]["id"].get<int64_t>(),
            page.Json()["items"][0]["id"].get<int64_t>());
  for (const char* other : {"nou_admin", "nou_security", "gd_admin", "nou_reviewer"}) {
    Client c = As(other);
    EXPECT_EQ(c.Get("/api/v1/audit").status, 403) << other;
    EXPECT_EQ(c.Get("/api/v1/audit/verify").status, 403) << other;
  }
  auto ok = auditor.Get("/api/v1/audit/verify");
  EXPECT_EQ(ok.Json()["ok"], true) << ok.body;
  // An entry edited behind the product's back is named.
  auto victim = server_.ctx().db->QueryOne("SELECT MIN(id) FROM audit_log WHERE hash IS NOT NULL");
  int64_t id = (*victim)->Int(0);
  ASSERT_TRUE(server_.ctx().db->Exec("UPDATE audit_log SET detail = 'x' WHERE id = ?", {id}));
  auto broken = auditor.Get("/api/v1/audit/verify").Json();
  EXPECT_EQ(broken["ok"], false);
  EXPECT_EQ(broken["first_broken_id"], id);
}

TEST_F(SecurityApiTest, TheAuditorChangesNothing) {
  Client a = As("nou_auditor");
  int64_t gd = OrgId(server_, "广东省教育厅");
  struct Try {
    const char* method;
    std::string path;
    json body;
  };
  const std::vector<Try> tries = {
      {"POST", "/api/v1/campaigns", {{"name", "x"}, {"year", 2026}}},
      {"POST", "/api/v1/orgs/" + std::to_string(gd) + "/children", {{"name", "x"}, {"kind", "provincial_college"}}},
      {"PUT", "/api/v1/sensitive-words", {{"words", json::array({"a"})}}},
      {"PUT", "/api/v1/security/policy", {{"lockout_threshold", 9}}},
      {"POST", "/api/v1/resources", json::object()},
      {"POST", "/api/v1/users/1/unlock", json::object()},
  };
  for (const auto& t : tries) {
    auto r = a.Send(t.method, t.path, t.body);
    EXPECT_EQ(r.status, 403) << t.method << " " << t.path << " " << r.body;
  }
  EXPECT_EQ(a.Get("/api/v1/orgs/" + std::to_string(gd)).status, 200);  // reading is fine
  EXPECT_EQ(a.Send("POST", "/api/v1/auth/logout", json::object()).status, 204);
}

TEST_F(SecurityApiTest, PlatformRolesAreNotGrantedThroughTheProduct) {
  Client admin = As("nou_admin");
  int64_t nou = OrgId(server_, "国家开放大学");
  for (const char* role : {"auditor", "security_admin", "platform_admin"}) {
    auto r = admin.Send("POST", "/api/v1/orgs/" + std::to_string(nou) + "/users",
                        {{"username", std::string("x_") + role}, {"password", "Lep@Demo2022x"},
                         {"role", role}});
    EXPECT_EQ(r.status, 400) << role << r.body;
    EXPECT_EQ(r.Json()["error"]["fields"][0]["field"], "role");
  }
  // The security admin cannot open accounts at all.
  auto sec = As("nou_security").Send("POST", "/api/v1/orgs/" + std::to_string(nou) + "/users",
                                     {{"username", "x_rev"}, {"password", "Lep@Demo2022x"},
                                      {"role", "reviewer"}});
  EXPECT_EQ(sec.status, 403);
}

TEST_F(SecurityApiTest, SecurityAdminResetsTwoFactorAndUnlocks) {
  Client rev = As("nou_reviewer");
  std::string secret = Enrol(rev);
  int64_t rid = UserId(server_, "nou_reviewer");
  EXPECT_EQ(As("nou_admin").Send("POST", "/api/v1/users/" + std::to_string(rid) + "/totp/reset",
                                 json::object()).status,
            403);
  Client sec = As("nou_security");
  EXPECT_EQ(sec.Send("POST", "/api/v1/users/" + std::to_string(rid) + "/totp/reset",
                     json::object()).status,
            204);
  EXPECT_EQ(rev.Get("/api/v1/me").status, 401);  // its sessions ended
  Client again(server_.port());
  EXPECT_EQ(again.Login("nou_reviewer").status, 200);  // no code needed any more
  for (int i = 0; i < 5; ++i) again.Login("nou_reviewer", "Wrong@pass1");
  EXPECT_EQ(again.Login("nou_reviewer").status, 429);
  EXPECT_EQ(sec.Send("POST", "/api/v1/users/" + std::to_string(rid) + "/unlock", json::object())
                .status,
            204);
  EXPECT_EQ(again.Login("nou_reviewer").status, 200);
  (void)secret;
}

TEST_F(SecurityApiTest, ContactsAreEncryptedAtRestAndMaskedForOthers) {
  int64_t gd = OrgId(server_, "广东省教育厅");
  Client admin = As("gd_admin");
  json contact = {{"name", "王演示"}, {"title", "处长"}, {"office_phone", "020-83331234"},
                  {"mobile", "13912345678"}, {"email", "wang.demo@example.cn"}};
  ASSERT_EQ(admin.Send("PUT", "/api/v1/orgs/" + std::to_string(gd) + "/contact", contact).status,
            200);
  auto raw = server_.ctx().db->QueryOne(
      "SELECT name, office_phone, mobile, email, mobile_hash FROM org_contacts WHERE org_id = ?",
      {gd});
  ASSERT_TRUE(raw && *raw);
  for (int i = 0; i < 4; ++i) {
    std::string v = (*raw)->Text(i);
    EXPECT_EQ(v.rfind("enc1:", 0), 0u) << v;
    EXPECT_EQ(v.find("13912345678"), std::string::npos);
    EXPECT_EQ(v.find("example.cn"), std::string::npos);
  }
  EXPECT_EQ((*raw)->Text(4).size(), 64u);
  auto full = admin.Get("/api/v1/orgs/" + std::to_string(gd) + "/contact").Json()["contact"];
  EXPECT_EQ(full["mobile"], "13912345678");
  EXPECT_EQ(full["masked"], false);
  for (const char* who : {"gd_reviewer", "nou_auditor", "nou_security"}) {
    auto c = As(who).Get("/api/v1/orgs/" + std::to_string(gd) + "/contact").Json()["contact"];
    EXPECT_EQ(c["mobile"], "139****5678") << who;
    EXPECT_EQ(c["office_phone"], "020-****1234") << who;
    EXPECT_EQ(c["email"], "w***@example.cn") << who;
    EXPECT_EQ(c["name"], "王**") << who;
    EXPECT_EQ(c["masked"], true) << who;
  }
  EXPECT_EQ(As("nou_admin").Get("/api/v1/orgs/" + std::to_string(gd) + "/contact")
                .Json()["contact"]["mobile"],
            "13912345678");
  // Looked up by keyed hash, without decrypting the table.
  auto found = server_.ctx().org_repo->FindByContact("13912345678");
  ASSERT_TRUE(found);
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ(found->front().value, gd);
  EXPECT_EQ(server_.ctx().org_repo->FindByContact("WANG.demo@example.cn")->size(), 1u);
  EXPECT_TRUE(server_.ctx().org_repo->FindByContact("13900000000")->empty());
}

TEST_F(SecurityApiTest, SubmissionsAreRateLimitedPerAccount) {
  Client up = As("gd_uploader");
  int limited = 0, first_limited = -1;
  for (int i = 0; i < 110; ++i) {
    auto r = up.Send("POST", "/api/v1/resources/999999/submit", json::object());
    if (r.status == 429) {
      ++limited;
      if (first_limited < 0) first_limited = i;
      EXPECT_FALSE(r.headers["retry-after"].empty());
    }
  }
  EXPECT_EQ(first_limited, 100);  // burst of 100, no time passes on the fake clock
  EXPECT_EQ(limited, 10);
  server_.clock().Advance(std::chrono::seconds(10));
  EXPECT_NE(up.Send("POST", "/api/v1/resources/999999/submit", json::object()).status, 429);
}

TEST(SecurityProxyTest, ClientIpComesFromTrustedProxiesOnly) {
  TestServer server({}, [](Config& c) { c.trusted_proxies = {"127.0.0.1/32"}; });
  Client c(server.port());
  c.Request("POST", "/api/v1/auth/login",
            json{{"username", "gd_admin"}, {"password", "Wrong@pass1"}}.dump(),
            {{"X-Forwarded-For", "198.51.100.7, 127.0.0.1"}});
  auto row = server.ctx().db->QueryOne(
      "SELECT ip FROM audit_log WHERE action = 'auth.login' ORDER BY id DESC LIMIT 1");
  ASSERT_TRUE(row && *row);
  EXPECT_EQ((*row)->Text(0), "198.51.100.7");

  TestServer untrusted;  // no trusted proxies: the header is ignored
  Client d(untrusted.port());
  d.Request("POST", "/api/v1/auth/login",
            json{{"username", "gd_admin"}, {"password", "Wrong@pass1"}}.dump(),
            {{"X-Forwarded-For", "198.51.100.7"}});
  auto row2 = untrusted.ctx().db->QueryOne(
      "SELECT ip FROM audit_log WHERE action = 'auth.login' ORDER BY id DESC LIMIT 1");
  EXPECT_EQ((*row2)->Text(0), "127.0.0.1");
}

}  // namespace
}  // namespace lep::testing
