// chat/likes/like_budget.h
//
// The per-client cap on likes: a client counts at most `perSecond` likes in any one-second
// window, whatever it sends; the surplus is clamped away silently (tapping faster is not an
// error, it just stops counting). One budget lives in each session and is touched only by that
// session's thread, so it needs no lock.
#pragma once

#include <cstdint>

#include "core/util/clock.h"

namespace hub::chat::likes {

class LikeBudget {
 public:
  explicit LikeBudget(std::uint32_t perSecond = 20) : perSecond_(perSecond) {}

  // How many of `count` likes sent at `now` count; the rest are dropped.
  std::uint32_t take(std::uint32_t count, Clock::Steady now);

 private:
  std::uint32_t perSecond_;
  std::uint32_t used_ = 0;
  Clock::Steady windowStart_{};
  bool started_ = false;
};

}  // namespace hub::chat::likes
