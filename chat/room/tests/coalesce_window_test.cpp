// chat/room/tests/coalesce_window_test.cpp
//
// The adaptive coalescing rule against a fake clock: quiet or small rooms go at once, busy big
// rooms are held, never longer than the bound, a member that has all the events it can expect
// is written at once, and the members take turns.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "chat/room/coalesce_window.h"
#include "core/util/clock.h"

namespace hub::chat::room {
namespace {

using namespace std::chrono_literals;

// The longest hold of an event, over its groups.
std::chrono::microseconds longestHold(const EventHolds& h) {
  std::chrono::microseconds m{0};
  for (std::size_t g = 0; g < h.groups; ++g) m = std::max(m, h.hold[g]);
  return m;
}

// Feeds `n` events `gap` apart and returns the longest hold of the last one.
std::chrono::microseconds steady(CoalesceWindow& w, FakeClock& clock, const CoalesceRule& rule,
                                 std::size_t members, std::chrono::microseconds gap, int n) {
  std::chrono::microseconds hold{-1};
  for (int i = 0; i < n; ++i) {
    clock.advance(gap);
    hold = longestHold(w.next(rule, clock.steady(), members));
  }
  return hold;
}

TEST(CoalesceWindow, TheFirstEventOfARoomGoesAtOnce) {
  FakeClock clock;
  CoalesceWindow w;
  const auto h = w.next(CoalesceRule{}, clock.steady(), 10000);
  EXPECT_EQ(h.groups, 1u);
  EXPECT_EQ(h.hold[0].count(), 0);
}

// What the members' loops make of the holds: each member keeps its earliest deadline (its
// first held event's hold; 1 us: at once); when it is due, everything it held leaves in one
// write. Each write: how many events it carried and how long its first one waited; and per
// event, how many members were written when it arrived.
struct Write {
  int events = 0;
  std::chrono::microseconds wait{0};
};
struct Simulated {
  std::vector<Write> writes;
  std::vector<int> writtenAt;  // per event: members written at once
};

Simulated simulate(CoalesceWindow& w, FakeClock& clock, const CoalesceRule& rule, std::size_t members,
                   std::chrono::microseconds gap, int n, std::size_t watched = 64,
                   std::chrono::microseconds jitter = {}) {
  struct Member {
    int held = 0;
    Clock::Steady due{}, first{};
  };
  std::vector<Member> ms(watched);
  Simulated out;
  auto write = [&](Member& m, Clock::Steady at) {
    out.writes.push_back(Write{m.held, std::chrono::duration_cast<std::chrono::microseconds>(at - m.first)});
    m.held = 0;
  };
  for (int i = 0; i < n; ++i) {
    // Gaps spread over gap +- jitter (a fixed pseudo-random walk through them).
    const auto spread = 2 * jitter.count() + 1;
    clock.advance(gap + std::chrono::microseconds((i * 7919LL) % spread - jitter.count()));
    const auto now = clock.steady();
    const auto holds = w.next(rule, now, members);
    int written = 0;
    for (std::size_t k = 0; k < ms.size(); ++k) {
      Member& m = ms[k];
      if (m.held > 0 && m.due <= now) write(m, m.due);
      const auto hold = holds.hold[holds.groupOf(0x10000 + 0x140 * k)];  // sessions' addresses
      if (m.held == 0) {
        m.first = now;
        m.due = now + hold;
      }
      ++m.held;
      m.due = std::min(m.due, now + hold);
      if (hold <= 1us) {
        write(m, now);
        ++written;
      }
    }
    out.writtenAt.push_back(written);
  }
  for (auto& m : ms)
    if (m.held > 0) write(m, m.due);
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
  const auto sim = simulate(w, clock, rule, 10000, 50ms, 60);
  // After the dozen events that teach it the rate, every member gets pairs that leave when their
  // second arrives (64 members, about 24 pairs each).
  EXPECT_GE(count(sim.writes, 2, 50ms), 64 * 22);
  EXPECT_LE(longest(sim.writes), 60ms);
}

TEST(CoalesceWindow, AtTwentyASecondEachEventWritesAboutHalfTheMembers) {
  // The groups take turns: a write pass covers half the room, not the whole of it every other
  // event.
  FakeClock clock;
  CoalesceWindow w;
  CoalesceRule rule;
  const auto sim = simulate(w, clock, rule, 10000, 50ms, 60, 1000);
  for (std::size_t i = 20; i < sim.writtenAt.size(); ++i) {
    EXPECT_GT(sim.writtenAt[i], 400) << "event " << i;
    EXPECT_LT(sim.writtenAt[i], 600) << "event " << i;
  }
}

TEST(CoalesceWindow, ARoomOfFewerThanTwoThousandMembersLeavesTogether) {
  // Groups under 1,000 members would only add wake-ups and passes: the whole room's turn.
  FakeClock clock;
  CoalesceWindow w;
  CoalesceRule rule;
  const auto sim = simulate(w, clock, rule, 1999, 50ms, 60, 200);
  for (std::size_t i = 20; i < sim.writtenAt.size(); ++i)
    EXPECT_TRUE(sim.writtenAt[i] == 0 || sim.writtenAt[i] == 200)
        << "event " << i << ": " << sim.writtenAt[i];
  EXPECT_GE(count(sim.writes, 2, 50ms), 200 * 22);
}

TEST(CoalesceWindow, ABusierRoomWaitsForAsManyEventsAsTheBoundTakes) {
  FakeClock clock;
  CoalesceWindow w;
  CoalesceRule rule;
  ASSERT_GT(steady(w, clock, rule, 1000, 10ms, 40).count(), 0);
  const auto at100 = simulate(w, clock, rule, 1000, 10ms, 120).writes;  // 100 a second
  EXPECT_LE(at100.size(), 64 * 22u);                                    // six per write
  EXPECT_LE(longest(at100), 60ms);
  const auto at200 = simulate(w, clock, rule, 1000, 5ms, 240).writes;  // 200 a second
  EXPECT_LE(at200.size(), 64 * 24u);                                   // eleven
  EXPECT_LE(longest(at200), 60ms);
}

TEST(CoalesceWindow, AnUnevenPaceKeepsItsTurns) {
  // 100 a second, 7 to 13 ms apart, 5,000 members (five groups): the count per write follows
  // the slow average, so the turns stay put; hardly any event leaves alone.
  FakeClock clock;
  CoalesceWindow w;
  CoalesceRule rule;
  simulate(w, clock, rule, 5000, 10ms, 40, 64, 3ms);  // learns the pace
  const auto writes = simulate(w, clock, rule, 5000, 10ms, 400, 64, 3ms).writes;
  const long alone =
      std::count_if(writes.begin(), writes.end(), [](const Write& x) { return x.events == 1; });
  EXPECT_LE(alone, static_cast<long>(writes.size()) / 50);
  EXPECT_LE(writes.size(), 64 * 400 / 5u);  // about six events per write
  EXPECT_LE(longest(writes), 60ms);
}

TEST(CoalesceWindow, AtFortyASecondThreeEventsShareAWriteThatLeavesWithTheThird) {
  FakeClock clock;
  CoalesceWindow w;
  CoalesceRule rule;
  const auto writes = simulate(w, clock, rule, 1000, 25ms, 90).writes;
  EXPECT_GE(count(writes, 3, 50ms), 64 * 23);  // 50 ms: when the third arrives, not the bound's 60
  EXPECT_LE(longest(writes), 60ms);
}

TEST(CoalesceWindow, ASmallRoomIsNeverHeldHoweverBusy) {
  FakeClock clock;
  CoalesceWindow w;
  CoalesceRule rule;
  for (int i = 0; i < 100; ++i) {
    clock.advance(5ms);
    EXPECT_EQ(longestHold(w.next(rule, clock.steady(), 2)).count(), 0);
    EXPECT_EQ(longestHold(w.next(rule, clock.steady(), 63)).count(), 0);
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
  EXPECT_EQ(longestHold(w.next(rule, clock.steady(), 1000)).count(), 0);
  // Busy again: held again within a second of events.
  EXPECT_GT(steady(w, clock, rule, 1000, 20ms, 30).count(), 0);
}

TEST(CoalesceWindow, TheHoldNeverExceedsTheBoundAndFollowsIt) {
  FakeClock clock;
  CoalesceWindow w;
  CoalesceRule rule{10ms, 64};
  for (int i = 0; i < 200; ++i) {
    clock.advance(std::chrono::microseconds(1000 + (i * 7919) % 9000));  // 1 to 10 ms apart
    EXPECT_LE(longestHold(w.next(rule, clock.steady(), 500)), 10ms);
  }
  EXPECT_GT(steady(w, clock, rule, 500, 3ms, 80).count(), 0);
  EXPECT_LE(longest(simulate(w, clock, rule, 500, 3ms, 80).writes), 10ms);
}

TEST(CoalesceWindow, AZeroBoundNeverHolds) {
  FakeClock clock;
  CoalesceWindow w;
  EXPECT_EQ(steady(w, clock, CoalesceRule{0us, 1}, 1000, 1ms, 50).count(), 0);
}

}  // namespace
}  // namespace hub::chat::room
