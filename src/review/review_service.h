// ReviewService: campaigns, submission, the two review levels, publication batches and the
// history timeline, on top of the pure state machine in workflow.h. Every decision is a
// compare-and-set on (state, version) written together with its history row, audit entry and
// notifications in one transaction. It holds a Transactor and repositories and writes no SQL.
// Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "auth/user.h"
#include "auth/user_repository.h"
#include "core/clock.h"
#include "orgs/org_repository.h"
#include "resources/resource_repository.h"
#include "resources/resource_service.h"
#include "review/batch_repository.h"
#include "review/campaign_repository.h"
#include "review/history_repository.h"
#include "review/notifications.h"
#include "review/pending_upload_repository.h"
#include "review/progress_repository.h"
#include "review/technical_check.h"
#include "review/workflow.h"
#include "storage/db/database.h"

namespace lep::review {

struct QueueFilter {
  std::optional<int64_t> campaign_id;
  std::optional<int64_t> unit_id;
  std::optional<std::string> domain, type, state;
  bool overdue_only = false;
  bool operator==(const QueueFilter&) const = default;
};

struct QueueItem {
  resources::Resource resource;
  std::string org_name;
  std::string province;  // the owner's top-level unit (省份/一级单位): its parent, or itself
  bool overdue = false;
  std::vector<Action> allowed;
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

// The campaign id that stands for "no campaign" (未关联征集) in progress and statistics.
inline constexpr int64_t kNoCampaign = 0;

struct ReviewRequest {
  Action action = Action::kApprove;
  std::string comment;
  Checklist checklist;
  bool attestation = false;
  std::optional<int64_t> expected_version;
  std::optional<int64_t> campaign_id;  // submit: the campaign to submit into
  bool operator==(const ReviewRequest&) const = default;
};

// A resource's review timeline and what the caller may do next.
struct Timeline {
  std::vector<HistoryEntry> entries;
  std::vector<Action> allowed;
};

// The outcome of one item of a bulk approval or return.
struct BulkOutcome {
  int64_t id = 0;
  Result<resources::Resource> result;
};

// One item of a bulk return: the resource and, when the caller read it, its version.
struct BulkItem {
  int64_t id = 0;
  std::optional<int64_t> version;
  bool operator==(const BulkItem&) const = default;
};

// The most items one bulk request may name.
inline constexpr size_t kMaxBulkItems = 500;

class ReviewService {
 public:
  // What the service works with (none owned; all must outlive it).
  struct Deps {
    storage::Transactor& tx;
    resources::ResourceService& resources;  // the visibility rule, listings, categories
    resources::ResourceRepository& resource_repo;
    orgs::OrgRepository& orgs;
    auth::UserRepository& users;
    CampaignRepository& campaigns;
    HistoryRepository& history;
    BatchRepository& batches;
    ProgressRepository& progress;
    PendingUploadRepository& pending_uploads;
    TechnicalCheck& technical_check;
    const Clock& clock;
  };
  explicit ReviewService(const Deps& deps) : d_(deps) {}

  // Campaigns (platform admins write; everyone signed in reads).
  [[nodiscard]] Result<std::vector<Campaign>> Campaigns();
  [[nodiscard]] Result<std::optional<Campaign>> LatestCampaign();
  // Checks each date (yyyy-mm-dd or yyyy-mm-dd HH:MM, Beijing time; stored normalised) and
  // their order: starts < submission ≤ first review ≤ final review; every bad field named.
  [[nodiscard]] Result<Campaign> SaveCampaign(const auth::Principal& p, Campaign c);
  // Campaigns open for new submissions at the injected clock's now (started, upload deadline
  // not passed), newest first.
  [[nodiscard]] Result<std::vector<Campaign>> OpenCampaigns();
  // A top-level unit's (a province's) internal submission deadline for its own units: set by
  // its unit admin or a platform admin; not later than the campaign's, not before its start;
  // "" removes it.
  [[nodiscard]] Result<UnitDeadline> SetUnitDeadline(const auth::Principal& p, int64_t campaign_id,
                                                     orgs::OrgId org, const std::string& deadline);
  // The internal deadlines of a campaign that p may see (platform: all; others: their own
  // unit's and their parent's).
  [[nodiscard]] Result<std::vector<UnitDeadline>> UnitDeadlines(const auth::Principal& p,
                                                                int64_t campaign_id);

  // One decision (submit, claim, unclaim, approve, return, reject, take_over, publish,
  // withdraw, republish) on one resource. Reads the resource and its campaign once; the order
  // of checks: outside p's subtree (404) → a stale expected_version (409) → the state machine's
  // actor/state/step/deadline/claim checks → only then, for a submission, the costly
  // prerequisites (metadata against the current category tree, the technical check) together
  // with the request fields. Returns the resource as stored by the decision.
  [[nodiscard]] Result<resources::Resource> Act(const auth::Principal& p, resources::ResourceId id,
                                                const ReviewRequest& req);
  // The same approval (comment, checklist) for each id in turn, each at its current version.
  [[nodiscard]] std::vector<BulkOutcome> BulkApprove(const auth::Principal& p,
                                                     const std::vector<int64_t>& ids,
                                                     const ReviewRequest& req);
  // 退回修改 of each item with one comment: each goes through Act's normal rules (subtree →
  // not found, the item's version when given, the step, the deadline, claims); one item's
  // failure leaves the others returned. Refused as a whole (nothing changed) only for what
  // no item could pass: not a reviewer, no items, more than kMaxBulkItems, an empty comment.
  // A repeated id is handled once.
  [[nodiscard]] Result<std::vector<BulkOutcome>> BulkReturn(const auth::Principal& p,
                                                            const std::vector<BulkItem>& items,
                                                            const std::string& comment);
  [[nodiscard]] Result<std::vector<QueueItem>> Queue(const auth::Principal& p,
                                                     const QueueFilter& f);
  // The history of a resource p can see, with the actions p may take on it now.
  [[nodiscard]] Result<Timeline> TimelineOf(const auth::Principal& p, resources::ResourceId id);
  // The comment of the last 退回修改 / 不予通过 of a resource p can see ("" when none).
  [[nodiscard]] Result<std::string> LastVerdictComment(const auth::Principal& p,
                                                       const resources::Resource& r);

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
  // batch, renames it and/or replaces its items (each approved, in no other scheduled batch);
  // absent members stay as they are.
  struct BatchUpdate {
    std::optional<std::optional<int64_t>> scheduled_at;
    std::optional<std::string> name;
    std::optional<std::vector<int64_t>> resource_ids;
    bool operator==(const BatchUpdate&) const = default;
  };
  [[nodiscard]] Result<Batch> UpdateBatch(const auth::Principal& p, int64_t batch_id,
                                          const BatchUpdate& update);
  // Deletes an unpublished batch (its items stay approved); a published one: kFailedPrecondition.
  [[nodiscard]] Status DeleteBatch(const auth::Principal& p, int64_t batch_id);
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
  // given, to the subtree of `unit` (outside the caller's subtree: kNotFound). campaign_id 0
  // (kNoCampaign): the resources in no campaign (未关联征集), never overdue.
  [[nodiscard]] Result<std::vector<ProgressRow>> ProgressRows(const auth::Principal& p,
                                                              int64_t campaign_id,
                                                              std::optional<orgs::OrgId> unit);

 private:
  // The campaign a decision is judged by: the resource's; for a first submission the one
  // chosen (req.campaign_id), else the only open one, else (none open) the newest.
  // `ambiguous`: several are open and none was chosen (refused after the cheap checks).
  struct CampaignChoice {
    std::optional<Campaign> campaign;
    bool ambiguous = false;
  };
  Result<CampaignChoice> CampaignFor(const resources::Resource& r, const ReviewRequest& req);
  // The state machine's input from facts already loaded; the submission prerequisites are
  // left as "met" (listings never evaluate them; Act does, when it gets that far).
  WorkflowInput InputOf(const auth::Principal& p, const resources::Resource& r,
                        const orgs::Org& owner, const std::optional<Campaign>& campaign) const;
  // The facts the submission deadline depends on: the province's internal deadline for a
  // second-level owner and, for a returned item, the step that returned it (from `history`
  // when given, else read).
  Status AddDeadlineFacts(const resources::Resource& r, const orgs::Org& owner,
                          const std::optional<Campaign>& campaign, WorkflowInput& in,
                          const std::vector<HistoryEntry>* history);
  Result<std::vector<resources::Resource>> ApprovedItems(const std::vector<int64_t>& ids);
  Status AddSubmitFacts(const resources::Resource& r, ResourceFacts& facts);
  Result<resources::Resource> Record(const auth::Principal& p,
                                     const resources::VisibleResource& loaded,
                                     const std::optional<Campaign>& campaign, const Decision& d);
  Result<Batch> PublishBatchAs(const auth::Principal& p, int64_t batch_id, bool scheduled_run);
  // kFailedPrecondition naming the item and the batch when one of ids sits in a scheduled
  // batch other than except_batch.
  Status CheckNotScheduledElsewhere(storage::SqlExecutor& tx, const std::vector<int64_t>& ids,
                                    int64_t except_batch);
  Result<auth::Principal> PrincipalOf(int64_t user_id);
  Status Notify(storage::SqlExecutor& tx, const TransitionTarget& target,
                const TransitionInfo& info);

  Deps d_;
  std::function<void(int64_t)> on_public_change_;
  NotificationService* notifications_ = nullptr;
};

// Writes one audit-log row (inside the caller's transaction when tx is one).
[[nodiscard]] Status WriteAudit(storage::SqlExecutor& tx, int64_t at, const auth::Principal& p,
                                const std::string& action, const std::string& object,
                                const std::string& result, const std::string& detail);

}  // namespace lep::review
