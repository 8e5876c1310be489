// chat/room/tests/coalesce_window_test.cpp
//
// The adaptive coalescing rule against a fake clock: quiet or small rooms go at once, busy big
// rooms are held, never longer than the bound.
#include <gtest/gtest.h>

#include <chrono>

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

TEST(CoalesceWindow, ABusyBigRoomAt20PerSecondHoldsEachEventForTheBound) {
  FakeClock clock;
  CoalesceWindow w;
  CoalesceRule rule;  // 60 ms, 64 members
  EXPECT_EQ(steady(w, clock, rule, 1000, 50ms, 20), 60ms);
  EXPECT_EQ(steady(w, clock, rule, 10000, 50ms, 5), 60ms);
}

TEST(CoalesceWindow, ABusierRoomStillWaitsTheWholeBoundSoMoreEventsShareAWrite) {
  FakeClock clock;
  CoalesceWindow w;
  CoalesceRule rule;
  EXPECT_EQ(steady(w, clock, rule, 1000, 10ms, 80), 60ms);  // 100 a second: about six per write
  EXPECT_EQ(steady(w, clock, rule, 1000, 5ms, 80), 60ms);   // 200 a second: about twelve
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
  ASSERT_EQ(steady(w, clock, rule, 1000, 20ms, 30), 60ms);
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
  EXPECT_EQ(steady(w, clock, rule, 500, 3ms, 80), 10ms);
}

TEST(CoalesceWindow, AZeroBoundNeverHolds) {
  FakeClock clock;
  CoalesceWindow w;
  EXPECT_EQ(steady(w, clock, CoalesceRule{0us, 1}, 1000, 1ms, 50).count(), 0);
}

}  // namespace
}  // namespace hub::chat::room
