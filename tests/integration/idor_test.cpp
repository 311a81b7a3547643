// IDOR sweep over EVERY route of the router (so routes added later are covered too): a user
// of one province calls each route that takes an object id with the ids of the other
// province's draft resource, unit, account and upload — read and write, signed in and
// anonymous. Nothing may answer 2xx, and afterwards the objects are unchanged.
#include <gtest/gtest.h>

#include <set>

#include "app/routes.h"
#include "integration/server_fixture.h"
#include "uploads/tus_headers.h"

namespace lep::testing {
namespace {

using nlohmann::json;

struct Owned {
  int64_t org = 0, user = 0, resource = 0;
  std::string upload;  // tus id
};

json DraftResource(const std::string& title) {
  return {{"title", title},
          {"type", "A01"},
          {"domain", "老年教育"},
          {"summary", "越权访问测试用的草稿。"},
          {"copyright_holder", "演示单位"},
          {"presenters", json::array({"张演示"})},
          {"category", "健康养生-太极拳"},
          {"created_on", "2022-03-23"}};
}

class IdorSweep : public ::testing::Test {
 protected:
  Owned Make(const std::string& uploader, const std::string& unit) {
    Owned o;
    Client c(server_.port());
    EXPECT_EQ(c.Login(uploader).status, 200);
    auto r = c.Send("POST", "/api/v1/resources", DraftResource(unit + "的草稿"));
    EXPECT_EQ(r.status, 201) << r.body;
    o.resource = r.Json()["id"];
    auto meta = "resource_id " + uploads::Base64Encode(std::to_string(o.resource)) +
                ",filename " + uploads::Base64Encode("a.mp4") + ",kind " +
                uploads::Base64Encode("media");
    auto up = c.Request("POST", "/api/v1/uploads/", "",
                        {{"Tus-Resumable", "1.0.0"}, {"X-CSRF-Token", c.csrf},
                         {"Upload-Length", "1000"}, {"Upload-Metadata", meta}});
    EXPECT_EQ(up.status, 201) << up.body;
    std::string loc = up.headers["location"];
    o.upload = loc.substr(loc.rfind('/') + 1);
    o.org = (*server_.ctx().db->QueryOne("SELECT id FROM orgs WHERE name = ?", {unit}))->Int(0);
    o.user = (*server_.ctx().db->QueryOne("SELECT id FROM users WHERE username = ?", {uploader}))
                 ->Int(0);
    return o;
  }

  // The state a successful write would change.
  std::string Fingerprint(const Owned& o) {
    auto& db = *server_.ctx().db;
    auto one = [&](const std::string& sql, int64_t id) {
      auto r = db.Exec(sql, {id});
      std::string s;
      for (const auto& row : r->rows) {
        for (size_t i = 0; i < row.size(); ++i) s += row.Text(i) + "|";
      }
      return s;
    };
    return one("SELECT state, version, title, cover_blob, claimed_by FROM resources WHERE id = ?",
               o.resource) +
           one("SELECT COUNT(*) FROM orgs WHERE parent_id = ?", o.org) +
           one("SELECT COUNT(*) FROM users WHERE org_id = ?", o.org) +
           one("SELECT name, mobile FROM org_contacts WHERE org_id = ?", o.org) +
           one("SELECT COUNT(*) FROM org_registration_forms WHERE org_id = ?", o.org) +
           one("SELECT locked_until, totp_enabled, failed_count FROM users WHERE id = ?", o.user) +
           one("SELECT COUNT(*) FROM media WHERE resource_id = ?", o.resource) +
           one("SELECT COUNT(*) FROM favourites WHERE resource_id = ?", o.resource) +
           one("SELECT COUNT(*) FROM review_history WHERE resource_id = ?", o.resource);
  }

  // Substitutes the victim's id for {id} by the route's object type; "" when the route's
  // objects are platform-wide (campaigns, categories, batches, ratings) or unknown.
  static std::string IdFor(const std::string& pattern, const Owned& v) {
    auto starts = [&](const char* p) { return pattern.rfind(p, 0) == 0; };
    if (starts("/api/v1/orgs/{id}")) return std::to_string(v.org);
    if (starts("/api/v1/users/{id}")) return std::to_string(v.user);
    if (starts("/api/v1/uploads/{id}")) return v.upload;
    if (starts("/api/v1/resources/{id}") || starts("/media/resources/{id}") ||
        starts("/api/v1/portal/resources/{id}") || starts("/api/v1/me/favourites/{id}") ||
        starts("/api/v1/me/history/{id}")) {
      return std::to_string(v.resource);
    }
    return "";
  }

  void Sweep(const std::string& attacker, const Owned& victim, int* calls) {
    Client c(server_.port());
    if (!attacker.empty()) {
      ASSERT_EQ(c.Login(attacker).status, 200) << attacker;
    }
    std::string before = Fingerprint(victim);
    auto routes = app::BuildRouter(server_.ctx()).routes();
    for (const auto& route : routes) {
      if (route.pattern.find("{id}") == std::string::npos) continue;
      std::string id = IdFor(route.pattern, victim);
      if (id.empty()) continue;
      std::string path = route.pattern;
      path.replace(path.find("{id}"), 4, id);
      std::map<std::string, std::string> h = {{"Tus-Resumable", "1.0.0"}};
      if (!c.csrf.empty()) h["X-CSRF-Token"] = c.csrf;
      std::string body = "{}";
      if (route.method == "PATCH") {
        h["Content-Type"] = "application/offset+octet-stream";
        h["Upload-Offset"] = "0";
        body = "0123456789";
      }
      auto r = c.Request(route.method, path, route.method == "GET" ? "" : body, h);
      ++*calls;
      // /api/v1/me/… acts on the caller's own rows (e.g. DELETE of one's own favourite is an
      // idempotent 204 whatever the id): the fingerprint below proves the victim's data is
      // untouched; every other route must refuse outright.
      if (route.pattern.rfind("/api/v1/me/", 0) == 0 && route.method == "DELETE") continue;
      EXPECT_TRUE(r.status < 200 || r.status >= 300)
          << (attacker.empty() ? "anonymous" : attacker) << " " << route.method << " " << path
          << " → " << r.status << " " << r.body.substr(0, 200);
    }
    EXPECT_EQ(Fingerprint(victim), before) << attacker << " changed the other province's data";
  }

  TestServer server_;
};

TEST_F(IdorSweep, NoRouteLetsOneProvinceReachAnothersObjects) {
  Owned gd = Make("gd_uploader", "岭南示范职业技术学院（演示）");
  Owned bj = Make("bj_uploader", "京华演示城市学院（演示）");
  int calls = 0;
  for (const char* attacker : {"bj_admin", "bj_uploader", ""}) Sweep(attacker, gd, &calls);
  for (const char* attacker : {"gd_admin", "gd_uploader", "gd_reviewer", ""}) {
    Sweep(attacker, bj, &calls);
  }
  EXPECT_GT(calls, 150);  // the sweep really ran over the routes
  // The owners still reach their own objects (the ids were right).
  Client own(server_.port());
  ASSERT_EQ(own.Login("gd_uploader").status, 200);
  EXPECT_EQ(own.Get("/api/v1/resources/" + std::to_string(gd.resource)).status, 200);
  EXPECT_EQ(own.Request("HEAD", "/api/v1/uploads/" + gd.upload, "",
                        {{"Tus-Resumable", "1.0.0"}})
                .status,
            200);
}

}  // namespace
}  // namespace lep::testing
