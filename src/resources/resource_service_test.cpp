// ResourceService over an in-memory SQLite database with a fake clock.
#include "resources/resource_service.h"

#include <gtest/gtest.h>

#include "app/schema.h"
#include "orgs/org_repository_sql.h"
#include "resources/sheet_mapping.h"
#include "security/audit_chain.h"
#include "sql_probe.h"
#include "storage/db/migrations.h"

namespace lep::resources {
namespace {

using auth::Principal;
using auth::Role;
using orgs::OrgKind;

class ResourceServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::move(*storage::OpenDatabase(":memory:"));
    ASSERT_TRUE(storage::Migrate(*db_, app::AllMigrations()));
    orgs_ = orgs::NewSqlOrgRepository(*db_, cipher_);
    repo_ = NewSqlResourceRepository(*db_);
    cats_ = NewSqlCategoryRepository(*db_);
    ASSERT_TRUE(SeedDefaultCategories(*cats_, 0));
    service_ = std::make_unique<ResourceService>(*db_, *repo_, *cats_, *orgs_, clock_);
    root_ = *orgs_->Create(std::nullopt, OrgKind::kOpenUniversity, "国家开放大学", "", 0);
    gd_ = *orgs_->Create(root_.id, OrgKind::kProvinceDept, "广东省教育厅", "广东", 0);
    bj_ = *orgs_->Create(root_.id, OrgKind::kProvinceDept, "北京市教育委员会", "北京", 0);
    college_ = *orgs_->Create(gd_.id, OrgKind::kProvincialCollege, "岭南学院", "广东", 0);
  }

  Principal As(Role role, const orgs::Org& org, int64_t uid = 7) {
    Principal p;
    p.user_id = auth::UserId{uid};
    p.role = role;
    p.org = org;
    return p;
  }

  MetadataInput Input(const std::string& title) {
    return {{"title", title},         {"type", "A01"},
            {"domain", "老年教育"},   {"summary", "简介"},
            {"copyright_holder", "岭南学院"}, {"presenters", "张演示"},
            {"category", "健康养生-太极拳"}};
  }

  FakeClock clock_{1652572800000};  // 2022-05-15
  std::unique_ptr<storage::Database> db_;
  security::FieldCipher cipher_ = *security::FieldCipher::FromKey(std::string(32, 'k'));
  std::unique_ptr<orgs::OrgRepository> orgs_;
  std::unique_ptr<ResourceRepository> repo_;
  std::unique_ptr<CategoryRepository> cats_;
  std::unique_ptr<ResourceService> service_;
  orgs::Org root_, gd_, bj_, college_;
};

TEST_F(ResourceServiceTest, UploaderCreatesAndTheTreeAboveSeesIt) {
  auto uploader = As(Role::kUploader, college_);
  auto r = service_->Create(uploader, Input("太极拳入门"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->org_id, college_.id);
  EXPECT_EQ(r->state, ResourceState::kDraft);
  EXPECT_TRUE(service_->Get(As(Role::kReviewer, gd_), r->id));
  EXPECT_TRUE(service_->Get(As(Role::kReviewer, root_), r->id));
  auto hidden = service_->Get(As(Role::kUnitAdmin, bj_), r->id);
  ASSERT_FALSE(hidden);
  EXPECT_EQ(hidden.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_->List(As(Role::kUnitAdmin, bj_), {}, std::nullopt)->total, 0);
  EXPECT_EQ(service_->List(As(Role::kUnitAdmin, gd_), {}, std::nullopt)->total, 1);
  // Reviewers and province admins read but do not write a college's resources.
  auto edit = service_->Update(As(Role::kUnitAdmin, gd_), r->id, Input("改"), std::nullopt);
  ASSERT_FALSE(edit);
  EXPECT_EQ(edit.error().code, ErrorCode::kPermissionDenied);
  EXPECT_FALSE(service_->Create(As(Role::kReviewer, gd_), Input("x")));
}

TEST_F(ResourceServiceTest, UpdatesAreCompareAndSet) {
  auto uploader = As(Role::kUploader, college_);
  auto r = *service_->Create(uploader, Input("原标题"));
  auto u1 = service_->Update(uploader, r.id, Input("新标题"), r.version);
  ASSERT_TRUE(u1) << u1.error().message;
  EXPECT_EQ(u1->version, r.version + 1);
  auto stale = service_->Update(uploader, r.id, Input("旧版本的修改"), r.version);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  EXPECT_EQ(service_->Get(uploader, r.id)->meta.title, "新标题");
}

TEST_F(ResourceServiceTest, SeriesOrderIsUniquePerUnitAndSeries) {
  auto uploader = As(Role::kUploader, college_);
  auto in = Input("第一讲");
  in["series"] = "太极系列";
  in["series_order"] = "01";
  ASSERT_TRUE(service_->Create(uploader, in));
  in["title"] = "第二讲";
  auto dup = service_->Create(uploader, in);
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().fields.at(0).field, "series_order");
  in["series_order"] = "02";
  auto second = service_->Create(uploader, in);
  ASSERT_TRUE(second);
  // Re-saving a resource with its own order is fine.
  EXPECT_TRUE(service_->Update(uploader, second->id, in, std::nullopt));
  // Another unit may use the same series name and order.
  auto other = As(Role::kUploader, bj_);
  in["series_order"] = "01";
  EXPECT_TRUE(service_->Create(other, in));
  auto series = service_->Series(uploader, college_.id);
  ASSERT_TRUE(series);
  ASSERT_EQ(series->size(), 1u);
  EXPECT_EQ((*series)[0].items.size(), 2u);
  EXPECT_EQ((*series)[0].items[0].order, "01");
}

TEST_F(ResourceServiceTest, ImportIsAllOrNothingAndNamesRowsAndFields) {
  auto uploader = As(Role::kUploader, college_);
  SheetData sheet;
  sheet.header = {"资源名称", "资源类型", "征集内容范围", "资源简介", "版权方", "主讲人", "所属系列",
                  "所属顺序", "备注"};
  sheet.rows = {
      {"好的一行", "A01", "老年教育", "简介", "学院", "甲", "系列", "01", ""},
      {"", "A09", "老年教育", "简介", "学院", "甲", "", "", ""},
      {"重复顺序", "A02", "社区教育", "简介", "学院", "乙", "系列", "01", ""},
  };
  sheet.row_numbers = {2, 4, 5};
  auto dry = service_->Import(uploader, std::nullopt, sheet, true);
  ASSERT_TRUE(dry) << dry.error().message;
  EXPECT_EQ(dry->total_rows, 3);
  EXPECT_EQ(dry->valid_rows, 1);
  EXPECT_EQ(dry->unknown_columns, (std::vector<std::string>{"备注"}));
  ASSERT_EQ(dry->errors.size(), 3u);
  EXPECT_EQ(dry->errors[0].row, 4);
  EXPECT_EQ(dry->errors[0].field, "title");
  EXPECT_EQ(dry->errors[1].row, 4);
  EXPECT_EQ(dry->errors[1].field, "type");
  EXPECT_EQ(dry->errors[2].row, 5);
  EXPECT_EQ(dry->errors[2].field, "series_order");
  EXPECT_NE(dry->errors[2].message.find("第 2 行"), std::string::npos);
  auto real = service_->Import(uploader, std::nullopt, sheet, false);
  ASSERT_TRUE(real);
  EXPECT_FALSE(real->errors.empty());
  EXPECT_EQ(service_->List(uploader, {}, std::nullopt)->total, 0);  // nothing written

  sheet.rows.erase(sheet.rows.begin() + 1, sheet.rows.end());
  auto ok = service_->Import(uploader, std::nullopt, sheet, false);
  ASSERT_TRUE(ok);
  EXPECT_TRUE(ok->errors.empty());
  EXPECT_EQ(ok->created.size(), 1u);
  // Importing the same series order again collides with the stored resource.
  auto again = service_->Import(uploader, std::nullopt, sheet, true);
  ASSERT_EQ(again->errors.size(), 1u);
  EXPECT_EQ(again->errors[0].field, "series_order");
}

// Issue 14 item 9: every change to a resource commits with its audit row (who, from where);
// a refused change writes none.
TEST_F(ResourceServiceTest, CreateEditDeleteAndImportEachCommitWithTheirAuditRow) {
  auto audit = [this] {
    std::vector<std::string> out;
    for (const auto& r : testing::SqlProbe(*db_).Audit()) {
      out.push_back(r.action + " " + r.object + " " + std::to_string(r.actor_id) + " " + r.ip);
    }
    return out;
  };
  auto uploader = As(Role::kUploader, college_, 9);
  uploader.ip = "127.0.0.7";
  auto r = service_->Create(uploader, Input("八段锦"));
  ASSERT_TRUE(r) << r.error().message;
  std::string obj = "resource:" + std::to_string(r->id.value);
  EXPECT_EQ(audit(), (std::vector<std::string>{"resource.create " + obj + " 9 127.0.0.7"}));

  // Refused: a stale version, invalid metadata, another unit's editor — nothing audited.
  EXPECT_FALSE(service_->Update(uploader, r->id, Input("新"), r->version + 5));
  MetadataInput bad = Input("x");
  bad["type"] = "A09";
  EXPECT_FALSE(service_->Update(uploader, r->id, bad, std::nullopt));
  EXPECT_FALSE(service_->Update(As(Role::kUploader, bj_), r->id, Input("他人"), std::nullopt));
  EXPECT_EQ(audit().size(), 1u);

  ASSERT_TRUE(service_->Update(uploader, r->id, Input("八段锦（修订）"), r->version));
  SheetData sheet;
  sheet.header = {"资源名称", "资源类型", "征集内容范围", "资源简介", "版权方", "主讲人"};
  sheet.rows = {{"导入一", "A01", "老年教育", "简介", "学院", "甲"},
                {"导入二", "A02", "社区教育", "简介", "学院", "乙"}};
  sheet.row_numbers = {2, 3};
  auto imported = service_->Import(uploader, std::nullopt, sheet, false);
  ASSERT_TRUE(imported && imported->errors.empty());
  ASSERT_TRUE(service_->Delete(uploader, r->id));
  EXPECT_EQ(audit(), (std::vector<std::string>{
                         "resource.create " + obj + " 9 127.0.0.7",
                         "resource.update " + obj + " 9 127.0.0.7",
                         "resource.import resources 9 127.0.0.7",
                         "resource.delete " + obj + " 9 127.0.0.7",
                     }));
  // The chain still verifies with the new rows in it.
  auto report = security::VerifyChain(*db_);
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok) << report->reason;
}

TEST_F(ResourceServiceTest, ExportThenImportReproducesTheRecords) {
  auto uploader = As(Role::kUploader, college_);
  auto in = Input("往返测试");
  in["series"] = "往返系列";
  in["series_order"] = "07";
  in["keywords"] = "甲;乙";
  in["presenters"] = "(藏族)班班多杰;张演示";
  in["toc"] = "<toc><c title=\"一\"/></toc>";
  in["created_on"] = "2021-12-31";
  in["clicks"] = "36500";
  in["learners"] = "23500";
  in["platform"] = "演示平台";
  in["link"] = "https://example.org/course?id=1&x=2";
  auto original = *service_->Create(uploader, in);
  // 点击量/学习人数 typed into the form are ignored: only an import sets initial values.
  EXPECT_EQ(original.meta.clicks, 0);
  EXPECT_EQ(original.meta.learners, 0);
  auto sheet = service_->Export(uploader, {}, std::nullopt);
  ASSERT_TRUE(sheet);
  ASSERT_EQ(sheet->rows.size(), 1u);
  for (size_t c = 0; c < sheet->header.size(); ++c) {
    if (sheet->header[c] == "点击量") sheet->rows[0][c] = "36500";
    if (sheet->header[c] == "学习人数") sheet->rows[0][c] = "23500";
  }
  auto other = As(Role::kUploader, bj_);
  // The 资源ID names a resource to update: another unit's is refused without telling more.
  auto foreign = service_->Import(other, std::nullopt, *sheet, false);
  ASSERT_TRUE(foreign);
  ASSERT_EQ(foreign->errors.size(), 1u);
  EXPECT_EQ(foreign->errors[0].field, "id");
  EXPECT_EQ(foreign->errors[0].message,
            "资源ID " + std::to_string(original.id.value) + " 不存在或不在您的管理范围内");
  sheet->rows[0][0] = "";  // a copy, not an update
  auto imported = service_->Import(other, std::nullopt, *sheet, false);
  ASSERT_TRUE(imported);
  ASSERT_TRUE(imported->errors.empty()) << imported->errors[0].message;
  auto copy = *service_->Get(other, imported->created.at(0));
  EXPECT_EQ(copy.meta.clicks, 36500);
  EXPECT_EQ(copy.meta.learners, 23500);
  copy.meta.clicks = copy.meta.learners = 0;
  EXPECT_EQ(copy.meta, original.meta);
  // An edit keeps the counters, whatever the form sends.
  auto edit = Input("往返测试");
  edit["clicks"] = "1";
  auto edited = service_->Update(other, copy.id, edit, std::nullopt);
  ASSERT_TRUE(edited) << edited.error().message;
  EXPECT_EQ(edited->meta.clicks, 36500);
}

TEST_F(ResourceServiceTest, AProvinceImportsOnBehalfOfItsCollegeAndNotElsewhere) {
  SheetData sheet;
  sheet.header = ExportHeader();
  auto row = TemplateExampleRow();
  sheet.rows = {row};
  sheet.row_numbers = {2};
  auto gd_uploader = As(Role::kUploader, gd_, 11);
  auto report = service_->Import(gd_uploader, college_.id, sheet, false);
  ASSERT_TRUE(report) << report.error().message;
  ASSERT_TRUE(report->errors.empty()) << report->errors[0].message;
  ASSERT_EQ(report->created.size(), 1u);
  auto made = *service_->Get(As(Role::kUploader, college_), report->created[0]);
  EXPECT_EQ(made.org_id, college_.id);  // owned by the college, which goes on with it
  EXPECT_EQ(made.created_by, 11);
  std::string detail;
  for (const auto& r : testing::SqlProbe(*db_).Audit()) {
    if (r.action == "resource.import") detail = r.detail;  // the newest
  }
  EXPECT_NE(detail.find("代岭南学院导入"), std::string::npos) << detail;
  // Another province's unit: not found; a reviewer of the province: not allowed; a college
  // for its parent: not found (outside its subtree).
  EXPECT_EQ(service_->Import(As(Role::kUploader, bj_), college_.id, sheet, true).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(service_->Import(As(Role::kReviewer, gd_), college_.id, sheet, true).error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_->Import(As(Role::kUploader, college_), gd_.id, sheet, true).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(service_->Import(gd_uploader, orgs::OrgId{99999}, sheet, true).error().code,
            ErrorCode::kNotFound);
}

TEST_F(ResourceServiceTest, ARowWithAResourceIdUpdatesThatResourceOnly) {
  auto uploader = As(Role::kUploader, college_);
  auto in = Input("待更新");
  in["series"] = "更新系列";
  in["series_order"] = "01";
  Resource first = *service_->Create(uploader, in);
  in["title"] = "不可编辑";
  in["series_order"] = "02";
  Resource locked = *service_->Create(uploader, in);
  ASSERT_TRUE(testing::SqlProbe(*db_).ForceState(locked.id.value, "first_review"));
  Resource foreign = *service_->Create(As(Role::kUploader, bj_), Input("他省资源"));
  auto sheet = service_->Export(uploader, {}, std::nullopt);
  ASSERT_TRUE(sheet);
  ASSERT_EQ(sheet->rows.size(), 2u);
  const size_t title_col = 1;
  // Row 2 updates `first` (same series order: its own), row 3 is new.
  sheet->header.push_back("版本号");
  std::vector<std::string> update = sheet->rows[0];
  ASSERT_EQ(update[0], std::to_string(first.id.value));
  update[title_col] = "已更新的名称";
  update.push_back(std::to_string(first.version));
  std::vector<std::string> fresh = update;
  fresh[0] = "";
  fresh[title_col] = "新建的资源";
  fresh[7] = "03";  // 所属顺序
  fresh.back() = "";
  sheet->rows = {update, fresh};
  sheet->row_numbers = {2, 3};
  auto dry = service_->Import(uploader, std::nullopt, *sheet, true);
  ASSERT_TRUE(dry);
  ASSERT_TRUE(dry->errors.empty()) << dry->errors[0].message;
  EXPECT_EQ(dry->update_rows, 1);
  EXPECT_EQ(repo_->Get(first.id)->value().meta.title, "待更新");  // a dry run writes nothing
  auto done = service_->Import(uploader, std::nullopt, *sheet, false);
  ASSERT_TRUE(done) << done.error().message;
  ASSERT_TRUE(done->errors.empty()) << done->errors[0].message;
  EXPECT_EQ(done->updated, std::vector<ResourceId>{first.id});
  ASSERT_EQ(done->created.size(), 1u);
  Resource after = *repo_->Get(first.id).value();
  EXPECT_EQ(after.meta.title, "已更新的名称");
  EXPECT_EQ(after.version, first.version + 1);
  EXPECT_EQ(after.org_id, college_.id);

  // Refusals, each naming the row and 资源ID, and nothing written: the stale version (the
  // sheet still says first.version), a locked resource, another province's, a malformed
  // id, and the same id twice.
  std::vector<std::string> stale = update, locked_row = update, foreign_row = update,
                           bad = update, twice = update;
  locked_row[0] = std::to_string(locked.id.value);
  locked_row.back() = "";
  locked_row[7] = "02";
  foreign_row[0] = std::to_string(foreign.id.value);
  foreign_row.back() = "";
  bad[0] = "第一条";
  bad.back() = "";
  twice.back() = "";
  sheet->rows = {stale, locked_row, foreign_row, bad, twice};
  sheet->row_numbers = {2, 3, 4, 5, 6};
  int64_t count_before = testing::SqlProbe(*db_).Rows("resources");
  auto refused = service_->Import(uploader, std::nullopt, *sheet, false);
  ASSERT_TRUE(refused);
  std::vector<std::pair<int, std::string>> where;
  for (const auto& e : refused->errors) where.emplace_back(e.row, e.field);
  EXPECT_EQ(where, (std::vector<std::pair<int, std::string>>{
                       {2, "version"}, {3, "id"}, {4, "id"}, {5, "id"}, {6, "id"}}));
  EXPECT_NE(refused->errors[1].message.find("初审中"), std::string::npos)
      << refused->errors[1].message;
  EXPECT_EQ(refused->errors[2].message.find("他省"), std::string::npos);  // nothing leaked
  EXPECT_NE(refused->errors[4].message.find("与第 2 行重复"), std::string::npos);
  EXPECT_TRUE(refused->updated.empty());
  EXPECT_EQ(repo_->Get(first.id)->value().version, after.version);
  EXPECT_EQ(testing::SqlProbe(*db_).Rows("resources"), count_before);
  // On behalf: the province may update its college's draft, a row of another unit not.
  auto gd_admin = As(Role::kUnitAdmin, gd_, 12);
  update.back() = std::to_string(after.version);
  update[title_col] = "省厅代为修改";
  sheet->rows = {update};
  sheet->row_numbers = {2};
  auto behalf = service_->Import(gd_admin, college_.id, *sheet, false);
  ASSERT_TRUE(behalf) << behalf.error().message;
  ASSERT_TRUE(behalf->errors.empty()) << behalf->errors[0].message;
  EXPECT_EQ(repo_->Get(first.id)->value().meta.title, "省厅代为修改");
  auto wrong_unit = service_->Import(gd_admin, std::nullopt, *sheet, true);
  ASSERT_TRUE(wrong_unit);
  ASSERT_EQ(wrong_unit->errors.size(), 1u);
  EXPECT_NE(wrong_unit->errors[0].message.find("不属于本次导入的单位"), std::string::npos);
}

TEST_F(ResourceServiceTest, DroppedFilesMatchByTheFileColumnThenByTitle) {
  auto uploader = As(Role::kUploader, college_);
  SheetData sheet;
  sheet.header = {"资源名称", "资源类型", "征集内容范围", "资源简介", "版权方", "主讲人",
                  "媒体文件名", "封面文件名"};
  auto row = [](const std::string& title, const std::string& type, const std::string& media,
                const std::string& cover) {
    return std::vector<std::string>{title, type, "社区教育", "简介", "演示学院", "张三", media,
                                    cover};
  };
  sheet.rows = {row("第一讲 太极", "A01", "D:\\素材\\taiji-01.MP4", "taiji-01.jpg"),
                row("第二讲", "A01", "", ""), row("同名", "A01", "", ""),
                row("同名", "A02", "", ""), row("线上课程", "A03", "", "")};
  sheet.rows[4].push_back("");  // A03 needs platform and link
  sheet.header.push_back("平台名称");
  sheet.header.push_back("资源链接");
  sheet.rows[4][8] = "演示平台";
  sheet.rows[4].push_back("https://example.org/c");
  for (size_t i = 0; i < 4; ++i) {
    sheet.rows[i].push_back("");
    sheet.rows[i].push_back("");
  }
  sheet.row_numbers = {2, 3, 4, 5, 6};
  auto imported = service_->Import(uploader, std::nullopt, sheet, false);
  ASSERT_TRUE(imported) << imported.error().message;
  ASSERT_TRUE(imported->errors.empty())
      << imported->errors[0].row << imported->errors[0].field << imported->errors[0].message;
  ASSERT_EQ(imported->created.size(), 5u);
  const ResourceId first = imported->created[0], second = imported->created[1];
  // Another unit's draft of the same title is not the college's to fill.
  ASSERT_TRUE(service_->Create(As(Role::kUploader, bj_), Input("第二讲")));

  auto m = service_->MatchFiles(uploader, {"taiji-01.mp4", "taiji-01.jpg", "第二讲.mp3",
                                           "第 二 讲.jpg", "同名.mp4", "线上课程.mp4",
                                           "线上课程.jpg", "无此资源.mp4", "说明.docx",
                                           "第二讲.m4a"});
  ASSERT_TRUE(m) << m.error().message;
  std::vector<std::string> status;
  for (const auto& f : *m) status.push_back(f.status);
  EXPECT_EQ(status, (std::vector<std::string>{"matched", "matched", "ambiguous", "matched",
                                              "ambiguous", "unmatched", "matched", "unmatched",
                                              "unsupported", "ambiguous"}));
  EXPECT_EQ((*m)[0].resource->id, first);
  EXPECT_EQ((*m)[0].matched_by, "file_column");
  EXPECT_EQ((*m)[0].kind, "media");
  EXPECT_EQ((*m)[1].kind, "cover");
  EXPECT_EQ((*m)[3].resource->id, second);  // spaces ignored
  EXPECT_EQ((*m)[3].matched_by, "title");
  EXPECT_EQ((*m)[4].candidates.size(), 2u);  // two resources named 同名
  EXPECT_NE((*m)[2].message.find("多个文件对应同一资源"), std::string::npos);  // .mp3 and .m4a
  EXPECT_NE((*m)[7].message.find("无此资源"), std::string::npos);
  // Once the row is no longer editable, its files find nothing.
  ASSERT_TRUE(testing::SqlProbe(*db_).ForceState(first.value, "first_review"));
  EXPECT_EQ((*service_->MatchFiles(uploader, {"taiji-01.mp4"}))[0].status, "unmatched");
  EXPECT_EQ(service_->MatchFiles(As(Role::kReviewer, gd_), {"a.mp4"}).error().code,
            ErrorCode::kPermissionDenied);
}

TEST_F(ResourceServiceTest, RenamingACategoryMovesChildrenAndResources) {
  auto uploader = As(Role::kUploader, college_);
  auto in = Input("航空发动机原理");
  in["category"] = "科学文化-航空知识-航空发动机";
  auto r = *service_->Create(uploader, in);
  auto all = *cats_->All();
  int64_t aviation = 0;
  for (const auto& c : all) {
    if (c.path == "科学文化-航空知识") aviation = c.id;
  }
  ASSERT_GT(aviation, 0);
  ASSERT_TRUE(cats_->Rename(aviation, "航空航天"));
  EXPECT_EQ(service_->Get(uploader, r.id)->meta.category, "科学文化-航空航天-航空发动机");
  auto index = *service_->Categories();
  EXPECT_TRUE(index.Contains("科学文化-航空航天-航空发动机"));
  EXPECT_FALSE(index.Contains("科学文化-航空知识-航空发动机"));
}

}  // namespace
}  // namespace lep::resources
