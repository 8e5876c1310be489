// chat/room/coalesce_window.cpp
//
// The window rule; see coalesce_window.h.
#include "chat/room/coalesce_window.h"

#include <algorithm>

namespace hub::chat::room {

EventHolds CoalesceWindow::next(const CoalesceRule& rule, Clock::Steady now, std::size_t members) {
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
  EventHolds out;  // one group, at once
  if (members < rule.minMembers || bound <= 0 || gapUs_ > bound) return out;
  // A tenth of the bound is left for jitter: a turn's event that comes a little late must not
  // find its group's deadline passed (the held events would leave, and it after them, alone).
  const auto perWrite = static_cast<std::uint64_t>(0.9 * bound / std::max(gapUs_, 1.0)) + 1;
  out.groups = static_cast<std::size_t>(std::min<std::uint64_t>(perWrite, EventHolds::kMaxGroups));
  ++events_;
  for (std::size_t g = 0; g < out.groups; ++g) {
    // Group g's turns are spread evenly over the perWrite events of a round.
    const std::uint64_t offset = g * perWrite / out.groups;
    out.hold[g] = (events_ + offset) % perWrite == 0 ? std::chrono::microseconds{1} : rule.bound;
  }
  return out;
}

}  // namespace hub::chat::room
