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

// Deadlines are "yyyy-mm-dd" (a whole Beijing day) or "" for none.
struct Campaign {
  int64_t id = 0;
  std::string name;
  int64_t year = 0;
  std::string description;
  std::string contact_deadline, submission_deadline, first_review_deadline, final_review_deadline;
  bool operator==(const Campaign&) const = default;
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
};

std::unique_ptr<CampaignRepository> NewSqlCampaignRepository(storage::Database& db);

}  // namespace lep::review
