// Request parsers of the portal and statistics adapters: query strings and JSON bodies into
// the services' value types, with a Chinese error naming the field for anything malformed.
// Pure functions (unit-tested in portal_requests_test.cpp); thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/result.h"
#include "http/message.h"
#include "portal/learner_service.h"
#include "search/search_index.h"
#include "stats/stats_service.h"

namespace lep::app {

enum class CatalogFormat { kJson, kCsv, kXlsx };

// GET /api/v1/portal/search: q, domain (name or alias), type, category, province, unit,
// min_duration / max_duration (seconds), sort (relevance|clicks|learners|newest), page,
// page_size (1–100).
[[nodiscard]] Result<search::SearchQuery> ParseSearchQuery(const http::Request& req);
// format=json (default) | csv | xlsx.
[[nodiscard]] Result<CatalogFormat> ParseCatalogFormat(const http::Request& req);
// {"seconds": n} of a playback heartbeat; anything else counts as 0.
int ParseProgressSeconds(const std::string& body);
// {"score": 1–5, "comment": "…"}: types only; the service checks the ranges.
[[nodiscard]] Result<portal::RatingInput> ParseRatingInput(const nlohmann::json& body);
// {"decision": "approve" | "reject"} → approve?
[[nodiscard]] Result<bool> ParseModeration(const nlohmann::json& body);
// {"position_s": seconds}.
[[nodiscard]] Result<int64_t> ParsePosition(const nlohmann::json& body);

// GET /api/v1/stats/usage: group (domain|resource|unit|province), from/to (YYYY-MM-DD).
[[nodiscard]] Result<stats::UsageQuery> ParseUsageQuery(const http::Request& req);
// GET /api/v1/stats/top: metric (clicks|learners), days (0–3660), limit (1–100), unit_id.
[[nodiscard]] Result<stats::TopQuery> ParseTopQuery(const http::Request& req);
// unit_id of the statistics routes; a malformed one names no unit (kNotFound).
[[nodiscard]] Result<std::optional<int64_t>> ParseUnitId(const http::Request& req);
// GET /api/v1/stats/submissions: group (province|unit|state|domain|type), campaign_id, unit_id.
[[nodiscard]] Result<stats::SubmissionsQuery> ParseSubmissionsQuery(const http::Request& req);

}  // namespace lep::app
