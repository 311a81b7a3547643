#include "security/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace lep::security {

RateLimiter::RateLimiter(const Clock& clock, RateLimiterOptions opt) : clock_(clock), opt_(opt) {
  if (opt_.capacity < 1) opt_.capacity = 1;
  if (!(opt_.refill_per_s > 0)) opt_.refill_per_s = 1e-9;
  if (opt_.max_keys < 1) opt_.max_keys = 1;
}

void RateLimiter::EvictIdle(int64_t now_ms) {
  // A bucket untouched for capacity/rate seconds is full, i.e. the same as no bucket.
  const double full_after_ms = opt_.capacity / opt_.refill_per_s * 1000.0;
  while (!lru_.empty() && static_cast<double>(now_ms - lru_.back().last_ms) >= full_after_ms) {
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
}

RateDecision RateLimiter::Take(std::string_view key) {
  const int64_t now_ms = clock_.NowMs();
  std::lock_guard lock(mu_);
  EvictIdle(now_ms);
  auto it = index_.find(key);
  if (it == index_.end()) {
    if (lru_.size() >= opt_.max_keys) {
      index_.erase(lru_.back().key);
      lru_.pop_back();
    }
    lru_.push_front(Bucket{std::string(key), opt_.capacity, now_ms});
    it = index_.emplace(lru_.front().key, lru_.begin()).first;
  } else {
    lru_.splice(lru_.begin(), lru_, it->second);
  }
  Bucket& b = *it->second;
  // A clock that steps backwards adds nothing rather than removing tokens.
  const int64_t elapsed_ms = std::max<int64_t>(0, now_ms - b.last_ms);
  b.tokens = std::min(opt_.capacity,
                      b.tokens + static_cast<double>(elapsed_ms) / 1000.0 * opt_.refill_per_s);
  b.last_ms = std::max(b.last_ms, now_ms);
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return {true, 0};
  }
  const double wait_s = (1.0 - b.tokens) / opt_.refill_per_s;
  return {false, std::max(1, static_cast<int>(std::ceil(std::min(wait_s, 1e9))))};
}

Status RateLimiter::TakeOrFail(std::string_view key) {
  RateDecision d = Take(key);
  if (d.allowed) return Ok();
  return Fail(Error::TooManyRequests(
      "操作过于频繁，请 " + std::to_string(d.retry_after_s) + " 秒后再试", d.retry_after_s));
}

void RateLimiter::Reset(std::string_view key) {
  std::lock_guard lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) return;
  auto node = it->second;
  index_.erase(it);
  lru_.erase(node);
}

size_t RateLimiter::KeyCount() const {
  std::lock_guard lock(mu_);
  return lru_.size();
}

}  // namespace lep::security
