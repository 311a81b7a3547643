// ResourceService over an in-memory SQLite database with a fake clock.
#include <gtest/gtest.h>

#include "orgs/org_repository_sql.h"
#include "resources/resource_service.h"
#include "app/schema.h"
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
    service_ = std::make_unique<ResourceService>(*repo_, *cats_, *orgs_, clock_);
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
