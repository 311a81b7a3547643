// Resources over HTTP: CRUD, validation errors, bulk import/export with real spreadsheets.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "integration/server_fixture.h"
#include "xlsx/spreadsheet.h"

namespace lep::testing {
namespace {

using nlohmann::json;

json GoodResource(const std::string& title) {
  return {{"title", title},
          {"type", "A01"},
          {"domain", "老年教育"},
          {"summary", "二十四式太极拳分解教学。"},
          {"copyright_holder", "岭南示范职业技术学院（演示）"},
          {"presenters", json::array({"张演示", "(藏族)班班多杰"})},
          {"keywords", "太极拳；健身"},
          {"category", "健康养生-太极拳"},
          {"created_on", "2022-03-23"}};
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class ResourcesApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.clock().SetMs(1652572800000);  // 2022-05-15 08:00 Beijing
    ASSERT_EQ(uploader_.Login("gd_uploader").status, 200);
  }
  TestServer server_;
  Client uploader_{server_.port()};
};

TEST_F(ResourcesApiTest, CreateReadUpdateDelete) {
  auto created = uploader_.Send("POST", "/api/v1/resources", GoodResource("太极拳入门"));
  ASSERT_EQ(created.status, 201) << created.body;
  json r = created.Json();
  EXPECT_EQ(r["state"], "draft");
  EXPECT_EQ(r["presenters"], json::array({"张演示", "(藏族)班班多杰"}));
  EXPECT_EQ(r["keywords"], json::array({"太极拳", "健身"}));
  std::string url = "/api/v1/resources/" + std::to_string(r["id"].get<int64_t>());
  EXPECT_EQ(uploader_.Get(url).Json()["title"], "太极拳入门");

  json edit = GoodResource("太极拳入门（修订）");
  edit["version"] = r["version"];
  auto updated = uploader_.Send("PUT", url, edit);
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.Json()["version"], r["version"].get<int>() + 1);
  auto stale = uploader_.Send("PUT", url, edit);  // same old version again
  EXPECT_EQ(stale.status, 409);

  // The province sees it, Beijing does not.
  Client gd(server_.port());
  gd.Login("gd_reviewer");
  EXPECT_EQ(gd.Get(url).status, 200);
  Client bj(server_.port());
  bj.Login("bj_admin");
  EXPECT_EQ(bj.Get(url).status, 404);
  EXPECT_EQ(bj.Send("DELETE", url, json::object()).status, 404);

  EXPECT_EQ(uploader_.Send("DELETE", url, json::object()).status, 204);
  EXPECT_EQ(uploader_.Get(url).status, 404);
}

TEST_F(ResourcesApiTest, EveryFieldErrorComesBackAtOnce) {
  json bad = {{"title", ""},
              {"type", "A09"},
              {"domain", "老年教育"},
              {"summary", "x"},
              {"copyright_holder", "y"},
              {"presenters", "甲"},
              {"created_on", "2022-02-30"},
              {"toc", "<!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>"},
              {"category", "科学文化-航空知识-航空发动鸡"}};
  auto r = uploader_.Send("POST", "/api/v1/resources", bad);
  ASSERT_EQ(r.status, 400);
  json fields = r.Json()["error"]["fields"];
  std::vector<std::string> names, labels;
  for (const auto& f : fields) {
    names.push_back(f["field"]);
    labels.push_back(f["label"]);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"title", "type", "created_on", "toc", "category"}));
  EXPECT_EQ(labels, (std::vector<std::string>{"资源名称", "资源类型", "创建时间", "资源目录",
                                              "所属分类"}));
  EXPECT_NE(fields[4]["message"].get<std::string>().find("科学文化-航空知识-航空发动机"),
            std::string::npos);
  auto v = uploader_.Send("POST", "/api/v1/resources/validate", bad);
  EXPECT_EQ(v.status, 400);
  auto ok = uploader_.Send("POST", "/api/v1/resources/validate", GoodResource("只校验"));
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(uploader_.Get("/api/v1/resources").Json()["total"], 0);  // nothing stored
}

TEST_F(ResourcesApiTest, ImportXlsxMadeByLibreOffice) {
  std::string bytes = ReadFile("tests/fixtures/spreadsheets/resources_autodetect.xlsx");
  ASSERT_FALSE(bytes.empty());
  auto dry = uploader_.Request("POST", "/api/v1/resources/import?dry_run=true", bytes,
                               {{"X-CSRF-Token", uploader_.csrf},
                                {"Content-Type",
                                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}});
  ASSERT_TRUE(dry.status == 200 || dry.status == 400) << dry.body;
  json report = dry.Json();
  EXPECT_EQ(report["dry_run"], true);
  EXPECT_GT(report["total_rows"].get<int>(), 0);
  EXPECT_EQ(uploader_.Get("/api/v1/resources").Json()["total"], 0);
}

TEST_F(ResourcesApiTest, ImportNamesBadRowsAndIsAllOrNothing) {
  xlsx::SheetSpec sheet{"资源", {"所属顺序", "资源名称", "资源类型", "征集内容范围", "资源简介",
                                 "版权方", "主讲人", "所属系列", "创建时间"}, {}, {}};
  for (int i = 1; i <= 30; ++i) {
    char order[4];
    std::snprintf(order, sizeof order, "%02d", i);
    sheet.rows.push_back({order, "第" + std::to_string(i) + "讲", "A01", "社区教育", "简介",
                          "演示学院", "甲;乙", "社区系列", "2022-01-0" + std::to_string(1 + i % 9)});
  }
  sheet.rows[9][2] = "A07";          // row 11: type
  sheet.rows[19][8] = "2022-13-01";  // row 21: created_on
  sheet.rows[19][1] = "";            // row 21: title
  auto bytes = xlsx::WriteXlsx({sheet});
  ASSERT_TRUE(bytes);
  // As a browser form upload.
  std::string boundary = "lepBoundary7";
  std::string body = "--" + boundary +
                     "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"资源.xlsx\"\r\n"
                     "Content-Type: application/octet-stream\r\n\r\n" +
                     *bytes + "\r\n--" + boundary + "--\r\n";
  auto send = [&](const std::string& dry) {
    return uploader_.Request("POST", "/api/v1/resources/import?dry_run=" + dry, body,
                             {{"X-CSRF-Token", uploader_.csrf},
                              {"Content-Type", "multipart/form-data; boundary=" + boundary}});
  };
  auto dry = send("true");
  ASSERT_EQ(dry.status, 200) << dry.body;
  json errors = dry.Json()["errors"];
  ASSERT_EQ(errors.size(), 3u) << dry.body;
  EXPECT_EQ(errors[0]["row"], 11);
  EXPECT_EQ(errors[0]["field"], "type");
  EXPECT_EQ(errors[0]["label"], "资源类型");
  EXPECT_EQ(errors[1]["row"], 21);
  EXPECT_EQ(errors[1]["field"], "title");
  EXPECT_EQ(errors[2]["row"], 21);
  EXPECT_EQ(errors[2]["field"], "created_on");
  EXPECT_EQ(dry.Json()["valid_rows"], 28);

  auto real = send("false");
  EXPECT_EQ(real.status, 400);
  EXPECT_EQ(real.Json()["report"]["errors"].size(), 3u);
  EXPECT_EQ(uploader_.Get("/api/v1/resources").Json()["total"], 0);

  sheet.rows[9][2] = "A01";
  sheet.rows[19][8] = "2022-01-01";
  sheet.rows[19][1] = "第20讲";
  bytes = xlsx::WriteXlsx({sheet});
  auto ok = uploader_.Request("POST", "/api/v1/resources/import?dry_run=false", *bytes,
                              {{"X-CSRF-Token", uploader_.csrf}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.Json()["created"], 30);
  EXPECT_EQ(uploader_.Get("/api/v1/resources?series=社区系列").Json()["total"], 30);

  // Export and re-import into another unit: the same records.
  auto exported = uploader_.Get("/api/v1/resources/export.xlsx");
  ASSERT_EQ(exported.status, 200);
  auto table = xlsx::ReadXlsx(exported.body);
  ASSERT_TRUE(table) << table.error().message;
  EXPECT_EQ(table->header.front(), "资源ID");
  EXPECT_EQ(table->rows.size(), 30u);
  // Imported again by the same unit, the 资源ID column updates the 30 drafts in place.
  auto update = uploader_.Request("POST", "/api/v1/resources/import?dry_run=false", exported.body,
                                  {{"X-CSRF-Token", uploader_.csrf}});
  ASSERT_EQ(update.status, 200) << update.body;
  EXPECT_EQ(update.Json()["created"], 0);
  EXPECT_EQ(update.Json()["updated"], 30);
  EXPECT_EQ(uploader_.Get("/api/v1/resources?series=社区系列").Json()["total"], 30);
  // Another unit cannot update them (not found, all or nothing); without the ids it copies.
  Client bj(server_.port());
  ASSERT_EQ(bj.Login("bj_uploader").status, 200);
  auto foreign = bj.Request("POST", "/api/v1/resources/import?dry_run=false", exported.body,
                            {{"X-CSRF-Token", bj.csrf}});
  ASSERT_EQ(foreign.status, 400) << foreign.body;
  EXPECT_EQ(foreign.Json()["report"]["errors"].size(), 30u);
  EXPECT_EQ(foreign.Json()["report"]["errors"][0]["field"], "id");
  for (auto& row : table->rows) {
    for (auto& cell : row) cell = xlsx::RestoreFormulaText(cell);
    row[0].clear();
  }
  auto copy = xlsx::WriteXlsx({{"资源", table->header, table->rows, {}}});
  ASSERT_TRUE(copy);
  auto again = bj.Request("POST", "/api/v1/resources/import?dry_run=false", *copy,
                          {{"X-CSRF-Token", bj.csrf}});
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.Json()["created"], 30);
  auto csv = bj.Get("/api/v1/resources/export.csv");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.body.substr(0, 3), "\xEF\xBB\xBF");  // BOM for Excel
  auto series = bj.Get("/api/v1/orgs/" +
                       std::to_string(bj.Get("/api/v1/me").Json()["user"]["org_id"].get<int64_t>()) +
                       "/series");
  EXPECT_EQ(series.Json()["items"][0]["count"], 30);
}

TEST_F(ResourcesApiTest, AProvinceImportsOnBehalfOfItsCollegeOnly) {
  xlsx::SheetSpec sheet{"资源", {"资源名称", "资源类型", "征集内容范围", "资源简介", "版权方",
                                 "主讲人"}, {}, {}};
  for (int i = 1; i <= 3; ++i) {
    sheet.rows.push_back({"代报资源" + std::to_string(i), "A01", "社区教育", "简介", "演示学院",
                          "张三"});
  }
  auto bytes = xlsx::WriteXlsx({sheet});
  ASSERT_TRUE(bytes);
  int64_t college = uploader_.Get("/api/v1/me").Json()["user"]["org_id"];
  auto import_as = [&](Client& c, const std::string& org) {
    return c.Request("POST", "/api/v1/resources/import?dry_run=false&org_id=" + org, *bytes,
                     {{"X-CSRF-Token", c.csrf}});
  };
  Client gd(server_.port()), bj(server_.port()), reviewer(server_.port());
  ASSERT_EQ(gd.Login("gd_admin").status, 200);
  ASSERT_EQ(bj.Login("bj_admin").status, 200);
  ASSERT_EQ(reviewer.Login("gd_reviewer").status, 200);
  EXPECT_EQ(import_as(bj, std::to_string(college)).status, 404);
  EXPECT_EQ(import_as(reviewer, std::to_string(college)).status, 403);
  auto junk = import_as(gd, "abc");
  ASSERT_EQ(junk.status, 400);
  EXPECT_EQ(junk.Json()["error"]["fields"][0]["field"], "org_id");
  EXPECT_EQ(uploader_.Get("/api/v1/resources").Json()["total"], 0);
  auto ok = import_as(gd, std::to_string(college));
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.Json()["created"], 3);
  // The college owns them and goes on with them.
  json mine = uploader_.Get("/api/v1/resources").Json();
  EXPECT_EQ(mine["total"], 3);
  int64_t first = mine["items"][0]["id"];
  EXPECT_EQ(uploader_.Send("PUT", "/api/v1/resources/" + std::to_string(first),
                           {{"title", "学院接手修改"}, {"type", "A01"}, {"domain", "社区教育"},
                            {"summary", "简介"}, {"copyright_holder", "演示学院"},
                            {"presenters", "张三"}})
                .status,
            200);
  auto audit = server_.ctx().db->QueryOne(
      "SELECT COUNT(*) FROM audit_log WHERE action = 'resource.import' AND detail LIKE ?",
      {std::string("%代%导入%")});
  EXPECT_EQ((*audit)->Int(0), 1);
}

TEST_F(ResourcesApiTest, DroppedFileNamesMatchTheImportsFileColumnOrTitle) {
  const std::string csv =
      "资源名称,资源类型,征集内容范围,资源简介,版权方,主讲人,媒体文件名,封面文件名\n"
      "第一讲,A01,社区教育,简介,演示学院,张三,L01.mp4,c01.jpg\n"
      "第二讲,A01,社区教育,简介,演示学院,张三,,\n";
  auto imported = uploader_.Request("POST", "/api/v1/resources/import?dry_run=false", csv,
                                    {{"X-CSRF-Token", uploader_.csrf},
                                     {"Content-Type", "text/csv; charset=utf-8"}});
  ASSERT_EQ(imported.status, 200) << imported.body;
  int64_t first = imported.Json()["created_ids"][0];
  int64_t second = imported.Json()["created_ids"][1];
  // Updating the row by its 资源ID replaces the file names.
  const std::string update =
      "资源ID,资源名称,资源类型,征集内容范围,资源简介,版权方,主讲人,媒体文件名,封面文件名\n" +
      std::to_string(first) + ",第一讲,A01,社区教育,简介,演示学院,张三,L01-final.mp4,c01.jpg\n";
  auto updated = uploader_.Request("POST", "/api/v1/resources/import?dry_run=false", update,
                                   {{"X-CSRF-Token", uploader_.csrf},
                                    {"Content-Type", "text/csv; charset=utf-8"}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.Json()["updated"], 1);
  auto m = uploader_.Send("POST", "/api/v1/resources/media-match",
                          {{"files", {"L01-final.mp4", "L01.mp4", "C01.JPG", "第二讲.mp4", "x.txt"}}});
  ASSERT_EQ(m.status, 200) << m.body;
  json items = m.Json()["items"];
  EXPECT_EQ(items[0]["resource_id"], first);
  EXPECT_EQ(items[0]["matched_by"], "file_column");
  EXPECT_EQ(items[1]["status"], "unmatched");  // the old name was replaced
  EXPECT_EQ(items[2]["resource_id"], first);
  EXPECT_EQ(items[2]["kind"], "cover");
  EXPECT_EQ(items[3]["resource_id"], second);
  EXPECT_EQ(items[3]["matched_by"], "title");
  EXPECT_EQ(items[4]["status"], "unsupported");
  EXPECT_EQ(m.Json()["matched"], 3);
  // Another province's uploader finds none of them.
  Client bj(server_.port());
  ASSERT_EQ(bj.Login("bj_uploader").status, 200);
  auto other = bj.Send("POST", "/api/v1/resources/media-match", {{"files", {"L01-final.mp4"}}});
  ASSERT_EQ(other.status, 200);
  EXPECT_EQ(other.Json()["items"][0]["status"], "unmatched");
  EXPECT_TRUE(other.Json()["items"][0]["resource_id"].is_null());
  EXPECT_EQ(uploader_.Send("POST", "/api/v1/resources/media-match", {{"files", "x"}}).status, 400);
}

TEST_F(ResourcesApiTest, TemplateAndCategories) {
  auto t = uploader_.Get("/api/v1/resources/template.xlsx");
  ASSERT_EQ(t.status, 200);
  auto table = xlsx::ReadXlsx(t.body);
  ASSERT_TRUE(table);
  EXPECT_EQ(table->header[1], "资源名称");
  ASSERT_EQ(table->rows.size(), 1u);
  auto cats = uploader_.Get("/api/v1/categories").Json();
  bool found = false;
  for (const auto& c : cats["items"]) found |= c["path"] == "科学文化-航空知识-航空发动机";
  EXPECT_TRUE(found);
  // Only platform admins change the tree.
  EXPECT_EQ(uploader_.Send("POST", "/api/v1/categories", {{"name", "新分类"}}).status, 403);
  Client admin(server_.port());
  admin.Login("nou_admin");
  auto created = admin.Send("POST", "/api/v1/categories", {{"name", "新分类"}});
  EXPECT_EQ(created.status, 201);
  EXPECT_EQ(admin.Send("POST", "/api/v1/categories", {{"name", "坏-名"}}).status, 400);
}

}  // namespace
}  // namespace lep::testing
