// chat/room/coalesce_window.cpp
//
// The window rule; see coalesce_window.h.
#include "chat/room/coalesce_window.h"

#include <algorithm>

namespace hub::chat::room {

EventHolds CoalesceWindow::next(const CoalesceRule& rule, Clock::Steady now, std::size_t members) {
  const double bound = static_cast<double>(rule.bound.count());
  double gap = 4 * bound + 1;  // nothing known: the first event is not held
  if (seen_) {
    gap = static_cast<double>(
        std::max<long long>(std::chrono::duration_cast<std::chrono::microseconds>(now - last_).count(), 0));
    gapUs_ = gap > 4 * bound ? gap : gapUs_ * 0.75 + gap * 0.25;
  } else {
    gapUs_ = gap;
  }
  seen_ = true;
  last_ = now;
  EventHolds out;  // one group, at once
  if (members < rule.minMembers || bound <= 0 || gapUs_ > bound) {
    perWrite_ = 0;
    return out;
  }
  // How many events share a write follows a slower average of the pace (the mean of the gaps
  // since the room got busy, then 1/16 weight on the newest), one step at a time and with
  // slack both ways, since each change moves every group's turn: up while one more event would
  // still come well within the bound, down once a turn would come close to it. A tenth of the
  // bound is left for events a little late (a turn that comes after the bound finds its members'
  // events written, and goes alone).
  if (perWrite_ == 0) {
    slowGapUs_ = gap;
    slowCount_ = 1;
  } else {
    slowCount_ = std::min(slowCount_ + 1, 16);
    slowGapUs_ += (gap - slowGapUs_) / slowCount_;
  }
  const double g = std::max(slowGapUs_, 1.0);
  if (perWrite_ == 0 || static_cast<double>(perWrite_ - 1) * g > 0.95 * bound)
    perWrite_ = static_cast<std::uint64_t>(0.9 * bound / g) + 1;
  else if (static_cast<double>(perWrite_) * g <= 0.85 * bound)
    ++perWrite_;
  out.groups = std::max<std::size_t>(1, std::min({static_cast<std::size_t>(perWrite_), EventHolds::kMaxGroups,
                                                  members / EventHolds::kMinGroupMembers}));
  ++events_;
  for (std::size_t grp = 0; grp < out.groups; ++grp) {
    // Group grp's turns are spread evenly over the perWrite events of a round.
    const std::uint64_t offset = grp * perWrite_ / out.groups;
    out.hold[grp] = (events_ + offset) % perWrite_ == 0 ? std::chrono::microseconds{1} : rule.bound;
  }
  return out;
}

}  // namespace hub::chat::room
