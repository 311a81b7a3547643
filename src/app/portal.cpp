#include "app/portal.h"

#include "resources/metadata.h"
#include "security/audit_chain.h"

namespace lep::app {
namespace {

constexpr int64_t kClickWindowMs = 30 * 60 * 1000;
constexpr int kLearnerSeconds = 30;

search::SearchDoc DocOf(AppContext& ctx, const resources::Resource& r, int64_t published_at) {
  search::SearchDoc d;
  d.id = r.id.value;
  d.title = r.meta.title;
  d.summary = r.meta.summary;
  d.series = r.meta.series;
  d.copyright_holder = r.meta.copyright_holder;
  d.category = r.meta.category;
  d.domain = r.meta.domain;
  d.type = std::string(resources::TypeCode(r.meta.type));
  d.presenters = r.meta.presenters;
  d.keywords = r.meta.keywords;
  d.clicks = r.meta.clicks;
  d.learners = r.meta.learners;
  d.published_at = published_at;
  d.duration_s = std::max<int64_t>(0, resources::ParseDuration(r.meta.duration));
  if (auto org = ctx.org_repo->Get(r.org_id); org && *org) {
    d.unit_name = (*org)->name;
    d.province = (*org)->region;
  }
  return d;
}

}  // namespace

void SyncSearchMany(AppContext& ctx, const std::set<int64_t>& ids) {
  if (!ctx.search) return;
  for (int64_t id : ids) {
    auto row = ctx.db->QueryOne("SELECT state, published_at FROM resources WHERE id = ?", {id});
    auto r = ctx.resource_repo->Get(resources::ResourceId{id});
    if (row && *row && (*row)->Text(0) == "published" && r && *r) {
      (void)ctx.search->Upsert(DocOf(ctx, **r, (*row)->Int(1)));
    } else {
      (void)ctx.search->Remove(id);
    }
  }
  (void)ctx.search->Commit();  // one commit for the whole batch
}

void SyncSearch(AppContext& ctx, int64_t resource_id) {
  if (!ctx.search) return;
  auto row = ctx.db->QueryOne("SELECT state, published_at FROM resources WHERE id = ?",
                              {resource_id});
  auto r = ctx.resource_repo->Get(resources::ResourceId{resource_id});
  if (row && *row && (*row)->Text(0) == "published" && r && *r) {
    (void)ctx.search->Upsert(DocOf(ctx, **r, (*row)->Int(1)));
  } else {
    (void)ctx.search->Remove(resource_id);
  }
  (void)ctx.search->Commit();
}

Result<resources::Resource> PublishedResource(AppContext& ctx, const http::Request& req,
                                             const char* param) {
  auto id = req.IdParam(param);
  if (!id) return Fail(Error::NotFound("资源不存在或未发布"));
  LEP_ASSIGN_OR_RETURN(auto r, ctx.resource_repo->Get(resources::ResourceId{*id}));
  if (!r || r->state != resources::ResourceState::kPublished) {
    return Fail(Error::NotFound("资源不存在或未发布"));
  }
  return *r;
}

Result<int64_t> Reindex(AppContext& ctx) {
  if (!ctx.search) return Fail(Error::Internal("搜索索引未打开"));
  LEP_ASSIGN_OR_RETURN(auto all, ctx.db->Exec("SELECT id, state, published_at FROM resources"));
  int64_t n = 0;
  for (const auto& row : all.rows) {
    int64_t id = row.Int(0);
    if (row.Text(1) == "published") {
      LEP_ASSIGN_OR_RETURN(auto r, ctx.resource_repo->Get(resources::ResourceId{id}));
      if (!r) continue;
      LEP_RETURN_IF_ERROR(ctx.search->Upsert(DocOf(ctx, *r, row.Int(2))));
      ++n;
    } else {
      LEP_RETURN_IF_ERROR(ctx.search->Remove(id));
    }
  }
  LEP_RETURN_IF_ERROR(ctx.search->Commit());
  return n;
}

Counters::Counters(AppContext& ctx) : ctx_(ctx) {
  // One background thread: flush counters every 5 s; every 10 min also remove expired,
  // unfinished uploads (their bytes) and anchor the audit-chain head to its separate file.
  flusher_ = std::thread([this] {
    std::unique_lock lock(flush_mu_);
    for (int tick = 1; !stop_; ++tick) {
      cv_.wait_for(lock, std::chrono::seconds(5));
      lock.unlock();
      Flush();
      if (tick % 12 == 0) RefreshSearch();  // click/learner counts for sorting, every minute
      if (tick % 120 == 0) {
        ctx_.uploads->SweepExpired();
        (void)security::AnchorHead(*ctx_.db, ctx_.config.data_dir + "/audit.anchor", *ctx_.clock);
      }
      lock.lock();
    }
  });
}

Counters::~Counters() {
  {
    std::lock_guard lock(flush_mu_);
    stop_ = true;
  }
  cv_.notify_all();
  flusher_.join();
  Flush();
  RefreshSearch();
}

bool Counters::IsCrawler(std::string_view ua) {
  std::string lower(ua);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* marker : {"bot", "spider", "crawl", "slurp", "bingpreview", "facebookexternal",
                             "headlesschrome-crawler", "python-requests", "scrapy"}) {
    if (lower.find(marker) != std::string::npos) return true;
  }
  return false;
}

bool Counters::Click(int64_t resource_id, const std::string& visitor, const std::string& ua) {
  if (IsCrawler(ua) || visitor.empty()) return false;
  int64_t now = ctx_.clock->NowMs();
  std::lock_guard lock(mu_);
  auto& last = last_click_[{resource_id, visitor}];
  if (last != 0 && now - last < kClickWindowMs) return false;
  last = now;
  ++pending_clicks_[resource_id];
  if (last_click_.size() > 200000) last_click_.clear();  // bounded memory; worst case a recount
  return true;
}

bool Counters::Played(int64_t resource_id, const std::string& visitor, const std::string& ua,
                      int seconds) {
  if (IsCrawler(ua) || visitor.empty() || seconds <= 0) return false;
  std::lock_guard lock(mu_);
  int& total = played_[{resource_id, visitor}];
  bool before = total >= kLearnerSeconds;
  total = std::min(total + std::min(seconds, 60), 1 << 20);
  if (!before && total >= kLearnerSeconds) {
    pending_learners_.insert({resource_id, visitor});
    return true;
  }
  return false;
}

void Counters::Flush() {
  std::map<int64_t, int64_t> clicks;
  std::set<std::pair<int64_t, std::string>> learners;
  {
    std::lock_guard lock(mu_);
    clicks.swap(pending_clicks_);
    learners.swap(pending_learners_);
  }
  if (clicks.empty() && learners.empty()) return;
  std::set<int64_t> touched;
  auto st = ctx_.db->Transaction([&](storage::SqlExecutor& tx) -> Status {
    for (const auto& [id, n] : clicks) {
      LEP_RETURN_IF_ERROR(tx.Exec("UPDATE resources SET clicks = clicks + ? WHERE id = ?", {n, id}));
      touched.insert(id);
    }
    for (const auto& [id, visitor] : learners) {
      // Once per visitor and resource, across restarts.
      LEP_ASSIGN_OR_RETURN(auto res, tx.Exec("INSERT INTO learner_visits (resource_id, visitor) "
                                             "VALUES (?, ?) ON CONFLICT DO NOTHING",
                                             {id, visitor}));
      if (res.affected > 0) {
        LEP_RETURN_IF_ERROR(tx.Exec("UPDATE resources SET learners = learners + 1 WHERE id = ?", {id}));
        LEP_RETURN_IF_ERROR(tx.Exec(
            "INSERT INTO usage_daily (resource_id, day, clicks, learners) VALUES (?, ?, 0, 1) "
            "ON CONFLICT (resource_id, day) DO UPDATE SET learners = usage_daily.learners + 1",
            {id, (ctx_.clock->NowMs() + 8 * 3600 * 1000) / 86400000}));
        touched.insert(id);
      }
    }
    int64_t day = (ctx_.clock->NowMs() + 8 * 3600 * 1000) / 86400000;  // Beijing calendar day
    for (const auto& [id, n] : clicks) {
      LEP_RETURN_IF_ERROR(tx.Exec("INSERT INTO usage_daily (resource_id, day, clicks, learners) "
                                  "VALUES (?, ?, ?, 0) ON CONFLICT (resource_id, day) DO UPDATE SET "
                                  "clicks = usage_daily.clicks + excluded.clicks",
                                  {id, day, n}));
    }
    return Ok();
  });
  if (!st) {
    // Put the counts back so they are not lost; the next flush retries.
    std::lock_guard lock(mu_);
    for (const auto& [id, n] : clicks) pending_clicks_[id] += n;
    for (const auto& l : learners) pending_learners_.insert(l);
    return;
  }
  // Re-indexing each clicked resource at every flush would swamp the index (one Xapian commit
  // per document); counts in the index are refreshed in bulk by the maintenance tick instead.
  std::lock_guard lock(mu_);
  dirty_.insert(touched.begin(), touched.end());
}

void Counters::RefreshSearch() {
  std::set<int64_t> ids;
  {
    std::lock_guard lock(mu_);
    ids.swap(dirty_);
  }
  if (!ids.empty()) SyncSearchMany(ctx_, ids);
}

}  // namespace lep::app
