// CampaignRepository: the calls for submissions (征集批次) with their deadlines — the only code
// that reads or writes `campaigns`. Writes run inside the caller's transaction, so a campaign
// and its audit row commit together. Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "storage/db/database.h"

namespace lep::review {

// Dates are Beijing local time (Asia/Shanghai, UTC+8): "yyyy-mm-dd" (a deadline: the whole
// day; `starts`: from 00:00) or "yyyy-mm-dd HH:MM" (that minute), or "" for none. One text
// names one instant (workflow.h ParseDeadline/ParseStart), whatever the machine's TZ.
struct Campaign {
  int64_t id = 0;
  std::string name;
  int64_t year = 0;
  std::string description;
  std::string contact_deadline, submission_deadline, first_review_deadline, final_review_deadline;
  std::string starts;  // 征集开始: no submission before it
  bool operator==(const Campaign&) const = default;
};

// A top-level unit's (a province's) own, earlier submission deadline for its units.
struct UnitDeadline {
  int64_t campaign_id = 0;
  int64_t org_id = 0;
  std::string org_name;
  std::string submission_deadline;  // as Campaign's
  int64_t updated_by = 0, updated_at = 0;
  bool operator==(const UnitDeadline&) const = default;
};

class CampaignRepository {
 public:
  virtual ~CampaignRepository() = default;
  // Newest first.
  [[nodiscard]] virtual Result<std::vector<Campaign>> List() = 0;
  [[nodiscard]] virtual Result<std::optional<Campaign>> Get(int64_t id) = 0;
  // The newest campaign: where a submission without a campaign goes.
  [[nodiscard]] virtual Result<std::optional<Campaign>> Latest() = 0;
  // Inserts c (its id is ignored); returns the new id.
  [[nodiscard]] virtual Result<int64_t> Create(storage::SqlExecutor& tx, const Campaign& c,
                                               int64_t at) = 0;
  // Stores c over the campaign c.id; false when there is none.
  [[nodiscard]] virtual Result<bool> Update(storage::SqlExecutor& tx, const Campaign& c,
                                            int64_t at) = 0;

  // The internal deadline org_id set for campaign_id, if any.
  [[nodiscard]] virtual Result<std::optional<UnitDeadline>> GetUnitDeadline(int64_t campaign_id,
                                                                            int64_t org_id) = 0;
  // Every internal deadline of a campaign, by unit id.
  [[nodiscard]] virtual Result<std::vector<UnitDeadline>> UnitDeadlines(int64_t campaign_id) = 0;
  // Sets (or, with an empty submission_deadline, removes) a unit's internal deadline.
  [[nodiscard]] virtual Status SetUnitDeadline(storage::SqlExecutor& tx, const UnitDeadline& d) = 0;
};

std::unique_ptr<CampaignRepository> NewSqlCampaignRepository(storage::Database& db);

}  // namespace lep::review
