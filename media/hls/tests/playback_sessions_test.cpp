// media/hls/tests/playback_sessions_test.cpp
//
// Playback sessions with a fake clock: a play per player key until it goes 30 s unseen, watch
// time from first to last sighting, viewers within the window, take() hands out only growth.
#include "media/hls/playback_sessions.h"

#include <gtest/gtest.h>

namespace hub::media::hls {
namespace {

using namespace std::chrono_literals;

TEST(PlaybackSessions, CountsPlaysWatchTimeAndViewers) {
  FakeClock clock;
  PlaybackSessions p(30s);
  p.saw("10.0.0.1|Safari", clock.steady());
  p.saw("10.0.0.2|hls.js", clock.steady());
  EXPECT_EQ(p.viewers(clock.steady()), 2);
  EXPECT_EQ(p.totals().plays, 2);
  EXPECT_EQ(p.totals().watchMs, 0);

  // Safari polls for a minute, 1 s apart; hls.js was seen once only.
  for (int i = 0; i < 60; ++i) {
    clock.advance(1s);
    p.saw("10.0.0.1|Safari", clock.steady());
  }
  EXPECT_EQ(p.viewers(clock.steady()), 1) << "hls.js unseen for 60 s";
  EXPECT_EQ(p.totals().plays, 2);
  EXPECT_EQ(p.totals().watchMs, 60'000);

  // 29.9 s of silence continues the session; 30 s starts a new one (a second play).
  clock.advance(29900ms);
  p.saw("10.0.0.1|Safari", clock.steady());
  EXPECT_EQ(p.totals().plays, 2);
  EXPECT_EQ(p.totals().watchMs, 89'900);
  clock.advance(30s);
  EXPECT_EQ(p.viewers(clock.steady()), 0);
  p.saw("10.0.0.1|Safari", clock.steady());
  clock.advance(2s);
  p.saw("10.0.0.1|Safari", clock.steady());
  EXPECT_EQ(p.totals().plays, 3);
  EXPECT_EQ(p.totals().watchMs, 91'900) << "the 30 s gap is not watch time";
  EXPECT_EQ(p.viewers(clock.steady()), 1);
}

TEST(PlaybackSessions, TakeHandsOutGrowthOnce) {
  FakeClock clock;
  PlaybackSessions p(30s);
  EXPECT_EQ(p.take().plays, 0);
  p.saw("a", clock.steady());
  clock.advance(5s);
  p.saw("a", clock.steady());
  auto first = p.take();
  EXPECT_EQ(first.plays, 1);
  EXPECT_EQ(first.watchMs, 5000);
  auto none = p.take();
  EXPECT_EQ(none.plays, 0);
  EXPECT_EQ(none.watchMs, 0);
  clock.advance(3s);
  p.saw("a", clock.steady());  // the open session keeps growing
  p.saw("b", clock.steady());
  auto second = p.take();
  EXPECT_EQ(second.plays, 1);
  EXPECT_EQ(second.watchMs, 3000);
  EXPECT_EQ(p.totals().plays, 2);
  EXPECT_EQ(p.totals().watchMs, 8000);
}

}  // namespace
}  // namespace hub::media::hls
