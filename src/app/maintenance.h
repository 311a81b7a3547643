// Maintenance: the server's periodic housekeeping on one background thread — every 5 s it
// picks up a sensitive-word list changed through another server; every 10 min it removes
// expired unfinished uploads, prunes the search change feed, anchors the audit-chain head
// to its separate file and, once per `link_check_interval_hours` across all servers, queues a
// re-check of every A03 link. Started by `lep serve`; thread-safe.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/result.h"

namespace lep::app {

struct AppContext;

// Queues the periodic re-check of every A03 link when it is due (ClaimPeriodicRun: exactly one
// server takes each run; the first call only schedules the first run one interval ahead).
// Returns how many checks were queued (0 when not due or switched off).
[[nodiscard]] Result<int64_t> MaybeScheduleLinkRechecks(AppContext& ctx);

class Maintenance {
 public:
  explicit Maintenance(AppContext& ctx) : ctx_(ctx) {}
  ~Maintenance() { Stop(); }
  Maintenance(const Maintenance&) = delete;
  Maintenance& operator=(const Maintenance&) = delete;
  void Start();
  void Stop();

 private:
  AppContext& ctx_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace lep::app
