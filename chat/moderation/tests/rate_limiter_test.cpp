// chat/moderation/tests/rate_limiter_test.cpp
//
// Token bucket, slow mode and duplicate suppression, driven by a FakeClock: no test sleeps.
#include "chat/moderation/rate_limiter.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace hub::chat::moderation {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::string codeOf(const Verdict& v) { return v ? "ok" : v.code; }

TEST(RateLimiter, AllowsBurstThenRefuses) {
  FakeClock clock;
  RateLimiter rl(clock, RateLimits{.burst = 3, .perSecond = 1});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(codeOf(rl.admit(1, "gala", "m" + std::to_string(i))), "ok");
  auto s = rl.admit(1, "gala", "m3");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.code, "chat.rate_limited");
  EXPECT_NE(s.message.find("wait 1 s"), std::string::npos) << s.message;
  EXPECT_EQ(s.retryAfter, milliseconds(1000));
  clock.advance(milliseconds(400));
  EXPECT_EQ(rl.admit(1, "gala", "m3").retryAfter, milliseconds(600));
}

TEST(RateLimiter, BucketRefillsWithTime) {
  FakeClock clock;
  RateLimiter rl(clock, RateLimits{.burst = 2, .perSecond = 2});
  EXPECT_TRUE(rl.tryTake(7));
  EXPECT_TRUE(rl.tryTake(7));
  EXPECT_FALSE(rl.tryTake(7));
  clock.advance(milliseconds(499));
  EXPECT_FALSE(rl.tryTake(7));
  clock.advance(milliseconds(1));
  EXPECT_TRUE(rl.tryTake(7));
  clock.advance(seconds(60));  // never more than the capacity
  EXPECT_TRUE(rl.tryTake(7));
  EXPECT_TRUE(rl.tryTake(7));
  EXPECT_FALSE(rl.tryTake(7));
}

TEST(RateLimiter, UsersHaveSeparateBuckets) {
  FakeClock clock;
  RateLimiter rl(clock, RateLimits{.burst = 1, .perSecond = 1});
  EXPECT_TRUE(rl.tryTake(1));
  EXPECT_FALSE(rl.tryTake(1));
  EXPECT_TRUE(rl.tryTake(2));
}

TEST(RateLimiter, SlowModeRefusesSecondMessageWithinWindow) {
  FakeClock clock;
  RateLimiter rl(clock);
  EXPECT_EQ(codeOf(rl.admit(1, "gala", "first", seconds(10))), "ok");
  clock.advance(seconds(6));
  auto s = rl.admit(1, "gala", "second", seconds(10));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.code, "chat.slow_mode");
  EXPECT_NE(s.message.find("wait 4 s"), std::string::npos) << s.message;
  EXPECT_EQ(s.retryAfter, seconds(4));
  clock.advance(seconds(4));
  EXPECT_EQ(codeOf(rl.admit(1, "gala", "second", seconds(10))), "ok");
}

TEST(RateLimiter, SlowModeIsPerRoomAndPerUser) {
  FakeClock clock;
  RateLimiter rl(clock);
  EXPECT_EQ(codeOf(rl.admit(1, "gala", "a", seconds(30))), "ok");
  EXPECT_EQ(codeOf(rl.admit(1, "other", "b", seconds(30))), "ok");
  EXPECT_EQ(codeOf(rl.admit(2, "gala", "c", seconds(30))), "ok");
  EXPECT_EQ(codeOf(rl.admit(1, "gala", "d", seconds(30))), "chat.slow_mode");
}

TEST(RateLimiter, RefusedMessageCostsNoToken) {
  FakeClock clock;
  RateLimiter rl(clock, RateLimits{.burst = 2, .perSecond = 1});
  EXPECT_EQ(codeOf(rl.admit(1, "gala", "a", seconds(5))), "ok");
  for (int i = 0; i < 10; ++i) EXPECT_EQ(codeOf(rl.admit(1, "gala", "x", seconds(5))), "chat.slow_mode");
  EXPECT_EQ(codeOf(rl.admit(1, "other", "y")), "ok");  // the second token is still there
}

TEST(RateLimiter, RefusesSameTextWithinDuplicateWindow) {
  FakeClock clock;
  RateLimiter rl(clock, RateLimits{.burst = 100, .perSecond = 100, .duplicateWindow = seconds(30)});
  EXPECT_EQ(codeOf(rl.admit(1, "gala", "666")), "ok");
  EXPECT_EQ(codeOf(rl.admit(1, "gala", "666")), "chat.duplicate");
  EXPECT_EQ(codeOf(rl.admit(1, "other", "666")), "chat.duplicate");  // spamming rooms is spam too
  EXPECT_EQ(codeOf(rl.admit(2, "gala", "666")), "ok");               // another user may say it
  clock.advance(seconds(12));
  EXPECT_EQ(rl.admit(1, "gala", "666").retryAfter, seconds(18));
  clock.advance(seconds(18));
  EXPECT_EQ(codeOf(rl.admit(1, "gala", "666")), "ok");
}

TEST(RateLimiter, RemembersOnlyTheLastFewTexts) {
  FakeClock clock;
  RateLimiter rl(clock, RateLimits{.burst = 100, .perSecond = 100, .duplicateHistory = 2});
  EXPECT_EQ(codeOf(rl.admit(1, "gala", "a")), "ok");
  EXPECT_EQ(codeOf(rl.admit(1, "gala", "b")), "ok");
  EXPECT_EQ(codeOf(rl.admit(1, "gala", "c")), "ok");
  EXPECT_EQ(codeOf(rl.admit(1, "gala", "a")), "ok");  // pushed out by b and c
  EXPECT_EQ(codeOf(rl.admit(1, "gala", "c")), "chat.duplicate");
}

TEST(RateLimiter, SweepForgetsIdleUsers) {
  FakeClock clock;
  RateLimiter rl(clock, RateLimits{.duplicateWindow = seconds(30), .maxSlowMode = seconds(60)});
  EXPECT_EQ(codeOf(rl.admit(1, "gala", "a")), "ok");
  EXPECT_TRUE(rl.tryTake(2));
  EXPECT_EQ(rl.trackedUsers(), 2u);
  clock.advance(seconds(59));
  rl.sweep();
  EXPECT_EQ(rl.trackedUsers(), 2u);  // a 60 s slow mode could still apply
  clock.advance(seconds(1));
  rl.sweep();
  EXPECT_EQ(rl.trackedUsers(), 0u);
}

TEST(RateLimiter, MemoryStaysBoundedUnderManyUsers) {
  FakeClock clock;
  RateLimiter rl(clock, RateLimits{.maxUsers = 160});
  for (std::uint64_t u = 0; u < 10'000; ++u) {
    EXPECT_TRUE(rl.tryTake(u));
    clock.advance(milliseconds(1));
  }
  EXPECT_LE(rl.trackedUsers(), 160u);
}

TEST(RateLimiter, GrantsExactlyTheBurstUnderConcurrentCallers) {
  FakeClock clock;  // time stands still: each key has exactly `burst` tokens to give
  RateLimiter rl(clock, RateLimits{.burst = 5, .perSecond = 1});
  std::atomic<int> granted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int round = 0; round < 10; ++round)
        for (std::uint64_t key = 0; key < 500; ++key)
          if (rl.tryTake(key)) ++granted;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(granted.load(), 5 * 500);
}

}  // namespace
}  // namespace hub::chat::moderation
