// OAI-PMH 2.0 over HTTP (issue 17 §4): every verb, oai_dc records of published resources only,
// selective harvesting by from/until and set, resumption tokens across page boundaries,
// deletions after withdrawal, every protocol error. Debian ships neither OAI-PMH.xsd nor
// oai_dc.xsd and nothing may be fetched, so each response is parsed with libxml2 (a parser
// independent of the pugixml that wrote it) and its structure checked with namespace-aware
// XPath against what the two schemas require.
#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <memory>
#include <regex>
#include <set>

#include "integration/server_fixture.h"

namespace lep::testing {
namespace {

using nlohmann::json;

constexpr const char* kBase = "https://lep.example.edu.cn";
constexpr int64_t kDay1 = 1652140800000;  // 2022-05-10T00:00:00Z
constexpr int64_t kDay2 = 1652486400000;  // 2022-05-14T00:00:00Z

// A parsed response with namespace-aware XPath (oai, oai_dc, dc).
class Xml {
 public:
  explicit Xml(const std::string& text)
      : doc_(xmlReadMemory(text.data(), static_cast<int>(text.size()), "oai.xml", nullptr,
                           XML_PARSE_NONET | XML_PARSE_NOBLANKS),
             xmlFreeDoc) {
    if (!doc_) return;
    ctx_.reset(xmlXPathNewContext(doc_.get()));
    xmlXPathRegisterNs(ctx_.get(), BAD_CAST "oai", BAD_CAST "http://www.openarchives.org/OAI/2.0/");
    xmlXPathRegisterNs(ctx_.get(), BAD_CAST "oai_dc",
                       BAD_CAST "http://www.openarchives.org/OAI/2.0/oai_dc/");
    xmlXPathRegisterNs(ctx_.get(), BAD_CAST "dc", BAD_CAST "http://purl.org/dc/elements/1.1/");
  }
  bool ok() const { return doc_ != nullptr; }
  // The string values of the nodes an expression selects.
  std::vector<std::string> All(const std::string& xpath) const {
    std::vector<std::string> out;
    if (!ctx_) return out;
    std::unique_ptr<xmlXPathObject, void (*)(xmlXPathObjectPtr)> r(
        xmlXPathEvalExpression(BAD_CAST xpath.c_str(), ctx_.get()), xmlXPathFreeObject);
    if (!r || r->type != XPATH_NODESET || !r->nodesetval) return out;
    for (int i = 0; i < r->nodesetval->nodeNr; ++i) {
      xmlChar* s = xmlNodeGetContent(r->nodesetval->nodeTab[i]);
      out.emplace_back(s ? reinterpret_cast<const char*>(s) : "");
      xmlFree(s);
    }
    return out;
  }
  std::string One(const std::string& xpath) const {
    auto all = All(xpath);
    return all.size() == 1 ? all[0] : "<" + std::to_string(all.size()) + " nodes>";
  }
  size_t Count(const std::string& xpath) const { return All(xpath).size(); }

 private:
  struct CtxFree {
    void operator()(xmlXPathContextPtr p) const { xmlXPathFreeContext(p); }
  };
  std::unique_ptr<xmlDoc, void (*)(xmlDocPtr)> doc_;
  std::unique_ptr<xmlXPathContext, CtxFree> ctx_;
};

const std::regex kUtc(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)");

// What OAI-PMH.xsd requires of every response: the root in the OAI namespace with
// responseDate (UTC, seconds), request (the base URL), then errors or one verb element.
void CheckEnvelope(const Xml& x, const std::string& verb_or_error) {
  ASSERT_TRUE(x.ok());
  EXPECT_EQ(x.Count("/oai:OAI-PMH"), 1u);
  EXPECT_EQ(x.Count("/oai:OAI-PMH/*"), x.Count("/oai:OAI-PMH/oai:error") + 2 +
                                           (verb_or_error == "error" ? 0 : 1));
  EXPECT_TRUE(std::regex_match(x.One("/oai:OAI-PMH/*[1][self::oai:responseDate]"), kUtc));
  EXPECT_EQ(x.One("/oai:OAI-PMH/*[2][self::oai:request]"), std::string(kBase) + "/oai");
  if (verb_or_error == "error") {
    EXPECT_GE(x.Count("/oai:OAI-PMH/oai:error[@code]"), 1u);
  } else {
    EXPECT_EQ(x.Count("/oai:OAI-PMH/*[3][self::oai:" + verb_or_error + "]"), 1u);
  }
  // Every header: identifier, datestamp (UTC seconds), setSpec*; status only "deleted".
  for (const auto& d : x.All("//oai:header/oai:datestamp")) {
    EXPECT_TRUE(std::regex_match(d, kUtc)) << d;
  }
  EXPECT_EQ(x.Count("//oai:header[not(*[1][self::oai:identifier]) or not(*[2][self::oai:datestamp])]"),
            0u);
  EXPECT_EQ(x.Count("//oai:header[@status and @status != 'deleted']"), 0u);
  // oai_dc: only Dublin Core elements inside, a deleted record has no metadata.
  EXPECT_EQ(x.Count("//oai:metadata/*[not(self::oai_dc:dc)]"), 0u);
  EXPECT_EQ(x.Count("//oai_dc:dc/*[namespace-uri() != 'http://purl.org/dc/elements/1.1/']"), 0u);
  EXPECT_EQ(x.Count("//oai:record[oai:header/@status = 'deleted'][oai:metadata]"), 0u);
}

std::string ErrorCode(const Xml& x) { return x.One("/oai:OAI-PMH/oai:error/@code"); }

class OaiApiTest : public ::testing::Test {
 protected:
  // A resource by the 广东 college's uploader, published at `at` the way ChangeState does.
  int64_t Publish(const std::string& title, const std::string& type, int64_t at) {
    int64_t id = Draft(title, type);
    EXPECT_TRUE(server_.ctx().db->Exec(
        "UPDATE resources SET state = 'published', published_at = ?, updated_at = ? WHERE id = ?",
        {at, at, id}));
    return id;
  }
  int64_t Draft(const std::string& title, const std::string& type) {
    json body = {{"title", title},
                 {"type", type},
                 {"domain", "老年教育"},
                 {"summary", title + "：适合中老年人的养生课程 <简介> & 说明"},
                 {"copyright_holder", "演示学院"},
                 {"presenters", "张演示;李主讲"},
                 {"keywords", "养生;太极"},
                 {"category", "健康养生-太极拳"}};
    if (type == "A03") {
      body["platform"] = "演示平台";
      body["link"] = "https://course.example.edu.cn/c/1";
    }
    auto r = up_.Send("POST", "/api/v1/resources", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.Json().value("id", int64_t{0});
  }
  Xml Get(const std::string& query) {
    auto r = anon_.Get("/oai?" + query);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers["content-type"], "text/xml; charset=utf-8");
    return Xml(r.body);
  }
  std::string Id(int64_t id) { return "oai:lep.example.edu.cn:" + std::to_string(id); }

  void SetUp() override {
    server_.clock().SetMs(kDay2 + 3'600'000);
    ASSERT_EQ(up_.Login("gd_uploader").status, 200);
  }

  TestServer server_{{}, [](Config& c) {
                       c.public_base_url = std::string(kBase) + "/";
                       c.oai_page_size = 2;
                       c.oai_admin_email = "oai@example.edu.cn";
                     }};
  Client up_{server_.port()};
  Client anon_{server_.port()};
};

TEST_F(OaiApiTest, IdentifyNamesTheConfiguredBaseUrlNotTheHostHeader) {
  Publish("太极拳入门", "A01", kDay1 + 5'000);
  auto r = anon_.Request("GET", "/oai?verb=Identify", "", {{"Host", "attacker.example"}});
  Xml x(r.body);
  CheckEnvelope(x, "Identify");
  EXPECT_EQ(x.One("//oai:Identify/oai:baseURL"), std::string(kBase) + "/oai");
  EXPECT_EQ(x.One("//oai:Identify/oai:protocolVersion"), "2.0");
  EXPECT_EQ(x.One("//oai:Identify/oai:adminEmail"), "oai@example.edu.cn");
  EXPECT_EQ(x.One("//oai:Identify/oai:earliestDatestamp"), "2022-05-10T00:00:05Z");
  EXPECT_EQ(x.One("//oai:Identify/oai:deletedRecord"), "persistent");
  EXPECT_EQ(x.One("//oai:Identify/oai:granularity"), "YYYY-MM-DDThh:mm:ssZ");
  EXPECT_EQ(x.One("/oai:OAI-PMH/oai:request/@verb"), "Identify");
  EXPECT_EQ(r.body.find("attacker"), std::string::npos);
  // The schema's order of Identify's children.
  EXPECT_EQ(x.All("//oai:Identify/*[1]")[0], "国家终身教育数字化学习资源平台");
  EXPECT_EQ(x.Count("//oai:Identify/*[7][self::oai:granularity]"), 1u);

  Xml formats = Get("verb=ListMetadataFormats");
  CheckEnvelope(formats, "ListMetadataFormats");
  EXPECT_EQ(formats.One("//oai:metadataFormat/oai:metadataPrefix"), "oai_dc");
  EXPECT_EQ(formats.One("//oai:metadataFormat/oai:metadataNamespace"),
            "http://www.openarchives.org/OAI/2.0/oai_dc/");
  Xml sets = Get("verb=ListSets");
  CheckEnvelope(sets, "ListSets");
  EXPECT_EQ(sets.All("//oai:set/oai:setSpec"), (std::vector<std::string>{"A01", "A02", "A03"}));
  EXPECT_EQ(sets.One("//oai:set[oai:setSpec='A02']/oai:setName"), "音频资源");
}

TEST_F(OaiApiTest, ListRecordsPagesAcrossTheBoundaryWithSignedStatelessTokens) {
  std::set<std::string> expected;
  for (int i = 0; i < 5; ++i) {
    expected.insert(Id(Publish("养生课" + std::to_string(i), "A01", kDay1 + i * 1000)));
  }
  int64_t draft = Draft("草稿不公开", "A01");
  std::set<std::string> seen;
  std::vector<std::string> cursors;
  std::string token;
  int pages = 0;
  do {
    Xml x = Get(token.empty() ? "verb=ListRecords&metadataPrefix=oai_dc"
                              : "verb=ListRecords&resumptionToken=" + token);
    CheckEnvelope(x, "ListRecords");
    ASSERT_LE(x.Count("//oai:record"), 2u);
    for (const auto& id : x.All("//oai:record/oai:header/oai:identifier")) {
      EXPECT_TRUE(seen.insert(id).second) << "twice: " << id;
    }
    EXPECT_EQ(x.One("//oai:resumptionToken/@completeListSize"), "5");
    cursors.push_back(x.One("//oai:resumptionToken/@cursor"));
    token = x.One("//oai:resumptionToken");
    EXPECT_TRUE(std::regex_match(token, std::regex("[A-Za-z0-9._-]*"))) << token;
    ASSERT_LT(++pages, 10);
  } while (!token.empty());
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(cursors, (std::vector<std::string>{"0", "2", "4"}));
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(seen.count(Id(draft)), 0u);

  // One record in full: Dublin Core of 附件2's fields, absolute page URL, escaped text.
  Xml one = Get("verb=GetRecord&metadataPrefix=oai_dc&identifier=" + *expected.begin());
  CheckEnvelope(one, "GetRecord");
  const std::string dc = "//oai:GetRecord/oai:record/oai:metadata/oai_dc:dc/";
  int64_t first_id = std::stoll(expected.begin()->substr(expected.begin()->rfind(':') + 1));
  EXPECT_EQ(one.One(dc + "dc:title"), "养生课0");
  EXPECT_EQ(one.All(dc + "dc:creator"),
            (std::vector<std::string>{"张演示", "李主讲", "岭南示范职业技术学院（演示）"}));
  EXPECT_EQ(one.All(dc + "dc:subject"),
            (std::vector<std::string>{"养生", "太极", "健康养生-太极拳", "老年教育"}));
  EXPECT_EQ(one.One(dc + "dc:description"), "养生课0：适合中老年人的养生课程 <简介> & 说明");
  EXPECT_EQ(one.One(dc + "dc:date"), "2022-05-10");
  EXPECT_EQ(one.All(dc + "dc:type"), (std::vector<std::string>{"MovingImage", "视频资源"}));
  EXPECT_EQ(one.All(dc + "dc:format")[0], "video/mp4");
  EXPECT_EQ(one.One(dc + "dc:identifier"), std::string(kBase) + "/resources/" + std::to_string(first_id));
  EXPECT_EQ(one.One(dc + "dc:language"), "zh");
  EXPECT_EQ(one.One(dc + "dc:rights"), "版权所有：演示学院");
  EXPECT_EQ(one.One("//oai:header/oai:datestamp"), "2022-05-10T00:00:00Z");
  EXPECT_EQ(one.One("//oai:header/oai:setSpec"), "A01");

  // ListIdentifiers pages the same way (headers only).
  Xml ids = Get("verb=ListIdentifiers&metadataPrefix=oai_dc");
  CheckEnvelope(ids, "ListIdentifiers");
  EXPECT_EQ(ids.Count("//oai:ListIdentifiers/oai:header"), 2u);
  EXPECT_EQ(ids.Count("//oai:metadata"), 0u);
  std::string id_token = ids.One("//oai:resumptionToken");

  // A token changed in any way, or used with another verb, is refused.
  Xml first = Get("verb=ListRecords&metadataPrefix=oai_dc");
  std::string t = first.One("//oai:resumptionToken");
  ASSERT_FALSE(t.empty());
  std::string forged = t;
  size_t after = forged.find('.', forged.find('.', forged.find('.', forged.find('.', 3) + 1) + 1) + 1);
  forged[after + 1] = forged[after + 1] == '0' ? '1' : '0';  // another cursor id
  for (const std::string& bad : {forged, t.substr(0, t.size() - 1), std::string("v1.junk"), id_token}) {
    Xml x = Get("verb=ListRecords&resumptionToken=" + bad);
    CheckEnvelope(x, "error");
    EXPECT_EQ(ErrorCode(x), "badResumptionToken") << bad;
  }
}

TEST_F(OaiApiTest, SelectiveHarvestingByDateAndSet) {
  int64_t a = Publish("五禽戏", "A01", kDay1 + 10'000);
  int64_t b = Publish("戏曲欣赏", "A02", kDay2 + 20'000);
  int64_t c = Publish("书法网课", "A03", kDay2 + 30'000);
  auto ids = [&](const std::string& q) {
    Xml x = Get("verb=ListIdentifiers&metadataPrefix=oai_dc&" + q);
    auto all = x.All("//oai:header/oai:identifier");
    return std::set<std::string>(all.begin(), all.end());
  };
  EXPECT_EQ(ids("from=2022-05-14"), (std::set<std::string>{Id(b), Id(c)}));
  EXPECT_EQ(ids("until=2022-05-10"), (std::set<std::string>{Id(a)}));
  // Seconds granularity, both ends inclusive.
  EXPECT_EQ(ids("from=2022-05-14T00:00:20Z&until=2022-05-14T00:00:29Z"),
            (std::set<std::string>{Id(b)}));
  EXPECT_EQ(ids("from=2022-05-14T00:00:20Z&until=2022-05-14T00:00:30Z"),
            (std::set<std::string>{Id(b), Id(c)}));
  EXPECT_EQ(ids("set=A03"), (std::set<std::string>{Id(c)}));
  EXPECT_EQ(ids("set=A01&from=2022-05-11"), std::set<std::string>{});
  Xml none = Get("verb=ListRecords&metadataPrefix=oai_dc&from=2023-01-01");
  CheckEnvelope(none, "error");
  EXPECT_EQ(ErrorCode(none), "noRecordsMatch");
  // A03: the course's link is related, its format is a web page.
  Xml course = Get("verb=GetRecord&metadataPrefix=oai_dc&identifier=" + Id(c));
  EXPECT_EQ(course.One("//dc:relation"), "https://course.example.edu.cn/c/1");
  EXPECT_EQ(course.All("//dc:type")[0], "InteractiveResource");
  // POST with a form body is the same request.
  auto post = anon_.Request("POST", "/oai", "verb=ListIdentifiers&metadataPrefix=oai_dc&set=A02",
                            {{"Content-Type", "application/x-www-form-urlencoded"}});
  Xml px(post.body);
  CheckEnvelope(px, "ListIdentifiers");
  EXPECT_EQ(px.All("//oai:header/oai:identifier"), (std::vector<std::string>{Id(b)}));
}

TEST_F(OaiApiTest, WithdrawalLeavesAPersistentDeletedRecord) {
  int64_t id = Publish("八段锦", "A01", kDay1);
  const int64_t withdrawn_at = kDay2 + 7'200'000;  // 2022-05-14T02:00:00Z
  server_.clock().SetMs(withdrawn_at);
  Client admin(server_.port());
  ASSERT_EQ(admin.Login("nou_admin").status, 200);
  auto w = admin.Send("POST", "/api/v1/resources/" + std::to_string(id) + "/withdraw",
                      {{"reason", "版权到期"}});
  ASSERT_EQ(w.status, 200) << w.body;

  Xml got = Get("verb=GetRecord&metadataPrefix=oai_dc&identifier=" + Id(id));
  CheckEnvelope(got, "GetRecord");
  EXPECT_EQ(got.One("//oai:header/@status"), "deleted");
  EXPECT_EQ(got.One("//oai:header/oai:datestamp"), "2022-05-14T02:00:00Z");
  EXPECT_EQ(got.Count("//oai:metadata"), 0u);
  // An incremental harvest since the last one learns of the deletion.
  Xml since = Get("verb=ListRecords&metadataPrefix=oai_dc&from=2022-05-14T01:00:00Z");
  CheckEnvelope(since, "ListRecords");
  EXPECT_EQ(since.One("//oai:record/oai:header[@status='deleted']/oai:identifier"), Id(id));
  Xml before = Get("verb=ListRecords&metadataPrefix=oai_dc&until=2022-05-14T01:00:00Z");
  EXPECT_EQ(ErrorCode(before), "noRecordsMatch");
  // Published again: live again, with a new datestamp.
  server_.clock().SetMs(withdrawn_at + 60'000);
  auto again = admin.Send("POST", "/api/v1/resources/" + std::to_string(id) + "/republish",
                          json::object());
  ASSERT_EQ(again.status, 200) << again.body;
  Xml live = Get("verb=GetRecord&metadataPrefix=oai_dc&identifier=" + Id(id));
  EXPECT_EQ(live.Count("//oai:header/@status"), 0u);
  EXPECT_EQ(live.One("//oai:header/oai:datestamp"), "2022-05-14T02:01:00Z");
  EXPECT_EQ(live.One("//oai_dc:dc/dc:title"), "八段锦");
}

TEST_F(OaiApiTest, EveryProtocolErrorHasItsCode) {
  int64_t pub = Publish("太极拳入门", "A01", kDay1);
  int64_t draft = Draft("尚未发布", "A01");
  struct Case {
    std::string query, code;
  };
  const std::vector<Case> cases = {
      {"", "badVerb"},
      {"verb=Harvest", "badVerb"},
      {"verb=Identify&verb=Identify", "badVerb"},
      {"verb=Identify&extra=1", "badArgument"},
      {"verb=ListRecords", "badArgument"},
      {"verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc", "badArgument"},
      {"verb=ListRecords&metadataPrefix=oai_dc&from=2022-13-01", "badArgument"},
      {"verb=ListRecords&metadataPrefix=oai_dc&from=2022-05-11&until=2022-05-10", "badArgument"},
      {"verb=ListRecords&metadataPrefix=oai_dc&from=2022-05-10&until=2022-05-11T00:00:00Z",
       "badArgument"},
      {"verb=ListRecords&metadataPrefix=%ZZ", "badArgument"},
      {"verb=GetRecord&identifier=" + Id(pub), "badArgument"},
      {"verb=ListRecords&metadataPrefix=marc21", "cannotDisseminateFormat"},
      {"verb=GetRecord&metadataPrefix=mods&identifier=" + Id(pub), "cannotDisseminateFormat"},
      {"verb=GetRecord&metadataPrefix=oai_dc&identifier=" + Id(draft), "idDoesNotExist"},
      {"verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:other.example:" + std::to_string(pub),
       "idDoesNotExist"},
      {"verb=ListMetadataFormats&identifier=" + Id(999999), "idDoesNotExist"},
      {"verb=ListRecords&metadataPrefix=oai_dc&set=A02", "noRecordsMatch"},
      {"verb=ListSets&resumptionToken=abc", "badResumptionToken"},
      {"verb=ListIdentifiers&resumptionToken=abc", "badResumptionToken"},
  };
  for (const auto& c : cases) {
    Xml x = Get(c.query);
    CheckEnvelope(x, "error");
    EXPECT_EQ(ErrorCode(x), c.code) << c.query;
    EXPECT_FALSE(x.One("/oai:OAI-PMH/oai:error").empty()) << c.query;  // explained
    // badVerb/badArgument: the request element carries no attributes (§3.6).
    if (c.code == "badVerb" || c.code == "badArgument") {
      EXPECT_EQ(x.Count("/oai:OAI-PMH/oai:request/@*"), 0u) << c.query;
    } else {
      EXPECT_GE(x.Count("/oai:OAI-PMH/oai:request/@verb"), 1u) << c.query;
    }
  }
}

}  // namespace
}  // namespace lep::testing
