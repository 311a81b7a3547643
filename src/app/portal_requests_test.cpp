// The portal and statistics request parsers: defaults, every accepted value, and a Chinese
// error naming the field for each malformed one.
#include "app/portal_requests.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace lep::app
