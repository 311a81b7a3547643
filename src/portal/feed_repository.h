// FeedRepository: the search change feed `portal_outbox` (a row per change of a published
// resource or of its unit, written by triggers in the changing transaction) and the two
// settings that go with it: how far it was pruned, and the latest rebuild request. Times are
// the database's clock, so that servers with skewed clocks agree. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "storage/db/database.h"

namespace lep::portal {

struct FeedRow {
  int64_t seq = 0;
  int64_t resource_id = 0;
};

class FeedRepository {
 public:
  virtual ~FeedRepository() = default;
  // Now by the database's clock (ms).
  [[nodiscard]] virtual Result<int64_t> DatabaseNowMs() = 0;
  // The highest seq written before at_ms (0 when none).
  [[nodiscard]] virtual Result<int64_t> MaxSeqBefore(int64_t at_ms) = 0;
  [[nodiscard]] virtual Result<int64_t> CountAfter(int64_t seq) = 0;
  // Rows after seq, by seq.
  [[nodiscard]] virtual Result<std::vector<FeedRow>> RowsAfter(int64_t seq) = 0;
  // How far rows were pruned (0 when never).
  [[nodiscard]] virtual Result<int64_t> PrunedSeq() = 0;
  // Deletes the rows written before before_ms and records how far; returns that seq, or
  // nullopt when there was nothing to prune.
  [[nodiscard]] virtual Result<std::optional<int64_t>> Prune(int64_t before_ms, int64_t now) = 0;
  // The latest rebuild request ("" when none) and a new one.
  [[nodiscard]] virtual Result<std::string> RebuildToken() = 0;
  [[nodiscard]] virtual Status RequestRebuild(const std::string& token, int64_t now) = 0;
};

std::unique_ptr<FeedRepository> NewSqlFeedRepository(storage::Database& db);

}  // namespace lep::portal
