// chat/likes/like_budget.cpp
//
// A fixed one-second window rather than a token bucket: it is what "N likes per second" means
// to people, and it costs two integers per connection.
#include "chat/likes/like_budget.h"

#include <algorithm>
#include <chrono>

namespace hub::chat::likes {

std::uint32_t LikeBudget::take(std::uint32_t count, Clock::Steady now) {
  if (!started_ || now - windowStart_ >= std::chrono::seconds(1)) {
    started_ = true;
    windowStart_ = now;
    used_ = 0;
  }
  const std::uint32_t granted = std::min(count, perSecond_ - used_);
  used_ += granted;
  return granted;
}

}  // namespace hub::chat::likes
