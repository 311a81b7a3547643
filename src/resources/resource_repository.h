// ResourceRepository: persistence of resources. Updates are compare-and-set on `version`.
// Implementations are thread-safe.
#pragma once

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

class ResourceRepository {
 public:
  virtual ~ResourceRepository() = default;
  [[nodiscard]] virtual Result<Resource> Create(const Resource& r) = 0;
  // All or nothing, in one transaction.
  [[nodiscard]] virtual Result<std::vector<Resource>> CreateMany(const std::vector<Resource>& rs) = 0;
  [[nodiscard]] virtual Result<std::optional<Resource>> Get(ResourceId id) = 0;
  // Stores r if its stored version still equals expected_version; returns r with version+1.
  [[nodiscard]] virtual Result<Resource> Update(const Resource& r, int64_t expected_version) = 0;
  [[nodiscard]] virtual Status Delete(ResourceId id, int64_t expected_version) = 0;
  [[nodiscard]] virtual Result<ResourcePage> List(const ResourceFilter& f) = 0;
  // The resource holding (org, series, order), if any.
  [[nodiscard]] virtual Result<std::optional<ResourceId>> SeriesOrderOwner(
      orgs::OrgId org, const std::string& series, const std::string& order) = 0;
  [[nodiscard]] virtual Result<std::vector<SeriesInfo>> ListSeries(orgs::OrgId org) = 0;
};

std::unique_ptr<ResourceRepository> NewSqlResourceRepository(storage::Database& db);

}  // namespace lep::resources
