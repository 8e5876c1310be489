// chat/likes/like_aggregator.h
//
// Counts likes per room on one node, from every session thread at once, and hands the tick
// timer the per-room deltas since its last call. Those deltas are what the node publishes, one
// per room per tick: likes are never fanned out one by one.
//
// add() takes a shared lock and does one atomic add when the room is already known (the common
// case during a gala); only a room's first like takes the exclusive lock. drain() forgets rooms
// that stayed quiet for a whole tick, so memory follows the rooms in use.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace hub::chat::likes {

struct RoomDelta {
  std::string room;
  std::uint64_t delta = 0;
  bool operator==(const RoomDelta&) const = default;
};

class LikeAggregator {
 public:
  // Adds likes already clamped by the client's LikeBudget; zero is ignored.
  void add(std::string_view room, std::uint64_t count);

  // Rooms with likes since the last drain and how many, in no particular order.
  std::vector<RoomDelta> drain();

  std::size_t trackedRooms() const;

 private:
  struct Counter {
    std::atomic<std::uint64_t> pending{0};
    bool quietLastTick = false;  // touched only under the exclusive lock
  };
  // Lets find() take a string_view without building a std::string per like.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, std::unique_ptr<Counter>, Hash, std::equal_to<>> rooms_;
};

}  // namespace hub::chat::likes
