// RateLimiter: token buckets keyed by string (an IP, an account name), time from an injected
// lep::Clock. Memory is bounded: keys idle long enough to be full again are dropped, and past
// max_keys the least recently used key is evicted. Thread-safe (one mutex per limiter).
#pragma once

#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.h"
#include "core/result.h"

namespace lep::security {

struct RateLimiterOptions {
  double capacity = 5;              // burst size, tokens
  double refill_per_s = 5.0 / 300;  // tokens added per second
  size_t max_keys = 100'000;
};

struct RateDecision {
  bool allowed = false;
  int retry_after_s = 0;  // 0 when allowed; otherwise >= 1
};

class RateLimiter {
 public:
  RateLimiter(const Clock& clock, RateLimiterOptions opt);

  // Takes one token from key's bucket.
  RateDecision Take(std::string_view key);
  // Take() as a Status: kTooManyRequests with retry_after_s when refused.
  [[nodiscard]] Status TakeOrFail(std::string_view key);
  // Forgets a key (e.g. after a successful login, if the caller wants that).
  void Reset(std::string_view key);
  size_t KeyCount() const;

 private:
  struct Bucket {
    std::string key;
    double tokens;
    int64_t last_ms;
  };
  void EvictIdle(int64_t now_ms);

  const Clock& clock_;
  RateLimiterOptions opt_;
  mutable std::mutex mu_;
  std::list<Bucket> lru_;  // front = most recently used
  std::unordered_map<std::string_view, std::list<Bucket>::iterator> index_;  // views into lru_
};

}  // namespace lep::security
