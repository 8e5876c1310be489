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
  if (members < rule.minMembers || bound <= 0 || gapUs_ > bound) return std::chrono::microseconds{0};
  return rule.bound;
}

}  // namespace hub::chat::room
