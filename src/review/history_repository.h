// HistoryRepository: the review timeline (审核记录) of each resource — the only code that reads
// or writes `review_history`. A row is appended inside the decision's transaction, so a state
// change never commits without it. Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "resources/resource.h"
#include "storage/db/database.h"

namespace lep::review {

// One recorded step (states and action by their API names).
struct HistoryRecord {
  resources::ResourceId resource_id;
  std::string action, from_state, to_state;
  int64_t actor_id = 0;
  int64_t actor_org_id = 0;  // 0: the actor had no unit
  std::string comment;
  std::string checklist;  // the 审核要点 ticks as text, "" when none
  bool took_over = false;
  int64_t at = 0;
};

// A recorded step as the timeline shows it, with who acted.
struct HistoryEntry {
  int64_t id = 0;
  std::string action, from_state, to_state, comment, checklist;
  int64_t actor_id = 0, actor_org_id = 0, at = 0;
  std::string actor_name, actor_org_name;  // "" when the account or unit is gone
  bool took_over = false;
};

class HistoryRepository {
 public:
  virtual ~HistoryRepository() = default;
  // Appends h; returns its id (the dedup key of the notifications it causes).
  [[nodiscard]] virtual Result<int64_t> Append(storage::SqlExecutor& tx,
                                               const HistoryRecord& h) = 0;
  // The resource's timeline, oldest first.
  [[nodiscard]] virtual Result<std::vector<HistoryEntry>> List(resources::ResourceId id) = 0;
};

std::unique_ptr<HistoryRepository> NewSqlHistoryRepository(storage::Database& db);

}  // namespace lep::review
