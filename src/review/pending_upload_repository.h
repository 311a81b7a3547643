// PendingUploadRepository: the one thing a review decision does to a resource's unfinished tus
// uploads — when the resource leaves the editable states, they are cancelled in the decision's
// transaction (refused from then on; the upload sweep removes their bytes), so reviewers judge
// the bytes stored at submission. Implementations are thread-safe.
#pragma once

#include <memory>

#include "core/result.h"
#include "resources/resource.h"
#include "storage/db/database.h"

namespace lep::review {

class PendingUploadRepository {
 public:
  virtual ~PendingUploadRepository() = default;
  // Cancels every unfinished upload of the resource; returns how many.
  [[nodiscard]] virtual Result<int64_t> CancelUnfinished(storage::SqlExecutor& tx,
                                                         resources::ResourceId id) = 0;
};

// Over the uploads module's UploadRepository::CancelPending (the same rule its UploadService
// applies: an upload whose expires_at has passed is refused).
std::unique_ptr<PendingUploadRepository> NewSqlPendingUploadRepository(storage::Database& db);

}  // namespace lep::review
