// Access-control matrix: role × route × target unit (own, own child, parent, sibling
// province, sibling's child), with the expected HTTP status for every cell.
#include <gtest/gtest.h>

#include <map>

#include "integration/server_fixture.h"

namespace lep::testing {
namespace {

using nlohmann::json;

// Routes in the order of the expectation strings below.
const char* const kRoutes[] = {
    "GET /orgs/{id}",        "GET /orgs/{id}/children", "POST /orgs/{id}/children",
    "GET /orgs/{id}/contact", "PUT /orgs/{id}/contact", "GET /orgs/{id}/contacts.xlsx",
    "GET /orgs/{id}/users",  "POST /orgs/{id}/users",
};

struct Cell {
  const char* user;
  const char* target;  // a unit name
  std::vector<int> expected;
};

const char* kGd = "广东省教育厅";
const char* kGdCollege = "岭南示范职业技术学院（演示）";
const char* kBj = "北京市教育委员会";
const char* kBjCollege = "京华演示城市学院（演示）";
const char* kNou = "国家开放大学";

const std::vector<int> kHidden = {404, 404, 404, 404, 404, 404, 404, 404};

const std::vector<Cell> kMatrix = {
    // A province admin: own unit fully, own colleges (cannot open units under them),
    // nothing outside its subtree — not even its parent.
    {"gd_admin", kGd, {200, 200, 201, 200, 200, 200, 200, 201}},
    {"gd_admin", kGdCollege, {200, 200, 403, 200, 200, 200, 200, 201}},
    {"gd_admin", kBj, kHidden},
    {"gd_admin", kBjCollege, kHidden},
    {"gd_admin", kNou, kHidden},
    {"bj_admin", kGd, kHidden},
    {"bj_admin", kBjCollege, {200, 200, 403, 200, 200, 200, 200, 201}},
    // A reviewer reads its subtree but administers nothing.
    {"gd_reviewer", kGd, {200, 200, 403, 200, 403, 403, 403, 403}},
    {"gd_reviewer", kGdCollege, {200, 200, 403, 200, 403, 403, 403, 403}},
    {"gd_reviewer", kBj, kHidden},
    // A college uploader sees only its college.
    {"gd_uploader", kGdCollege, {200, 200, 403, 200, 403, 403, 403, 403}},
    {"gd_uploader", kGd, kHidden},
    {"gd_uploader", kBjCollege, kHidden},
    // Platform admin: everything; a college cannot have children (400).
    {"nou_admin", kNou, {200, 200, 201, 200, 200, 200, 200, 201}},
    {"nou_admin", kBj, {200, 200, 201, 200, 200, 200, 200, 201}},
    {"nou_admin", kGdCollege, {200, 200, 400, 200, 200, 200, 200, 201}},
    // Auditor: reads everywhere, changes nothing.
    {"nou_auditor", kGd, {200, 200, 403, 200, 403, 200, 200, 403}},
    {"nou_auditor", kBjCollege, {200, 200, 403, 200, 403, 200, 200, 403}},
    // A reviewer at NOU reads everything below NOU but administers nothing.
    {"nou_reviewer", kGd, {200, 200, 403, 200, 403, 403, 403, 403}},
};

TEST(AccessMatrix, EveryCellHasItsExpectedAnswer) {
  TestServer server;
  std::map<std::string, Client> clients;
  auto org_id = [&](const std::string& name) {
    auto r = server.ctx().db->QueryOne("SELECT id FROM orgs WHERE name = ?", {name});
    return (*r)->Int(0);
  };
  int serial = 0;
  for (const Cell& cell : kMatrix) {
    auto [it, inserted] = clients.try_emplace(cell.user, server.port());
    Client& c = it->second;
    if (inserted) {
      ASSERT_EQ(c.Login(cell.user).status, 200) << cell.user;
    }
    int64_t id = org_id(cell.target);
    // The kind a unit of this kind could open (or a college kind, which fails validation).
    auto kinds = c.Get("/api/v1/org-kinds").Json()["items"];
    std::string base = "/api/v1/orgs/" + std::to_string(id);
    ++serial;
    std::string child_kind = "provincial_college";
    {
      auto target = server.ctx().db->QueryOne("SELECT kind FROM orgs WHERE id = ?", {id});
      std::string kind = (*target)->Text(0);
      for (const auto& k : kinds) {
        if (k["kind"] == kind && !k["child_kinds"].empty()) child_kind = k["child_kinds"][0];
      }
    }
    std::vector<int> got;
    got.push_back(c.Get(base).status);
    got.push_back(c.Get(base + "/children").status);
    got.push_back(c.Send("POST", base + "/children",
                         {{"name", "矩阵测试单位" + std::to_string(serial)}, {"kind", child_kind}})
                      .status);
    got.push_back(c.Get(base + "/contact").status);
    got.push_back(c.Send("PUT", base + "/contact",
                         {{"name", "矩阵"}, {"title", "科员"}, {"office_phone", "010-12345678"},
                          {"mobile", "13800000009"}, {"email", "m@example.org"}})
                      .status);
    got.push_back(c.Get(base + "/contacts.xlsx").status);
    got.push_back(c.Get(base + "/users").status);
    got.push_back(c.Send("POST", base + "/users",
                         {{"username", "matrix_user" + std::to_string(serial)},
                          {"password", "Matrix#2022"},
                          {"role", "uploader"}})
                      .status);
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i], cell.expected[i])
          << cell.user << " → " << cell.target << " : " << kRoutes[i];
    }
  }
}

TEST(AccessMatrix, AnonymousCallersGet401Or403) {
  TestServer server;
  Client anon(server.port());
  EXPECT_EQ(anon.Get("/api/v1/orgs/1").status, 401);
  EXPECT_EQ(anon.Get("/api/v1/me").status, 401);
  // A state change without a CSRF header is refused before anything else.
  EXPECT_EQ(anon.Request("POST", "/api/v1/orgs/1/children", "{}").status, 403);
  EXPECT_EQ(anon.Send("POST", "/api/v1/orgs/1/children", json::object()).status, 403);
  anon.csrf = "forged";
  EXPECT_EQ(anon.Send("POST", "/api/v1/orgs/1/children", json::object()).status, 401);
}

}  // namespace
}  // namespace lep::testing
