// Counters: the portal's honest usage figures. Clicks are deduplicated per visitor per 30
// minutes (in the database, so several servers count a click once); a learner is a distinct
// visitor who played ≥ 30 s — or ≥ 90 % of an item shorter than that —, counted once per
// resource. Play time is credited only as the server observes it: never more than the real
// time since that visitor's first view or heartbeat of the resource on this server, nor more
// than the media's duration. Increments are buffered in memory and flushed every 5 s by a
// background thread instead of a database write per request; a kill -9 loses at most those
// 5 s. Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "portal/usage_repository.h"
#include "resources/resource_repository.h"
#include "storage/db/database.h"

namespace lep::portal {

class Counters {
 public:
  static constexpr int64_t kClickWindowMs = 30 * 60 * 1000;
  static constexpr int kLearnerSeconds = 30;

  // on_changed receives the resources whose counts changed (about once a minute), e.g. to
  // refresh their counts in the search index.
  Counters(storage::Transactor& db, UsageRepository& usage, resources::ResourceRepository& repo,
           const Clock& clock, std::function<void(const std::set<int64_t>&)> on_changed);
  // Flushes what is buffered.
  ~Counters();
  Counters(const Counters&) = delete;
  Counters& operator=(const Counters&) = delete;

  // Starts the background flush (every 5 s; every minute on_changed; every 10 min old click
  // records are pruned). Without it, callers flush themselves (tests).
  void Start();
  // A view of a published resource; returns whether it may count (not a crawler, not seen by
  // this server in the window). The database decides at Flush(): a visitor counted by
  // another server within the window is not counted again.
  bool Click(int64_t resource_id, const std::string& visitor, std::string_view user_agent);
  // Playback progress: `seconds` played since the last heartbeat, as the client claims, of
  // media lasting duration_s (0: unknown). True when this made the visitor a learner.
  bool Played(int64_t resource_id, const std::string& visitor, std::string_view user_agent,
              int seconds, int64_t duration_s);
  // An online course (A03) has no media: following its link makes the visitor a learner.
  bool OpenedLink(int64_t resource_id, const std::string& visitor, std::string_view user_agent);
  // Writes buffered increments to the database.
  void Flush();
  // Hands the resources whose counts changed since the last call to on_changed.
  void ReportChanged();
  static bool IsCrawler(std::string_view user_agent);

 private:
  void Stop();

  storage::Transactor& db_;
  UsageRepository& usage_;
  resources::ResourceRepository& repo_;
  const Clock& clock_;
  std::function<void(const std::set<int64_t>&)> on_changed_;

  std::mutex mu_;
  struct PendingClick {
    int64_t resource_id;
    std::string visitor;
    int64_t at;
  };
  std::map<std::pair<int64_t, std::string>, int64_t> last_click_;  // → ms (a local pre-filter)
  // Play per visitor and resource on this server (see ARCHITECTURE.md, "Several servers").
  struct Play {
    int64_t first_seen = 0;  // ms of the first view or heartbeat observed here
    double credited = 0;     // seconds credited so far
    bool learner = false;
  };
  Play& PlayOf(int64_t resource_id, const std::string& visitor, int64_t now);  // mu_ held
  bool BecameLearner(int64_t resource_id, const std::string& visitor);         // mu_ held
  std::map<std::pair<int64_t, std::string>, Play> played_;
  std::vector<PendingClick> pending_clicks_;
  std::set<std::pair<int64_t, std::string>> pending_learners_;
  std::set<int64_t> changed_;  // counters changed since the last ReportChanged

  std::mutex flush_mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread flusher_;
};

// Days since 1970-01-01 in Beijing time (UTC+8): the day usage_daily counts in.
int64_t BeijingDay(int64_t unix_ms);

}  // namespace lep::portal
