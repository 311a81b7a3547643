// What goes upward (issue 17 §4): the resource export with 报送单位, 状态, 征集批次, 发布批次 and
// 技术检测 and a campaign filter; the public catalog with 批次, 发布日期 and absolute links, counts
// as number cells and a Chinese file name. Every workbook is read back with the repo's reader,
// and the cell kinds from the sheet's XML.
#include <gtest/gtest.h>

#include "integration/server_fixture.h"
#include "xlsx/spreadsheet.h"
#include "xlsx/zip_archive.h"

namespace lep::testing {
namespace {

using nlohmann::json;

constexpr const char* kBase = "https://lep.example.edu.cn";
constexpr int64_t kPublishedAt = 1652169600000;  // 2022-05-10 16:00 Beijing

// The XML of a worksheet part of an xlsx.
std::string SheetXml(const std::string& xlsx, const std::string& part = "xl/worksheets/sheet1.xml") {
  auto zip = xlsx::internal::ZipArchive::Open(xlsx, 64 << 20, 64 << 20);
  if (!zip) return "";
  std::string out;
  auto st = zip->Stream(part, 1 << 16, [&](std::string_view c) {
    out.append(c);
    return Ok();
  });
  return st ? out : "";
}

// The <c> element of a cell reference ("A2"), or "".
std::string Cell(const std::string& xml, const std::string& ref) {
  size_t at = xml.find("<c r=\"" + ref + "\"");
  return at == std::string::npos ? std::string() : xml.substr(at, xml.find("</c>", at) - at);
}
bool IsNumberCell(const std::string& c) { return !c.empty() && c.find(" t=\"") == std::string::npos; }

class UpwardExportsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.clock().SetMs(kPublishedAt + 3'600'000);
    ASSERT_EQ(admin_.Login("nou_admin").status, 200);
    ASSERT_EQ(up_.Login("gd_uploader").status, 200);
    campaign_a_ = Campaign("2022年终身教育数字化学习资源征集");
    campaign_b_ = Campaign("2023年终身教育数字化学习资源征集");
    auto& db = *server_.ctx().db;
    EXPECT_TRUE(db.Exec("INSERT INTO batches (number, name, state, published_at, created_by, "
                        "created_at) VALUES (1, '第1批', 'published', ?, 1, ?)",
                        {kPublishedAt, kPublishedAt}));
    batch_ = (*db.QueryOne("SELECT id FROM batches WHERE number = 1"))->Int(0);
  }
  int64_t Campaign(const std::string& name) {
    auto c = admin_.Send("POST", "/api/v1/campaigns",
                         {{"name", name}, {"year", 2022}, {"submission_deadline", "2022-05-15"},
                          {"first_review_deadline", "2022-05-22"}});
    EXPECT_EQ(c.status, 201) << c.body;
    return c.Json().value("id", int64_t{0});
  }
  int64_t Make(const std::string& title) {
    auto r = up_.Send("POST", "/api/v1/resources",
                      {{"title", title}, {"type", "A01"}, {"domain", "老年教育"},
                       {"summary", "示例简介"}, {"copyright_holder", "演示学院"},
                       {"presenters", "张演示"}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.Json().value("id", int64_t{0});
  }
  void Publish(int64_t id, int64_t campaign) {
    EXPECT_TRUE(server_.ctx().db->Exec(
        "UPDATE resources SET state = 'published', campaign_id = ?, batch_id = ?, published_at = "
        "?, updated_at = ?, clicks = 1234, cover_blob = ?, cover_thumb_blob = ?, cover_width = 640, "
        "cover_height = 360 WHERE id = ?",
        {campaign, batch_, kPublishedAt, kPublishedAt, std::string(32, 'a'), std::string(32, 'b'),
         id}));
  }

  TestServer server_{{}, [](Config& c) { c.public_base_url = kBase; }};
  Client admin_{server_.port()};
  Client up_{server_.port()};
  int64_t campaign_a_ = 0, campaign_b_ = 0, batch_ = 0;
};

TEST_F(UpwardExportsTest, ResourceExportCarriesWorkflowColumnsAndFiltersByCampaign) {
  int64_t published = Make("太极拳入门");
  Publish(published, campaign_a_);
  int64_t reviewing = Make("八段锦");
  ASSERT_TRUE(server_.ctx().db->Exec(
      "UPDATE resources SET state = 'first_review', campaign_id = ? WHERE id = ?",
      {campaign_b_, reviewing}));
  int64_t draft = Make("五禽戏草稿");

  auto all = up_.Get("/api/v1/resources/export.xlsx");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_NE(all.headers["content-disposition"].find(
                "filename*=UTF-8''%E8%B5%84%E6%BA%90%E5%85%83%E6%95%B0%E6%8D%AE.xlsx"),
            std::string::npos);
  auto t = xlsx::ReadXlsx(all.body);
  ASSERT_TRUE(t) << t.error().message;
  ASSERT_GE(t->header.size(), 5u);
  EXPECT_EQ(std::vector<std::string>(t->header.end() - 5, t->header.end()),
            (std::vector<std::string>{"报送单位", "状态", "征集批次", "发布批次", "技术检测"}));
  ASSERT_EQ(t->rows.size(), 3u);
  auto tail = [&](size_t row) {
    return std::vector<std::string>(t->rows[row].end() - 5, t->rows[row].end());
  };
  // Oldest first.
  EXPECT_EQ(t->rows[0][0], std::to_string(published));
  EXPECT_EQ(t->rows[2][0], std::to_string(draft));
  EXPECT_EQ(tail(0), (std::vector<std::string>{"岭南示范职业技术学院（演示）", "已发布",
                                               "2022年终身教育数字化学习资源征集", "第1批",
                                               "未检测"}));
  EXPECT_EQ(tail(1), (std::vector<std::string>{"岭南示范职业技术学院（演示）", "初审中",
                                               "2023年终身教育数字化学习资源征集", "", "未检测"}));
  EXPECT_EQ(tail(2)[1], "草稿");
  EXPECT_EQ(tail(2)[2], "");
  // IDs and counts are number cells; the rest text.
  const std::string xml = SheetXml(all.body);
  EXPECT_TRUE(IsNumberCell(Cell(xml, "A2"))) << Cell(xml, "A2");
  EXPECT_TRUE(IsNumberCell(Cell(xml, "N2"))) << Cell(xml, "N2");
  EXPECT_FALSE(IsNumberCell(Cell(xml, "B2"))) << Cell(xml, "B2");

  // The campaign filter, in both formats.
  auto only_a = xlsx::ReadXlsx(
      up_.Get("/api/v1/resources/export.xlsx?campaign_id=" + std::to_string(campaign_a_)).body);
  ASSERT_TRUE(only_a);
  ASSERT_EQ(only_a->rows.size(), 1u);
  EXPECT_EQ(only_a->rows[0][0], std::to_string(published));
  auto only_b = up_.Get("/api/v1/resources/export.csv?campaign_id=" + std::to_string(campaign_b_));
  ASSERT_EQ(only_b.status, 200);
  auto csv = xlsx::ReadCsv(only_b.body);
  ASSERT_TRUE(csv);
  ASSERT_EQ(csv->rows.size(), 1u);
  EXPECT_EQ(csv->rows[0][0], std::to_string(reviewing));
  EXPECT_EQ(csv->header.back(), "技术检测");
  for (const char* bad : {"abc", "0", "999999"}) {
    auto r = up_.Get(std::string("/api/v1/resources/export.xlsx?campaign_id=") + bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(r.Json()["error"]["fields"][0]["field"], "campaign_id") << r.body;
  }
  // Another province's uploader sees none of them.
  Client bj(server_.port());
  ASSERT_EQ(bj.Login("bj_uploader").status, 200);
  EXPECT_EQ(xlsx::ReadXlsx(bj.Get("/api/v1/resources/export.xlsx").body)->rows.size(), 0u);
}

TEST_F(UpwardExportsTest, CatalogHasBatchDateAbsoluteLinksNumbersAndAChineseFileName) {
  int64_t id = Make("太极拳入门");
  Publish(id, campaign_a_);
  ASSERT_TRUE(server_.ctx().search_feed->Sync({id}));
  Client anon(server_.port());
  auto r = anon.Get("/api/v1/portal/catalog?format=xlsx");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.headers["content-disposition"].find("filename=\"catalog.xlsx\""), std::string::npos);
  // 国家终身教育数字化学习资源目录.xlsx
  EXPECT_NE(r.headers["content-disposition"].find(
                "filename*=UTF-8''%E5%9B%BD%E5%AE%B6%E7%BB%88%E8%BA%AB%E6%95%99%E8%82%B2"),
            std::string::npos)
      << r.headers["content-disposition"];
  auto t = xlsx::ReadXlsx(r.body);
  ASSERT_TRUE(t) << t.error().message;
  auto col = [&](const std::string& name) {
    auto it = std::find(t->header.begin(), t->header.end(), name);
    EXPECT_NE(it, t->header.end()) << name;
    return it == t->header.end() ? std::string() : t->rows.at(0).at(it - t->header.begin());
  };
  ASSERT_EQ(t->rows.size(), 1u);
  EXPECT_EQ(col("发布批次"), "第1批");
  EXPECT_EQ(col("发布日期"), "2022-05-10");
  EXPECT_EQ(col("报送单位"), "岭南示范职业技术学院（演示）");
  EXPECT_EQ(col("资源页面"), std::string(kBase) + "/resources/" + std::to_string(id));
  EXPECT_EQ(col("资源封面"),
            std::string(kBase) + "/api/v1/resources/" + std::to_string(id) + "/cover");
  EXPECT_EQ(col("点击量"), "1234");
  const std::string xml = SheetXml(r.body);
  EXPECT_TRUE(IsNumberCell(Cell(xml, "A2"))) << Cell(xml, "A2");
  EXPECT_TRUE(IsNumberCell(Cell(xml, "N2"))) << Cell(xml, "N2");
  EXPECT_NE(Cell(xml, "N2").find("<v>1234</v>"), std::string::npos);
  // The CSV has the same columns.
  auto csv = xlsx::ReadCsv(anon.Get("/api/v1/portal/catalog?format=csv").body);
  ASSERT_TRUE(csv);
  EXPECT_EQ(csv->header, t->header);
  EXPECT_EQ(csv->rows.at(0), t->rows.at(0));
}

// The progress report an office forwards upward: title, scope, generated-at, header, counts
// as numbers, 合计; one sheet per grouping and one for every campaign; scoped like the screen.
TEST_F(UpwardExportsTest, ProgressReportWorkbookForwardsUpward) {
  int64_t a1 = Make("太极拳入门"), a2 = Make("八段锦"), b1 = Make("书法");
  auto& db = *server_.ctx().db;
  ASSERT_TRUE(db.Exec("UPDATE resources SET state = 'published', campaign_id = ? WHERE id = ?",
                      {campaign_a_, a1}));
  ASSERT_TRUE(db.Exec("UPDATE resources SET state = 'first_review', campaign_id = ? WHERE id = ?",
                      {campaign_a_, a2}));
  ASSERT_TRUE(db.Exec("UPDATE resources SET state = 'first_review', campaign_id = ? WHERE id = ?",
                      {campaign_b_, b1}));
  Client gd(server_.port());
  ASSERT_EQ(gd.Login("gd_admin").status, 200);
  auto r = gd.Get("/api/v1/stats/report.xlsx?campaign_id=" + std::to_string(campaign_a_));
  ASSERT_EQ(r.status, 200) << r.body;
  // 征集进度统计.xlsx
  EXPECT_NE(r.headers["content-disposition"].find(
                "filename*=UTF-8''%E5%BE%81%E9%9B%86%E8%BF%9B%E5%BA%A6%E7%BB%9F%E8%AE%A1.xlsx"),
            std::string::npos)
      << r.headers["content-disposition"];
  auto t = xlsx::ReadXlsx(r.body);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->header[0], "2022年终身教育数字化学习资源征集征集进度统计（按省份）");
  ASSERT_GE(t->rows.size(), 4u);
  EXPECT_EQ(t->rows[0][0], "统计范围：广东省教育厅");
  EXPECT_EQ(t->rows[1][0], "生成时间：2022-05-10 17:00（北京时间）");
  EXPECT_EQ(t->rows[2], (std::vector<std::string>{"序号", "省份（一级单位）", "资源数", "其中逾期"}));
  EXPECT_EQ(t->rows.back()[0], "合计");
  EXPECT_EQ(t->rows.back()[2], "2");  // campaign A only
  const std::string xml = SheetXml(r.body);
  EXPECT_TRUE(IsNumberCell(Cell(xml, "C5"))) << Cell(xml, "C5");
  const std::string rows = std::to_string(t->rows.size() + 1);
  EXPECT_NE(Cell(xml, "C" + rows).find("<v>2</v>"), std::string::npos) << Cell(xml, "C" + rows);
  // One sheet per grouping, and the campaigns.
  const std::string book = SheetXml(r.body, "xl/workbook.xml");
  for (const char* sheet : {"按省份", "按单位", "按状态", "按征集范围", "按资源类型", "按征集批次"}) {
    EXPECT_NE(book.find(sheet), std::string::npos) << sheet;
  }
  const std::string campaigns_xml = SheetXml(r.body, "xl/worksheets/sheet6.xml");
  EXPECT_NE(campaigns_xml.find("<v>2</v>"), std::string::npos);  // campaign A: 2
  EXPECT_NE(campaigns_xml.find("<v>1</v>"), std::string::npos);  // campaign B: 1
  // Scoped like the statistics screen: another province's unit is not found.
  Client bj(server_.port());
  ASSERT_EQ(bj.Login("bj_admin").status, 200);
  const int64_t gd_org = gd.Get("/api/v1/me").Json()["user"]["org_id"];
  EXPECT_EQ(bj.Get("/api/v1/stats/report.xlsx?unit_id=" + std::to_string(gd_org)).status, 404);
  EXPECT_EQ(gd.Get("/api/v1/stats/report.xlsx?campaign_id=999999").status, 404);
  EXPECT_EQ(Client(server_.port()).Get("/api/v1/stats/report.xlsx").status, 401);
}

}  // namespace
}  // namespace lep::testing
