// ReviewRepositories: the review module's repositories, owned together — what the composition
// root and the tests build once and hand to ReviewService and NotificationService. Thread-safe
// as its members are.
#pragma once

#include <memory>

#include "review/batch_repository.h"
#include "review/campaign_repository.h"
#include "review/history_repository.h"
#include "review/notification_repository.h"
#include "review/pending_upload_repository.h"
#include "review/progress_repository.h"
#include "storage/db/database.h"

namespace lep::review {

struct ReviewRepositories {
  std::unique_ptr<CampaignRepository> campaigns;
  std::unique_ptr<HistoryRepository> history;
  std::unique_ptr<BatchRepository> batches;
  std::unique_ptr<ProgressRepository> progress;
  std::unique_ptr<NotificationRepository> notifications;
  std::unique_ptr<PendingUploadRepository> pending_uploads;
};

// The SQL implementations over db (which must outlive them).
ReviewRepositories NewSqlReviewRepositories(storage::Database& db);

}  // namespace lep::review
