// chat/likes/like_aggregator.cpp
//
// Counters are heap cells owned by the map so an add() racing a rehash never sees one move.
#include "chat/likes/like_aggregator.h"

#include <mutex>

namespace hub::chat::likes {

void LikeAggregator::add(std::string_view room, std::uint64_t count) {
  if (count == 0) return;
  {
    std::shared_lock lock(mutex_);
    if (auto it = rooms_.find(room); it != rooms_.end()) {
      it->second->pending.fetch_add(count, std::memory_order_relaxed);
      return;
    }
  }
  std::unique_lock lock(mutex_);
  auto [it, inserted] = rooms_.try_emplace(std::string(room), nullptr);
  if (inserted) it->second = std::make_unique<Counter>();
  it->second->pending.fetch_add(count, std::memory_order_relaxed);
}

std::vector<RoomDelta> LikeAggregator::drain() {
  std::vector<RoomDelta> out;
  // Exclusive: a tick is rare next to adds, and it lets quiet rooms be erased in the same pass.
  std::unique_lock lock(mutex_);
  out.reserve(rooms_.size());
  for (auto it = rooms_.begin(); it != rooms_.end();) {
    const std::uint64_t delta = it->second->pending.exchange(0, std::memory_order_relaxed);
    if (delta > 0) {
      out.push_back(RoomDelta{it->first, delta});
      it->second->quietLastTick = false;
      ++it;
    } else if (it->second->quietLastTick) {
      it = rooms_.erase(it);
    } else {
      it->second->quietLastTick = true;
      ++it;
    }
  }
  return out;
}

std::size_t LikeAggregator::trackedRooms() const {
  std::shared_lock lock(mutex_);
  return rooms_.size();
}

}  // namespace hub::chat::likes
