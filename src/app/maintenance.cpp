#include "app/maintenance.h"

#include <cstdio>

#include "app/app_context.h"
#include "portal/search_feed.h"
#include "security/audit_chain.h"
#include "security/security_policy.h"

namespace lep::app {

Result<int64_t> MaybeScheduleLinkRechecks(AppContext& ctx) {
  if (ctx.config.link_check_interval_hours <= 0) return int64_t{0};
  const int64_t interval = int64_t{ctx.config.link_check_interval_hours} * 3600 * 1000;
  LEP_ASSIGN_OR_RETURN(bool due, security::ClaimPeriodicRun(*ctx.db, "link_recheck_last_run",
                                                            ctx.clock->NowMs(), interval));
  if (!due) return int64_t{0};
  return ctx.ingest->RequestLinkRechecks();
}

void Maintenance::Start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    for (int tick = 1; !stop_; ++tick) {
      cv_.wait_for(lock, std::chrono::seconds(5));
      if (stop_) break;
      lock.unlock();
      ctx_.sensitive_words->ReloadIfChanged();  // a list changed through another server
      if (tick % 120 == 0) {
        ctx_.uploads->SweepExpired();
        if (ctx_.search_feed) ctx_.search_feed->Prune();
        (void)security::AnchorHead(*ctx_.db, ctx_.config.data_dir + "/audit.anchor", *ctx_.clock);
        if (auto queued = MaybeScheduleLinkRechecks(ctx_); !queued) {
          std::fprintf(stderr, "链接定期检测排队失败：%s\n", queued.error().message.c_str());
        }
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
