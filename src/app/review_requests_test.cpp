// The request parsers of the review and notification adapters, without a server: what each
// body or query string becomes, and the Chinese field error for each kind of bad input.
#include "app/review_requests.h"

#include <gtest/gtest.h>

namespace lep::app {
namespace {

using nlohmann::json;
using review::Action;

std::vector<std::string> Fields(const Error& e) {
  std::vector<std::string> out;
  for (const auto& f : e.fields) out.push_back(f.field);
  return out;
}

TEST(ParseReviewRequest, ReadsEveryMemberOfADecision) {
  auto r = ParseReviewRequest(json::parse(R"({
      "action": "approve", "comment": "同意", "version": 4, "campaign_id": 2,
      "checklist": {"ideology": true, "copyright": true, "secrecy": false, "science": true},
      "attestation": true})"),
                              std::nullopt);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->action, Action::kApprove);
  EXPECT_EQ(r->comment, "同意");
  EXPECT_EQ(r->expected_version, 4);
  EXPECT_EQ(r->campaign_id, 2);
  EXPECT_EQ(r->checklist, (review::Checklist{true, true, false, true}));
  EXPECT_TRUE(r->attestation);
}

TEST(ParseReviewRequest, TheRoutesActionWinsAndReasonStandsForTheComment) {
  auto r = ParseReviewRequest(json::parse(R"({"action": "reject", "reason": "内容过时"})"),
                              Action::kWithdraw);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->action, Action::kWithdraw);
  EXPECT_EQ(r->comment, "内容过时");
  auto both = ParseReviewRequest(json::parse(R"({"comment": "意见", "reason": "原因"})"),
                                 Action::kWithdraw);
  EXPECT_EQ(both->comment, "意见");
  // An empty body is a request with nothing ticked or attested.
  auto empty = ParseReviewRequest(json::object(), Action::kSubmit);
  ASSERT_TRUE(empty);
  EXPECT_FALSE(empty->attestation);
  EXPECT_FALSE(empty->expected_version);
  EXPECT_EQ(empty->checklist, review::Checklist{});
}

TEST(ParseReviewRequest, BadMembersAreNamedAndChecklistJunkIsUnticked) {
  auto unknown = ParseReviewRequest(json::parse(R"({"action": "delete"})"), std::nullopt);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(unknown.error().message, "审核操作无效：delete");
  auto types = ParseReviewRequest(
      json::parse(R"({"action": "approve", "comment": 5, "attestation": "yes"})"), std::nullopt);
  ASSERT_FALSE(types);
  EXPECT_EQ(Fields(types.error()), (std::vector<std::string>{"comment", "attestation"}));
  EXPECT_EQ(types.error().fields[1].message, "承诺应为 true 或 false");
  auto junk = ParseReviewRequest(
      json::parse(R"({"checklist": {"ideology": "true", "copyright": 1}, "version": "3"})"),
      Action::kApprove);
  ASSERT_TRUE(junk);
  EXPECT_EQ(junk->checklist, review::Checklist{});
  EXPECT_FALSE(junk->expected_version);  // only an integer is a version
}

TEST(ParseBulkReturn, ReadsItemsWithVersionsOrIdsAndNamesEachBadEntry) {
  auto items = ParseBulkReturn(
      json::parse(R"({"items": [{"id": 3, "version": 7}, {"id": 5}], "comment": "请修改"})"));
  ASSERT_TRUE(items);
  EXPECT_EQ(items->items, (std::vector<review::BulkItem>{{3, 7}, {5, std::nullopt}}));
  EXPECT_EQ(items->comment, "请修改");
  auto ids = ParseBulkReturn(json::parse(R"({"ids": [4, 9], "comment": "x"})"));
  ASSERT_TRUE(ids);
  EXPECT_EQ(ids->items, (std::vector<review::BulkItem>{{4, std::nullopt}, {9, std::nullopt}}));
  auto bad = ParseBulkReturn(json::parse(
      R"({"items": [{"id": 1}, {"id": "2"}, {"id": 3, "version": "v"}], "comment": 5})"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(Fields(bad.error()),
            (std::vector<std::string>{"comment", "items[1].id", "items[2].version"}));
  EXPECT_EQ(bad.error().fields[1].label, "第 2 个资源");
  auto missing = ParseBulkReturn(json::parse(R"({"comment": "x"})"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(Fields(missing.error()), std::vector<std::string>{"items"});
}

TEST(ParseBulkApprove, NeedsAnIdListAndSkipsWhatIsNotAnId) {
  auto ok = ParseBulkApprove(json::parse(R"({"ids": [3, "x", 5, 2.5], "comment": "同意"})"));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->ids, (std::vector<int64_t>{3, 5}));
  EXPECT_EQ(ok->request.action, Action::kApprove);
  EXPECT_EQ(ok->request.comment, "同意");
  auto missing = ParseBulkApprove(json::parse(R"({"ids": 3})"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "请选择资源");
  EXPECT_EQ(Fields(missing.error()), std::vector<std::string>{"ids"});
}

TEST(ParseCampaign, ReadsTheFieldsAndNamesNonTextOnes) {
  auto c = ParseCampaign(json::parse(R"({"name": "2022年征集", "year": 2022,
      "submission_deadline": "2022-05-15", "first_review_deadline": null})"),
                         7);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->id, 7);
  EXPECT_EQ(c->name, "2022年征集");
  EXPECT_EQ(c->year, 2022);
  EXPECT_EQ(c->submission_deadline, "2022-05-15");
  EXPECT_EQ(c->first_review_deadline, "");
  // A year that is no number is left for the service to name; text fields must be text.
  EXPECT_EQ(ParseCampaign(json::parse(R"({"year": "2022"})"), 0)->year, 0);
  auto bad = ParseCampaign(json::parse(R"({"name": 1, "final_review_deadline": []})"), 0);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "请求格式错误");
  EXPECT_EQ(Fields(bad.error()), (std::vector<std::string>{"name", "final_review_deadline"}));
}

TEST(ParseQueueFilter, EmptyValuesAreAbsentAndIdsMustBePositive) {
  auto f = ParseQueueFilter({{"campaign_id", "3"},
                             {"org_id", ""},
                             {"domain", "老年教育"},
                             {"type", "A01"},
                             {"state", ""},
                             {"overdue", "true"}});
  ASSERT_TRUE(f);
  review::QueueFilter expected;
  expected.campaign_id = 3;
  expected.domain = "老年教育";
  expected.type = "A01";
  expected.overdue_only = true;
  EXPECT_EQ(*f, expected);
  EXPECT_FALSE(ParseQueueFilter({{"overdue", "1"}})->overdue_only);
  auto bad = ParseQueueFilter({{"campaign_id", "3x"}, {"org_id", "-1"}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(Fields(bad.error()), (std::vector<std::string>{"campaign_id", "org_id"}));
  EXPECT_EQ(bad.error().message, "征集批次应为正整数");
}

TEST(ParseNewBatch, ScheduledAtIsMillisecondsOrNull) {
  auto b = ParseNewBatch(json::parse(R"({"name": "第3批", "resource_ids": [1, 2, "3"],
                                          "scheduled_at": 1700000000000})"));
  ASSERT_TRUE(b);
  EXPECT_EQ(b->name, "第3批");
  EXPECT_EQ(b->resource_ids, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(b->scheduled_at, 1700000000000);
  EXPECT_FALSE(ParseNewBatch(json::parse(R"({"scheduled_at": null})"))->scheduled_at);
  auto bad = ParseNewBatch(json::parse(R"({"scheduled_at": "明天"})"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "定时发布时间应为 Unix 毫秒数或 null");
}

TEST(ParseBatchUpdate, AbsentNullAndATimeAreThreeDifferentRequests) {
  auto keep = ParseBatchUpdate(json::parse(R"({"name": "改名"})"));
  ASSERT_TRUE(keep);
  EXPECT_FALSE(keep->scheduled_at);
  EXPECT_EQ(keep->name, "改名");
  auto cancel = ParseBatchUpdate(json::parse(R"({"scheduled_at": null})"));
  ASSERT_TRUE(cancel);
  ASSERT_TRUE(cancel->scheduled_at);
  EXPECT_FALSE(*cancel->scheduled_at);
  EXPECT_FALSE(cancel->name);
  auto at = ParseBatchUpdate(json::parse(R"({"scheduled_at": 5})"));
  EXPECT_EQ(**at->scheduled_at, 5);
  EXPECT_EQ(Fields(ParseBatchUpdate(json::parse(R"({"name": false})")).error()),
            std::vector<std::string>{"name"});
}

TEST(ParseSensitiveWordsBody, TrimsAndDropsBlanks) {
  auto words = ParseSensitiveWordsBody(json::parse(R"({"words": [" 赌博 ", "", 3, "代考"]})"));
  ASSERT_TRUE(words);
  EXPECT_EQ(*words, (std::vector<std::string>{"赌博", "代考"}));
  auto bad = ParseSensitiveWordsBody(json::parse(R"({"words": "赌博"})"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "words 应为词语列表");
}

TEST(ParseInboxQuery, LimitIsOneTo200AndBeforeIdPositive) {
  auto q = ParseInboxQuery({{"unread", "1"}, {"limit", "20"}, {"before_id", "9"}});
  ASSERT_TRUE(q);
  EXPECT_EQ(*q, (InboxQuery{true, 20, 9}));
  EXPECT_EQ(*ParseInboxQuery({}), InboxQuery{});
  EXPECT_TRUE(ParseInboxQuery({{"unread", "true"}})->unread_only);
  EXPECT_FALSE(ParseInboxQuery({{"unread", "yes"}})->unread_only);
  auto big = ParseInboxQuery({{"limit", "201"}});
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().message, "条数最多为 200");
  auto bad = ParseInboxQuery({{"limit", "0"}, {"before_id", "1e3"}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(Fields(bad.error()), (std::vector<std::string>{"limit", "before_id"}));
  EXPECT_EQ(bad.error().message, "条数应为正整数");
}

}  // namespace
}  // namespace lep::app
