// The public learning portal's moving parts: the search index kept in step with
// publication, and honest counters (clicks deduplicated per visitor per 30 minutes, a
// learner = a distinct visitor who played ≥ 30 s, counted once per resource), buffered in
// memory and flushed periodically instead of a database write per request. Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "app/api_common.h"
#include "search/search_index.h"

namespace lep::app {

class Counters {
 public:
  explicit Counters(AppContext& ctx);
  ~Counters();
  // A detail view; returns whether it counted.
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
  std::map<std::pair<int64_t, std::string>, int64_t> last_click_;  // → ms
  std::map<std::pair<int64_t, std::string>, int> played_;          // seconds so far
  std::map<int64_t, int64_t> pending_clicks_;
  std::set<std::pair<int64_t, std::string>> pending_learners_;
  std::set<int64_t> dirty_;  // counters changed since the last RefreshSearch
  std::mutex flush_mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread flusher_;
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
// Rebuilds the whole index from the database; returns the number of published resources.
[[nodiscard]] Result<int64_t> Reindex(AppContext& ctx);

}  // namespace lep::app
