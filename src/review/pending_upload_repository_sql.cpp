#include "review/pending_upload_repository.h"
#include "uploads/upload_repository.h"

namespace lep::review {
namespace {

// Over the uploads module's repository (the uploads table is written only there).
class UploadsPendingRepository final : public PendingUploadRepository {
 public:
  explicit UploadsPendingRepository(std::unique_ptr<uploads::UploadRepository> uploads)
      : uploads_(std::move(uploads)) {}

  Result<int64_t> CancelUnfinished(storage::SqlExecutor& tx, resources::ResourceId id) override {
    // expires_at 0: refused from now on, the bytes removed by the upload sweep.
    return uploads_->CancelPending(tx, id.value);
  }

 private:
  std::unique_ptr<uploads::UploadRepository> uploads_;
};

}  // namespace

std::unique_ptr<PendingUploadRepository> NewSqlPendingUploadRepository(storage::Database& db) {
  return std::make_unique<UploadsPendingRepository>(uploads::NewSqlUploadRepository(db));
}

}  // namespace lep::review
