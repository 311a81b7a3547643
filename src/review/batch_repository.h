// BatchRepository: numbered publication batches (第N批) and their items — the only code that
// reads or writes `batches` and `batch_items`. State changes of a batch are compare-and-sets,
// so a scheduled run and a manual publication (or two servers) never both publish it. Methods
// taking a SqlExecutor run inside the caller's transaction. Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "storage/db/database.h"

namespace lep::review {

// state: draft → scheduled (scheduled_at set) → published; scheduled_at 0 = not scheduled.
// number: 第N批, given at publication (gapless: 1, 2, 3 … in publication order); 0 until then.
// An unpublished batch may be changed or deleted; a published one never.
struct Batch {
  int64_t id = 0, number = 0;
  std::string name, state;
  int64_t published_at = 0, created_at = 0;
  std::vector<int64_t> resource_ids;  // ascending
  int64_t scheduled_at = 0;
  int64_t created_by = 0;  // the account that made (and scheduled) it
  bool operator==(const Batch&) const = default;
};

// One line of a batch preview.
struct BatchItem {
  int64_t id = 0;
  std::string title, unit, domain, type, state;
};

// A scheduled batch whose time has come.
struct DueBatch {
  int64_t id = 0;
  int64_t created_by = 0;
};

class BatchRepository {
 public:
  virtual ~BatchRepository() = default;
  // Takes the next publication number (the last one given + 1) under the counter's row lock:
  // a concurrent publication waits for this transaction, and a rollback gives the number
  // back, so numbers have neither gaps nor duplicates.
  [[nodiscard]] virtual Result<int64_t> NextNumber(storage::SqlExecutor& tx) = 0;
  // Gives a published batch its number, and the name 第N批 when it has none.
  [[nodiscard]] virtual Status SetNumber(storage::SqlExecutor& tx, int64_t id, int64_t number) = 0;
  // Inserts b, unnumbered, with its items (b.id and b.number are ignored; created_by and
  // created_at are stored); returns the new id.
  [[nodiscard]] virtual Result<int64_t> Create(storage::SqlExecutor& tx, const Batch& b) = 0;
  [[nodiscard]] virtual Result<std::optional<Batch>> Get(int64_t id) = 0;
  [[nodiscard]] virtual Result<std::optional<Batch>> Get(storage::SqlExecutor& tx, int64_t id) = 0;
  // Every batch with its items: unpublished first (newest first), then highest number first.
  [[nodiscard]] virtual Result<std::vector<Batch>> List() = 0;
  // Scheduled batches due at `now`, earliest schedule first.
  [[nodiscard]] virtual Result<std::vector<DueBatch>> Due(int64_t now) = 0;
  // The name of a scheduled batch other than except_batch that holds the resource, if any.
  [[nodiscard]] virtual Result<std::optional<std::string>> ScheduledElsewhere(
      storage::SqlExecutor& tx, int64_t resource_id, int64_t except_batch) = 0;
  // Compare-and-set to published at `at`: any unpublished batch, or with due_at only one
  // still scheduled for a time ≤ due_at (a schedule cancelled meanwhile is respected). False
  // when the batch was not in that state.
  [[nodiscard]] virtual Result<bool> MarkPublished(storage::SqlExecutor& tx, int64_t id, int64_t at,
                                                   std::optional<int64_t> due_at) = 0;
  // Schedules an unpublished batch for scheduled_at (> 0), or takes it back to draft (0).
  // False when it is published (or gone).
  [[nodiscard]] virtual Result<bool> SetSchedule(storage::SqlExecutor& tx, int64_t id,
                                                 int64_t scheduled_at) = 0;
  // Back to draft when it is still scheduled and due at `now` (a scheduled run that could not
  // publish it); false when it was published or rescheduled meanwhile.
  [[nodiscard]] virtual Result<bool> UnscheduleDue(storage::SqlExecutor& tx, int64_t id,
                                                   int64_t now) = 0;
  [[nodiscard]] virtual Status Rename(storage::SqlExecutor& tx, int64_t id,
                                      const std::string& name) = 0;
  // Replaces the items of an unpublished batch; false when it is published (or gone).
  [[nodiscard]] virtual Result<bool> SetItems(storage::SqlExecutor& tx, int64_t id,
                                              const std::vector<int64_t>& resource_ids) = 0;
  // Deletes an unpublished batch with its items; false when it is published (or gone).
  [[nodiscard]] virtual Result<bool> DeleteUnpublished(storage::SqlExecutor& tx, int64_t id) = 0;
};

std::unique_ptr<BatchRepository> NewSqlBatchRepository(storage::Database& db);

}  // namespace lep::review
