// The HTTP contract of the Foundation, spoken to the real server on port 0.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "app/routes.h"
#include "integration/server_fixture.h"

namespace lep::testing {
namespace {

using nlohmann::json;

int64_t OrgIdByName(TestServer& s, const std::string& name) {
  auto r = s.ctx().db->QueryOne("SELECT id FROM orgs WHERE name = ?", {name});
  if (!r || !*r) return -1;
  return (*r)->Int(0);
}

class ApiTest : public ::testing::Test {
 protected:
  TestServer server_;
  Client Fresh() { return Client(server_.port()); }
};

TEST_F(ApiTest, HealthReadinessAndMetrics) {
  Client c = Fresh();
  EXPECT_EQ(c.Get("/healthz").status, 200);
  EXPECT_EQ(c.Get("/readyz").Json()["status"], "ready");
  auto m = c.Get("/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("lep_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"),
            std::string::npos)
      << m.body;
  EXPECT_NE(m.body.find("lep_http_request_duration_seconds_bucket"), std::string::npos);
  EXPECT_FALSE(c.Get("/healthz").headers["x-request-id"].empty());
}

TEST_F(ApiTest, OpenApiListsEveryRoute) {
  Client c = Fresh();
  auto r = c.Get("/api/v1/openapi.json");
  ASSERT_EQ(r.status, 200);
  json doc = r.Json();
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc["openapi"].get<std::string>().substr(0, 2), "3.");
  http::Router router = app::BuildRouter(server_.ctx());
  ASSERT_GT(router.routes().size(), 10u);
  for (const auto& route : router.routes()) {
    std::string method = route.method;
    for (char& ch : method) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    EXPECT_TRUE(doc["paths"].contains(route.pattern)) << route.pattern;
    if (doc["paths"].contains(route.pattern)) {
      EXPECT_TRUE(doc["paths"][route.pattern].contains(method))
          << route.method << " " << route.pattern;
    }
  }
}

TEST_F(ApiTest, LoginSetsAHardenedCookieAndMeWorks) {
  Client c = Fresh();
  auto r = c.Login("gd_admin");
  ASSERT_EQ(r.status, 200) << r.body;
  json body = r.Json();
  EXPECT_EQ(body["user"]["username"], "gd_admin");
  EXPECT_EQ(body["user"]["role"], "unit_admin");
  EXPECT_EQ(body["user"]["org_id"], OrgIdByName(server_, "广东省教育厅"));
  EXPECT_EQ(body["csrf_token"].get<std::string>().size(), 64u);
  ASSERT_EQ(r.set_cookies.size(), 1u);
  const std::string& cookie = r.set_cookies[0];
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_NE(cookie.find("Path=/"), std::string::npos);

  auto me = c.Get("/api/v1/me");
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(me.Json()["user"]["username"], "gd_admin");
  EXPECT_EQ(me.Json()["csrf_token"], c.csrf);

  // A second sign-in gets a different session id.
  Client c2 = Fresh();
  c2.Login("gd_admin");
  EXPECT_NE(c2.cookie, c.cookie);

  auto out = c.Send("POST", "/api/v1/auth/logout", json::object());
  EXPECT_EQ(out.status, 204);
  EXPECT_EQ(c.Get("/api/v1/me").status, 401);
  EXPECT_EQ(c2.Get("/api/v1/me").status, 200);
}

TEST_F(ApiTest, WrongPasswordIs401AndTheSixthIs429) {
  Client c = Fresh();
  for (int i = 0; i < 5; ++i) {
    auto r = c.Login("bj_admin", "Wrong@Pass1");
    ASSERT_EQ(r.status, 401) << i;
    EXPECT_EQ(r.Json()["error"]["code"], "unauthenticated");
  }
  auto locked = c.Login("bj_admin", "Wrong@Pass1");
  EXPECT_EQ(locked.status, 429);
  EXPECT_EQ(locked.headers["retry-after"], "900");
  EXPECT_NE(locked.Json()["error"]["message"].get<std::string>().find("锁定"), std::string::npos);
  // Even the right password waits until the lock ends.
  EXPECT_EQ(c.Login("bj_admin").status, 429);
  server_.clock().Advance(std::chrono::minutes(15) + std::chrono::seconds(1));
  EXPECT_EQ(c.Login("bj_admin").status, 200);
}

TEST_F(ApiTest, SignInAttemptsPerAddressAreRateLimited) {
  Client c = Fresh();
  int first_429 = 0;
  for (int i = 1; i <= 120 && !first_429; ++i) {
    if (c.Login("nobody_" + std::to_string(i)).status == 429) first_429 = i;
  }
  EXPECT_EQ(first_429, 101);
  auto r = c.Login("gd_admin");
  EXPECT_EQ(r.status, 429);
  EXPECT_FALSE(r.headers["retry-after"].empty());
  server_.clock().Advance(std::chrono::seconds(5));
  EXPECT_EQ(c.Login("gd_admin").status, 200);
}

TEST_F(ApiTest, UnknownUserIs401LikeAWrongPassword) {
  Client c = Fresh();
  auto r = c.Login("nobody_here");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.Json()["error"]["message"], "用户名或密码错误");
}

TEST_F(ApiTest, SessionsExpireAfterIdleTime) {
  Client c = Fresh();
  ASSERT_EQ(c.Login("gd_admin").status, 200);
  server_.clock().Advance(std::chrono::minutes(31));
  auto r = c.Get("/api/v1/me");
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.Json()["error"]["message"].get<std::string>().find("超时"), std::string::npos);
}

TEST_F(ApiTest, CsrfIsRequiredOnEveryStateChange) {
  Client c = Fresh();
  ASSERT_EQ(c.Login("gd_admin").status, 200);
  int64_t gd = OrgIdByName(server_, "广东省教育厅");
  std::string path = "/api/v1/orgs/" + std::to_string(gd) + "/children";
  json body = {{"name", "无令牌学院"}, {"kind", "provincial_college"}};
  auto missing = c.Request("POST", path, body.dump());
  EXPECT_EQ(missing.status, 403);
  EXPECT_EQ(missing.Json()["error"]["code"], "csrf_failed");
  auto wrong = c.Request("POST", path, body.dump(), {{"X-CSRF-Token", std::string(64, 'a')}});
  EXPECT_EQ(wrong.status, 403);
  auto put = c.Request("PUT", "/api/v1/orgs/" + std::to_string(gd) + "/contact", "{}");
  EXPECT_EQ(put.status, 403);
  auto logout = c.Request("POST", "/api/v1/auth/logout");
  EXPECT_EQ(logout.status, 403);
  // Nothing was created by the refused requests.
  auto children = c.Get(path).Json()["items"];
  for (const auto& ch : children) EXPECT_NE(ch["name"], "无令牌学院");
  EXPECT_EQ(c.Send("POST", path, body).status, 201);
}

TEST_F(ApiTest, OpeningUnitsFollowsTheTree) {
  Client c = Fresh();
  ASSERT_EQ(c.Login("gd_admin").status, 200);
  int64_t gd = OrgIdByName(server_, "广东省教育厅");
  int64_t bj = OrgIdByName(server_, "北京市教育委员会");
  auto created = c.Send("POST", "/api/v1/orgs/" + std::to_string(gd) + "/children",
                        {{"name", "南海演示学院（演示）"}, {"kind", "provincial_college"}});
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.Json()["parent_id"], gd);
  EXPECT_EQ(created.Json()["kind"], "provincial_college");
  int64_t new_id = created.Json()["id"];
  auto fetched = c.Get("/api/v1/orgs/" + std::to_string(new_id));
  EXPECT_EQ(fetched.status, 200);
  EXPECT_EQ(fetched.Json()["parent_id"], gd);

  auto other = c.Send("POST", "/api/v1/orgs/" + std::to_string(bj) + "/children",
                      {{"name", "越界学院"}, {"kind", "provincial_college"}});
  EXPECT_EQ(other.status, 404);
  auto wrong_kind = c.Send("POST", "/api/v1/orgs/" + std::to_string(gd) + "/children",
                           {{"name", "某企业"}, {"kind", "enterprise"}});
  EXPECT_EQ(wrong_kind.status, 400);
  EXPECT_EQ(wrong_kind.Json()["error"]["fields"][0]["field"], "kind");
  auto dup = c.Send("POST", "/api/v1/orgs/" + std::to_string(gd) + "/children",
                    {{"name", "南海演示学院（演示）"}, {"kind", "provincial_college"}});
  EXPECT_EQ(dup.status, 409);
  auto bad_json = c.Request("POST", "/api/v1/orgs/" + std::to_string(gd) + "/children", "{x",
                            {{"X-CSRF-Token", c.csrf}});
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_EQ(c.Get("/api/v1/orgs/abc").status, 404);
}

TEST_F(ApiTest, WeakPasswordNamesThePasswordField) {
  Client c = Fresh();
  ASSERT_EQ(c.Login("gd_admin").status, 200);
  int64_t gd = OrgIdByName(server_, "广东省教育厅");
  auto r = c.Send("POST", "/api/v1/orgs/" + std::to_string(gd) + "/users",
                  {{"username", "gd_clerk"}, {"password", "12345678"}, {"role", "uploader"}});
  ASSERT_EQ(r.status, 400);
  json e = r.Json()["error"];
  EXPECT_EQ(e["code"], "invalid_argument");
  EXPECT_NE(e["message"].get<std::string>().find("密码"), std::string::npos);
  EXPECT_EQ(e["fields"][0]["field"], "password");
  EXPECT_EQ(e["fields"][0]["label"], "密码");
  auto ok = c.Send("POST", "/api/v1/orgs/" + std::to_string(gd) + "/users",
                   {{"username", "gd_clerk"}, {"password", "Clerk#2022x"}, {"role", "uploader"},
                    {"display_name", "演示录入员"}});
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(ok.Json()["user"]["org_id"], gd);
  Client clerk = Fresh();
  EXPECT_EQ(clerk.Login("gd_clerk", "Clerk#2022x").status, 200);
}

TEST_F(ApiTest, ContactValidationReportsAllFieldsAndXlsxDownloads) {
  Client c = Fresh();
  ASSERT_EQ(c.Login("gd_admin").status, 200);
  int64_t gd = OrgIdByName(server_, "广东省教育厅");
  std::string base = "/api/v1/orgs/" + std::to_string(gd);
  auto bad = c.Send("PUT", base + "/contact",
                    {{"name", "演示"}, {"title", "处长"}, {"office_phone", "12345"},
                     {"mobile", "1380000"}, {"email", "x@"}});
  ASSERT_EQ(bad.status, 400);
  auto fields = bad.Json()["error"]["fields"];
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields[0]["field"], "office_phone");
  EXPECT_EQ(fields[1]["field"], "mobile");
  EXPECT_EQ(fields[1]["label"], "手机号码");
  EXPECT_EQ(fields[2]["field"], "email");
  auto good = c.Send("PUT", base + "/contact",
                     {{"name", "演示丙"}, {"title", "科长"}, {"office_phone", "020-37626863"},
                      {"mobile", "13900000003"}, {"email", "c@example.org"}});
  ASSERT_EQ(good.status, 200) << good.body;
  EXPECT_EQ(c.Get(base + "/contact").Json()["contact"]["mobile"], "13900000003");
  auto xlsx = c.Get(base + "/contacts.xlsx");
  ASSERT_EQ(xlsx.status, 200);
  EXPECT_EQ(xlsx.headers["content-type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  ASSERT_GT(xlsx.body.size(), 1000u);
  EXPECT_EQ(xlsx.body.substr(0, 2), "PK");  // a zip container
}

TEST_F(ApiTest, LearnersRegisterThemselves) {
  Client c = Fresh();
  auto r = c.Request("POST", "/api/v1/auth/register",
                     json{{"username", "retiree01"}, {"password", "Taiji@2022"},
                          {"display_name", "王演示"}, {"privacy_consent", true}}
                         .dump());
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.Json()["user"]["role"], "learner");
  ASSERT_EQ(c.Login("retiree01", "Taiji@2022").status, 200);
  EXPECT_EQ(c.Get("/api/v1/orgs").Json()["items"].size(), 0u);
}

TEST_F(ApiTest, ErrorsAreJsonAndBodiesAreLimited) {
  Client c = Fresh();
  auto r = c.Get("/api/v1/no-such-route");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.Json()["error"]["code"], "not_found");
  auto wrong_method = c.Request("DELETE", "/api/v1/me");
  EXPECT_EQ(wrong_method.status, 405);
  std::string huge(64 * 1024, 'x');
  auto big = c.Request("POST", "/api/v1/auth/login", huge);
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(big.Json()["error"]["code"], "payload_too_large");
  EXPECT_EQ(c.Get("/").status, 200);  // start page or SPA
}

TEST(ServerLifecycle, GracefulStopFinishesInFlightRequests) {
  std::atomic<bool> entered{false};
  TestServer server([&](http::Router& r) {
    r.Add({"GET", "/test/slow", [&](http::Request&) {
             entered = true;
             std::this_thread::sleep_for(std::chrono::milliseconds(300));
             return http::Response::Json(200, {{"done", true}});
           }});
  });
  HttpResult result;
  std::thread t([&] { result = Client(server.port()).Get("/test/slow"); });
  while (!entered) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  server.Stop();  // returns only after the server stopped
  t.join();
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.Json()["done"], true);
}

}  // namespace
}  // namespace lep::testing
