// The portal and statistics request parsers: defaults, every accepted value, and a Chinese
// error naming the field for each malformed one. The catalog's format writers, chunk by chunk.
#include "app/portal_requests.h"

#include <gtest/gtest.h>

#include <map>

#include "app/portal_catalog.h"
#include "xlsx/spreadsheet.h"

namespace lep::app {
namespace {

http::Request Get(const std::string& query) {
  http::Request r;
  r.method = "GET";
  r.query = http::ParseQuery(query);
  return r;
}

std::vector<std::string> Fields(const Error& e) {
  std::vector<std::string> out;
  for (const auto& f : e.fields) out.push_back(f.field);
  return out;
}

TEST(PortalRequests, SearchQueryDefaultsAndValues) {
  auto q = ParseSearchQuery(Get(""));
  ASSERT_TRUE(q);
  EXPECT_EQ(q->q, "");
  EXPECT_EQ(q->sort, search::SearchQuery::Sort::kRelevance);
  EXPECT_EQ(q->page, 1);
  EXPECT_EQ(q->page_size, 20);
  EXPECT_FALSE(q->domain);
  q =
      ParseSearchQuery(Get("q=%E5%A4%AA%E6%9E%81&domain=senior&type=A01&category=%E5%81%A5"
                           "&province=%E5%B9%BF%E4%B8%9C&min_duration=60&max_duration=600"
                           "&sort=newest&page=3&page_size=50"));
  ASSERT_TRUE(q) << q.error().message;
  EXPECT_EQ(q->q, "太极");
  EXPECT_EQ(q->domain, "老年教育");  // the English alias is mapped
  EXPECT_EQ(q->type, "A01");
  EXPECT_EQ(q->province, "广东");
  EXPECT_EQ(q->min_duration_s, 60);
  EXPECT_EQ(q->max_duration_s, 600);
  EXPECT_EQ(q->sort, search::SearchQuery::Sort::kNewest);
  EXPECT_EQ(q->page, 3);
  EXPECT_EQ(q->page_size, 50);
  for (const char* s : {"clicks", "learners", "relevance"}) {
    EXPECT_TRUE(ParseSearchQuery(Get(std::string("sort=") + s))) << s;
  }
}

TEST(PortalRequests, SearchQueryErrorsNameEachField) {
  auto q = ParseSearchQuery(Get("sort=hot&page=0&page_size=1000&min_duration=-5&max_duration=x"));
  ASSERT_FALSE(q);
  EXPECT_TRUE(q.error().Is(ErrorCode::kInvalidArgument));
  EXPECT_EQ(Fields(q.error()), (std::vector<std::string>{"min_duration", "max_duration", "sort",
                                                         "page", "page_size"}));
  EXPECT_NE(q.error().fields[2].message.find("排序"), std::string::npos);
}

TEST(PortalRequests, CatalogFormat) {
  EXPECT_EQ(*ParseCatalogFormat(Get("")), CatalogFormat::kJson);
  EXPECT_EQ(*ParseCatalogFormat(Get("format=csv")), CatalogFormat::kCsv);
  EXPECT_EQ(*ParseCatalogFormat(Get("format=xlsx")), CatalogFormat::kXlsx);
  auto bad = ParseCatalogFormat(Get("format=pdf"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(Fields(bad.error()), std::vector<std::string>{"format"});
}

TEST(PortalRequests, ProgressSeconds) {
  EXPECT_EQ(ParseProgressSeconds(R"({"seconds": 12.7})"), 12);
  EXPECT_EQ(ParseProgressSeconds(R"({"seconds": -3})"), 0);
  EXPECT_EQ(ParseProgressSeconds(R"({"seconds": "30"})"), 0);
  EXPECT_EQ(ParseProgressSeconds("not json"), 0);
  EXPECT_EQ(ParseProgressSeconds(R"({"seconds": 1e300})"), 3600);
}

TEST(PortalRequests, RatingModerationAndPosition) {
  auto in = ParseRatingInput({{"score", 4}, {"comment", "好"}});
  ASSERT_TRUE(in);
  EXPECT_EQ(in->score, 4);
  EXPECT_EQ(in->comment, "好");
  auto bad = ParseRatingInput({{"score", "5"}, {"comment", 3}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(Fields(bad.error()), (std::vector<std::string>{"score", "comment"}));
  EXPECT_EQ(*ParseModeration({{"decision", "approve"}}), true);
  EXPECT_EQ(*ParseModeration({{"decision", "reject"}}), false);
  EXPECT_EQ(Fields(ParseModeration({{"decision", "ok"}}).error()),
            std::vector<std::string>{"decision"});
  EXPECT_EQ(*ParsePosition({{"position_s", 95.5}}), 95);
  EXPECT_FALSE(ParsePosition({{"position_s", -1}}));
  EXPECT_EQ(Fields(ParsePosition(nlohmann::json::object()).error()),
            std::vector<std::string>{"position_s"});
}

TEST(PortalRequests, StatisticsQueries) {
  auto usage = ParseUsageQuery(Get("group=province&from=2022-05-15&to=2022-05-16"));
  ASSERT_TRUE(usage);
  EXPECT_EQ(usage->group, stats::UsageGroup::kProvince);
  EXPECT_EQ(usage->from_day, 19127);  // 2022-05-15
  EXPECT_EQ(usage->to_day, 19128);
  auto bad_usage = ParseUsageQuery(Get("group=colour&from=15/05/2022"));
  ASSERT_FALSE(bad_usage);
  EXPECT_EQ(Fields(bad_usage.error()), (std::vector<std::string>{"group", "from"}));

  auto top = ParseTopQuery(Get(""));
  ASSERT_TRUE(top);
  EXPECT_EQ(top->metric, stats::Metric::kClicks);
  EXPECT_EQ(top->days, 30);
  EXPECT_EQ(top->limit, 10);
  EXPECT_FALSE(top->unit_id);
  top = ParseTopQuery(Get("metric=learners&days=0&limit=100&unit_id=7"));
  ASSERT_TRUE(top);
  EXPECT_EQ(top->unit_id, 7);
  auto bad_top = ParseTopQuery(Get("metric=views&limit=0"));
  ASSERT_FALSE(bad_top);
  EXPECT_EQ(Fields(bad_top.error()), (std::vector<std::string>{"metric", "limit"}));
  EXPECT_TRUE(ParseTopQuery(Get("unit_id=abc")).error().Is(ErrorCode::kNotFound));

  auto sub = ParseSubmissionsQuery(Get("group=state&campaign_id=3"));
  ASSERT_TRUE(sub);
  EXPECT_EQ(sub->group, stats::SubmissionGroup::kState);
  EXPECT_EQ(sub->campaign_id, 3);
  EXPECT_TRUE(ParseSubmissionsQuery(Get("group=colour")).error().Is(ErrorCode::kInvalidArgument));
  EXPECT_TRUE(ParseSubmissionsQuery(Get("campaign_id=x")).error().Is(ErrorCode::kNotFound));
}

// Chunks join into one document per format: JSON lists every item once, CSV has one header,
// xlsx continues on a further sheet past the sheet's row limit (no row is dropped).
TEST(PortalCatalogFormats, ChunksJoinAndXlsxSplitsIntoSheets) {
  auto row = [](int64_t id) {
    resources::PublishedResource p;
    p.resource.id = resources::ResourceId{id};
    p.resource.meta.title = "资源" + std::to_string(id);
    p.resource.meta.summary = "=1+1 公式开头的内容";
    return p;
  };
  std::map<std::string, std::string> bytes;
  for (const auto& f : CatalogFormats({}, /*xlsx_sheet_rows=*/3)) {
    auto w = f.make();
    std::string out;
    for (int64_t start : {1, 3, 5}) out += *w->Chunk({row(start), row(start + 1)});
    out += *w->Finish();
    bytes[f.ext] = out;
  }
  auto json = nlohmann::json::parse(bytes["json"]);
  ASSERT_EQ(json["items"].size(), 6u);
  EXPECT_EQ(json["items"][5]["id"], 6);
  auto csv = xlsx::ReadCsv(bytes["csv"]);
  ASSERT_TRUE(csv);
  ASSERT_EQ(csv->rows.size(), 6u);
  EXPECT_EQ(bytes["csv"].find("\n=1+1"), std::string::npos);  // formula defused
  auto sheet1 = xlsx::ReadXlsx(bytes["xlsx"]);
  ASSERT_TRUE(sheet1);
  EXPECT_EQ(sheet1->rows.size(), 3u);
  EXPECT_NE(bytes["xlsx"].find("sheet2.xml"), std::string::npos);
  // Empty: still a valid document of each.
  for (const auto& f : CatalogFormats()) {
    auto w = f.make();
    auto end = w->Finish();
    ASSERT_TRUE(end);
    if (f.ext == "json") {
      EXPECT_EQ(*end, "{\"items\":[]}");
    }
  }
}

}  // namespace
}  // namespace lep::app
