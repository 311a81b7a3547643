#include "app/portal.h"

#include <cstdio>
#include <cstdlib>
#include <random>

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

namespace {

// Upserts a published resource or removes anything else; the caller commits.
Status StageDoc(AppContext& ctx, int64_t id) {
  LEP_ASSIGN_OR_RETURN(
      auto row, ctx.db->QueryOne("SELECT state, published_at FROM resources WHERE id = ?", {id}));
  if (row && row->Text(0) == "published") {
    LEP_ASSIGN_OR_RETURN(auto r, ctx.resource_repo->Get(resources::ResourceId{id}));
    if (r) return ctx.search->Upsert(DocOf(ctx, *r, row->Int(1)));
  }
  return ctx.search->Remove(id);
}

constexpr const char* kOutboxMark = "outbox_seq";
constexpr const char* kPrunedKey = "search.outbox_pruned_seq";
constexpr const char* kRebuildKey = "search.rebuild_request";

Result<std::string> RebuildToken(AppContext& ctx) {
  LEP_ASSIGN_OR_RETURN(auto row, ctx.db->QueryOne("SELECT value FROM settings WHERE key = ?",
                                                  {std::string(kRebuildKey)}));
  return row ? row->Text(0) : std::string();
}

std::string DbNowSql(storage::Dialect d) {
  return d == storage::Dialect::kSqlite
             ? "SELECT CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
             : "SELECT CAST(EXTRACT(EPOCH FROM now()) * 1000 AS BIGINT)";
}

Result<int64_t> PrunedSeq(AppContext& ctx) {
  LEP_ASSIGN_OR_RETURN(auto row, ctx.db->QueryOne("SELECT value FROM settings WHERE key = ?",
                                                  {std::string(kPrunedKey)}));
  if (!row) return int64_t{0};
  return std::strtoll(row->Text(0).c_str(), nullptr, 10);
}

// The feed position a rebuild starting now certainly reflects: every row older than the
// settle time (by the database's clock), and whatever was pruned.
Result<int64_t> SettledSeq(AppContext& ctx) {
  LEP_ASSIGN_OR_RETURN(auto now, ctx.db->QueryOne(DbNowSql(ctx.db->dialect())));
  LEP_ASSIGN_OR_RETURN(
      auto row, ctx.db->QueryOne("SELECT COALESCE(MAX(seq), 0) FROM portal_outbox WHERE at < ?",
                                 {now->Int(0) - SearchFeed::kSettleMs}));
  LEP_ASSIGN_OR_RETURN(int64_t pruned, PrunedSeq(ctx));
  return std::max(row->Int(0), pruned);
}

}  // namespace

void SyncSearchMany(AppContext& ctx, const std::set<int64_t>& ids) {
  if (!ctx.search) return;
  for (int64_t id : ids) (void)StageDoc(ctx, id);
  (void)ctx.search->Commit();  // one commit for the whole batch
}

void SyncSearch(AppContext& ctx, int64_t resource_id) { SyncSearchMany(ctx, {resource_id}); }

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
  LEP_ASSIGN_OR_RETURN(int64_t mark, SettledSeq(ctx));  // before reading: changes after it re-apply
  LEP_ASSIGN_OR_RETURN(std::string token, RebuildToken(ctx));
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
  LEP_RETURN_IF_ERROR(ctx.search->SetMeta(kOutboxMark, std::to_string(mark)));
  LEP_RETURN_IF_ERROR(ctx.search->SetMeta(kSearchRebuildMeta, token));
  LEP_RETURN_IF_ERROR(ctx.search->Commit());
  return n;
}

Result<std::string> RequestSearchRebuild(AppContext& ctx) {
  // Unique, so that every request is honoured even with a stopped (test) clock.
  std::string token =
      std::to_string(ctx.clock->NowMs()) + "-" + std::to_string(std::random_device{}());
  LEP_RETURN_IF_ERROR(ctx.db->Exec(
      "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) "
      "DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
      {std::string(kRebuildKey), token, ctx.clock->NowMs()}));
  return token;
}

Result<int64_t> SearchFeed::ApplyOnce() {
  if (!ctx_.search) return Fail(Error::Internal("搜索索引未打开"));
  std::lock_guard lock(apply_mu_);
  LEP_ASSIGN_OR_RETURN(std::string mark_text, ctx_.search->GetMeta(kOutboxMark));
  LEP_ASSIGN_OR_RETURN(int64_t pruned, PrunedSeq(ctx_));
  int64_t mark = std::strtoll(mark_text.c_str(), nullptr, 10);
  LEP_ASSIGN_OR_RETURN(auto backlog, ctx_.db->QueryOne("SELECT COUNT(*) FROM portal_outbox "
                                                       "WHERE seq > ?",
                                                       {mark}));
  LEP_ASSIGN_OR_RETURN(std::string wanted, RebuildToken(ctx_));
  LEP_ASSIGN_OR_RETURN(std::string honoured, ctx_.search->GetMeta(kSearchRebuildMeta));
  if (mark_text.empty() || mark < pruned || backlog->Int(0) > 50'000 || wanted != honoured) {
    // A fresh index, one that fell too far behind, or a rebuild was asked for (`lep
    // reindex`): rebuilding is cheaper and certain.
    seen_.clear();
    return Reindex(ctx_);
  }
  LEP_ASSIGN_OR_RETURN(auto rows, ctx_.db->Exec("SELECT seq, resource_id FROM portal_outbox "
                                                "WHERE seq > ? ORDER BY seq",
                                                {mark}));
  int64_t now = ctx_.clock->NowMs();
  std::set<int64_t> ids;
  for (const auto& r : rows.rows) {
    if (seen_.emplace(r.Int(0), now).second) ids.insert(r.Int(1));
  }
  // The mark moves over the prefix of rows seen long enough that nothing below them can
  // still be in flight.
  int64_t next = mark;
  for (const auto& r : rows.rows) {
    auto it = seen_.find(r.Int(0));
    if (now - it->second < kSettleMs) break;
    next = it->first;
  }
  seen_.erase(seen_.begin(), seen_.upper_bound(next));
  if (ids.empty() && next == mark) return int64_t{0};
  for (int64_t id : ids) LEP_RETURN_IF_ERROR(StageDoc(ctx_, id));
  LEP_RETURN_IF_ERROR(ctx_.search->SetMeta(kOutboxMark, std::to_string(next)));
  LEP_RETURN_IF_ERROR(ctx_.search->Commit());
  return static_cast<int64_t>(ids.size());
}

void SearchFeed::Prune() {
  auto now = ctx_.db->QueryOne(DbNowSql(ctx_.db->dialect()));
  if (!now || !*now) return;
  auto st = ctx_.db->Transaction([&](storage::SqlExecutor& tx) -> Status {
    LEP_ASSIGN_OR_RETURN(auto row, tx.QueryOne("SELECT MAX(seq) FROM portal_outbox WHERE at < ?",
                                               {(*now)->Int(0) - kKeepMs}));
    if (!row || row->IsNull(0)) return Ok();
    int64_t upto = row->Int(0);
    LEP_RETURN_IF_ERROR(tx.Exec("DELETE FROM portal_outbox WHERE seq <= ?", {upto}));
    // Servers whose mark is below this rebuild their index instead of missing rows.
    return tx
        .Exec(
            "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) "
            "DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            {std::string(kPrunedKey), std::to_string(upto), ctx_.clock->NowMs()})
        .map([](auto&&) {});
  });
  if (!st) std::fprintf(stderr, "清理搜索变更记录失败：%s\n", st.error().message.c_str());
}

void SearchFeed::Start(std::chrono::seconds every) {
  thread_ = std::thread([this, every] {
    std::unique_lock lock(mu_);
    while (!stop_) {
      cv_.wait_for(lock, every);
      if (stop_) break;
      lock.unlock();
      if (auto n = ApplyOnce(); !n) {
        std::fprintf(stderr, "搜索索引同步失败：%s\n", n.error().message.c_str());
      }
      lock.lock();
    }
  });
}

void SearchFeed::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
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
      ReloadSensitiveWordsIfChanged(ctx_);  // a list changed through another server
      if (tick % 12 == 0) RefreshSearch();  // click/learner counts for sorting, every minute
      if (tick % 120 == 0) {
        ctx_.uploads->SweepExpired();
        (void)ctx_.db->Exec("DELETE FROM click_dedup WHERE counted_at < ?",
                            {ctx_.clock->NowMs() - kClickWindowMs});
        if (ctx_.search_feed) ctx_.search_feed->Prune();
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
  pending_clicks_.push_back({resource_id, visitor, now});
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
  std::vector<PendingClick> candidates;
  std::set<std::pair<int64_t, std::string>> learners;
  {
    std::lock_guard lock(mu_);
    candidates.swap(pending_clicks_);
    learners.swap(pending_learners_);
  }
  if (candidates.empty() && learners.empty()) return;
  std::set<int64_t> touched;
  std::map<int64_t, int64_t> clicks;
  auto st = ctx_.db->Transaction([&](storage::SqlExecutor& tx) -> Status {
    clicks.clear();
    for (const auto& c : candidates) {
      // Counted only when no server counted this visitor for this resource in the window.
      LEP_ASSIGN_OR_RETURN(
          auto res, tx.Exec("INSERT INTO click_dedup (resource_id, visitor, counted_at) VALUES "
                            "(?, ?, ?) ON CONFLICT (resource_id, visitor) DO UPDATE SET "
                            "counted_at = excluded.counted_at WHERE click_dedup.counted_at <= ?",
                            {c.resource_id, c.visitor, c.at, c.at - kClickWindowMs}));
      if (res.affected > 0) ++clicks[c.resource_id];
    }
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
    pending_clicks_.insert(pending_clicks_.end(), candidates.begin(), candidates.end());
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
