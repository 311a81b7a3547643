// Request parsers of the review and notification adapters (review_api.cpp,
// notifications_api.cpp): a JSON body or a query string → the services' request types, or a
// kInvalidArgument naming each bad field in Chinese. Pure functions, unit-tested without a
// server; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "review/review_service.h"

namespace lep::app {

// {action?, comment | reason, checklist: {ideology, copyright, secrecy, science}, attestation,
// version, campaign_id}; `fixed` is the action of the route (submit, withdraw, …), else the
// body names it.
[[nodiscard]] Result<review::ReviewRequest> ParseReviewRequest(const nlohmann::json& body,
                                                               std::optional<review::Action> fixed);

// {ids: [..], comment, checklist}: one approval for many resources (ids that are not integers
// are skipped).
struct BulkApproveBody {
  review::ReviewRequest request;
  std::vector<int64_t> ids;
};
[[nodiscard]] Result<BulkApproveBody> ParseBulkApprove(const nlohmann::json& body);

// {items: [{id, version?}, ..] | ids: [..], comment}: one 退回修改 for many resources. Every
// entry must name an integer id (and an integer version when given): else a field error
// naming the entry.
struct BulkReturnBody {
  std::vector<review::BulkItem> items;
  std::string comment;
  bool operator==(const BulkReturnBody&) const = default;
};
[[nodiscard]] Result<BulkReturnBody> ParseBulkReturn(const nlohmann::json& body);

// A campaign's fields; id 0 for a new one.
[[nodiscard]] Result<review::Campaign> ParseCampaign(const nlohmann::json& body, int64_t id);

// ?campaign_id&org_id&domain&type&state&overdue=true (empty values are absent).
[[nodiscard]] Result<review::QueueFilter> ParseQueueFilter(
    const std::map<std::string, std::string>& query);

// {name, resource_ids: [..], scheduled_at?: ms | null}
struct NewBatchBody {
  std::string name;
  std::vector<int64_t> resource_ids;
  std::optional<int64_t> scheduled_at;
};
[[nodiscard]] Result<NewBatchBody> ParseNewBatch(const nlohmann::json& body);

// {scheduled_at?: ms | null (cancel), name?, resource_ids?: [..]}
[[nodiscard]] Result<review::ReviewService::BatchUpdate> ParseBatchUpdate(
    const nlohmann::json& body);

// {submission_deadline: "yyyy-mm-dd[ HH:MM]" | "" (remove)}
[[nodiscard]] Result<std::string> ParseUnitDeadline(const nlohmann::json& body);

// {words: ["…", …]}: trimmed, blanks dropped.
[[nodiscard]] Result<std::vector<std::string>> ParseSensitiveWordsBody(const nlohmann::json& body);

// ?unread=1|true&limit=1..200&before_id=N
struct InboxQuery {
  bool unread_only = false;
  int limit = 50;
  std::optional<int64_t> before_id;
  bool operator==(const InboxQuery&) const = default;
};
[[nodiscard]] Result<InboxQuery> ParseInboxQuery(const std::map<std::string, std::string>& query);

}  // namespace lep::app
