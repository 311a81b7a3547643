#include "portal/counters.h"

#include <algorithm>
#include <cctype>

namespace lep::portal {

int64_t BeijingDay(int64_t unix_ms) { return (unix_ms + 8 * 3600 * 1000) / 86'400'000; }

Counters::Counters(storage::Transactor& db, UsageRepository& usage,
                   resources::ResourceRepository& repo, const Clock& clock,
                   std::function<void(const std::set<int64_t>&)> on_changed)
    : db_(db), usage_(usage), repo_(repo), clock_(clock), on_changed_(std::move(on_changed)) {}

Counters::~Counters() {
  Stop();
  Flush();
  ReportChanged();
}

void Counters::Start() {
  flusher_ = std::thread([this] {
    std::unique_lock lock(flush_mu_);
    for (int tick = 1; !stop_; ++tick) {
      cv_.wait_for(lock, std::chrono::seconds(5));
      if (stop_) break;
      lock.unlock();
      Flush();
      if (tick % 12 == 0) ReportChanged();  // counts for sorting in the index, every minute
      if (tick % 120 == 0) (void)usage_.PruneClicks(clock_.NowMs() - kClickWindowMs);
      lock.lock();
    }
  });
}

void Counters::Stop() {
  {
    std::lock_guard lock(flush_mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (flusher_.joinable()) flusher_.join();
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

Counters::Play& Counters::PlayOf(int64_t resource_id, const std::string& visitor, int64_t now) {
  if (played_.size() > 200000) played_.clear();  // bounded memory; worst case a later learner
  return played_.try_emplace({resource_id, visitor}, Play{now, 0, false}).first->second;
}

bool Counters::BecameLearner(int64_t resource_id, const std::string& visitor) {
  pending_learners_.insert({resource_id, visitor});
  return true;
}

bool Counters::Click(int64_t resource_id, const std::string& visitor, std::string_view ua) {
  if (IsCrawler(ua) || visitor.empty()) return false;
  int64_t now = clock_.NowMs();
  std::lock_guard lock(mu_);
  PlayOf(resource_id, visitor, now);  // the view starts the clock of the visitor's play time
  auto& last = last_click_[{resource_id, visitor}];
  if (last != 0 && now - last < kClickWindowMs) return false;
  last = now;
  pending_clicks_.push_back({resource_id, visitor, now});
  if (last_click_.size() > 200000) last_click_.clear();  // bounded memory; worst case a recount
  return true;
}

bool Counters::Played(int64_t resource_id, const std::string& visitor, std::string_view ua,
                      int seconds, int64_t duration_s) {
  if (IsCrawler(ua) || visitor.empty() || seconds <= 0) return false;
  int64_t now = clock_.NowMs();
  std::lock_guard lock(mu_);
  Play& p = PlayOf(resource_id, visitor, now);
  if (p.learner) return false;
  // What the client claims, bounded by what the server saw: the real time since the first
  // view or heartbeat here, and the length of the media.
  double credited = p.credited + std::min(seconds, 60);
  credited = std::min(credited, std::max(0.0, static_cast<double>(now - p.first_seen) / 1000.0));
  if (duration_s > 0) credited = std::min(credited, static_cast<double>(duration_s));
  p.credited = std::max(p.credited, credited);
  const double needed = duration_s > 0 && duration_s < kLearnerSeconds
                            ? 0.9 * static_cast<double>(duration_s)
                            : static_cast<double>(kLearnerSeconds);
  if (p.credited + 1e-9 < needed) return false;
  p.learner = true;
  return BecameLearner(resource_id, visitor);
}

bool Counters::OpenedLink(int64_t resource_id, const std::string& visitor, std::string_view ua) {
  if (IsCrawler(ua) || visitor.empty()) return false;
  std::lock_guard lock(mu_);
  Play& p = PlayOf(resource_id, visitor, clock_.NowMs());
  if (p.learner) return false;
  p.learner = true;
  return BecameLearner(resource_id, visitor);
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
  int64_t day = BeijingDay(clock_.NowMs());
  std::map<int64_t, resources::UsageDelta> deltas;
  auto st = db_.Transaction([&](storage::SqlExecutor& tx) -> Status {
    deltas.clear();
    for (const auto& c : candidates) {
      LEP_ASSIGN_OR_RETURN(bool counted,
                           usage_.ClaimClick(tx, c.resource_id, c.visitor, c.at, kClickWindowMs));
      if (counted) ++deltas[c.resource_id].clicks;
    }
    for (const auto& [id, visitor] : learners) {
      // Once per visitor and resource, across restarts.
      LEP_ASSIGN_OR_RETURN(bool added, usage_.AddLearner(tx, id, visitor));
      if (added) ++deltas[id].learners;
    }
    std::vector<resources::UsageDelta> list;
    for (auto& [id, d] : deltas) {
      d.id = resources::ResourceId{id};
      LEP_RETURN_IF_ERROR(usage_.AddDaily(tx, id, day, d.clicks, d.learners));
      list.push_back(d);
    }
    return repo_.AddUsage(tx, list);
  });
  std::lock_guard lock(mu_);
  if (!st) {
    // Put the counts back so they are not lost; the next flush retries.
    pending_clicks_.insert(pending_clicks_.end(), candidates.begin(), candidates.end());
    for (const auto& l : learners) pending_learners_.insert(l);
    return;
  }
  // Re-indexing each clicked resource at every flush would swamp the index (one commit per
  // flush); counts in the index are refreshed in bulk once a minute instead.
  for (const auto& [id, d] : deltas) changed_.insert(id);
}

void Counters::ReportChanged() {
  std::set<int64_t> ids;
  {
    std::lock_guard lock(mu_);
    ids.swap(changed_);
  }
  if (!ids.empty() && on_changed_) on_changed_(ids);
}

}  // namespace lep::portal
