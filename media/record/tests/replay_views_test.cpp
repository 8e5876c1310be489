// media/record/tests/replay_views_test.cpp
//
// Replay plays with a fake clock: only a player's path counts (not the thumbnail or the MP4),
// each recording apart, growth handed out once, recordings nobody watches forgotten.
#include "media/record/replay_views.h"

#include <gtest/gtest.h>

namespace hub::media::record {
namespace {

using namespace std::chrono_literals;

TEST(ReplayViews, CountsThePlayersPathPerRecording) {
  FakeClock clock;
  ReplayViews views(clock);
  views.served("rec-a/thumb.jpg", "10.0.0.1", "Safari");
  views.served("rec-a/download.mp4", "10.0.0.1", "Safari");
  views.served("thumb.jpg", "10.0.0.1", "Safari");
  EXPECT_TRUE(views.take().empty()) << "a thumbnail or a download is not a play";

  views.served("rec-a/master.m3u8", "10.0.0.1", "Safari");
  clock.advance(4s);
  views.served("rec-a/source/index.m3u8", "10.0.0.1", "Safari");
  clock.advance(6s);
  views.served("rec-a/source/seg-3.m4s", "10.0.0.1", "Safari");
  views.served("rec-b/720p/index.m3u8", "10.0.0.2", "hls.js");
  auto growth = views.take();
  ASSERT_EQ(growth.size(), 2u);
  EXPECT_EQ(growth[0].recording, "rec-a");
  EXPECT_EQ(growth[0].added.plays, 1);
  EXPECT_EQ(growth[0].added.watchMs, 10000);
  EXPECT_EQ(growth[0].viewers, 1);
  EXPECT_EQ(growth[1].recording, "rec-b");
  EXPECT_EQ(growth[1].added.plays, 1);

  // Only growth the second time; a return after 30 s unseen is a new play.
  clock.advance(2s);
  views.served("rec-a/source/seg-4.m4s", "10.0.0.1", "Safari");
  growth = views.take();
  ASSERT_EQ(growth.size(), 2u);
  EXPECT_EQ(growth[0].added.plays, 0);
  EXPECT_EQ(growth[0].added.watchMs, 2000);
  EXPECT_EQ(growth[1].added.plays, 0);
  EXPECT_EQ(growth[1].viewers, 1);

  clock.advance(31s);
  growth = views.take();
  EXPECT_TRUE(growth.empty()) << "nobody watches: the recordings are forgotten";
  views.served("rec-a/source/index.m3u8", "10.0.0.1", "Safari");
  growth = views.take();
  ASSERT_EQ(growth.size(), 1u);
  EXPECT_EQ(growth[0].added.plays, 1);
  EXPECT_EQ(growth[0].added.watchMs, 0);
}

}  // namespace
}  // namespace hub::media::record
