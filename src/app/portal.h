// The public learning portal's moving parts: the search index kept in step with
// publication (on every server, through the database's change feed `portal_outbox`), and
// honest counters (clicks deduplicated per visitor per 30 minutes — in the database, so
// several servers count a click once —, a learner = a distinct visitor who played ≥ 30 s,
// counted once per resource), buffered in memory and flushed periodically instead of a
// database write per request. Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "app/api_common.h"
#include "search/search_index.h"

namespace lep::app {

class Counters {
 public:
  explicit Counters(AppContext& ctx);
  ~Counters();
  // A detail view; returns whether it may count (not a crawler, not seen by this server in
  // the window). The database decides at Flush(): a visitor counted by another server within
  // the window is not counted again.
  bool Click(int64_t resource_id, const std::string& visitor, const std::string& user_agent);
  // Playback progress (or an outbound click for A03, seconds = 30).
  bool Played(int64_t resource_id, const std::string& visitor, const std::string& user_agent,
              int seconds);
  // Writes buffered increments to the database.
  void Flush();
  // Updates the search index's counts for resources whose counters changed (one commit).
  void RefreshSearch();
  static bool IsCrawler(std::string_view user_agent);

 private:
  AppContext& ctx_;
  std::mutex mu_;
  struct PendingClick {
    int64_t resource_id;
    std::string visitor;
    int64_t at;
  };
  std::map<std::pair<int64_t, std::string>, int64_t> last_click_;  // → ms (a local pre-filter)
  // Seconds so far per visitor on this server (see ARCHITECTURE.md, "Several servers").
  std::map<std::pair<int64_t, std::string>, int> played_;
  std::vector<PendingClick> pending_clicks_;
  std::set<std::pair<int64_t, std::string>> pending_learners_;
  std::set<int64_t> dirty_;  // counters changed since the last RefreshSearch
  std::mutex flush_mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread flusher_;
};

// SearchFeed: keeps this server's search index in step with the database's change feed,
// `portal_outbox` (a row per change of a published resource or of its unit, written by
// triggers in the changing transaction). The index stores how far it has applied the feed
// (meta "outbox_seq"); every server tails the rows after its own mark. A row is re-read until
// it has been seen for kSettle, because on PostgreSQL a transaction holding a smaller seq may
// commit after one holding a larger seq; re-applying is harmless (a resource is re-read
// from the database). An index without a mark, or whose mark lies before pruned rows, is
// rebuilt. Thread-safe; ApplyOnce() is what the background thread runs (tests call it).
class SearchFeed {
 public:
  static constexpr int64_t kSettleMs = 60'000;
  static constexpr int64_t kKeepMs = 24 * 3600 * 1000;  // rows older than this are pruned
  explicit SearchFeed(AppContext& ctx) : ctx_(ctx) {}
  ~SearchFeed() { Stop(); }
  // Applies the new rows (one index commit); returns how many resources were re-indexed.
  [[nodiscard]] Result<int64_t> ApplyOnce();
  // Deletes rows older than kKeepMs and records how far (any server may do it).
  void Prune();
  void Start(std::chrono::seconds every);
  void Stop();

 private:
  AppContext& ctx_;
  std::mutex apply_mu_;
  std::map<int64_t, int64_t> seen_;  // seq above the mark → when first applied (ms)
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

// Re-indexes one resource: upserts it when published, removes it otherwise; commits.
void SyncSearch(AppContext& ctx, int64_t resource_id);
// The same for many resources with a single commit.
void SyncSearchMany(AppContext& ctx, const std::set<int64_t>& ids);
// The published resource named by path parameter `param`; kNotFound for anything else, so
// unpublished ids are indistinguishable from missing ones.
[[nodiscard]] Result<resources::Resource> PublishedResource(AppContext& ctx,
                                                            const http::Request& req,
                                                            const char* param = "id");
// Rebuilds the whole index from the database and records the change-feed mark it reflects;
// returns the number of published resources.
[[nodiscard]] Result<int64_t> Reindex(AppContext& ctx);

// Asks every running server of this database to rebuild its index (`lep reindex` while the
// index is held by a server): stores a new request token in `settings`; each SearchFeed
// rebuilds at its next round and records the token it honoured as index meta
// kSearchRebuildMeta. Returns the token.
inline constexpr const char* kSearchRebuildMeta = "rebuild_request";
[[nodiscard]] Result<std::string> RequestSearchRebuild(AppContext& ctx);

}  // namespace lep::app
