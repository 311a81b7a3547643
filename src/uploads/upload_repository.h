// UploadRepository: the tus uploads in progress (`uploads`): committed offset and running
// SHA-256 state per upload, advanced only by compare-and-set. The only code that reads or
// writes `uploads`. Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "storage/db/database.h"
#include "uploads/upload.h"

namespace lep::uploads {

// What a unit and an account hold in unfinished uploads (declared lengths: an upload reserves
// its whole size when it is created).
struct PendingTotals {
  uint64_t unit_bytes = 0;
  int64_t account_uploads = 0;
};

class UploadRepository {
 public:
  virtual ~UploadRepository() = default;
  [[nodiscard]] virtual Result<std::optional<Upload>> Get(const std::string& id) = 0;
  [[nodiscard]] virtual Status Insert(const Upload& u) = 0;
  // Moves the committed offset from expected_offset to offset (with the hash state after it);
  // kConflict when another request moved it first or the upload completed.
  [[nodiscard]] virtual Status SaveProgress(const std::string& id, uint64_t expected_offset,
                                            uint64_t offset, const std::string& hash_state) = 0;
  [[nodiscard]] virtual Status MarkCompleted(const std::string& id, int64_t completed_at,
                                             const std::string& sha256) = 0;
  [[nodiscard]] virtual Status Delete(const std::string& id) = 0;
  // Unfinished uploads whose time ran out (or that were cancelled: expires_at 0).
  [[nodiscard]] virtual Result<std::vector<std::string>> Expired(int64_t now) = 0;
  // Inside the caller's transaction: cancels the unfinished uploads of a resource (its
  // submission); they are refused from now on and swept with their bytes.
  [[nodiscard]] virtual Result<int64_t> CancelPending(storage::SqlExecutor& tx,
                                                      int64_t resource_id) = 0;
  [[nodiscard]] virtual Result<PendingTotals> Pending(int64_t org_id, int64_t user_id,
                                                      int64_t now) = 0;
};

std::unique_ptr<UploadRepository> NewSqlUploadRepository(storage::Database& db);

}  // namespace lep::uploads
