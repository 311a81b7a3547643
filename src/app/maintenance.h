// Maintenance: the server's periodic housekeeping on one background thread — every 5 s it
// picks up a sensitive-word list changed through another server; every 10 min it removes
// expired unfinished uploads, prunes the search change feed and anchors the audit-chain head
// to its separate file. Started by `lep serve`; thread-safe.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

namespace lep::app {

struct AppContext;

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
