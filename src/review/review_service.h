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

struct Batch {
  int64_t id = 0, number = 0;
  std::string name, state;
  int64_t published_at = 0, created_at = 0;
  std::vector<int64_t> resource_ids;
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
  [[nodiscard]] Result<Batch> CreateBatch(const auth::Principal& p, const std::string& name,
                                          const std::vector<int64_t>& resource_ids);
  [[nodiscard]] Result<Batch> PublishBatch(const auth::Principal& p, int64_t batch_id);
  [[nodiscard]] Result<std::vector<Batch>> Batches(const auth::Principal& p);

  // Called after a resource became public or stopped being public (publish, withdraw,
  // republish), outside the transaction: the search index follows.
  void SetPublicChangeHandler(std::function<void(int64_t resource_id)> h) {
    on_public_change_ = std::move(h);
  }

  // Progress of a campaign: counts by state × unit (top-level) × domain × type.
  [[nodiscard]] Result<std::vector<std::vector<std::string>>> Progress(const auth::Principal& p,
                                                                       int64_t campaign_id);

 private:
  Result<WorkflowInput> BuildInput(const auth::Principal& p, const resources::Resource& r,
                                   const orgs::Org& owner, const ReviewRequest& req,
                                   int64_t claimed_by, bool run_checks);
  Result<Deadlines> DeadlinesOf(std::optional<int64_t> campaign_id);

  storage::Database& db_;
  resources::ResourceRepository& repo_;
  orgs::OrgRepository& orgs_;
  resources::ResourceService& resources_;
  const Clock& clock_;
  TechnicalCheck technical_check_;
  std::function<void(int64_t)> on_public_change_;
};

// Writes one audit-log row (inside the caller's transaction when tx is one).
[[nodiscard]] Status WriteAudit(storage::SqlExecutor& tx, int64_t at, const auth::Principal& p,
                                const std::string& action, const std::string& object,
                                const std::string& result, const std::string& detail);

}  // namespace lep::review
