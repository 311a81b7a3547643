// PortalService: what the public learning portal reads — home lists, a published resource
// with its series, full-text search, the category tree with counts and the catalog. Only
// published resources ever come out of it: anything else is kNotFound, so an unpublished id
// cannot be told from a missing one. No login. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "resources/category.h"
#include "resources/resource_repository.h"
#include "search/search_index.h"

namespace lep::portal {

struct PortalHome {
  std::vector<std::pair<std::string, int64_t>> domains;  // every domain, in the notice's order
  std::vector<resources::PublishedResource> newest, most_clicked, most_learned;
};

struct PortalDetail {
  resources::PublishedResource resource;
  std::vector<resources::SeriesItem> series;  // its series' published items; empty if none
};

struct PortalHit {
  resources::PublishedResource resource;
  std::string title_html;
  std::string snippet_html;
};

struct PortalSearchResult {
  int64_t total = 0;
  int page = 1;
  std::vector<PortalHit> hits;
  std::map<std::string, std::map<std::string, int64_t>> facets;
};

// A node of the category tree with the published resources in its subtree.
struct CategoryCount {
  int64_t id = 0;
  std::string name;
  std::string path;
  int64_t count = 0;
  std::vector<CategoryCount> children;
};

class PortalService {
 public:
  static constexpr int kHomeListSize = 8;
  static constexpr int kSeriesLimit = 200;

  // search may be null (a command-line tool): Search() then answers kUnavailable.
  PortalService(resources::ResourceRepository& resources, resources::CategoryRepository& categories,
                search::SearchIndex* search)
      : resources_(resources), categories_(categories), search_(search) {}

  [[nodiscard]] Result<PortalHome> Home();
  // The published resource, or kNotFound.
  [[nodiscard]] Result<resources::PublishedResource> Published(resources::ResourceId id);
  [[nodiscard]] Result<PortalDetail> Detail(resources::ResourceId id);
  [[nodiscard]] Result<PortalSearchResult> Search(const search::SearchQuery& q);
  [[nodiscard]] Result<std::vector<CategoryCount>> CategoryTree();
  // Every published resource in catalog order (publication batch, then id).
  [[nodiscard]] Result<std::vector<resources::PublishedResource>> Catalog();

 private:
  resources::ResourceRepository& resources_;
  resources::CategoryRepository& categories_;
  search::SearchIndex* search_;
};

}  // namespace lep::portal
