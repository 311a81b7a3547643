// Opening many units and accounts from a spreadsheet over the real server (issue 17 §3): a
// province opens 300 colleges with an administrator account each from one CSV, the answer
// carries one-time activation links and the same list as an xlsx; every bad row is named by
// row and column and nothing is opened; names and usernames must be unique; another
// province's unit answers 404 and a non-admin 403.
#include <gtest/gtest.h>

#include "crypto/crypto.h"
#include "integration/server_fixture.h"
#include "xlsx/spreadsheet.h"

namespace lep::testing {
namespace {

using nlohmann::json;

class BulkUnitsTest : public ::testing::Test {
 protected:
  int64_t Count(const std::string& sql, const std::vector<storage::Value>& args = {}) {
    auto r = server_.ctx().db->QueryOne(sql, args);
    return r && *r ? (*r)->Int(0) : -1;
  }
  int64_t OrgId(const std::string& name) {
    return Count("SELECT id FROM orgs WHERE name = ?", {name});
  }
  HttpResult Upload(Client& c, int64_t parent, const std::string& csv, bool dry_run) {
    return c.Request("POST",
                     "/api/v1/orgs/" + std::to_string(parent) + "/bulk-units?dry_run=" +
                         (dry_run ? "true" : "false"),
                     csv, {{"X-CSRF-Token", c.csrf}, {"Content-Type", "text/csv; charset=utf-8"}});
  }
  static std::string Csv(const std::vector<std::vector<std::string>>& rows) {
    xlsx::Table t;
    t.header = {"单位名称", "单位类型", "账号用户名", "姓名", "角色"};
    t.rows = rows;
    return xlsx::WriteCsv(t);
  }

  TestServer server_;
};

TEST_F(BulkUnitsTest, AProvinceOpens300CollegesWithOneTimeLinks) {
  Client gd(server_.port());
  ASSERT_EQ(gd.Login("gd_admin").status, 200);
  const int64_t province = OrgId("广东省教育厅");
  std::vector<std::vector<std::string>> rows;
  for (int i = 1; i <= 300; ++i) {
    std::string n = std::to_string(i);
    rows.push_back({"广东第" + n + "职业技术学院", i % 2 ? "" : "省属院校", "gdcol" + n,
                    "联系人" + n, i == 7 ? "录入员" : ""});
  }
  const std::string csv = Csv(rows);
  const int64_t orgs_before = Count("SELECT COUNT(*) FROM orgs");
  const int64_t colleges_before = Count(
      "SELECT COUNT(*) FROM orgs WHERE parent_id = ? AND kind = 'provincial_college'", {province});
  auto dry = Upload(gd, province, csv, true);
  ASSERT_EQ(dry.status, 200) << dry.body;
  EXPECT_EQ(dry.Json()["valid_rows"], 300);
  EXPECT_EQ(dry.Json()["accounts"], 300);
  EXPECT_TRUE(dry.Json()["errors"].empty());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM orgs"), orgs_before);  // a dry run opens nothing

  auto done = Upload(gd, province, csv, false);
  ASSERT_EQ(done.status, 200) << done.body.substr(0, 2000);
  json out = done.Json();
  EXPECT_EQ(out["units_created"], 300);
  EXPECT_EQ(out["accounts_created"], 300);
  EXPECT_TRUE(out["stopped"].is_null());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM orgs WHERE parent_id = ? AND kind = 'provincial_college'",
                  {province}),
            colleges_before + 300);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users WHERE username LIKE 'gdcol%'"), 300);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users u JOIN orgs o ON o.id = u.org_id "
                  "WHERE u.username = 'gdcol7' AND u.role = 'uploader' AND o.name = ?",
                  {std::string("广东第7职业技术学院")}),
            1);
  json items = out["items"];
  ASSERT_EQ(items.size(), 300u);
  EXPECT_EQ(items[0]["org_name"], "广东第1职业技术学院");
  EXPECT_EQ(items[0]["role_label"], "单位管理员");
  std::string url = items[41]["activation_path"];
  auto at = url.find("/activate#token=");
  ASSERT_NE(at, std::string::npos) << url;
  std::string token = url.substr(at + 16);
  // Only the hash is stored: the token itself is nowhere in the database.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM account_tokens WHERE token_hash = ?", {token}), 0);
  // The list as an xlsx, with every account and its link.
  auto bytes = crypto::FromBase64(out["workbook"].get<std::string>());
  ASSERT_TRUE(bytes);
  auto table = xlsx::ReadXlsx(*bytes);
  ASSERT_TRUE(table) << table.error().message;
  size_t with_links = 0;
  for (const auto& row : table->rows) {
    for (const auto& cell : row) with_links += cell.find("/activate#token=") != std::string::npos;
  }
  EXPECT_EQ(with_links, 300u);
  // The link works once.
  Client anon(server_.port());
  auto activated = anon.Request("POST", "/api/v1/auth/activate",
                                json{{"token", token}, {"password", "Gd#College2022"}}.dump());
  ASSERT_EQ(activated.status, 200) << activated.body;
  Client college(server_.port());
  EXPECT_EQ(college.Login("gdcol42", "Gd#College2022").status, 200);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'org.bulk_create'"), 1);

  // The same sheet again: every name and username is taken, nothing more is opened.
  auto again = Upload(gd, province, csv, false);
  ASSERT_EQ(again.status, 400);
  EXPECT_EQ(again.Json()["report"]["error_rows"], 300);
  EXPECT_EQ(again.Json()["report"]["errors"][0]["field"], "name");
  EXPECT_EQ(again.Json()["report"]["errors"][1]["field"], "username");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM orgs"), orgs_before + 300);
}

TEST_F(BulkUnitsTest, BadRowsAreNamedAndNothingIsOpened) {
  Client gd(server_.port());
  ASSERT_EQ(gd.Login("gd_admin").status, 200);
  const int64_t province = OrgId("广东省教育厅");
  const std::string csv = Csv({
      {"甲职业学院", "", "jia_admin", "", ""},                          // row 2: fine
      {"甲职业学院", "", "jia2_admin", "", ""},                         // row 3: same name
      {"乙", "", "yi_admin", "", ""},                                   // row 4: name too short
      {"丙职业学院", "部属高等学校", "bing_admin", "", ""},             // row 5: kind not here
      {"丁职业学院", "", "jia_admin", "", ""},                          // row 6: same username
      {"戊职业学院", "", "gd_admin", "", ""},                           // row 7: username taken
      {"己职业学院", "", "9bad", "", ""},                               // row 8: bad username
      {"庚职业学院", "", "geng_admin", "", "审核员"},                   // row 9: no reviewers
      {"岭南示范职业技术学院（演示）", "", "", "", ""},                  // row 10: existing unit
      {"辛职业学院", "", "", "张三", ""},                               // row 11: name w/o user
  });
  const int64_t orgs_before = Count("SELECT COUNT(*) FROM orgs");
  const int64_t users_before = Count("SELECT COUNT(*) FROM users");
  auto r = Upload(gd, province, csv, false);
  ASSERT_EQ(r.status, 400) << r.body;
  json errors = r.Json()["report"]["errors"];
  std::vector<std::pair<int, std::string>> where;
  for (const auto& e : errors) where.emplace_back(e["row"].get<int>(), e["field"].get<std::string>());
  EXPECT_EQ(where, (std::vector<std::pair<int, std::string>>{{3, "name"},
                                                             {4, "name"},
                                                             {5, "kind"},
                                                             {6, "username"},
                                                             {7, "username"},
                                                             {8, "username"},
                                                             {9, "role"},
                                                             {10, "name"},
                                                             {11, "username"}}))
      << r.body;
  EXPECT_NE(errors[0]["message"].get<std::string>().find("第 2 行"), std::string::npos);
  EXPECT_EQ(errors[0]["label"], "单位名称");
  EXPECT_NE(errors[7]["message"].get<std::string>().find("本单位已有"), std::string::npos);
  EXPECT_EQ(r.Json()["error"]["fields"][0]["message"].get<std::string>().rfind("第 3 行：", 0), 0u);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM orgs"), orgs_before);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users"), users_before);
  // A sheet without the name column.
  xlsx::Table bad;
  bad.header = {"名称", "账号用户名"};
  bad.rows = {{"某学院", "x_admin"}};
  auto no_column = Upload(gd, province, xlsx::WriteCsv(bad), true);
  ASSERT_EQ(no_column.status, 200);
  EXPECT_EQ(no_column.Json()["errors"][0]["message"], "缺少必填列“单位名称”");
  EXPECT_EQ(no_column.Json()["unknown_columns"], json::array({"名称"}));
}

TEST_F(BulkUnitsTest, OnlyTheUnitsOwnAdminOpensAndOthersSeeNothing) {
  const std::string csv = Csv({{"越界职业学院", "", "yuejie_admin", "", ""}});
  const int64_t gd_id = OrgId("广东省教育厅");
  const int64_t gd_college = OrgId("岭南示范职业技术学院（演示）");
  Client bj(server_.port()), reviewer(server_.port()), gd(server_.port());
  ASSERT_EQ(bj.Login("bj_admin").status, 200);
  ASSERT_EQ(reviewer.Login("gd_reviewer").status, 200);
  ASSERT_EQ(gd.Login("gd_admin").status, 200);
  auto foreign = Upload(bj, gd_id, csv, false);
  EXPECT_EQ(foreign.status, 404) << foreign.body;
  EXPECT_EQ(foreign.body.find("广东"), std::string::npos);
  EXPECT_EQ(Upload(reviewer, gd_id, csv, false).status, 403);
  EXPECT_EQ(Upload(gd, gd_college, csv, false).status, 403);  // not the college's admin
  EXPECT_EQ(Upload(gd, 999999, csv, false).status, 404);
  Client no_csrf = gd;
  no_csrf.csrf.clear();
  EXPECT_EQ(no_csrf.Request("POST", "/api/v1/orgs/" + std::to_string(gd_id) + "/bulk-units?dry_run=false",
                            csv, {{"Content-Type", "text/csv"}})
                .status,
            403);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM orgs WHERE name = ?", {std::string("越界职业学院")}), 0);
  // The template: the header the import reads, and the help sheet.
  auto t = gd.Get("/api/v1/org-bulk/template.xlsx");
  ASSERT_EQ(t.status, 200);
  auto table = xlsx::ReadXlsx(t.body);
  ASSERT_TRUE(table) << table.error().message;
  EXPECT_EQ(table->header, (std::vector<std::string>{"单位名称", "单位类型", "账号用户名", "姓名", "角色"}));
  Client anon(server_.port());
  EXPECT_EQ(anon.Get("/api/v1/org-bulk/template.xlsx").status, 401);
}

}  // namespace
}  // namespace lep::testing
