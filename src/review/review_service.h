// ReviewService: campaigns, submission, the two review levels, publication batches and the
// history timeline, on top of the pure state machine in workflow.h. Every decision is a
// compare-and-set on (state, version) written together with its history row and audit entry
// in one transaction. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "auth/user.h"
#include "core/clock.h"
#include "orgs/org_repository.h"
#include "resources/resource_repository.h"
#include "resources/resource_service.h"
#include "review/notifications.h"
#include "review/sensitive_words.h"
#include "review/workflow.h"
#include "storage/db/database.h"

namespace lep::review {

struct Campaign {
  int64_t id = 0;
  std::string name;
  int64_t year = 0;
  std::string description;
  std::string contact_deadline, submission_deadline, first_review_deadline, final_review_deadline;
};

struct HistoryEntry {
  int64_t id = 0;
  std::string action, from_state, to_state, comment, checklist;
  int64_t actor_id = 0, actor_org_id = 0, at = 0;
  std::string actor_name, actor_org_name;
  bool took_over = false;
};

struct QueueFilter {
  std::optional<int64_t> campaign_id;
  std::optional<int64_t> unit_id;
  std::optional<std::string> domain, type, state;
  bool overdue_only = false;
};

struct QueueItem {
  resources::Resource resource;
  std::string org_name;
  bool overdue = false;
  std::vector<Action> allowed;
};

// A numbered publication batch (第N批). state: draft → scheduled (scheduled_at set) →
// published; scheduled_at 0 = not scheduled.
struct Batch {
  int64_t id = 0, number = 0;
  std::string name, state;
  int64_t published_at = 0, created_at = 0;
  std::vector<int64_t> resource_ids;
  int64_t scheduled_at = 0;
};

// One line of a batch preview.
struct BatchItem {
  int64_t id = 0;
  std::string title, unit, domain, type, state;
};

// One cell of a campaign's progress: resources of one owning unit in one state × domain ×
// type; `overdue` of them are past the deadline of the review step they wait in.
struct ProgressRow {
  int64_t top_id = 0;  // the top-level unit (一级单位) the owner belongs to; root for NOU's own
  std::string top_name;
  int64_t org_id = 0;  // the owning unit
  std::string org_name;
  std::string state, domain, type;
  int64_t count = 0, overdue = 0;
};

struct ReviewRequest {
  Action action = Action::kApprove;
  std::string comment;
  Checklist checklist;
  bool attestation = false;
  std::optional<int64_t> expected_version;
  std::optional<int64_t> campaign_id;  // submit: the campaign to submit into
};

class ReviewService {
 public:
  // technical_check(resource) answers whether the media report passed (A01/A02) or the
  // link is reachable (A03).
  using TechnicalCheck = std::function<bool(const resources::Resource&)>;

  ReviewService(storage::Database& db, resources::ResourceRepository& repo,
                orgs::OrgRepository& orgs, resources::ResourceService& resources,
                const Clock& clock, TechnicalCheck technical_check);

  // Campaigns (platform admins write; everyone signed in reads).
  [[nodiscard]] Result<std::vector<Campaign>> Campaigns();
  [[nodiscard]] Result<Campaign> SaveCampaign(const auth::Principal& p, Campaign c);

  // One decision (submit, claim, unclaim, approve, return, reject, take_over, publish,
  // withdraw, republish) on one resource.
  [[nodiscard]] Result<resources::Resource> Act(const auth::Principal& p, resources::ResourceId id,
                                                const ReviewRequest& req);
  [[nodiscard]] Result<std::vector<QueueItem>> Queue(const auth::Principal& p,
                                                     const QueueFilter& f);
  [[nodiscard]] Result<std::vector<HistoryEntry>> History(const auth::Principal& p,
                                                          resources::ResourceId id);
  [[nodiscard]] Result<std::vector<Action>> Allowed(const auth::Principal& p,
                                                    resources::ResourceId id);

  // Batches: NOU (platform admins, NOU reviewers) assemble numbered batches of approved
  // items and publish them.
  // An item may be in any number of draft batches but in no other scheduled one.
  // scheduled_at (Unix ms, in the future) makes the batch publish itself then
  // (PublishDueBatches).
  [[nodiscard]] Result<Batch> CreateBatch(const auth::Principal& p, const std::string& name,
                                          const std::vector<int64_t>& resource_ids,
                                          std::optional<int64_t> scheduled_at = std::nullopt);
  // Publishes now (a scheduled batch too: its schedule is then void).
  [[nodiscard]] Result<Batch> PublishBatch(const auth::Principal& p, int64_t batch_id);
  [[nodiscard]] Result<std::vector<Batch>> Batches(const auth::Principal& p);
  // The batch with its items, as the preview before publication.
  [[nodiscard]] Result<std::pair<Batch, std::vector<BatchItem>>> GetBatch(const auth::Principal& p,
                                                                          int64_t batch_id);
  // Sets (ms, in the future) or cancels (inner nullopt) the schedule of an unpublished
  // batch, and/or renames it; absent members stay as they are.
  struct BatchUpdate {
    std::optional<std::optional<int64_t>> scheduled_at;
    std::optional<std::string> name;
  };
  [[nodiscard]] Result<Batch> UpdateBatch(const auth::Principal& p, int64_t batch_id,
                                          const BatchUpdate& update);
  // The background job: publishes every scheduled batch whose time has come (injected
  // clock), as the account that scheduled it. A batch that cannot be published (an item is no
  // longer approved) goes back to draft and the failure is audited. Returns how many
  // batches were published.
  [[nodiscard]] Result<int64_t> PublishDueBatches();

  // Notifications are written in the decision's transaction when set (not owned).
  void SetNotifications(NotificationService* n) { notifications_ = n; }

  // Called after a resource became public or stopped being public (publish, withdraw,
  // republish), outside the transaction: the search index follows.
  void SetPublicChangeHandler(std::function<void(int64_t resource_id)> h) {
    on_public_change_ = std::move(h);
  }

  // Progress of a campaign: counts by state × unit (top-level) × domain × type.
  [[nodiscard]] Result<std::vector<std::vector<std::string>>> Progress(const auth::Principal& p,
                                                                       int64_t campaign_id);
  // The same per owning unit, with overdue counts, limited to the caller's subtree and, when
  // given, to the subtree of `unit` (outside the caller's subtree: kNotFound).
  [[nodiscard]] Result<std::vector<ProgressRow>> ProgressRows(const auth::Principal& p,
                                                              int64_t campaign_id,
                                                              std::optional<orgs::OrgId> unit);

 private:
  Result<WorkflowInput> BuildInput(const auth::Principal& p, const resources::Resource& r,
                                   const orgs::Org& owner, const ReviewRequest& req,
                                   int64_t claimed_by, bool run_checks);
  Result<Deadlines> DeadlinesOf(std::optional<int64_t> campaign_id);
  Result<Batch> PublishBatchAs(const auth::Principal& p, int64_t batch_id, bool scheduled_run);
  // Items of ids that sit in a scheduled batch other than except_batch: Chinese error.
  Status CheckNotScheduledElsewhere(storage::SqlExecutor& tx, const std::vector<int64_t>& ids,
                                    int64_t except_batch);

  storage::Database& db_;
  resources::ResourceRepository& repo_;
  orgs::OrgRepository& orgs_;
  resources::ResourceService& resources_;
  const Clock& clock_;
  TechnicalCheck technical_check_;
  std::function<void(int64_t)> on_public_change_;
  NotificationService* notifications_ = nullptr;
};

// Writes one audit-log row (inside the caller's transaction when tx is one).
[[nodiscard]] Status WriteAudit(storage::SqlExecutor& tx, int64_t at, const auth::Principal& p,
                                const std::string& action, const std::string& object,
                                const std::string& result, const std::string& detail);

}  // namespace lep::review
