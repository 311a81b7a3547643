#include "stats/stats_repository.h"

namespace lep::stats {
namespace {

std::string MetricColumn(Metric m) { return m == Metric::kClicks ? "clicks" : "learners"; }

std::vector<TopRow> TopRows(const storage::QueryResult& rows) {
  std::vector<TopRow> out;
  for (const auto& r : rows.rows) out.push_back({r.Int(0), r.Text(1), r.Text(2), r.Int(3)});
  return out;
}

class SqlStatsRepository final : public StatsRepository {
 public:
  explicit SqlStatsRepository(storage::Database& db) : db_(db) {}

  Result<std::vector<UsageRow>> UsageByDay(const std::string& prefix, UsageGroup group,
                                           int64_t from, int64_t to) override {
    const std::string key = group == UsageGroup::kResource   ? "r.title"
                            : group == UsageGroup::kUnit     ? "o.name"
                            : group == UsageGroup::kProvince ? "o.region"
                                                             : "r.domain";
    LEP_ASSIGN_OR_RETURN(
        auto rows,
        db_.Exec("SELECT " + key +
                     ", u.day, SUM(u.clicks), SUM(u.learners) FROM usage_daily u JOIN resources "
                     "r ON r.id = u.resource_id JOIN orgs o ON o.id = r.org_id WHERE "
                     "substr(o.path, 1, ?) = ? AND u.day >= ? AND u.day <= ? GROUP BY " +
                     key + ", u.day ORDER BY u.day, " + key,
                 {static_cast<int64_t>(prefix.size()), prefix, from, to}));
    std::vector<UsageRow> out;
    for (const auto& r : rows.rows) out.push_back({r.Text(0), r.Int(1), r.Int(2), r.Int(3)});
    return out;
  }

  Result<std::vector<TopRow>> TopAllTime(const std::string& prefix, Metric metric,
                                         int limit) override {
    const std::string c = MetricColumn(metric);
    LEP_ASSIGN_OR_RETURN(
        auto rows, db_.Exec("SELECT r.id, r.title, o.name, r." + c +
                                " FROM resources r JOIN orgs o ON o.id = r.org_id WHERE r.state = "
                                "'published' AND substr(o.path, 1, ?) = ? AND r." +
                                c + " > 0 ORDER BY r." + c + " DESC, r.id LIMIT ?",
                            {static_cast<int64_t>(prefix.size()), prefix, int64_t{limit}}));
    return TopRows(rows);
  }

  Result<std::vector<TopRow>> TopSince(const std::string& prefix, Metric metric, int64_t since_day,
                                       int limit) override {
    const std::string sum = "SUM(u." + MetricColumn(metric) + ")";
    LEP_ASSIGN_OR_RETURN(
        auto rows,
        db_.Exec("SELECT r.id, r.title, o.name, " + sum +
                     " FROM usage_daily u JOIN resources r ON r.id = u.resource_id JOIN orgs o "
                     "ON o.id = r.org_id WHERE substr(o.path, 1, ?) = ? AND u.day >= ? GROUP BY "
                     "r.id, r.title, o.name HAVING " +
                     sum + " > 0 ORDER BY " + sum + " DESC, r.id LIMIT ?",
                 {static_cast<int64_t>(prefix.size()), prefix, since_day, int64_t{limit}}));
    return TopRows(rows);
  }

  Result<std::vector<BrokenLinkRow>> BrokenLinks(const std::string& prefix, int limit) override {
    // The stored check is the latest one; it is current only while the link is unchanged.
    LEP_ASSIGN_OR_RETURN(
        auto rows,
        db_.Exec("SELECT r.id, r.title, o.name, l.url, l.status, l.error, l.checked_at FROM "
                 "link_checks l JOIN resources r ON r.id = l.resource_id JOIN orgs o ON o.id = "
                 "r.org_id WHERE l.reachable = 0 AND r.type = 'A03' AND l.url = r.link AND "
                 "r.state NOT IN ('draft', 'rejected') AND substr(o.path, 1, ?) = ? ORDER BY "
                 "l.checked_at DESC, r.id LIMIT ?",
                 {static_cast<int64_t>(prefix.size()), prefix, int64_t{limit}}));
    std::vector<BrokenLinkRow> out;
    for (const auto& r : rows.rows) {
      out.push_back({r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.Int(4), r.Text(5), r.Int(6)});
    }
    return out;
  }

 private:
  storage::Database& db_;
};

}  // namespace

std::unique_ptr<StatsRepository> NewSqlStatsRepository(storage::Database& db) {
  return std::make_unique<SqlStatsRepository>(db);
}

}  // namespace lep::stats
