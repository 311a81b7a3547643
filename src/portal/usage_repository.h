// UsageRepository: the portal's counting tables — click_dedup (the last counted click per
// resource × visitor, shared by every server so that a visitor balanced between servers is
// counted once per window), learner_visits (a learner counted once per resource × visitor)
// and usage_daily (clicks and learners per resource and Beijing day). The methods that take a
// SqlExecutor run inside the caller's transaction. Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/result.h"
#include "storage/db/database.h"

namespace lep::portal {

class UsageRepository {
 public:
  virtual ~UsageRepository() = default;
  // Records a click of visitor on resource at `at` unless one was counted after
  // at − window_ms (by any server); true when this click counts.
  [[nodiscard]] virtual Result<bool> ClaimClick(storage::SqlExecutor& tx, int64_t resource_id,
                                                const std::string& visitor, int64_t at,
                                                int64_t window_ms) = 0;
  // Records visitor as a learner of resource; false when it was one already.
  [[nodiscard]] virtual Result<bool> AddLearner(storage::SqlExecutor& tx, int64_t resource_id,
                                                const std::string& visitor) = 0;
  // Adds to a resource's figures of one day (days since 1970-01-01, Beijing calendar).
  [[nodiscard]] virtual Status AddDaily(storage::SqlExecutor& tx, int64_t resource_id, int64_t day,
                                        int64_t clicks, int64_t learners) = 0;
  // Forgets click records older than before_ms (they can no longer suppress a click).
  [[nodiscard]] virtual Status PruneClicks(int64_t before_ms) = 0;
};

std::unique_ptr<UsageRepository> NewSqlUsageRepository(storage::Database& db);

}  // namespace lep::portal
