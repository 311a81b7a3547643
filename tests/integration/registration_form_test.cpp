// The stamped 登记表 scan (issue 17 §4): a unit uploads a PDF, checked by its bytes and size;
// the unit itself and the admins above it see it, anyone else gets 404; a newer upload becomes
// the current one and the older stays in the history; every upload leaves an audit row.
#include <gtest/gtest.h>

#include <cstdio>

#include "core/text.h"
#include "integration/server_fixture.h"

namespace lep::testing {
namespace {

using nlohmann::json;

// A small but complete PDF (one page with a line of text), its xref offsets computed.
std::string MakePdf(const std::string& text) {
  std::vector<std::string> objs = {
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
      "/Resources << /Font << /F1 5 0 R >> >> >>",
      "",
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"};
  std::string stream = "BT /F1 18 Tf 72 760 Td (" + text + ") Tj ET";
  objs[3] = "<< /Length " + std::to_string(stream.size()) + " >>\nstream\n" + stream +
            "\nendstream";
  std::string pdf = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objs.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj\n" + objs[i] + "\nendobj\n";
  }
  size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objs.size() + 1) + "\n0000000000 65535 f \n";
  for (size_t off : offsets) {
    char line[32];
    std::snprintf(line, sizeof line, "%010zu 00000 n \n", off);
    pdf += line;
  }
  pdf += "trailer\n<< /Size " + std::to_string(objs.size() + 1) +
         " /Root 1 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
  return pdf;
}

class RegistrationFormTest : public ::testing::Test {
 protected:
  int64_t OrgId(const std::string& name) {
    return (*server_.ctx().db->QueryOne("SELECT id FROM orgs WHERE name = ?", {name}))->Int(0);
  }
  int64_t Count(const std::string& sql) { return (*server_.ctx().db->QueryOne(sql))->Int(0); }
  HttpResult UploadPdf(Client& c, int64_t org, const std::string& bytes,
                       const std::string& filename = "登记表.pdf") {
    return c.Request("POST",
                     "/api/v1/orgs/" + std::to_string(org) + "/registration-form?filename=" +
                         text::PercentEncode(filename),
                     bytes, {{"Content-Type", "application/pdf"}, {"X-CSRF-Token", c.csrf}});
  }
  std::string Base(int64_t org) { return "/api/v1/orgs/" + std::to_string(org); }

  TestServer server_;
  int64_t college_ = OrgId("岭南示范职业技术学院（演示）");
  int64_t gd_ = OrgId("广东省教育厅");
  int64_t bj_college_ = OrgId("京华演示城市学院（演示）");
};

TEST_F(RegistrationFormTest, TheUnitUploadsAndItsAncestorsAdminsSeeIt) {
  Client up(server_.port());
  ASSERT_EQ(up.Login("gd_uploader").status, 200);
  EXPECT_EQ(up.Get(Base(college_) + "/registration-form").Json()["current"], nullptr);

  const std::string pdf = MakePdf("Registration form, stamped");
  auto r = UploadPdf(up, college_, pdf, "岭南学院登记表（盖章）.pdf");
  ASSERT_EQ(r.status, 201) << r.body;
  json form = r.Json()["form"];
  EXPECT_EQ(form["file_name"], "岭南学院登记表（盖章）.pdf");
  EXPECT_EQ(form["size"], static_cast<int64_t>(pdf.size()));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'org.registration_form' AND "
                  "object = 'org:" + std::to_string(college_) + "'"),
            1);

  // The unit itself, its province's admin and the platform see it and get the same bytes.
  for (const char* who : {"gd_uploader", "gd_admin", "nou_admin"}) {
    Client c(server_.port());
    ASSERT_EQ(c.Login(who).status, 200);
    auto meta = c.Get(Base(college_) + "/registration-form");
    ASSERT_EQ(meta.status, 200) << who << " " << meta.body;
    json m = meta.Json();
    EXPECT_EQ(m["current"]["id"], form["id"]) << who;
    auto file = c.Get(m["current"]["url"].get<std::string>());
    ASSERT_EQ(file.status, 200) << who;
    EXPECT_EQ(file.body, pdf) << who;
    EXPECT_EQ(file.headers["content-type"], "application/pdf");
    EXPECT_NE(file.headers["content-disposition"].find("filename*=UTF-8''"), std::string::npos);
    auto plain = c.Get(Base(college_) + "/registration-form/file");
    EXPECT_EQ(plain.body, pdf) << who;
  }
  // Another province, and a province account that administers nothing: 404, as if absent.
  for (const char* who : {"bj_admin", "bj_uploader", "gd_reviewer"}) {
    Client c(server_.port());
    ASSERT_EQ(c.Login(who).status, 200);
    EXPECT_EQ(c.Get(Base(college_) + "/registration-form").status, 404) << who;
    EXPECT_EQ(c.Get(Base(college_) + "/registration-form/file").status, 404) << who;
    EXPECT_EQ(c.Get(form["url"].get<std::string>()).status, 404) << who;
  }
  Client anon(server_.port());
  EXPECT_EQ(anon.Get(Base(college_) + "/registration-form/file").status, 401);

  // The province sees which of its colleges have uploaded; Beijing does not see Guangdong's.
  Client gd(server_.port());
  ASSERT_EQ(gd.Login("gd_admin").status, 200);
  auto kids = gd.Get(Base(gd_) + "/registration-forms");
  ASSERT_EQ(kids.status, 200) << kids.body;
  json k = kids.Json();
  bool found = false;
  for (const auto& row : k["items"]) {
    if (row["org"]["id"] == college_) {
      found = true;
      EXPECT_EQ(row["form"]["id"], form["id"]);
    } else {
      EXPECT_EQ(row["form"], nullptr);
    }
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(k["uploaded"], 1);
  Client bj(server_.port());
  ASSERT_EQ(bj.Login("bj_admin").status, 200);
  EXPECT_EQ(bj.Get(Base(gd_) + "/registration-forms").status, 404);
  auto bj_kids = bj.Get(Base(OrgId("北京市教育委员会")) + "/registration-forms");
  ASSERT_EQ(bj_kids.status, 200);
  EXPECT_EQ(bj_kids.Json()["uploaded"], 0);
  // Another province cannot upload over it either.
  ASSERT_EQ(bj.Login("bj_uploader").status, 200);
  EXPECT_EQ(UploadPdf(bj, college_, MakePdf("forged")).status, 404);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM org_registration_forms"), 1);
}

TEST_F(RegistrationFormTest, ANewerUploadReplacesTheCurrentAndKeepsTheOldInHistory) {
  Client up(server_.port());
  ASSERT_EQ(up.Login("gd_uploader").status, 200);
  const std::string first = MakePdf("first scan");
  const std::string second = MakePdf("second scan, clearer");
  auto a = UploadPdf(up, college_, first, "first.pdf");
  ASSERT_EQ(a.status, 201) << a.body;
  server_.clock().Advance(std::chrono::milliseconds(60000));
  // multipart/form-data, as a browser's file input sends it.
  std::string boundary = "----lepform";
  std::string body = "--" + boundary +
                     "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"第二版.pdf\""
                     "\r\nContent-Type: application/pdf\r\n\r\n" +
                     second + "\r\n--" + boundary + "--\r\n";
  auto b = up.Request("POST", Base(college_) + "/registration-form", body,
                      {{"Content-Type", "multipart/form-data; boundary=" + boundary},
                       {"X-CSRF-Token", up.csrf}});
  ASSERT_EQ(b.status, 201) << b.body;
  EXPECT_EQ(b.Json()["form"]["file_name"], "第二版.pdf");

  auto meta = up.Get(Base(college_) + "/registration-form");
  json m = meta.Json();
  EXPECT_EQ(m["current"]["id"], b.Json()["form"]["id"]);
  ASSERT_EQ(m["history"].size(), 2u);
  EXPECT_EQ(m["history"][1]["id"], a.Json()["form"]["id"]);
  EXPECT_EQ(up.Get(Base(college_) + "/registration-form/file").body, second);
  EXPECT_EQ(up.Get(m["history"][1]["url"].get<std::string>()).body, first);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'org.registration_form'"), 2);
}

TEST_F(RegistrationFormTest, OnlyPdfBytesOfSaneSizeAreAcceptedAndNothingElseIsStored) {
  Client up(server_.port());
  ASSERT_EQ(up.Login("gd_uploader").status, 200);
  const std::string pdf = MakePdf("ok");
  struct Case {
    const char* what;
    std::string bytes;
  };
  std::vector<Case> bad = {
      {"a JPEG named .pdf", std::string("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00", 11) + pdf},
      {"text", "这不是 PDF"},
      {"empty", ""},
      {"truncated (no %%EOF)", pdf.substr(0, pdf.size() / 2)},
      {"no startxref", pdf.substr(0, pdf.find("startxref")) + "%%EOF\n"},
      {"xref offset past the end", pdf.substr(0, pdf.find("startxref")) +
                                       "startxref\n99999999\n%%EOF\n"},
  };
  for (const auto& c : bad) {
    auto r = UploadPdf(up, college_, c.bytes, "登记表.pdf");
    EXPECT_EQ(r.status, 400) << c.what << " " << r.body;
    json e = r.Json();
    ASSERT_TRUE(e["error"].contains("fields")) << c.what << " " << r.body;
    EXPECT_EQ(e["error"]["fields"][0]["field"], "file") << c.what;
    EXPECT_NE(e["error"]["message"].get<std::string>().find("登记表"), std::string::npos) << c.what;
  }
  // Over 20 MB (still under the route's body limit, so the service decides): 413 in Chinese.
  std::string big = pdf;
  big.insert(9, std::string((20u << 20) + 1 - pdf.size(), '%'));
  auto r = UploadPdf(up, college_, big);
  EXPECT_EQ(r.status, 413) << r.body.substr(0, 300);
  EXPECT_NE(r.Json()["error"]["message"].get<std::string>().find("20 MB"), std::string::npos);
  // Without the CSRF token: refused before anything is read.
  auto no_csrf = up.Request("POST", Base(college_) + "/registration-form", pdf,
                            {{"Content-Type", "application/pdf"}});
  EXPECT_EQ(no_csrf.status, 403);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM org_registration_forms"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'org.registration_form'"), 0);
  // The same bytes with the token are accepted (the cases above failed on content alone).
  EXPECT_EQ(UploadPdf(up, college_, pdf).status, 201);
}

}  // namespace
}  // namespace lep::testing
