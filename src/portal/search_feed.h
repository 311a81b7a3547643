// SearchFeed: keeps this server's search index in step with publication. It indexes what
// changed here at once (Sync), and tails the database's change feed `portal_outbox` (a row per
// change of a published resource or of its unit, written by triggers in the changing
// transaction) for what other servers and command-line tools changed. The index stores how far
// it has applied the feed (meta "outbox_seq"); a row is re-read until it has been seen for
// kSettleMs, because on PostgreSQL a transaction holding a smaller seq may commit after one
// holding a larger seq; re-applying is harmless. An index without a mark, whose mark lies
// before pruned rows, too far behind, or asked to by `lep reindex` is rebuilt. Thread-safe;
// ApplyOnce() is what the background thread runs (tests call it).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "core/clock.h"
#include "portal/feed_repository.h"
#include "resources/resource_repository.h"
#include "search/search_index.h"

namespace lep::portal {

// Index meta holding the rebuild request a rebuild honoured (`lep reindex` waits for it).
inline constexpr const char* kSearchRebuildMeta = "rebuild_request";

// Renders what a hit shows (the portal's list entry); stored in the index as the payload.
using CardRenderer = std::function<std::string(const resources::PublishedResource&)>;

// The index's view of a published resource.
search::SearchDoc DocOf(const resources::PublishedResource& p, const CardRenderer& card = {});

class SearchFeed {
 public:
  static constexpr int64_t kSettleMs = 60'000;
  static constexpr int64_t kKeepMs = 24 * 3600 * 1000;  // rows older than this are pruned
  static constexpr int64_t kRebuildBacklog = 50'000;

  // What the documents carry; an index built with another format is rebuilt.
  static constexpr const char* kDocFormat = "2";

  SearchFeed(search::SearchIndex& index, resources::ResourceRepository& resources,
             FeedRepository& feed, const Clock& clock, CardRenderer card = {})
      : index_(index), resources_(resources), feed_(feed), clock_(clock), card_(std::move(card)) {}
  // Told the resources whose public view changed (after each commit; all = a rebuild), e.g. to
  // drop cached pages. Set before the feed starts.
  void SetChangeListener(std::function<void(const std::set<int64_t>& ids, bool all)> l) {
    on_change_ = std::move(l);
  }
  ~SearchFeed() { Stop(); }
  SearchFeed(const SearchFeed&) = delete;
  SearchFeed& operator=(const SearchFeed&) = delete;

  // Re-indexes resources changed on this server: upserts the published ones, removes the
  // others; one commit.
  [[nodiscard]] Status Sync(const std::set<int64_t>& ids);
  // Rebuilds the whole index from the database and records the feed mark it reflects;
  // returns the number of published resources.
  [[nodiscard]] Result<int64_t> Reindex();
  // Applies the new feed rows (one index commit); returns how many resources were re-indexed.
  [[nodiscard]] Result<int64_t> ApplyOnce();
  // Deletes rows older than kKeepMs and records how far (any server may do it).
  void Prune();
  // Asks every running server of this database to rebuild its index; returns the token each
  // records as meta kSearchRebuildMeta once it has.
  [[nodiscard]] static Result<std::string> RequestRebuild(FeedRepository& feed, const Clock& clock);

  void Start(std::chrono::seconds every);
  void Stop();

 private:
  Status Stage(const std::set<int64_t>& ids);
  Result<int64_t> ReindexLocked();

  search::SearchIndex& index_;
  resources::ResourceRepository& resources_;
  FeedRepository& feed_;
  const Clock& clock_;
  CardRenderer card_;
  std::function<void(const std::set<int64_t>&, bool)> on_change_;
  std::mutex apply_mu_;              // one Sync/ApplyOnce/Reindex at a time
  std::map<int64_t, int64_t> seen_;  // seq above the mark → when first applied (ms)
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace lep::portal
