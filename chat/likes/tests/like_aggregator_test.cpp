// chat/likes/tests/like_aggregator_test.cpp
//
// Likes added from many threads come out of drain() as one exact delta per room per tick.
#include "chat/likes/like_aggregator.h"

#include <algorithm>
#include <thread>

#include <gtest/gtest.h>

namespace hub::chat::likes {
namespace {

std::vector<RoomDelta> sorted(std::vector<RoomDelta> v) {
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.room < b.room; });
  return v;
}

TEST(LikeAggregator, DrainReturnsPerRoomDeltasSinceLastDrain) {
  LikeAggregator agg;
  agg.add("gala", 3);
  agg.add("gala", 2);
  agg.add("talk", 1);
  EXPECT_EQ(sorted(agg.drain()), (std::vector<RoomDelta>{{"gala", 5}, {"talk", 1}}));
  agg.add("gala", 4);
  EXPECT_EQ(agg.drain(), (std::vector<RoomDelta>{{"gala", 4}}));
  EXPECT_TRUE(agg.drain().empty());
}

TEST(LikeAggregator, IgnoresZero) {
  LikeAggregator agg;
  agg.add("gala", 0);
  EXPECT_TRUE(agg.drain().empty());
  EXPECT_EQ(agg.trackedRooms(), 0u);
}

TEST(LikeAggregator, ForgetsRoomsQuietForAWholeTick) {
  LikeAggregator agg;
  agg.add("gala", 1);
  (void)agg.drain();
  EXPECT_EQ(agg.trackedRooms(), 1u);
  (void)agg.drain();  // quiet once: kept, the next like is likely
  EXPECT_EQ(agg.trackedRooms(), 1u);
  (void)agg.drain();  // quiet twice: forgotten
  EXPECT_EQ(agg.trackedRooms(), 0u);
}

TEST(LikeAggregator, CountsExactlyUnderConcurrentAddsAndDrains) {
  LikeAggregator agg;
  constexpr int kThreads = 4, kPerThread = 20'000;
  std::atomic<bool> done{false};
  std::uint64_t drained = 0;
  std::thread ticker([&] {
    while (!done.load()) {
      for (const auto& d : agg.drain()) drained += d.delta;
      std::this_thread::yield();
    }
  });
  std::vector<std::thread> senders;
  for (int t = 0; t < kThreads; ++t)
    senders.emplace_back([&agg, t] {
      for (int i = 0; i < kPerThread; ++i) agg.add(i % 2 ? "gala" : "room-" + std::to_string(t), 1);
    });
  for (auto& s : senders) s.join();
  done = true;
  ticker.join();
  for (const auto& d : agg.drain()) drained += d.delta;
  EXPECT_EQ(drained, std::uint64_t{kThreads} * kPerThread);
}

}  // namespace
}  // namespace hub::chat::likes
