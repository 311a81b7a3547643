#include "portal/search_feed.h"

#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "resources/metadata.h"

namespace lep::portal {
namespace {

constexpr const char* kOutboxMark = "outbox_seq";
constexpr const char* kDocFormatMeta = "doc_format";
constexpr int kPage = 1000;

}  // namespace

search::SearchDoc DocOf(const resources::PublishedResource& p, const CardRenderer& card) {
  const resources::Resource& r = p.resource;
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
  d.published_at = r.workflow.published_at;
  d.duration_s = std::max<int64_t>(0, resources::ParseDuration(r.meta.duration));
  d.unit_name = p.unit_name;
  d.province = p.unit_region;
  if (card) d.payload = card(p);
  return d;
}

Status SearchFeed::Stage(const std::set<int64_t>& ids) {
  std::vector<resources::ResourceId> list;
  for (int64_t id : ids) list.push_back(resources::ResourceId{id});
  LEP_ASSIGN_OR_RETURN(auto published, resources_.GetPublished(list));
  std::set<int64_t> gone = ids;
  std::vector<search::SearchDoc> docs;
  docs.reserve(published.size());
  for (const auto& p : published) {
    gone.erase(p.resource.id.value);
    docs.push_back(DocOf(p, card_));
  }
  LEP_RETURN_IF_ERROR(index_.UpsertMany(docs));
  for (int64_t id : gone) LEP_RETURN_IF_ERROR(index_.Remove(id));
  return Ok();
}

Status SearchFeed::Sync(const std::set<int64_t>& ids) {
  if (ids.empty()) return Ok();
  std::lock_guard lock(apply_mu_);
  LEP_RETURN_IF_ERROR(Stage(ids));
  LEP_RETURN_IF_ERROR(index_.Commit());  // one commit for the whole batch
  if (on_change_) on_change_(ids, false);
  return Ok();
}

Result<int64_t> SearchFeed::Reindex() {
  std::lock_guard lock(apply_mu_);
  seen_.clear();
  return ReindexLocked();
}

Result<int64_t> SearchFeed::ReindexLocked() {
  // The feed position this rebuild certainly reflects, taken before reading: every row older
  // than the settle time (by the database's clock) and whatever was pruned. Changes after it
  // are applied again.
  LEP_ASSIGN_OR_RETURN(int64_t now, feed_.DatabaseNowMs());
  LEP_ASSIGN_OR_RETURN(int64_t settled, feed_.MaxSeqBefore(now - kSettleMs));
  LEP_ASSIGN_OR_RETURN(int64_t pruned, feed_.PrunedSeq());
  const int64_t mark = std::max(settled, pruned);
  LEP_ASSIGN_OR_RETURN(std::string token, feed_.RebuildToken());
  std::set<int64_t> published;
  resources::ResourceId after{0};
  while (true) {
    LEP_ASSIGN_OR_RETURN(auto page, resources_.ListPublishedAfter(after, kPage));
    std::vector<search::SearchDoc> docs;
    docs.reserve(page.size());
    for (const auto& p : page) {
      docs.push_back(DocOf(p, card_));
      published.insert(p.resource.id.value);
    }
    LEP_RETURN_IF_ERROR(index_.UpsertMany(docs));
    if (static_cast<int>(page.size()) < kPage) break;
    after = page.back().resource.id;
  }
  // Whatever else the index holds is no longer public.
  LEP_ASSIGN_OR_RETURN(auto indexed, index_.Ids());
  for (int64_t id : indexed) {
    if (!published.count(id)) LEP_RETURN_IF_ERROR(index_.Remove(id));
  }
  LEP_RETURN_IF_ERROR(index_.SetMeta(kOutboxMark, std::to_string(mark)));
  LEP_RETURN_IF_ERROR(index_.SetMeta(kSearchRebuildMeta, token));
  LEP_RETURN_IF_ERROR(index_.SetMeta(kDocFormatMeta, kDocFormat));
  LEP_RETURN_IF_ERROR(index_.Commit());
  if (on_change_) on_change_({}, true);
  return static_cast<int64_t>(published.size());
}

Result<std::string> SearchFeed::RequestRebuild(FeedRepository& feed, const Clock& clock) {
  // Unique, so that every request is honoured even with a stopped (test) clock.
  std::string token = std::to_string(clock.NowMs()) + "-" + std::to_string(std::random_device{}());
  LEP_RETURN_IF_ERROR(feed.RequestRebuild(token, clock.NowMs()));
  return token;
}

Result<int64_t> SearchFeed::ApplyOnce() {
  std::lock_guard lock(apply_mu_);
  LEP_ASSIGN_OR_RETURN(std::string mark_text, index_.GetMeta(kOutboxMark));
  LEP_ASSIGN_OR_RETURN(int64_t pruned, feed_.PrunedSeq());
  int64_t mark = std::strtoll(mark_text.c_str(), nullptr, 10);
  LEP_ASSIGN_OR_RETURN(int64_t backlog, feed_.CountAfter(mark));
  LEP_ASSIGN_OR_RETURN(std::string wanted, feed_.RebuildToken());
  LEP_ASSIGN_OR_RETURN(std::string honoured, index_.GetMeta(kSearchRebuildMeta));
  LEP_ASSIGN_OR_RETURN(std::string format, index_.GetMeta(kDocFormatMeta));
  if (mark_text.empty() || mark < pruned || backlog > kRebuildBacklog || wanted != honoured ||
      format != kDocFormat) {
    // A fresh index, one that fell too far behind, or a rebuild was asked for (`lep
    // reindex`): rebuilding is cheaper and certain.
    seen_.clear();
    return ReindexLocked();
  }
  LEP_ASSIGN_OR_RETURN(auto rows, feed_.RowsAfter(mark));
  int64_t now = clock_.NowMs();
  std::set<int64_t> ids;
  for (const auto& r : rows) {
    if (seen_.emplace(r.seq, now).second) ids.insert(r.resource_id);
  }
  // The mark moves over the prefix of rows seen long enough that nothing below them can
  // still be in flight.
  int64_t next = mark;
  for (const auto& r : rows) {
    auto it = seen_.find(r.seq);
    if (now - it->second < kSettleMs) break;
    next = it->first;
  }
  seen_.erase(seen_.begin(), seen_.upper_bound(next));
  if (ids.empty() && next == mark) return int64_t{0};
  LEP_RETURN_IF_ERROR(Stage(ids));
  LEP_RETURN_IF_ERROR(index_.SetMeta(kOutboxMark, std::to_string(next)));
  LEP_RETURN_IF_ERROR(index_.Commit());
  if (on_change_ && !ids.empty()) on_change_(ids, false);
  return static_cast<int64_t>(ids.size());
}

void SearchFeed::Prune() {
  auto now = feed_.DatabaseNowMs();
  if (!now) return;
  // Servers whose mark is below the pruned rows rebuild their index instead of missing rows.
  auto upto = feed_.Prune(*now - kKeepMs, clock_.NowMs());
  if (!upto) std::fprintf(stderr, "清理搜索变更记录失败：%s\n", upto.error().message.c_str());
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

}  // namespace lep::portal
