#include "security/rate_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace lep::security {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(RateLimiter, BurstThenRefusesWithRetryAfter) {
  FakeClock clock;
  RateLimiter rl(clock, {.capacity = 5, .refill_per_s = 5.0 / 300});  // 5 per 5 minutes
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(rl.Take("ip:1.2.3.4").allowed) << i;
  auto d = rl.Take("ip:1.2.3.4");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_s, 60);
  // Other keys are independent.
  EXPECT_TRUE(rl.Take("ip:5.6.7.8").allowed);
  clock.Advance(seconds(59));
  EXPECT_FALSE(rl.Take("ip:1.2.3.4").allowed);
  clock.Advance(seconds(1));
  EXPECT_TRUE(rl.Take("ip:1.2.3.4").allowed);
  EXPECT_FALSE(rl.Take("ip:1.2.3.4").allowed);
}

TEST(RateLimiter, TakeOrFailCarriesRetryAfter) {
  FakeClock clock;
  RateLimiter rl(clock, {.capacity = 1, .refill_per_s = 0.5});
  EXPECT_TRUE(rl.TakeOrFail("acct:zhang"));
  auto st = rl.TakeOrFail("acct:zhang");
  ASSERT_FALSE(st);
  EXPECT_TRUE(st.error().Is(ErrorCode::kTooManyRequests));
  EXPECT_EQ(st.error().retry_after_s, 2);
}

TEST(RateLimiter, RefillIsCappedAtCapacity) {
  FakeClock clock;
  RateLimiter rl(clock, {.capacity = 3, .refill_per_s = 1});
  rl.Take("k");
  clock.Advance(seconds(3600));
  int allowed = 0;
  for (int i = 0; i < 10; ++i) allowed += rl.Take("k").allowed;
  EXPECT_EQ(allowed, 3);
}

TEST(RateLimiter, ClockSteppingBackDoesNotGrantOrBreak) {
  FakeClock clock;
  RateLimiter rl(clock, {.capacity = 1, .refill_per_s = 1});
  EXPECT_TRUE(rl.Take("k").allowed);
  clock.Advance(milliseconds(-10'000));
  EXPECT_FALSE(rl.Take("k").allowed);
}

TEST(RateLimiter, IdleKeysAreEvicted) {
  FakeClock clock;
  RateLimiter rl(clock, {.capacity = 2, .refill_per_s = 1});  // full again after 2 s
  for (int i = 0; i < 100; ++i) rl.Take("ip" + std::to_string(i));
  EXPECT_EQ(rl.KeyCount(), 100u);
  clock.Advance(seconds(2));
  rl.Take("new");
  EXPECT_EQ(rl.KeyCount(), 1u);
}

TEST(RateLimiter, MemoryIsBoundedByMaxKeysEvictingLeastRecentlyUsed) {
  FakeClock clock;
  RateLimiter rl(clock, {.capacity = 1, .refill_per_s = 0.001, .max_keys = 10});
  EXPECT_TRUE(rl.Take("victim").allowed);
  for (int i = 0; i < 9; ++i) rl.Take("k" + std::to_string(i));
  EXPECT_FALSE(rl.Take("victim").allowed);  // touched: now most recently used
  for (int i = 0; i < 1000; ++i) rl.Take("flood" + std::to_string(i));
  EXPECT_EQ(rl.KeyCount(), 10u);
}

TEST(RateLimiter, ResetForgetsKey) {
  FakeClock clock;
  RateLimiter rl(clock, {.capacity = 1, .refill_per_s = 0.001});
  EXPECT_TRUE(rl.Take("k").allowed);
  EXPECT_FALSE(rl.Take("k").allowed);
  rl.Reset("k");
  EXPECT_TRUE(rl.Take("k").allowed);
}

TEST(RateLimiter, ConcurrentTakesNeverExceedCapacity) {
  FakeClock clock;
  RateLimiter rl(clock, {.capacity = 100, .refill_per_s = 0.001, .max_keys = 1000});
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        allowed += rl.Take("shared").allowed;
        rl.Take("t" + std::to_string(t) + "-" + std::to_string(i % 20));
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(allowed.load(), 100);
  EXPECT_EQ(rl.KeyCount(), 81u);
}

}  // namespace
}  // namespace lep::security
