// LearnerRepository: a signed-in learner's favourites (收藏) and learning history with the
// resume position (学习记录). Rows name resources by id only; whether a resource is still
// published is the service's question. Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/result.h"
#include "storage/db/database.h"

namespace lep::portal {

struct Favourite {
  int64_t resource_id = 0;
  int64_t at = 0;
};

struct HistoryEntry {
  int64_t resource_id = 0;
  int64_t position_s = 0;
  int64_t at = 0;
};

class LearnerRepository {
 public:
  virtual ~LearnerRepository() = default;
  // Idempotent: a second add keeps the first time.
  [[nodiscard]] virtual Status AddFavourite(int64_t user_id, int64_t resource_id, int64_t at) = 0;
  [[nodiscard]] virtual Status RemoveFavourite(int64_t user_id, int64_t resource_id) = 0;
  // Newest first.
  [[nodiscard]] virtual Result<std::vector<Favourite>> Favourites(int64_t user_id, int limit) = 0;
  // Stores the position (replacing the previous one).
  [[nodiscard]] virtual Status PutHistory(int64_t user_id, int64_t resource_id, int64_t position_s,
                                          int64_t at) = 0;
  // Most recently updated first.
  [[nodiscard]] virtual Result<std::vector<HistoryEntry>> History(int64_t user_id, int limit) = 0;
};

std::unique_ptr<LearnerRepository> NewSqlLearnerRepository(storage::Database& db);

}  // namespace lep::portal
