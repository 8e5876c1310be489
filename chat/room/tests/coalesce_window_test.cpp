// chat/room/tests/coalesce_window_test.cpp
//
// The adaptive coalescing rule against a fake clock: quiet or small rooms go at once, busy big
// rooms are held, never longer than the bound, and a window that has all the events it can
// expect is written at once.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "chat/room/coalesce_window.h"
#include "core/util/clock.h"

namespace hub::chat::room {
namespace {

using namespace std::chrono_literals;

// Feeds `n` events `gap` apart and returns the hold of the last one.
std::chrono::microseconds steady(CoalesceWindow& w, FakeClock& clock, const CoalesceRule& rule,
                                 std::size_t members, std::chrono::microseconds gap, int n) {
  std::chrono::microseconds hold{-1};
  for (int i = 0; i < n; ++i) {
    clock.advance(gap);
    hold = w.next(rule, clock.steady(), members);
  }
  return hold;
}

TEST(CoalesceWindow, TheFirstEventOfARoomGoesAtOnce) {
  FakeClock clock;
  CoalesceWindow w;
  EXPECT_EQ(w.next(CoalesceRule{}, clock.steady(), 10000).count(), 0);
}

// What the members' loops make of the holds: the first held event arms a timer for its hold, a
// later one can only bring it nearer (1 us: at once); when it is due, everything held leaves in
// one write. Each write: how many events it carried and how long its first one waited.
struct Write {
  int events = 0;
  std::chrono::microseconds wait{0};
};

std::vector<Write> writesFor(CoalesceWindow& w, FakeClock& clock, const CoalesceRule& rule,
                             std::size_t members, std::chrono::microseconds gap, int n) {
  std::vector<Write> out;
  int held = 0;
  Clock::Steady due{}, first{};
  auto write = [&](Clock::Steady at) {
    out.push_back(Write{held, std::chrono::duration_cast<std::chrono::microseconds>(at - first)});
    held = 0;
  };
  for (int i = 0; i < n; ++i) {
    clock.advance(gap);
    const auto now = clock.steady();
    if (held > 0 && due <= now) write(due);
    const auto hold = w.next(rule, now, members);
    if (held == 0) {
      first = now;
      due = now + hold;
    }
    ++held;
    due = std::min(due, now + hold);
    if (hold <= 1us) write(now);
  }
  if (held > 0) write(due);
  return out;
}

// The writes that carried `events` events after waiting `wait`.
long count(const std::vector<Write>& writes, int events, std::chrono::microseconds wait) {
  return std::count_if(writes.begin(), writes.end(),
                       [&](const Write& x) { return x.events == events && x.wait == wait; });
}

std::chrono::microseconds longest(const std::vector<Write>& writes) {
  std::chrono::microseconds m{0};
  for (const auto& x : writes) m = std::max(m, x.wait);
  return m;
}

TEST(CoalesceWindow, AtTwentyASecondEventsGoInPairsAndTheFirstWaitsOnlyForTheSecond) {
  FakeClock clock;
  CoalesceWindow w;
  CoalesceRule rule;  // 60 ms, 64 members
  const auto writes = writesFor(w, clock, rule, 10000, 50ms, 60);
  // After the dozen events that teach it the rate, pairs that leave when their second arrives.
  EXPECT_GE(count(writes, 2, 50ms), 23);
  EXPECT_LE(longest(writes), 60ms);
}

TEST(CoalesceWindow, ABusierRoomWaitsForAsManyEventsAsTheBoundTakes) {
  FakeClock clock;
  CoalesceWindow w;
  CoalesceRule rule;
  ASSERT_GT(steady(w, clock, rule, 1000, 10ms, 40).count(), 0);
  const auto at100 = writesFor(w, clock, rule, 1000, 10ms, 120);  // 100 a second
  EXPECT_LE(at100.size(), 20u);                                   // six or seven per write
  EXPECT_LE(longest(at100), 60ms);
  const auto at200 = writesFor(w, clock, rule, 1000, 5ms, 240);  // 200 a second
  EXPECT_LE(at200.size(), 20u);                                  // twelve or thirteen
  EXPECT_LE(longest(at200), 60ms);
}

TEST(CoalesceWindow, AtFortyASecondThreeEventsShareAWriteThatLeavesWithTheThird) {
  FakeClock clock;
  CoalesceWindow w;
  CoalesceRule rule;
  const auto writes = writesFor(w, clock, rule, 1000, 25ms, 90);
  EXPECT_GE(count(writes, 3, 50ms), 24);  // 50 ms: when the third arrives, not the bound's 60
  EXPECT_LE(longest(writes), 60ms);
}

TEST(CoalesceWindow, ASmallRoomIsNeverHeldHoweverBusy) {
  FakeClock clock;
  CoalesceWindow w;
  CoalesceRule rule;
  for (int i = 0; i < 100; ++i) {
    clock.advance(5ms);
    EXPECT_EQ(w.next(rule, clock.steady(), 2).count(), 0);
    EXPECT_EQ(w.next(rule, clock.steady(), 63).count(), 0);
  }
}

TEST(CoalesceWindow, EventsFurtherApartThanTheBoundAreNotHeld) {
  FakeClock clock;
  CoalesceWindow w;
  CoalesceRule rule;
  EXPECT_EQ(steady(w, clock, rule, 5000, 100ms, 20).count(), 0);  // 10 a second: nothing would join
  EXPECT_EQ(steady(w, clock, rule, 5000, 61ms, 40).count(), 0);
}

TEST(CoalesceWindow, APauseMakesTheNextEventInstantAndTheRoomRelearnsItsRate) {
  FakeClock clock;
  CoalesceWindow w;
  CoalesceRule rule;
  ASSERT_GT(steady(w, clock, rule, 1000, 20ms, 30).count(), 0);
  clock.advance(2s);
  EXPECT_EQ(w.next(rule, clock.steady(), 1000).count(), 0);
  // Busy again: held again within a second of events.
  EXPECT_GT(steady(w, clock, rule, 1000, 20ms, 30).count(), 0);
}

TEST(CoalesceWindow, TheHoldNeverExceedsTheBoundAndFollowsIt) {
  FakeClock clock;
  CoalesceWindow w;
  CoalesceRule rule{10ms, 64};
  for (int i = 0; i < 200; ++i) {
    clock.advance(std::chrono::microseconds(1000 + (i * 7919) % 9000));  // 1 to 10 ms apart
    EXPECT_LE(w.next(rule, clock.steady(), 500), 10ms);
  }
  EXPECT_GT(steady(w, clock, rule, 500, 3ms, 80).count(), 0);
  EXPECT_LE(longest(writesFor(w, clock, rule, 500, 3ms, 80)), 10ms);
}

TEST(CoalesceWindow, AZeroBoundNeverHolds) {
  FakeClock clock;
  CoalesceWindow w;
  EXPECT_EQ(steady(w, clock, CoalesceRule{0us, 1}, 1000, 1ms, 50).count(), 0);
}

}  // namespace
}  // namespace hub::chat::room
