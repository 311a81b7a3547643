// Behaviour of the Xapian SearchIndex on small hand-made sets: replace/remove, exact filters
// and facets, sort orders, pagination, Traditional/Simplified, HTML safety of highlights,
// browse, malformed queries and concurrent searching while writing.
#include "search/search_index.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "search/search_text.h"

namespace lep::search {
namespace {

SearchDoc Doc(int64_t id, std::string title, std::string category = "健康养生-太极拳",
              std::string domain = "老年教育") {
  SearchDoc d;
  d.id = id;
  d.title = std::move(title);
  d.summary = "示例简介：" + d.title + "。本课程由示例单位录制，仅供测试。";
  d.category = std::move(category);
  d.domain = std::move(domain);
  d.type = "A01";
  d.province = "北京市";
  d.unit_name = "示例开放大学";
  d.copyright_holder = "示例开放大学";
  d.presenters = {"张演示"};
  d.clicks = id * 10;
  d.learners = 1000 - id;
  d.published_at = 1'700'000'000'000 + id * 86'400'000;
  d.duration_s = id * 60;
  return d;
}

std::vector<int64_t> Ids(const SearchResult& r) {
  std::vector<int64_t> ids;
  for (const auto& h : r.hits) ids.push_back(h.id);
  return ids;
}

class SearchIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto index = OpenTempXapianIndex();
    ASSERT_TRUE(index.has_value()) << index.error().message;
    index_ = std::move(*index);
  }

  void Add(const SearchDoc& d) { ASSERT_TRUE(index_->Upsert(d).has_value()); }
  void Commit() { ASSERT_TRUE(index_->Commit().has_value()); }

  SearchResult Find(SearchQuery q) {
    auto r = index_->Search(q);
    EXPECT_TRUE(r.has_value()) << q.q << ": " << (r ? "" : r.error().message);
    return r ? *r : SearchResult{};
  }
  SearchResult Find(const std::string& text) {
    SearchQuery q;
    q.q = text;
    return Find(q);
  }

  std::unique_ptr<SearchIndex> index_;
};

TEST_F(SearchIndexTest, UpsertReplacesAndRemoveDeletes) {
  Add(Doc(1, "二十四式太极拳入门"));
  Add(Doc(2, "楷书书法入门", "文化艺术-书法"));
  // Not visible before Commit.
  EXPECT_EQ(*index_->Count(), 0);
  Commit();
  EXPECT_EQ(*index_->Count(), 2);
  EXPECT_EQ(Ids(Find("太极拳")), std::vector<int64_t>{1});

  Add(Doc(1, "健身气功八段锦", "健康养生-八段锦"));
  Commit();
  EXPECT_EQ(*index_->Count(), 2);
  EXPECT_TRUE(Find("太极拳").hits.empty());
  EXPECT_EQ(Ids(Find("八段锦")), std::vector<int64_t>{1});

  ASSERT_TRUE(index_->Remove(1).has_value());
  ASSERT_TRUE(index_->Remove(12345).has_value());  // unknown id: not an error
  Commit();
  EXPECT_EQ(*index_->Count(), 1);
  EXPECT_TRUE(Find("八段锦").hits.empty());
  EXPECT_EQ(Ids(Find("书法")), std::vector<int64_t>{2});
}

TEST_F(SearchIndexTest, UpsertManyBuildsInParallelAndIsAllOrNothing) {
  // Enough documents for several building threads; each title is findable by its own word.
  const std::vector<std::string> words = {"太极拳", "八段锦", "书法", "摄影", "戏曲", "养生"};
  std::vector<SearchDoc> docs;
  for (int64_t id = 1; id <= 300; ++id) {
    docs.push_back(Doc(id, words[static_cast<size_t>(id) % words.size()] + "第" +
                               std::to_string(id) + "讲"));
  }
  ASSERT_TRUE(index_->UpsertMany(docs).has_value());
  Commit();
  EXPECT_EQ(*index_->Count(), 300);
  SearchQuery q;
  q.q = "戏曲";
  q.page_size = 100;
  std::set<int64_t> found;
  for (int64_t id : Ids(Find(q))) found.insert(id);
  std::set<int64_t> want;
  for (int64_t id = 1; id <= 300; ++id) {
    if (id % 6 == 4) want.insert(id);
  }
  EXPECT_EQ(found, want);
  // Replacing through the batch: the old title is gone.
  std::vector<SearchDoc> again = {Doc(4, "楷书入门"), Doc(301, "篆刻入门")};
  ASSERT_TRUE(index_->UpsertMany(again).has_value());
  Commit();
  EXPECT_EQ(*index_->Count(), 301);
  EXPECT_EQ(Ids(Find("楷书")), std::vector<int64_t>{4});

  // One document that cannot be indexed: nothing of the batch is written.
  std::vector<SearchDoc> bad;
  for (int64_t id = 400; id < 500; ++id) bad.push_back(Doc(id, "新课程" + std::to_string(id)));
  bad[70].title = std::string("\xff\xfe坏的标题");
  auto st = index_->UpsertMany(bad);
  ASSERT_FALSE(st.has_value());
  Commit();
  EXPECT_EQ(*index_->Count(), 301);
  EXPECT_TRUE(Find("新课程").hits.empty());
}

TEST_F(SearchIndexTest, FiltersAndFacetsAreExact) {
  auto d1 = Doc(1, "太极拳第一讲");
  auto d2 = Doc(2, "太极拳第二讲");
  d2.province = "浙江省";
  d2.type = "A02";
  auto d3 = Doc(3, "太极拳与社区健身", "健康养生-太极拳", "社区教育");
  d3.unit_name = "演示社区学院";
  auto d4 = Doc(4, "航空发动机原理", "科学文化-航空知识-航空发动机", "社区教育");
  auto d5 = Doc(5, "飞机为什么能飞", "科学文化-航空知识-飞行原理", "社区教育");
  auto d6 = Doc(6, "天文望远镜入门", "科学文化-天文知识", "社区教育");
  d6.type = "A03";
  for (const auto& d : {d1, d2, d3, d4, d5, d6}) Add(d);
  Commit();

  SearchResult all = Find("");
  EXPECT_EQ(all.total, 6);
  EXPECT_EQ(all.facets["domain"],
            (std::map<std::string, int64_t>{{"老年教育", 2}, {"社区教育", 4}}));
  EXPECT_EQ(all.facets["type"],
            (std::map<std::string, int64_t>{{"A01", 4}, {"A02", 1}, {"A03", 1}}));
  EXPECT_EQ(all.facets["category"],
            (std::map<std::string, int64_t>{{"健康养生", 3}, {"科学文化", 3}}));
  EXPECT_EQ(all.facets["province"], (std::map<std::string, int64_t>{{"北京市", 5}, {"浙江省", 1}}));

  SearchQuery q;
  q.q = "太极拳";
  q.domain = "老年教育";
  SearchResult r = Find(q);
  EXPECT_EQ(r.total, 2);
  EXPECT_EQ(r.facets["domain"], (std::map<std::string, int64_t>{{"老年教育", 2}}));
  EXPECT_EQ(r.facets["province"], (std::map<std::string, int64_t>{{"北京市", 1}, {"浙江省", 1}}));

  q = {};
  q.category_prefix = "科学文化";
  EXPECT_EQ(Find(q).total, 3);
  q.category_prefix = "科学文化-航空知识";
  const std::vector<int64_t> aviation = Ids(Find(q));
  EXPECT_EQ(std::set<int64_t>(aviation.begin(), aviation.end()), (std::set<int64_t>{4, 5}));
  q.category_prefix = "科学文化-航空";  // whole levels only, not a string prefix
  EXPECT_EQ(Find(q).total, 0);
  q.category_prefix = "科学文化-航空知识-航空发动机";
  EXPECT_EQ(Ids(Find(q)), std::vector<int64_t>{4});

  q = {};
  q.type = "A02";
  EXPECT_EQ(Ids(Find(q)), std::vector<int64_t>{2});
  q = {};
  q.province = "浙江省";
  EXPECT_EQ(Ids(Find(q)), std::vector<int64_t>{2});
  q = {};
  q.unit = "演示社区学院";
  EXPECT_EQ(Ids(Find(q)), std::vector<int64_t>{3});

  // Durations are id * 60 s.
  q = {};
  q.min_duration_s = 120;
  q.max_duration_s = 240;
  EXPECT_EQ(Find(q).total, 3);
  q.max_duration_s.reset();
  EXPECT_EQ(Find(q).total, 5);
  q.min_duration_s.reset();
  q.max_duration_s = 60;
  EXPECT_EQ(Ids(Find(q)), std::vector<int64_t>{1});

  // Filters combine with text.
  q = {};
  q.q = "太极拳";
  q.domain = "社区教育";
  EXPECT_EQ(Ids(Find(q)), std::vector<int64_t>{3});
}

TEST_F(SearchIndexTest, SortOrders) {
  for (int64_t id = 1; id <= 5; ++id) Add(Doc(id, "太极拳第" + std::to_string(id) + "讲"));
  Commit();
  SearchQuery q;
  q.q = "太极拳";
  q.sort = SearchQuery::Sort::kClicks;  // clicks = id * 10
  EXPECT_EQ(Ids(Find(q)), (std::vector<int64_t>{5, 4, 3, 2, 1}));
  q.sort = SearchQuery::Sort::kLearners;  // learners = 1000 - id
  EXPECT_EQ(Ids(Find(q)), (std::vector<int64_t>{1, 2, 3, 4, 5}));
  q.sort = SearchQuery::Sort::kNewest;  // published_at grows with id
  EXPECT_EQ(Ids(Find(q)), (std::vector<int64_t>{5, 4, 3, 2, 1}));
  // Browse with "relevance" has nothing to rank by: newest first.
  q.q.clear();
  q.sort = SearchQuery::Sort::kRelevance;
  EXPECT_EQ(Ids(Find(q)), (std::vector<int64_t>{5, 4, 3, 2, 1}));
}

TEST_F(SearchIndexTest, RelevancePrefersTitleMatches) {
  auto in_summary = Doc(1, "社区健身活动回顾");
  in_summary.summary = "活动中居民们一起练习了太极拳。";
  Add(in_summary);
  Add(Doc(2, "太极拳入门"));
  Commit();
  EXPECT_EQ(Ids(Find("太极拳")), (std::vector<int64_t>{2, 1}));
}

TEST_F(SearchIndexTest, Pagination) {
  for (int64_t id = 1; id <= 25; ++id) Add(Doc(id, "八段锦跟练第" + std::to_string(id) + "天"));
  Commit();
  SearchQuery q;
  q.q = "八段锦";
  q.sort = SearchQuery::Sort::kClicks;
  q.page_size = 10;
  std::vector<int64_t> seen;
  for (int page = 1; page <= 3; ++page) {
    q.page = page;
    SearchResult r = Find(q);
    EXPECT_EQ(r.total, 25);
    EXPECT_EQ(r.hits.size(), page < 3 ? 10u : 5u);
    for (auto id : Ids(r)) seen.push_back(id);
  }
  std::vector<int64_t> expected;
  for (int64_t id = 25; id >= 1; --id) expected.push_back(id);
  EXPECT_EQ(seen, expected);
  q.page = 4;
  EXPECT_TRUE(Find(q).hits.empty());
  q.page = 0;            // treated as 1
  q.page_size = 100000;  // clamped
  EXPECT_EQ(Find(q).hits.size(), 25u);
}

TEST_F(SearchIndexTest, TraditionalAndSimplifiedMatchEachOther) {
  Add(Doc(1, "四季中医养生课堂", "健康养生-中医养生"));
  Add(Doc(2, "長者電腦班：學用電子郵件", "数字生活-电脑基础", "社区教育"));
  Add(Doc(3, "楷书书法入门", "文化艺术-书法"));
  Commit();
  EXPECT_EQ(Ids(Find("養生")), std::vector<int64_t>{1});
  EXPECT_EQ(Ids(Find("書法")), std::vector<int64_t>{3});
  EXPECT_EQ(Ids(Find("电脑")), std::vector<int64_t>{2});
  EXPECT_EQ(Ids(Find("電腦")), std::vector<int64_t>{2});
  // Full-width Latin input is folded.
  auto excel = Doc(4, "Excel办公技能", "职业技能-办公软件", "非学历教育培训");
  Add(excel);
  Commit();
  EXPECT_EQ(Ids(Find("ＥＸＣＥＬ")), std::vector<int64_t>{4});

  // The mark is drawn on the document's own (Traditional) text.
  SearchResult r = Find("电脑");
  ASSERT_EQ(r.hits.size(), 1u);
  EXPECT_EQ(r.hits[0].title_html, "長者<mark>電腦</mark>班：學用電子郵件");
  r = Find("養生");
  ASSERT_EQ(r.hits.size(), 1u);
  EXPECT_EQ(r.hits[0].title_html, "四季中医<mark>养生</mark>课堂");
}

TEST_F(SearchIndexTest, HighlightsAreHtmlEscaped) {
  auto d = Doc(1, "网页基础：认识<script>alert('x')</script>标签 & HTML");
  d.summary = "讲解<script>、<style>等网页标签，学会做一个简单的个人网页。";
  Add(d);
  Commit();
  SearchResult r = Find("网页");
  ASSERT_EQ(r.hits.size(), 1u);
  EXPECT_EQ(r.hits[0].title_html,
            "<mark>网页</mark>基础：认识&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;标签 "
            "&amp; HTML");
  EXPECT_EQ(r.hits[0].snippet_html.find("<script"), std::string::npos);
  EXPECT_NE(r.hits[0].snippet_html.find("&lt;script&gt;"), std::string::npos);
  EXPECT_NE(r.hits[0].snippet_html.find("<mark>网页</mark>"), std::string::npos);

  r = Find("script");
  ASSERT_EQ(r.hits.size(), 1u);
  EXPECT_NE(r.hits[0].title_html.find("&lt;<mark>script</mark>&gt;"), std::string::npos);
}

TEST_F(SearchIndexTest, EmptyQueryBrowsesWithFilters) {
  Add(Doc(1, "太极拳", "健康养生-太极拳"));
  Add(Doc(2, "书法", "文化艺术-书法"));
  Add(Doc(3, "八段锦", "健康养生-八段锦"));
  Commit();
  EXPECT_EQ(Find("").total, 3);
  EXPECT_EQ(Find("   　").total, 3);
  SearchQuery q;
  q.category_prefix = "健康养生";
  SearchResult r = Find(q);
  EXPECT_EQ(Ids(r), (std::vector<int64_t>{3, 1}));
  // No query terms: titles are escaped but not marked.
  EXPECT_EQ(r.hits[0].title_html, "八段锦");
}

TEST_F(SearchIndexTest, MalformedQueriesDoNotThrow) {
  Add(Doc(1, "二十四式太极拳入门"));
  Commit();
  for (const char* text : {"\"太极拳",     "太极拳\"", "AND",     "OR OR",      "太极拳 AND",
                           "NOT",          "(((",      ")",       "-",          "+",
                           "\"",           "title:",   "*",       "太极拳 NOT", "AND 太极拳 OR",
                           "a\"b\"c\"",    "((太极拳", "XOR XOR", "~",          "\\",
                           "太极拳 NEAR/3"}) {
    SearchQuery q;
    q.q = text;
    auto r = index_->Search(q);
    ASSERT_TRUE(r.has_value()) << text;
  }
  EXPECT_EQ(Ids(Find("\"太极拳")), std::vector<int64_t>{1});
  EXPECT_EQ(Ids(Find("\"太极拳\"")), std::vector<int64_t>{1});  // a real phrase
  EXPECT_EQ(Ids(Find("太极拳 AND")), std::vector<int64_t>{1});

  SearchQuery bad;
  bad.q = std::string("\xff\xfe", 2);
  auto r = index_->Search(bad);
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().Is(ErrorCode::kInvalidArgument));

  auto bad_doc = Doc(2, std::string("\xc3", 1));
  EXPECT_FALSE(index_->Upsert(bad_doc).has_value());
}

TEST_F(SearchIndexTest, LongQueryFallsBackToPartialMatches) {
  Add(Doc(1, "老年人智能手机应用：用手机预约挂号看病"));
  Add(Doc(2, "老年人智能手机应用：用微信视频通话"));
  Add(Doc(3, "楷书书法入门", "文化艺术-书法"));
  Commit();
  SearchResult r = Find("老年人怎么用手机挂号看病");
  ASSERT_FALSE(r.hits.empty());
  EXPECT_EQ(r.hits[0].id, 1);
  for (auto id : Ids(r)) EXPECT_NE(id, 3);
  // Words the catalog has never seen return nothing rather than noise.
  EXPECT_TRUE(Find("量子纠缠实验").hits.empty());
}

TEST_F(SearchIndexTest, ConcurrentSearchesWhileWriting) {
  for (int64_t id = 1; id <= 20; ++id) Add(Doc(id, "太极拳第" + std::to_string(id) + "讲"));
  Commit();
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::atomic<int> searches{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&, t] {
      while (!stop.load()) {
        SearchQuery q;
        q.q = t % 2 ? "太极拳" : "養生";
        q.sort = t == 3 ? SearchQuery::Sort::kClicks : SearchQuery::Sort::kRelevance;
        auto r = index_->Search(q);
        // Transient "being updated" errors are allowed; wrong results are not.
        if (r && t % 2 && r->total < 20) failures.fetch_add(1);
        if (!r && !r.error().Is(ErrorCode::kUnavailable)) failures.fetch_add(1);
        searches.fetch_add(1);
      }
    });
  }
  for (int64_t round = 0; round < 40; ++round) {
    auto d = Doc(100 + round, "中医养生第" + std::to_string(round) + "讲", "健康养生-中医养生");
    EXPECT_TRUE(index_->Upsert(d).has_value());
    EXPECT_TRUE(index_->Upsert(Doc(1 + round % 20, "太极拳重录版")).has_value());
    EXPECT_TRUE(index_->Commit().has_value());
  }
  // Let every reader finish at least a few searches after the last commit.
  const int target = searches.load() + 8;
  while (searches.load() < target) std::this_thread::yield();
  stop = true;
  for (auto& th : readers) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Find("中医").total, 40);
  EXPECT_EQ(*index_->Count(), 60);
}

TEST(XapianIndexOpenTest, PersistsAndRefusesSecondWriter) {
  std::string dir = (std::filesystem::temp_directory_path() / "lep-search-test-XXXXXX").string();
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  const std::string index_dir = dir + "/nested/index";  // parents are created
  {
    auto index = OpenXapianIndex(index_dir);
    ASSERT_TRUE(index.has_value()) << index.error().message;
    ASSERT_TRUE((*index)->Upsert(Doc(7, "剪纸技艺")).has_value());
    ASSERT_TRUE((*index)->Commit().has_value());
    auto second = OpenXapianIndex(index_dir);
    ASSERT_FALSE(second.has_value());
    EXPECT_TRUE(second.error().Is(ErrorCode::kUnavailable));
  }
  {
    auto index = OpenXapianIndex(index_dir);
    ASSERT_TRUE(index.has_value()) << index.error().message;
    EXPECT_EQ(*(*index)->Count(), 1);
  }
  std::filesystem::remove_all(dir);
}

TEST(SearchTextTest, FoldWidthAndEscape) {
  EXPECT_EQ(FoldWidth("ＡＢＣ１２３　太极"), "ABC123 太极");
  EXPECT_EQ(FoldWidth(std::string("a\0b", 3)), "a b");
  EXPECT_EQ(EscapeHtml("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
}

TEST(SearchTextTest, HighlightMarksWholeWordsAndExcerpts) {
  EXPECT_EQ(HighlightHtml("AI and email", "AI and email", {"ai"}), "<mark>AI</mark> and email");
  EXPECT_EQ(HighlightHtml("太极拳", "太极拳", {"太极", "极拳"}), "<mark>太极拳</mark>");
  std::string long_text;
  for (int i = 0; i < 60; ++i) long_text += "填充";
  long_text += "。这里讲太极拳。";
  for (int i = 0; i < 60; ++i) long_text += "填充";
  const std::string excerpt = HighlightHtml(long_text, long_text, {"太极"}, 30);
  EXPECT_EQ(excerpt.rfind("…", 0), 0u);
  EXPECT_NE(excerpt.find("这里讲<mark>太极</mark>拳"), std::string::npos);
  EXPECT_NE(excerpt.find("…", excerpt.size() - 4), std::string::npos);
}

}  // namespace
}  // namespace lep::search

namespace lep::search {
namespace {

TEST(StripQuestionWords, KeepsWhatTheQuestionIsAbout) {
  EXPECT_EQ(StripQuestionWords("太极拳怎么练"), "太极拳 ");
  EXPECT_EQ(StripQuestionWords("如何识别保健品推销骗局"), " 识别保健品推销骗局");
  EXPECT_EQ(StripQuestionWords("养生是什么"), "养生 ");
  EXPECT_EQ(StripQuestionWords("什么是导数"), " 导数");
  EXPECT_EQ(StripQuestionWords("急救知识有哪些"), "急救知识 ");
  EXPECT_EQ(StripQuestionWords("高血压饮食要注意什么？"), "高血压饮食  ");
  EXPECT_EQ(StripQuestionWords("Excel函数怎么用"), "Excel函数 ");
  EXPECT_EQ(StripQuestionWords("如何防诈骗"), " 防诈骗");  // 防 is not a "how" verb
  EXPECT_EQ(StripQuestionWords("如何练习八段锦"), " 八段锦");
  EXPECT_EQ(StripQuestionWords("怎么用智能手机"), " 用智能手机");  // 用 starts a word here
  // Nothing to strip, or nothing but question words: unchanged.
  EXPECT_EQ(StripQuestionWords("太极拳"), "太极拳");
  EXPECT_EQ(StripQuestionWords("是什么"), "是什么");
  EXPECT_EQ(StripQuestionWords(""), "");
}

}  // namespace
}  // namespace lep::search
