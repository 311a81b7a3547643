// ProgressRepository: how far a campaign has come — resources counted by owning unit × state ×
// domain × type. A read-only aggregate over `resources` and `orgs` (rows are never loaded one
// by one). Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "storage/db/database.h"

namespace lep::review {

// The resources of one owning unit in one state × domain × type.
struct ProgressCount {
  int64_t org_id = 0;
  std::string org_name;
  std::string org_path;  // "/1/21/40/"
  std::string state, domain, type;
  int64_t count = 0;
  bool operator==(const ProgressCount&) const = default;
};

class ProgressRepository {
 public:
  virtual ~ProgressRepository() = default;
  // The counts of the campaign's resources owned by units under path_prefix ("/" = all),
  // ordered by unit path, state, domain, type. campaign_id 0: the resources in no campaign
  // (drafts never submitted, items submitted before any campaign existed).
  [[nodiscard]] virtual Result<std::vector<ProgressCount>> Counts(
      int64_t campaign_id, const std::string& path_prefix) = 0;
};

std::unique_ptr<ProgressRepository> NewSqlProgressRepository(storage::Database& db);

}  // namespace lep::review
