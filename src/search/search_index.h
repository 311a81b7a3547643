// SearchIndex: full-text search over published resources for the public portal (SPEC §5):
// Chinese text (Traditional input matches Simplified), boolean filters, facet counts, sorts,
// highlighted snippets and pagination. Plain C++; the Xapian implementation is hidden in
// xapian_search_index.cpp. Thread-safety: every method may be called from any thread; writes
// (Upsert/Remove/Commit) are serialised, searches run concurrently on committed data only.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace lep::search {

// One published resource as the index sees it (a projection of resources::Resource).
struct SearchDoc {
  int64_t id = 0;
  std::string title;
  std::string summary;
  std::string series;
  std::string copyright_holder;
  std::string unit_name;
  std::string province;
  std::string category;  // path "a-b-c"
  std::string domain;    // 学历继续教育 / 非学历教育培训 / 老年教育 / 社区教育
  std::string type;      // A01 / A02 / A03
  std::vector<std::string> presenters;
  std::vector<std::string> keywords;
  int64_t clicks = 0;
  int64_t learners = 0;
  int64_t published_at = 0;  // unix ms
  int64_t duration_s = 0;
  // Opaque bytes stored with the document and handed back with each hit (the portal keeps the
  // rendered list entry here, so that a page of hits needs no database read to render).
  std::string payload;
};

struct SearchQuery {
  enum class Sort { kRelevance, kClicks, kLearners, kNewest };

  std::string q;  // user text; empty = browse everything that passes the filters
  std::optional<std::string> domain;
  std::optional<std::string> type;
  std::optional<std::string> category_prefix;  // whole levels: "健康养生" matches "健康养生-太极拳"
  std::optional<std::string> province;
  std::optional<std::string> unit;
  std::optional<int64_t> min_duration_s;  // inclusive
  std::optional<int64_t> max_duration_s;  // inclusive
  // kRelevance with an empty q browses newest first (there is no relevance to rank by).
  Sort sort = Sort::kRelevance;
  int page = 1;        // 1-based; values < 1 are treated as 1
  int page_size = 20;  // clamped to [1, 100]
};

struct SearchHit {
  int64_t id = 0;
  double score = 0;          // relevance weight of this query; meaningless across queries
  std::string title_html;    // whole title, HTML-escaped, matches wrapped in <mark>…</mark>
  std::string snippet_html;  // excerpt of the summary, same escaping and highlighting
  std::string payload;       // SearchDoc::payload as indexed
};

struct SearchResult {
  // Matching documents. Counting stops after kTrackTotal matches (Elasticsearch's
  // track_total_hits): beyond that `total` is Xapian's estimate, total_exact is false and
  // total_lower_bound is what is certain.
  static constexpr int64_t kTrackTotal = 10'000;
  int64_t total = 0;
  bool total_exact = true;
  int64_t total_lower_bound = 0;
  std::vector<SearchHit> hits;
  // "domain", "type", "category" (top level only), "province" -> value -> count, over the
  // matches of the query and filters (not only the page); when the total is not exact, counted
  // over the documents examined and scaled to the estimate (facets_exact false).
  std::map<std::string, std::map<std::string, int64_t>> facets;
  bool facets_exact = true;
};

class SearchIndex {
 public:
  virtual ~SearchIndex() = default;

  // Adds or replaces the document with doc.id. Visible to Search() after Commit().
  [[nodiscard]] virtual Status Upsert(const SearchDoc& doc) = 0;
  // Upsert of many documents (a rebuild's page): all or none — a document that cannot be
  // indexed fails the call before any is written. Implementations may build the documents on
  // several threads.
  [[nodiscard]] virtual Status UpsertMany(const std::vector<SearchDoc>& docs) {
    for (const auto& d : docs) {
      if (auto st = Upsert(d); !st) return st;
    }
    return Ok();
  }
  // Removes the document; removing an unknown id is not an error.
  [[nodiscard]] virtual Status Remove(int64_t id) = 0;
  // Never throws, also for malformed query syntax (falls back to plain terms).
  [[nodiscard]] virtual Result<SearchResult> Search(const SearchQuery& query) = 0;
  // Makes pending writes durable and visible to searches.
  [[nodiscard]] virtual Status Commit() = 0;
  // Number of committed documents.
  [[nodiscard]] virtual Result<int64_t> Count() = 0;
  // Ids of every document, pending writes included (a rebuild removes those it did not see).
  [[nodiscard]] virtual Result<std::vector<int64_t>> Ids() = 0;
  // A small value stored inside the index (e.g. how far it has applied the database's change
  // feed), so it is durable together with the documents: written by the next Commit().
  [[nodiscard]] virtual Status SetMeta(const std::string& key, const std::string& value) = 0;
  // The value as last set (committed or pending); "" when never set.
  [[nodiscard]] virtual Result<std::string> GetMeta(const std::string& key) = 0;
};

// Opens (creating if needed, parents included) a Xapian index in dir. Fails if the directory
// cannot be created, is held by another writer (kUnavailable: e.g. a running `lep serve`),
// or the OpenCC t2s data is missing.
[[nodiscard]] Result<std::unique_ptr<SearchIndex>> OpenXapianIndex(const std::string& dir);

// What the index in dir has committed, read without the writer's lock (a running server may
// hold it): the number of documents and the value of one metadata key ("" when unset).
// kNotFound when dir holds no index.
struct IndexPeek {
  int64_t documents = 0;
  std::string meta;
};
[[nodiscard]] Result<IndexPeek> PeekXapianIndex(const std::string& dir,
                                                const std::string& meta_key);

// A Xapian index in a fresh temporary directory that is deleted with the index (for tests
// and `lep reindex` dry runs).
[[nodiscard]] Result<std::unique_ptr<SearchIndex>> OpenTempXapianIndex();

}  // namespace lep::search
