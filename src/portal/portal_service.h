// PortalService: what the public learning portal reads — home lists, a published resource
// with its series, full-text search, the category tree with counts and the catalog. Only
// published resources ever come out of it: anything else is kNotFound, so an unpublished id
// cannot be told from a missing one. No login.
// The public pages (detail, home) are rendered once and kept in memory until the search
// feed reports a change (Invalidate) or they age out; search results are kept the same way.
// Every answer, cached or not, is checked against the database with one batched read of
// primary keys, so a server whose feed is behind never shows what was withdrawn elsewhere.
// Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "resources/category.h"
#include "resources/resource_repository.h"
#include "portal/withdrawal_mark.h"
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
  std::string card;  // the rendered list entry (a JSON object), from the index
  std::string title_html;
  std::string snippet_html;
};

struct PortalSearchResult {
  int64_t total = 0;
  bool total_exact = true;
  int64_t total_lower_bound = 0;
  int page = 1;
  std::vector<PortalHit> hits;
  std::map<std::string, std::map<std::string, int64_t>> facets;
  bool facets_exact = true;
};

// A rendered public page and its entity tag (a hash of the bytes).
struct PublicPage {
  std::shared_ptr<const std::string> body;
  std::string etag;  // quoted
};

// What the app renders for the portal (JSON shapes are the adapter's business).
struct PortalRenderers {
  std::function<std::string(const resources::PublishedResource&)> card;
  std::function<std::string(const struct PortalDetail&)> detail;
  std::function<std::string(const struct PortalHome&)> home;
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

  static constexpr int64_t kPageTtlMs = 60'000;  // counts shown may lag this much
  static constexpr int64_t kSearchTtlMs = 10'000;
  static constexpr size_t kMaxCachedSearches = 2000;

  // search may be null (a command-line tool): Search() then answers kUnavailable. mark may be
  // null: every cached page is then checked with a primary-key read before it is served.
  PortalService(resources::ResourceRepository& resources, resources::CategoryRepository& categories,
                search::SearchIndex* search, const Clock& clock, PortalRenderers render = {},
                WithdrawalMark* mark = nullptr)
      : resources_(resources),
        categories_(categories),
        search_(search),
        clock_(clock),
        render_(std::move(render)),
        mark_(mark) {}

  // The rendered detail page of a published resource (kNotFound otherwise).
  [[nodiscard]] Result<PublicPage> DetailPage(resources::ResourceId id);
  [[nodiscard]] Result<PublicPage> HomePage();
  // The same pages from memory only, without blocking (for the I/O thread): the cached page if
  // it is fresh and nothing has left the portal since it was built (the withdrawal mark is
  // unchanged); nullopt otherwise — DetailPage/HomePage then answer.
  [[nodiscard]] std::optional<PublicPage> CachedDetailPage(resources::ResourceId id);
  [[nodiscard]] std::optional<PublicPage> CachedHomePage();
  // Drops what is cached about ids (all: everything), e.g. after the search feed applied them;
  // when one of them is no longer published (or all), the withdrawal mark moves on, so that
  // every server stops serving pages built before from memory.
  void Invalidate(const std::set<int64_t>& ids, bool all);

  [[nodiscard]] Result<PortalHome> Home();
  // Ok when the resource is published now (one primary-key read), else kNotFound.
  [[nodiscard]] Status IsPublished(resources::ResourceId id);
  // The published resource, or kNotFound.
  [[nodiscard]] Result<resources::PublishedResource> Published(resources::ResourceId id);
  [[nodiscard]] Result<PortalDetail> Detail(resources::ResourceId id);
  [[nodiscard]] Result<PortalSearchResult> Search(const search::SearchQuery& q);
  [[nodiscard]] Result<std::vector<CategoryCount>> CategoryTree();
  // Every published resource in catalog order (publication batch, then id).
  [[nodiscard]] Result<std::vector<resources::PublishedResource>> Catalog();

 private:
  Result<search::SearchResult> SearchCached(const search::SearchQuery& q);

  resources::ResourceRepository& resources_;
  resources::CategoryRepository& categories_;
  search::SearchIndex* search_;
  const Clock& clock_;
  PortalRenderers render_;
  WithdrawalMark* mark_;

  struct CachedPage {
    PublicPage page;
    int64_t at = 0;
    std::vector<resources::ResourceId> shows;  // the published resources the page lists
    std::optional<MarkToken> mark;             // the withdrawal mark it was checked under
  };
  // The cached page if fresh and checked under the current mark (caller holds mu_).
  std::optional<PublicPage> FreshLocked(const CachedPage& c, int64_t now, const MarkToken& mark) const;
  std::optional<MarkToken> ReadMark() const;
  struct SearchEntry {
    std::shared_ptr<const search::SearchResult> result;
    int64_t at = 0;
  };
  std::mutex mu_;
  std::map<int64_t, CachedPage> details_;
  std::optional<CachedPage> home_;
  std::map<std::string, SearchEntry> searches_;
  uint64_t generation_ = 0;  // bumped by Invalidate: a page built before is not stored
};

}  // namespace lep::portal
