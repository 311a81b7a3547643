#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <thread>

#include "core/clock.h"
#include "core/concurrency_limiter.h"
#include "core/config.h"
#include "core/result.h"
#include "core/text.h"

namespace lep {
namespace {

Result<int> Half(int x) {
  if (x % 2) return Fail(Error::InvalidArgument("奇数"));
  return x / 2;
}

Result<int> Quarter(int x) {
  LEP_ASSIGN_OR_RETURN(int h, Half(x));
  return Half(h);
}

TEST(Result, PropagatesErrors) {
  EXPECT_EQ(*Quarter(8), 2);
  auto r = Quarter(6);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(ErrorCodeName(r.error().code), "invalid_argument");
}

TEST(Text, Utf8Validation) {
  EXPECT_TRUE(text::IsValidUtf8("终身教育"));
  EXPECT_FALSE(text::IsValidUtf8("\xE7\xBB"));      // truncated
  EXPECT_FALSE(text::IsValidUtf8("\xC0\xAF"));      // overlong '/'
  EXPECT_FALSE(text::IsValidUtf8("\xED\xA0\x80"));  // surrogate
  EXPECT_EQ(text::CodePointCount("太极拳abc"), 6u);
}

TEST(Text, TrimsIdeographicSpace) {
  EXPECT_EQ(text::Trim("\xE3\x80\x80 国家开放大学 \t"), "国家开放大学");
  EXPECT_EQ(text::Trim("   "), "");
}

TEST(Text, FormatsShanghaiTime) {
  // 2022-05-15 00:00 UTC is 08:00 in Beijing.
  EXPECT_EQ(text::FormatShanghai(1652572800000), "2022-05-15 08:00");
}

TEST(Clock, FakeClockMovesOnlyWhenTold) {
  FakeClock c(1000);
  EXPECT_EQ(c.NowMs(), 1000);
  c.Advance(std::chrono::minutes(1));
  EXPECT_EQ(c.NowMs(), 61000);
}

TEST(Config, ParsesListen) {
  auto a = ParseListen("127.0.0.1:8080");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->first, "127.0.0.1");
  EXPECT_EQ(a->second, 8080);
  auto b = ParseListen("[::1]:0");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->first, "::1");
  EXPECT_FALSE(ParseListen("localhost"));
  EXPECT_FALSE(ParseListen("127.0.0.1:99999"));
  EXPECT_FALSE(ParseListen("127.0.0.1:80x"));
}

TEST(Text, PercentEncodeKeepsOnlyUnreservedBytes) {
  EXPECT_EQ(text::PercentEncode("a-Z_0.9"), "a-Z_0.9");
  EXPECT_EQ(text::PercentEncode("目录 1.xlsx"), "%E7%9B%AE%E5%BD%95%201.xlsx");
  EXPECT_EQ(text::PercentEncode("a/b?c\"'"), "a%2Fb%3Fc%22%27");
}

// Issue 16 item 8: the PostgreSQL pool size is configurable; by default it covers every thread
// that may hold a connection at once.
TEST(Config, DatabasePoolSizeFromFileOrThreads) {
  Config cfg;
  cfg.worker_threads = 8;
  cfg.job_threads = 2;
  EXPECT_EQ(cfg.DatabasePoolSize(), 14);
  const std::string path =
      (std::filesystem::temp_directory_path() / ("lep-pool-" + std::to_string(::getpid()) + ".toml"))
          .string();
  std::ofstream(path) << "[database]\npool_size = 24\n";
  ASSERT_TRUE(LoadConfigFile(path, cfg));
  std::filesystem::remove(path);
  EXPECT_EQ(cfg.DatabasePoolSize(), 24);
}

}  // namespace
}  // namespace lep

#include "core/date.h"

namespace lep {
namespace {

TEST(Date, ParsesOnlyRealDays) {
  EXPECT_EQ(ParseIsoDate("2022-03-23"), (Date{2022, 3, 23}));
  EXPECT_TRUE(ParseIsoDate("2020-02-29"));
  EXPECT_FALSE(ParseIsoDate("2022-02-29"));
  EXPECT_FALSE(ParseIsoDate("1900-02-29"));
  EXPECT_TRUE(ParseIsoDate("2000-02-29"));
  EXPECT_FALSE(ParseIsoDate("2022-13-01"));
  EXPECT_FALSE(ParseIsoDate("2022-04-31"));
  EXPECT_FALSE(ParseIsoDate("2022/03/23"));
  EXPECT_FALSE(ParseIsoDate("2022-3-23"));
  EXPECT_FALSE(ParseIsoDate("２０２２-03-23"));
}

TEST(Date, TodayIsInShanghai) {
  // 2022-05-14 16:30 UTC is already 2022-05-15 00:30 in Beijing.
  FakeClock c(1652545800000);
  EXPECT_EQ(ShanghaiToday(c), (Date{2022, 5, 15}));
  EXPECT_EQ(ShanghaiMidnightMs(Date{2022, 5, 15}), 1652544000000);
  EXPECT_EQ(DateFromUnixMs(0, 0), (Date{1970, 1, 1}));
}

TEST(ConcurrencyLimiter, CapacityQueueAndRefusal) {
  ConcurrencyLimiter limiter(
      "测试", {.capacity = 1, .max_waiting = 1, .max_wait = std::chrono::milliseconds(50)});
  auto first = limiter.Acquire();
  ASSERT_TRUE(first);
  EXPECT_EQ(limiter.running(), 1);
  auto busy = limiter.Acquire();  // waits 50 ms, then refused
  ASSERT_FALSE(busy);
  EXPECT_TRUE(busy.error().Is(ErrorCode::kUnavailable));
  EXPECT_EQ(busy.error().retry_after_s, 1);
  EXPECT_NE(busy.error().message.find("测试"), std::string::npos);
  // A waiter gets the slot as soon as the holder lets go.
  limiter.SetLimits({.capacity = 1, .max_waiting = 1, .max_wait = std::chrono::seconds(30)});
  std::thread holder([p = std::move(*first)]() mutable {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    p = ConcurrencyLimiter::Permit();
  });
  auto second = limiter.Acquire();
  EXPECT_TRUE(second);
  holder.join();
  // No queue place: refused without waiting.
  limiter.SetLimits({.capacity = 1, .max_waiting = 0, .max_wait = std::chrono::seconds(30)});
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(limiter.Acquire());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  second = tl::unexpected<Error>(Error::Internal());  // releases the slot
  EXPECT_EQ(limiter.running(), 0);
}

}  // namespace
}  // namespace lep
