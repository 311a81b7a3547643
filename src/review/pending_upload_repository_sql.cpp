#include "review/pending_upload_repository.h"

namespace lep::review {
namespace {

class SqlPendingUploadRepository final : public PendingUploadRepository {
 public:
  Result<int64_t> CancelUnfinished(storage::SqlExecutor& tx, resources::ResourceId id) override {
    // expires_at 0: refused from now on, the bytes removed by the upload sweep.
    LEP_ASSIGN_OR_RETURN(auto r, tx.Exec("UPDATE uploads SET expires_at = 0 WHERE resource_id = "
                                         "? AND completed_at = 0",
                                         {id.value}));
    return r.affected;
  }
};

}  // namespace

std::unique_ptr<PendingUploadRepository> NewSqlPendingUploadRepository() {
  return std::make_unique<SqlPendingUploadRepository>();
}

}  // namespace lep::review
