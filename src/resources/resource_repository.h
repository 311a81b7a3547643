// ResourceRepository: the only code that reads or writes the `resources` table. Every change
// is a compare-and-set on `version` (and, for workflow steps and media, on the state); the
// methods that take a SqlExecutor run inside the caller's transaction, so a state change and
// its history, audit and notification rows commit together. Implementations are thread-safe.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "resources/resource.h"
#include "storage/db/database.h"

namespace lep::resources {

struct ResourceFilter {
  std::optional<std::string> org_path_prefix;  // restrict to a unit subtree ("/1/21/")
  std::optional<std::string> type;             // "A01"
  std::optional<std::string> domain;
  std::optional<std::string> state;
  std::optional<std::string> series;
  std::optional<std::string> q;  // substring of title, summary, presenters, keywords
  int page = 1;
  int page_size = 20;  // ≤ 10000 (export); API caps at 100
};

struct ResourcePage {
  std::vector<Resource> items;
  int64_t total = 0;
};

struct SeriesItem {
  ResourceId id;
  std::string title;
  std::string order;
  ResourceState state;
};
struct SeriesInfo {
  std::string name;
  std::vector<SeriesItem> items;  // by order, then id
};

// One workflow step, applied only while the row still has `from` (and `expected_version`,
// when given). Optional members are written when present and kept otherwise.
struct StateChange {
  ResourceState from = ResourceState::kDraft;
  std::optional<int64_t> expected_version;
  ResourceState to = ResourceState::kDraft;
  std::optional<int64_t> claimed_by;
  std::optional<int64_t> campaign_id;
  std::optional<int64_t> attested_by;  // with attested_at = at
  std::optional<int64_t> batch_id;
  bool published = false;  // published_at = at
  int64_t at = 0;
};

// Counter increments of one resource (the portal's clicks and learners).
struct UsageDelta {
  ResourceId id;
  int64_t clicks = 0;
  int64_t learners = 0;
};

// A published resource with the name and region of the unit that owns it: what the public
// portal shows and indexes.
struct PublishedResource {
  Resource resource;
  std::string unit_name;
  std::string unit_region;
};

// Orders of the portal's lists of published resources (ties broken by id, newest first).
enum class PublishedOrder { kNewest, kClicks, kLearners };

// A published resource's place in the catalog (by publication batch, then id).
struct CatalogKey {
  ResourceId id;
  int64_t batch_id = 0;  // 0 when published outside a batch
};

class ResourceRepository {
 public:
  virtual ~ResourceRepository() = default;
  [[nodiscard]] virtual Result<Resource> Create(const Resource& r) = 0;
  // All or nothing, in one transaction.
  [[nodiscard]] virtual Result<std::vector<Resource>> CreateMany(const std::vector<Resource>& rs) = 0;
  // The same inside the caller's transaction (with the audit row of the change).
  [[nodiscard]] virtual Result<std::vector<Resource>> CreateMany(storage::SqlExecutor& tx,
                                                                 const std::vector<Resource>& rs) = 0;
  [[nodiscard]] virtual Result<std::optional<Resource>> Get(ResourceId id) = 0;
  // The same inside the caller's transaction.
  [[nodiscard]] virtual Result<std::optional<Resource>> Get(storage::SqlExecutor& tx,
                                                          ResourceId id) = 0;
  // Those of ids that exist, in the order of ids.
  [[nodiscard]] virtual Result<std::vector<Resource>> GetMany(const std::vector<ResourceId>& ids) = 0;
  // Stores r's metadata (and updated_at) if the stored version still equals
  // expected_version; returns r with version+1. State, cover, workflow facts and counters are
  // not touched: they change only through the methods below.
  [[nodiscard]] virtual Result<Resource> Update(const Resource& r, int64_t expected_version) = 0;
  [[nodiscard]] virtual Result<Resource> Update(storage::SqlExecutor& tx, const Resource& r,
                                                int64_t expected_version) = 0;
  // A workflow step (kConflict when the row moved on); returns the new version.
  [[nodiscard]] virtual Result<int64_t> ChangeState(storage::SqlExecutor& tx, ResourceId id,
                                                    const StateChange& change) = 0;
  // New cover / measured duration of an editable resource still at expected_version
  // (version + 1). kFailedPrecondition naming the state when it is no longer editable,
  // kConflict when only the version moved. SetCover returns the cover it replaced.
  [[nodiscard]] virtual Result<std::optional<Cover>> SetCover(storage::SqlExecutor& tx,
                                                              ResourceId id,
                                                              int64_t expected_version,
                                                              const Cover& cover, int64_t at) = 0;
  [[nodiscard]] virtual Status SetMeasuredDuration(storage::SqlExecutor& tx, ResourceId id,
                                                   int64_t expected_version,
                                                   const std::string& duration, int64_t at) = 0;
  // The start of a change of an A03 course's lessons (ingest::LessonService), inside its
  // transaction: takes the row lock (concurrent lesson uploads of one course queue here), the
  // course must be editable (kFailedPrecondition naming the state) and, when expected_version
  // is given, still at it (kConflict); bumps the version and returns the new one. Without
  // expected_version (a finished lesson upload) other lessons landing meanwhile do not refuse
  // it. SetLessonsDuration then records the lessons' total (no version change).
  [[nodiscard]] virtual Result<int64_t> BeginLessonsChange(storage::SqlExecutor& tx, ResourceId id,
                                                           std::optional<int64_t> expected_version,
                                                           int64_t at) = 0;
  [[nodiscard]] virtual Status SetLessonsDuration(storage::SqlExecutor& tx, ResourceId id,
                                                  const std::string& duration) = 0;
  // Adds counted clicks and learners (not an edit: the version stays).
  [[nodiscard]] virtual Status AddUsage(storage::SqlExecutor& tx,
                                        const std::vector<UsageDelta>& deltas) = 0;
  [[nodiscard]] virtual Status Delete(ResourceId id, int64_t expected_version) = 0;
  [[nodiscard]] virtual Status Delete(storage::SqlExecutor& tx, ResourceId id,
                                      int64_t expected_version) = 0;
  [[nodiscard]] virtual Result<ResourcePage> List(const ResourceFilter& f) = 0;
  // The resource holding (org, series, order), if any.
  [[nodiscard]] virtual Result<std::optional<ResourceId>> SeriesOrderOwner(
      orgs::OrgId org, const std::string& series, const std::string& order) = 0;
  [[nodiscard]] virtual Result<std::vector<SeriesInfo>> ListSeries(orgs::OrgId org) = 0;
  // The file names an import row gave for a resource's media and cover ("" = none given);
  // replaced as a pair, kept with the resource until it is deleted.
  struct ImportFiles {
    std::string media, cover;
    bool operator==(const ImportFiles&) const = default;
  };
  [[nodiscard]] virtual Status SetImportFiles(storage::SqlExecutor& tx, ResourceId id,
                                              const ImportFiles& files) = 0;
  // Those of ids that have any, by id.
  [[nodiscard]] virtual Result<std::map<int64_t, ImportFiles>> GetImportFiles(
      const std::vector<ResourceId>& ids) = 0;

  // Reads of published resources for the public portal (nothing else is ever returned).
  // Those of ids that are published, with their unit, in the order of ids.
  [[nodiscard]] virtual Result<std::vector<PublishedResource>> GetPublished(
      const std::vector<ResourceId>& ids) = 0;
  // Published resources with an id above `after`, by id, at most limit (a full scan in pages).
  [[nodiscard]] virtual Result<std::vector<PublishedResource>> ListPublishedAfter(
      ResourceId after, int limit) = 0;
  // The first limit published resources in the given order (the portal's home lists).
  [[nodiscard]] virtual Result<std::vector<PublishedResource>> TopPublished(PublishedOrder order,
                                                                            int limit) = 0;
  // Published resources of one series of a unit: by order ("" last), then id.
  [[nodiscard]] virtual Result<std::vector<SeriesItem>> PublishedSeries(
      orgs::OrgId org, const std::string& series, int limit) = 0;
  [[nodiscard]] virtual Result<int64_t> CountPublished() = 0;
  // Number of published resources per domain and per category path ("" left out).
  [[nodiscard]] virtual Result<std::map<std::string, int64_t>> CountPublishedByDomain() = 0;
  [[nodiscard]] virtual Result<std::map<std::string, int64_t>> CountPublishedByCategory() = 0;
  // Every published resource's catalog key, in catalog order.
  [[nodiscard]] virtual Result<std::vector<CatalogKey>> CatalogKeys() = 0;
  // Whether each of ids is published right now (one batched read; missing ids: false).
  [[nodiscard]] virtual Result<std::vector<ResourceId>> FilterPublished(
      const std::vector<ResourceId>& ids) = 0;
};

std::unique_ptr<ResourceRepository> NewSqlResourceRepository(storage::Database& db);

}  // namespace lep::resources
