// The pure parts of OAI-PMH: argument rules of each verb, UTC datestamps, XML-safe text.
#include <gtest/gtest.h>

#include "oai/oai_service.h"

namespace lep::oai {
namespace {

std::string ErrorOf(const OaiArgs& args) {
  auto r = ParseOaiRequest(args);
  return r ? std::string("ok") : r.error().code;
}

TEST(OaiRequest, VerbRules) {
  EXPECT_EQ(ErrorOf({}), "badVerb");
  EXPECT_EQ(ErrorOf({{"verb", "Harvest"}}), "badVerb");
  EXPECT_EQ(ErrorOf({{"verb", "Identify"}, {"verb", "Identify"}}), "badVerb");
  EXPECT_EQ(ErrorOf({{"verb", "Identify"}}), "ok");
  EXPECT_EQ(ErrorOf({{"verb", "Identify"}, {"set", "A01"}}), "badArgument");
  EXPECT_EQ(ErrorOf({{"verb", "ListRecords"}}), "badArgument");  // metadataPrefix required
  EXPECT_EQ(ErrorOf({{"verb", "ListRecords"}, {"metadataPrefix", "oai_dc"}}), "ok");
  EXPECT_EQ(ErrorOf({{"verb", "ListRecords"}, {"metadataPrefix", "oai_dc"}, {"set", "A01"},
                     {"set", "A02"}}),
            "badArgument");  // repeated
  EXPECT_EQ(ErrorOf({{"verb", "ListRecords"}, {"resumptionToken", "x"}}), "ok");
  EXPECT_EQ(ErrorOf({{"verb", "ListRecords"}, {"resumptionToken", "x"}, {"metadataPrefix", "oai_dc"}}),
            "badArgument");  // exclusive
  EXPECT_EQ(ErrorOf({{"verb", "GetRecord"}, {"identifier", "oai:h:1"}}), "badArgument");
  EXPECT_EQ(ErrorOf({{"verb", "GetRecord"}, {"resumptionToken", "x"}}), "badArgument");
  EXPECT_EQ(ErrorOf({{"verb", "ListSets"}, {"resumptionToken", "x"}}), "ok");
  EXPECT_EQ(ErrorOf({{"verb", "ListMetadataFormats"}, {"identifier", "oai:h:1"}}), "ok");
  EXPECT_EQ(ErrorOf({{"verb", "ListIdentifiers"}, {"metadataPrefix", "oai dc"}}), "badArgument");
  EXPECT_EQ(ErrorOf({{"verb", "ListIdentifiers"}, {"metadataPrefix", "oai_dc"}, {"set", "a b"}}),
            "badArgument");
}

TEST(OaiRequest, DatesMustBeUtcOfOneGranularityInOrder) {
  auto base = [](std::string from, std::string until) {
    OaiArgs a = {{"verb", "ListIdentifiers"}, {"metadataPrefix", "oai_dc"}};
    if (!from.empty()) a.emplace_back("from", from);
    if (!until.empty()) a.emplace_back("until", until);
    return ErrorOf(a);
  };
  EXPECT_EQ(base("2022-05-10", "2022-05-10"), "ok");
  EXPECT_EQ(base("2022-05-10T00:00:00Z", "2022-05-10T23:59:59Z"), "ok");
  EXPECT_EQ(base("2022-05-10", "2022-05-10T23:59:59Z"), "badArgument");  // mixed granularity
  EXPECT_EQ(base("2022-05-11", "2022-05-10"), "badArgument");            // from after until
  for (const char* bad : {"2022-02-30", "2022-5-10", "2022-05-10T08:00:00+08:00",
                          "2022-05-10T24:00:00Z", "2022-05-10 00:00:00", "yesterday"}) {
    EXPECT_EQ(base(bad, ""), "badArgument") << bad;
  }
  bool seconds = false;
  EXPECT_EQ(ParseUtcDatestamp("2022-05-10T08:00:01Z", false, &seconds), 1652169601000);
  EXPECT_TRUE(seconds);
  EXPECT_EQ(ParseUtcDatestamp("2022-05-10T08:00:01Z", true, nullptr), 1652169601999);
  EXPECT_EQ(ParseUtcDatestamp("2022-05-10", true, &seconds), 1652227199999);
  EXPECT_FALSE(seconds);
  EXPECT_EQ(FormatUtcDatestamp(1652169601999), "2022-05-10T08:00:01Z");
}

TEST(OaiXml, TextThatXmlCannotCarryIsDroppedOrReplaced) {
  EXPECT_EQ(XmlSafe("太极\x01拳\ttab"), "太极拳\ttab");
  EXPECT_EQ(XmlSafe("a\xFF" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(XmlSafe("\xEF\xBF\xBE"), "");            // U+FFFE
  EXPECT_EQ(XmlSafe("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
  EXPECT_EQ(XmlSafe("<&>\"'"), "<&>\"'");  // escaping is the XML library's job
}

}  // namespace
}  // namespace lep::oai
