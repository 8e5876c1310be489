// chat/room/coalesce_window.cpp
//
// The window rule; see coalesce_window.h.
#include "chat/room/coalesce_window.h"

#include <algorithm>

namespace hub::chat::room {

std::chrono::microseconds CoalesceWindow::next(const CoalesceRule& rule, Clock::Steady now,
                                               std::size_t members) {
  const double bound = static_cast<double>(rule.bound.count());
  if (seen_) {
    const auto gap = static_cast<double>(
        std::max<long long>(std::chrono::duration_cast<std::chrono::microseconds>(now - last_).count(), 0));
    gapUs_ = gap > 4 * bound ? gap : gapUs_ * 0.75 + gap * 0.25;
  } else {
    gapUs_ = 4 * bound + 1;  // nothing known: the first event is not held
  }
  seen_ = true;
  last_ = now;
  if (members < rule.minMembers || bound <= 0 || gapUs_ > bound) {
    inWindow_ = 0;
    return std::chrono::microseconds{0};
  }
  if (inWindow_ == 0 || now >= windowEnd_) {
    inWindow_ = 1;
    windowEnd_ = now + rule.bound;
    return rule.bound;
  }
  ++inWindow_;
  const int expected = static_cast<int>(bound / std::max(gapUs_, 1.0)) + 1;
  if (inWindow_ >= expected) {
    inWindow_ = 0;
    return std::chrono::microseconds{1};  // written now, with the ones held before it
  }
  return std::max(std::chrono::duration_cast<std::chrono::microseconds>(windowEnd_ - now),
                  std::chrono::microseconds{1});
}

}  // namespace hub::chat::room
