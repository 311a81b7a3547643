// Relevance of the Xapian index on the fixture catalog of tests/search/ (made by
// make_catalog.py): recall@10 and nDCG@10 over graded judgments, with thresholds set a little
// below the measured values so that a regression in Chinese matching fails the build.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "search/search_index.h"

namespace lep::search {
namespace {

// Measured (catalog of 325, 62 judged queries, 20 of them questions such as 太极拳怎么练 whose
// question words are in no document): recall@10 0.958, nDCG@10 0.963. The recall bound is the
// goal of issue 16; nDCG sits a little below the measured value.
constexpr double kMinMeanRecallAt10 = 0.95;
constexpr double kMinMeanNdcgAt10 = 0.94;

nlohmann::json LoadJson(const std::string& path) {
  std::ifstream in(path);
  if (!in) return nullptr;
  return nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
}

SearchDoc DocFromJson(const nlohmann::json& j) {
  SearchDoc d;
  d.id = j.at("id").get<int64_t>();
  d.title = j.at("title").get<std::string>();
  d.summary = j.at("summary").get<std::string>();
  d.series = j.at("series").get<std::string>();
  d.copyright_holder = j.at("copyright_holder").get<std::string>();
  d.unit_name = j.at("unit_name").get<std::string>();
  d.province = j.at("province").get<std::string>();
  d.category = j.at("category").get<std::string>();
  d.domain = j.at("domain").get<std::string>();
  d.type = j.at("type").get<std::string>();
  d.presenters = j.at("presenters").get<std::vector<std::string>>();
  d.keywords = j.at("keywords").get<std::vector<std::string>>();
  d.clicks = j.at("clicks").get<int64_t>();
  d.learners = j.at("learners").get<int64_t>();
  d.published_at = j.at("published_at").get<int64_t>();
  d.duration_s = j.at("duration_s").get<int64_t>();
  return d;
}

TEST(SearchRelevanceTest, RecallAndNdcgAt10OnFixtureCatalog) {
  const nlohmann::json catalog = LoadJson("tests/search/catalog.json");
  const nlohmann::json queries = LoadJson("tests/search/queries.json");
  ASSERT_TRUE(catalog.is_array()) << "run from the repo root (ctest does)";
  ASSERT_TRUE(queries.is_array());
  ASSERT_GE(catalog.size(), 300u);
  ASSERT_GE(queries.size(), 30u);

  auto index = OpenTempXapianIndex();
  ASSERT_TRUE(index.has_value()) << index.error().message;
  for (const auto& j : catalog) ASSERT_TRUE((*index)->Upsert(DocFromJson(j)).has_value());
  ASSERT_TRUE((*index)->Commit().has_value());

  double recall_sum = 0;
  double ndcg_sum = 0;
  int judged = 0;
  for (const auto& jq : queries) {
    const std::string q = jq.at("q").get<std::string>();
    std::map<int64_t, int> grades;
    for (const auto& r : jq.at("relevant")) grades[r.at("id").get<int64_t>()] = r.at("grade");

    SearchQuery query;
    query.q = q;
    query.page_size = 10;
    auto result = (*index)->Search(query);
    ASSERT_TRUE(result.has_value()) << q;

    if (grades.empty()) {
      // "Nothing in the catalog" queries: any hit is a false positive.
      EXPECT_TRUE(result->hits.empty()) << q << " returned " << result->hits.size() << " hits";
      std::printf("  %-28s expects nothing, got %zu hits\n", q.c_str(), result->hits.size());
      continue;
    }

    // recall@10 is capped: with more than 10 relevant documents, 10 of them is perfect.
    int found = 0;
    double dcg = 0;
    for (size_t i = 0; i < result->hits.size(); ++i) {
      auto it = grades.find(result->hits[i].id);
      if (it == grades.end()) continue;
      ++found;
      dcg += (std::pow(2.0, it->second) - 1) / std::log2(static_cast<double>(i) + 2);
    }
    std::vector<int> ideal;
    for (const auto& [id, g] : grades) ideal.push_back(g);
    std::sort(ideal.rbegin(), ideal.rend());
    double idcg = 0;
    for (size_t i = 0; i < ideal.size() && i < 10; ++i) {
      idcg += (std::pow(2.0, ideal[i]) - 1) / std::log2(static_cast<double>(i) + 2);
    }
    const double recall =
        static_cast<double>(found) / static_cast<double>(std::min<size_t>(grades.size(), 10));
    const double ndcg = idcg > 0 ? dcg / idcg : 0;
    recall_sum += recall;
    ndcg_sum += ndcg;
    ++judged;
    std::printf("  %-28s recall@10 %.2f  nDCG@10 %.2f  (total %lld)\n", q.c_str(), recall, ndcg,
                static_cast<long long>(result->total));
    if (ndcg < 0.8) {
      // Show the ranking (id:grade) to make a regression easy to diagnose.
      std::string ranking;
      for (const auto& hit : result->hits) {
        auto it = grades.find(hit.id);
        ranking += " " + std::to_string(hit.id) + ":" +
                   std::to_string(it == grades.end() ? 0 : it->second);
      }
      std::printf("    top 10:%s\n", ranking.c_str());
    }
  }
  ASSERT_GT(judged, 0);
  const double mean_recall = recall_sum / judged;
  const double mean_ndcg = ndcg_sum / judged;
  std::printf("mean over %d judged queries: recall@10 %.3f  nDCG@10 %.3f\n", judged, mean_recall,
              mean_ndcg);
  EXPECT_GE(mean_recall, kMinMeanRecallAt10);
  EXPECT_GE(mean_ndcg, kMinMeanNdcgAt10);
}

}  // namespace
}  // namespace lep::search
