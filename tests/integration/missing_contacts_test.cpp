// Units that have not registered their 负责人 (附件3) by the contact deadline (issue 17 §4): the
// caller's descendant units without a complete contact, with the campaign's deadline, as JSON
// and as a workbook; scoped to the caller's subtree like every statistic.
#include <gtest/gtest.h>

#include <set>

#include "integration/server_fixture.h"
#include "xlsx/spreadsheet.h"

namespace lep::testing {
namespace {

using nlohmann::json;

constexpr int64_t kBeforeDeadline = 1650355200000;  // 2022-04-19 16:00 Beijing
constexpr int64_t kAfterDeadline = 1650470400000;   // 2022-04-21 00:00 Beijing

class MissingContactsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.clock().SetMs(kBeforeDeadline);
    ASSERT_EQ(nou_.Login("nou_admin").status, 200);
    ASSERT_EQ(gd_.Login("gd_admin").status, 200);
    auto c = nou_.Send("POST", "/api/v1/campaigns",
                       {{"name", "2022年终身教育数字化学习资源征集"},
                        {"year", 2022},
                        {"contact_deadline", "2022-04-20"},
                        {"submission_deadline", "2022-05-15"},
                        {"first_review_deadline", "2022-05-22"}});
    ASSERT_EQ(c.status, 201) << c.body;
    campaign_ = c.Json()["id"];
  }
  int64_t OrgId(const std::string& name) {
    return (*server_.ctx().db->QueryOne("SELECT id FROM orgs WHERE name = ?", {name}))->Int(0);
  }
  static std::set<std::string> Names(const json& body) {
    std::set<std::string> out;
    for (const auto& row : body["items"]) out.insert(row["org"]["name"].get<std::string>());
    return out;
  }

  TestServer server_;
  Client nou_{server_.port()};
  Client gd_{server_.port()};
  int64_t campaign_ = 0;
};

TEST_F(MissingContactsTest, AProvinceSeesItsUnitsWithoutAContactUntilTheyRegisterOne) {
  // A third college (beside the demo's two) that has none either.
  auto opened = gd_.Send("POST", "/api/v1/orgs/" + std::to_string(OrgId("广东省教育厅")) +
                                     "/children",
                         {{"name", "韶关演示社区学院"}, {"kind", "provincial_college"}});
  ASSERT_EQ(opened.status, 201) << opened.body;
  const int64_t second = opened.Json()["id"];

  auto r = gd_.Get("/api/v1/stats/missing-contacts");
  ASSERT_EQ(r.status, 200) << r.body;
  json m = r.Json();
  EXPECT_EQ(m["campaign"]["id"], campaign_);
  EXPECT_EQ(m["deadline"], "2022-04-20");
  EXPECT_EQ(m["deadline_at"], kAfterDeadline);  // the end of 2022-04-20, Beijing
  EXPECT_EQ(m["overdue"], false);
  EXPECT_EQ(m["units"], 3);
  // Its own unit (which has a contact) is not listed, nor any other province's units.
  EXPECT_EQ(Names(m), (std::set<std::string>{"岭南示范职业技术学院（演示）",
                                             "珠江演示开放大学（演示）", "韶关演示社区学院"}));
  EXPECT_EQ(m["items"][0]["parent_name"], "广东省教育厅");
  EXPECT_EQ(m["items"][0]["registered"], false);
  EXPECT_EQ(m["items"][0]["missing"].size(), 5u);

  // One college registers its contact; after the deadline only the other is left, overdue.
  auto put = gd_.Send("PUT", "/api/v1/orgs/" + std::to_string(second) + "/contact",
                      {{"name", "演示联系人丙"}, {"title", "科长"}, {"office_phone", "020-00000003"},
                       {"mobile", "13800000003"}, {"email", "zj-contact@example.org"}});
  ASSERT_EQ(put.status, 200) << put.body;
  server_.clock().SetMs(kAfterDeadline);
  ASSERT_EQ(gd_.Login("gd_admin").status, 200);  // the session idled out meanwhile
  json after = gd_.Get("/api/v1/stats/missing-contacts").Json();
  EXPECT_EQ(after["overdue"], true);
  EXPECT_EQ(after["units"], 3);
  EXPECT_EQ(Names(after),
            (std::set<std::string>{"岭南示范职业技术学院（演示）", "珠江演示开放大学（演示）"}));

  // The workbook: title, scope, deadline, a header, one row per unit and the 合计 row.
  auto x = gd_.Get("/api/v1/stats/missing-contacts.xlsx?campaign_id=" + std::to_string(campaign_));
  ASSERT_EQ(x.status, 200) << x.body;
  EXPECT_NE(x.headers["content-disposition"].find("filename*=UTF-8''"), std::string::npos);
  auto t = xlsx::ReadXlsx(x.body);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->header[0], "未按时登记负责人（联系人）的单位");
  ASSERT_EQ(t->rows.size(), 7u);
  EXPECT_EQ(t->rows[0][0], "统计范围：广东省教育厅的下级单位");
  EXPECT_EQ(t->rows[1][0], "联系人报送截止：2022-04-20（已截止）");
  EXPECT_EQ(t->rows[3][0], "序号");
  EXPECT_EQ(t->rows[4][1], "岭南示范职业技术学院（演示）");
  EXPECT_EQ(t->rows[4][4], "未登记");
  EXPECT_EQ(t->rows[5][1], "珠江演示开放大学（演示）");
  EXPECT_EQ(t->rows[6][0], "合计");
}

TEST_F(MissingContactsTest, ScopedToTheCallersSubtree) {
  // The platform sees every province without a contact (the demo registers 广东 and 北京 only),
  // but not the ministry's oversight unit or itself.
  json all = nou_.Get("/api/v1/stats/missing-contacts").Json();
  auto names = Names(all);
  EXPECT_TRUE(names.count("河北省教育厅"));
  EXPECT_TRUE(names.count("岭南示范职业技术学院（演示）"));
  EXPECT_FALSE(names.count("广东省教育厅"));
  EXPECT_FALSE(names.count("北京市教育委员会"));
  EXPECT_FALSE(names.count("国家开放大学"));
  for (const auto& row : all["items"]) EXPECT_NE(row["org"]["kind"], "ministry_dept");
  EXPECT_GT(all["units"].get<int64_t>(), static_cast<int64_t>(all["items"].size()));

  // Narrowed to a unit: its descendants only; another province's unit is not found.
  const std::string gd_id = std::to_string(OrgId("广东省教育厅"));
  EXPECT_EQ(Names(nou_.Get("/api/v1/stats/missing-contacts?unit_id=" + gd_id).Json()),
            (std::set<std::string>{"岭南示范职业技术学院（演示）", "珠江演示开放大学（演示）"}));
  Client bj(server_.port());
  ASSERT_EQ(bj.Login("bj_admin").status, 200);
  EXPECT_EQ(bj.Get("/api/v1/stats/missing-contacts?unit_id=" + gd_id).status, 404);
  EXPECT_EQ(bj.Get("/api/v1/stats/missing-contacts.xlsx?unit_id=" + gd_id).status, 404);
  EXPECT_EQ(Names(bj.Get("/api/v1/stats/missing-contacts").Json()),
            (std::set<std::string>{"京华演示城市学院（演示）"}));
  // Not an administrator: 403; no session: 401; unknown campaign: 404.
  Client up(server_.port());
  ASSERT_EQ(up.Login("gd_uploader").status, 200);
  EXPECT_EQ(up.Get("/api/v1/stats/missing-contacts").status, 403);
  EXPECT_EQ(Client(server_.port()).Get("/api/v1/stats/missing-contacts").status, 401);
  EXPECT_EQ(gd_.Get("/api/v1/stats/missing-contacts?campaign_id=999999").status, 404);
}

}  // namespace
}  // namespace lep::testing
