// StatsRepository: the reporting queries of the statistics pages, over a unit subtree (an
// org path prefix): usage per day, top lists, broken A03 links. Read only; a read model that
// joins the tables of several modules. Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "storage/db/database.h"

namespace lep::stats {

enum class UsageGroup { kDomain, kResource, kUnit, kProvince };
enum class Metric { kClicks, kLearners };

struct UsageRow {
  std::string key;  // the domain, resource title, unit name or province
  int64_t day = 0;  // days since 1970-01-01, Beijing calendar
  int64_t clicks = 0;
  int64_t learners = 0;
};

struct TopRow {
  int64_t resource_id = 0;
  std::string title;
  std::string unit;
  int64_t value = 0;
};

struct BrokenLinkRow {
  int64_t resource_id = 0;
  std::string title;
  std::string unit;
  std::string url;
  int64_t status = 0;
  std::string error;
  int64_t checked_at = 0;
};

class StatsRepository {
 public:
  virtual ~StatsRepository() = default;
  // Daily clicks and learners of the resources under prefix, days [from, to].
  [[nodiscard]] virtual Result<std::vector<UsageRow>> UsageByDay(const std::string& prefix,
                                                                 UsageGroup group, int64_t from,
                                                                 int64_t to) = 0;
  // Published resources with the highest figure of all time (imported initial values
  // included), value > 0.
  [[nodiscard]] virtual Result<std::vector<TopRow>> TopAllTime(const std::string& prefix,
                                                               Metric metric, int limit) = 0;
  // Resources with the highest sum over the days from since_day on, value > 0.
  [[nodiscard]] virtual Result<std::vector<TopRow>> TopSince(const std::string& prefix,
                                                             Metric metric, int64_t since_day,
                                                             int limit) = 0;
  // A03 resources (not draft or rejected) whose latest check of their current link failed.
  [[nodiscard]] virtual Result<std::vector<BrokenLinkRow>> BrokenLinks(const std::string& prefix,
                                                                       int limit) = 0;
};

std::unique_ptr<StatsRepository> NewSqlStatsRepository(storage::Database& db);

}  // namespace lep::stats
