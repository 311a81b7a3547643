#include "review/review_repositories.h"

namespace lep::review {

ReviewRepositories NewSqlReviewRepositories(storage::Database& db) {
  ReviewRepositories r;
  r.campaigns = NewSqlCampaignRepository(db);
  r.history = NewSqlHistoryRepository(db);
  r.batches = NewSqlBatchRepository(db);
  r.progress = NewSqlProgressRepository(db);
  r.notifications = NewSqlNotificationRepository(db);
  r.pending_uploads = NewSqlPendingUploadRepository(db);
  return r;
}

}  // namespace lep::review
