#include <gtest/gtest.h>

#include "orgs/contact.h"
#include "orgs/org.h"
#include "orgs/registration_form.h"

namespace lep::orgs {
namespace {

Contact Good() { return {"张演示", "处长", "010-66096459", "13800000000", "a@example.org", 0}; }

TEST(Contact, AcceptsAValidContact) {
  auto r = ValidateContact(Good());
  ASSERT_TRUE(r) << r.error().message;
}

TEST(Contact, ReportsEveryFieldAtOnce) {
  Contact c{"", "", "66096459", "2380000000", "not-an-email", 0};
  auto r = ValidateContact(c);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  std::vector<std::string> fields;
  for (const auto& f : r.error().fields) fields.push_back(f.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"name", "title", "office_phone", "mobile", "email"}));
  EXPECT_EQ(r.error().fields[3].label, "手机号码");
}

TEST(Contact, PhoneRules) {
  EXPECT_TRUE(IsValidMobile("13912345678"));
  EXPECT_FALSE(IsValidMobile("1391234567"));    // 10 digits
  EXPECT_FALSE(IsValidMobile("139123456789"));  // 12 digits
  EXPECT_FALSE(IsValidMobile("23912345678"));   // not starting with 1
  EXPECT_TRUE(IsValidLandline("010-66096459"));
  EXPECT_TRUE(IsValidLandline("0755-1234567"));
  EXPECT_TRUE(IsValidLandline("020-37626863-123"));
  EXPECT_FALSE(IsValidLandline("66096459"));
  EXPECT_FALSE(IsValidLandline("10-66096459"));
  EXPECT_TRUE(IsValidEmail("le@ouchn.edu.cn"));
  EXPECT_FALSE(IsValidEmail("le@"));
  EXPECT_FALSE(IsValidEmail("le ouchn@edu.cn"));
}

TEST(Contact, TrimsFields) {
  Contact c = Good();
  c.mobile = " 13800000000 ";
  c.name = "\xE3\x80\x80张演示";
  auto r = ValidateContact(c);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->mobile, "13800000000");
  EXPECT_EQ(r->name, "张演示");
}

TEST(OrgKinds, ChildRulesFollowTheNotice) {
  auto has = [](OrgKind parent, OrgKind child) {
    for (auto k : AllowedChildKinds(parent)) {
      if (k == child) return true;
    }
    return false;
  };
  EXPECT_TRUE(has(OrgKind::kProvinceDept, OrgKind::kProvincialCollege));
  EXPECT_FALSE(has(OrgKind::kProvinceDept, OrgKind::kEnterprise));
  EXPECT_TRUE(has(OrgKind::kIndustryCommittee, OrgKind::kEnterprise));
  EXPECT_TRUE(has(OrgKind::kCommunityCenter, OrgKind::kCommunityInstitution));
  EXPECT_TRUE(has(OrgKind::kOpenUniversity, OrgKind::kProvinceDept));
  EXPECT_TRUE(AllowedChildKinds(OrgKind::kProvincialCollege).empty());
  EXPECT_TRUE(AllowedChildKinds(OrgKind::kMinistryUniversity).empty());
  for (auto k : AllKinds()) EXPECT_EQ(ParseKind(KindName(k)), k);
  EXPECT_FALSE(ParseKind("province"));
}

TEST(Org, SubtreeIsAPathPrefix) {
  Org gd{OrgId{21}, OrgId{1}, OrgKind::kProvinceDept, "广东省教育厅", "/1/21/", "广东", 0};
  Org college{OrgId{40}, OrgId{21}, OrgKind::kProvincialCollege, "学院", "/1/21/40/", "", 0};
  Org other{OrgId{210}, OrgId{1}, OrgKind::kProvinceDept, "x", "/1/210/", "", 0};
  EXPECT_TRUE(college.IsInSubtreeOf(gd));
  EXPECT_FALSE(other.IsInSubtreeOf(gd));  // "/1/210/" must not match "/1/21/"
  EXPECT_FALSE(gd.IsInSubtreeOf(college));
}

TEST(Org, NameRules) {
  EXPECT_FALSE(ValidateOrgName("广州演示学院"));
  EXPECT_TRUE(ValidateOrgName("学"));
  EXPECT_TRUE(ValidateOrgName(std::string(101 * 3, 'a')));
}

TEST(RegistrationForm, PdfIsJudgedByItsBytes) {
  const std::string ok = "%PDF-1.7\n1 0 obj\n<<>>\nendobj\nxref\n0 1\ntrailer\n<<>>\nstartxref\n30\n%%EOF";
  EXPECT_EQ(CheckPdfBytes(ok), std::nullopt);
  EXPECT_EQ(CheckPdfBytes(ok + "\r\n\n"), std::nullopt);     // trailing white space is fine
  EXPECT_TRUE(CheckPdfBytes(""));                                // empty
  EXPECT_TRUE(CheckPdfBytes(" " + ok));                          // header not at the start
  EXPECT_TRUE(CheckPdfBytes("%PDF-x.7" + ok.substr(8)));         // no version
  EXPECT_TRUE(CheckPdfBytes(ok.substr(0, ok.size() - 5)));       // no %%EOF: truncated
  auto no_xref = CheckPdfBytes("%PDF-1.4\n%%EOF");
  ASSERT_TRUE(no_xref);
  EXPECT_NE(no_xref->find("交叉引用"), std::string::npos);
  EXPECT_TRUE(CheckPdfBytes("%PDF-1.4\nstartxref\n999\n%%EOF"));  // offset past the end
  EXPECT_TRUE(CheckPdfBytes(std::string(kMaxRegistrationFormBytes + 1, '%')));
}

TEST(RegistrationForm, FileNamesAreForDisplayOnly) {
  EXPECT_EQ(CleanFormFileName("C:\\扫描\\登记表（盖章）.pdf"), "登记表（盖章）.pdf");
  EXPECT_EQ(CleanFormFileName("../../etc/passwd"), "passwd");
  EXPECT_EQ(CleanFormFileName("a\r\nb\".pdf"), "ab.pdf");
  EXPECT_EQ(CleanFormFileName(""), "登记表.pdf");
  EXPECT_EQ(CleanFormFileName("\xFF\xFE"), "登记表.pdf");
  std::string long_name;
  for (int i = 0; i < 150; ++i) long_name += "表";
  EXPECT_EQ(CleanFormFileName(long_name).size(), 100u * 3);
}

}  // namespace
}  // namespace lep::orgs
