#include "app/portal_requests.h"

#include <charconv>
#include <vector>

#include "core/date.h"
#include "resources/resource.h"

namespace lep::app {
namespace {

using http::Request;
using nlohmann::json;

std::optional<std::string> NonEmpty(const Request& req, const char* name) {
  auto v = req.Query(name);
  if (!v || v->empty()) return std::nullopt;
  return v;
}

std::optional<int64_t> ParseInt(const std::string& s) {
  int64_t n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return n;
}

// An integer query parameter in [lo, hi]: fallback when absent, a field error otherwise.
int64_t IntQuery(const Request& req, const char* name, const char* label, int64_t fallback,
                 int64_t lo, int64_t hi, std::vector<FieldError>& errors) {
  auto v = NonEmpty(req, name);
  if (!v) return fallback;
  auto n = ParseInt(*v);
  if (!n || *n < lo || *n > hi) {
    errors.push_back(
        {name, label,
         std::string(label) + "应为 " + std::to_string(lo) + "–" + std::to_string(hi) + " 的整数"});
    return fallback;
  }
  return *n;
}

Status Errors(const std::vector<FieldError>& errors) {
  if (errors.empty()) return Ok();
  return Fail(Error::InvalidArgument(errors[0].message, errors));
}

}  // namespace

Result<search::SearchQuery> ParseSearchQuery(const Request& req) {
  search::SearchQuery q;
  q.q = req.Query("q").value_or("");
  std::vector<FieldError> errors;
  q.domain = NonEmpty(req, "domain");
  if (q.domain) {
    if (auto d = resources::ParseDomain(*q.domain)) q.domain = *d;
  }
  q.type = NonEmpty(req, "type");
  q.category_prefix = NonEmpty(req, "category");
  q.province = NonEmpty(req, "province");
  q.unit = NonEmpty(req, "unit");
  constexpr int64_t kMaxDuration = int64_t{100} * 3600;
  if (NonEmpty(req, "min_duration")) {
    q.min_duration_s = IntQuery(req, "min_duration", "最短时长（秒）", 0, 0, kMaxDuration, errors);
  }
  if (NonEmpty(req, "max_duration")) {
    q.max_duration_s = IntQuery(req, "max_duration", "最长时长（秒）", 0, 0, kMaxDuration, errors);
  }
  std::string sort = req.Query("sort").value_or("relevance");
  using Sort = search::SearchQuery::Sort;
  if (sort == "relevance" || sort.empty()) {
    q.sort = Sort::kRelevance;
  } else if (sort == "clicks") {
    q.sort = Sort::kClicks;
  } else if (sort == "learners") {
    q.sort = Sort::kLearners;
  } else if (sort == "newest") {
    q.sort = Sort::kNewest;
  } else {
    errors.push_back(
        {"sort", "排序",
         "排序应为 relevance（相关度）、clicks（点击量）、learners（学习人数）或 newest（最新）"});
  }
  q.page = static_cast<int>(IntQuery(req, "page", "页码", 1, 1, 10000, errors));
  q.page_size = static_cast<int>(IntQuery(req, "page_size", "每页条数", 20, 1, 100, errors));
  LEP_RETURN_IF_ERROR(Errors(errors));
  return q;
}

Result<CatalogFormat> ParseCatalogFormat(const Request& req) {
  std::string f = req.Query("format").value_or("json");
  if (f == "json" || f.empty()) return CatalogFormat::kJson;
  if (f == "csv") return CatalogFormat::kCsv;
  if (f == "xlsx") return CatalogFormat::kXlsx;
  return Fail(Error::InvalidArgument("目录格式应为 json、csv 或 xlsx",
                                     {{"format", "格式", "应为 json、csv 或 xlsx"}}));
}

int ParseProgressSeconds(const std::string& body) {
  auto j = json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("seconds") || !j["seconds"].is_number()) return 0;
  double s = j["seconds"].get<double>();
  if (!(s > 0)) return 0;
  return s > 3600 ? 3600 : static_cast<int>(s);
}

Result<portal::RatingInput> ParseRatingInput(const json& body) {
  portal::RatingInput in;
  std::vector<FieldError> errors;
  auto score = body.find("score");
  if (score == body.end() || !score->is_number_integer()) {
    errors.push_back({"score", "评分", "评分应为 1–5 的整数"});
  } else {
    in.score = score->get<int64_t>();
  }
  auto comment = body.find("comment");
  if (comment != body.end() && !comment->is_null()) {
    if (comment->is_string()) {
      in.comment = comment->get<std::string>();
    } else {
      errors.push_back({"comment", "评价内容", "评价内容应为文本"});
    }
  }
  LEP_RETURN_IF_ERROR(Errors(errors));
  return in;
}

Result<bool> ParseModeration(const json& body) {
  auto d = body.find("decision");
  if (d != body.end() && d->is_string()) {
    if (*d == "approve") return true;
    if (*d == "reject") return false;
  }
  return Fail(Error::InvalidArgument(
      "审核结果应为 approve 或 reject",
      {{"decision", "审核结果", "应为 approve（通过）或 reject（不通过）"}}));
}

Result<int64_t> ParsePosition(const json& body) {
  auto p = body.find("position_s");
  if (p == body.end() || !p->is_number() || !(p->get<double>() >= 0)) {
    return Fail(Error::InvalidArgument("播放位置无效",
                                       {{"position_s", "播放位置", "应为不小于 0 的秒数"}}));
  }
  double v = p->get<double>();
  return v > 1e12 ? int64_t{1'000'000'000'000} : static_cast<int64_t>(v);
}

Result<stats::UsageQuery> ParseUsageQuery(const Request& req) {
  stats::UsageQuery q;
  std::vector<FieldError> errors;
  std::string group = req.Query("group").value_or("domain");
  if (group == "domain" || group.empty()) {
    q.group = stats::UsageGroup::kDomain;
  } else if (group == "resource") {
    q.group = stats::UsageGroup::kResource;
  } else if (group == "unit") {
    q.group = stats::UsageGroup::kUnit;
  } else if (group == "province") {
    q.group = stats::UsageGroup::kProvince;
  } else {
    errors.push_back(
        {"group", "分组",
         "分组应为 domain（范围）、resource（资源）、unit（单位）或 province（省份）"});
  }
  auto day = [&](const char* name, const char* label, int64_t fallback) {
    auto v = NonEmpty(req, name);
    if (!v) return fallback;
    auto d = ParseIsoDate(*v);
    if (!d) {
      errors.push_back({name, label, std::string(label) + "应为 YYYY-MM-DD 格式的日期"});
      return fallback;
    }
    return (ShanghaiMidnightMs(*d) + 8 * 3600 * 1000) / 86'400'000;
  };
  q.from_day = day("from", "开始日期", q.from_day);
  q.to_day = day("to", "结束日期", q.to_day);
  LEP_RETURN_IF_ERROR(Errors(errors));
  return q;
}

Result<std::optional<int64_t>> ParseUnitId(const Request& req) {
  auto v = NonEmpty(req, "unit_id");
  if (!v) return std::optional<int64_t>();
  auto id = ParseInt(*v);
  if (!id) return Fail(Error::NotFound("单位不存在"));
  return std::optional<int64_t>(*id);
}

Result<stats::TopQuery> ParseTopQuery(const Request& req) {
  stats::TopQuery q;
  std::vector<FieldError> errors;
  std::string metric = req.Query("metric").value_or("clicks");
  if (metric == "clicks" || metric.empty()) {
    q.metric = stats::Metric::kClicks;
  } else if (metric == "learners") {
    q.metric = stats::Metric::kLearners;
  } else {
    errors.push_back({"metric", "指标", "指标应为 clicks（点击量）或 learners（学习人数）"});
  }
  q.days = static_cast<int>(IntQuery(req, "days", "统计天数", 30, 0, 3660, errors));
  q.limit = static_cast<int>(IntQuery(req, "limit", "条数", 10, 1, 100, errors));
  LEP_RETURN_IF_ERROR(Errors(errors));
  LEP_ASSIGN_OR_RETURN(q.unit_id, ParseUnitId(req));
  return q;
}

Result<stats::SubmissionsQuery> ParseSubmissionsQuery(const Request& req) {
  stats::SubmissionsQuery q;
  std::string group = req.Query("group").value_or("province");
  using G = stats::SubmissionGroup;
  if (group == "province" || group.empty()) {
    q.group = G::kProvince;
  } else if (group == "unit") {
    q.group = G::kUnit;
  } else if (group == "state") {
    q.group = G::kState;
  } else if (group == "domain") {
    q.group = G::kDomain;
  } else if (group == "type") {
    q.group = G::kType;
  } else {
    return Fail(Error::InvalidArgument(
        "分组应为 province、unit、state、domain 或 type",
        {{"group", "分组",
          "分组应为 province（一级单位）、unit（单位）、state（状态）、domain（范围）或 "
          "type（类型）"}}));
  }
  if (auto v = NonEmpty(req, "campaign_id")) {
    auto id = ParseInt(*v);
    if (!id) return Fail(Error::NotFound("征集批次不存在"));
    q.campaign_id = *id;
  }
  LEP_ASSIGN_OR_RETURN(q.unit_id, ParseUnitId(req));
  return q;
}

}  // namespace lep::app
