#include "app/maintenance.h"

#include "app/app_context.h"
#include "portal/search_feed.h"
#include "security/audit_chain.h"

namespace lep::app {

void Maintenance::Start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    for (int tick = 1; !stop_; ++tick) {
      cv_.wait_for(lock, std::chrono::seconds(5));
      if (stop_) break;
      lock.unlock();
      ReloadSensitiveWordsIfChanged(ctx_);  // a list changed through another server
      if (tick % 120 == 0) {
        ctx_.uploads->SweepExpired();
        if (ctx_.search_feed) ctx_.search_feed->Prune();
        (void)security::AnchorHead(*ctx_.db, ctx_.config.data_dir + "/audit.anchor", *ctx_.clock);
      }
      lock.lock();
    }
  });
}

void Maintenance::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace lep::app
