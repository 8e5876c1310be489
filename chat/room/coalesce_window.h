// chat/room/coalesce_window.h
//
// Adaptive coalescing: how long a room's new event may wait in each member's loop so that the
// events following it leave in the same write (one frame, a JSON array, per connection). Holding
// only pays when the room has many members here (each write saved is saved on every one of them)
// and the next event is expected soon; otherwise the event goes at once, so a quiet room or a
// small chat stays instant.
//
// The rule, for an event arriving at `now` in a room with `members` local members:
//   gap     = the room's recent gap between events (moving average, 1/4 weight on the newest;
//             reset by a pause longer than four bounds)
//   every member goes at once when members < minMembers, or gap > bound
//   otherwise n = floor(0.9 x bound / gap) + 1 events can share a write (a tenth of the bound
//   is left for events a little late; n follows a slower average of the gap and changes only
//   when it is clearly off, since each change moves every turn), and the members are split
//   into min(n, 16, members /
//   1,000) groups (at least one) whose writes take turns: a group's turn comes on every n-th
//   event, each group on other events than the next one; on its turn the group's members leave
//   at once with what they held, on the events between they hold them for up to `bound` (a
//   member's loop keeps its earliest deadline, so no event waits longer than the bound; a turn
//   that comes after it finds them written and goes alone, which puts the member back in step).
// With the default bound of 60 ms, at 20 events a second (50 ms apart) every member gets pairs,
// and in a room of 2,000 members or more on the node half of them get them on the even events
// and half on the odd ones: each event's write pass covers half the room, so the last member
// of a pass waits half as long as when the whole room left together, for the same number of
// writes. 100 a second: six events per write; 200 a second: eleven. Groups
// smaller than 1,000 members are not worth it: their pass is short anyway, and each turn costs
// the loops a wake-up and a pass. A busy room always waits for as many events as its bound
// takes: the writes, not the events, are what the node pays for (one loopback or network send
// per member per write), so at 100-200 events a second the same members cost a half to a
// quarter of what a hold shrinking with the gap cost (session 13).
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "core/util/clock.h"

namespace hub::chat::room {

struct CoalesceRule {
  std::chrono::microseconds bound{60'000};  // the longest an event is ever held
  std::size_t minMembers = 64;              // smaller rooms are never held
};

// The holds of one event: a member in group g (groupOf) waits up to hold[g].
struct EventHolds {
  static constexpr std::size_t kMaxGroups = 16;
  static constexpr std::size_t kMinGroupMembers = 1000;
  std::size_t groups = 1;
  std::array<std::chrono::microseconds, kMaxGroups> hold{};

  // A member's group, from a key that stays the same while it is in the room (its session):
  // hashed, so a group is spread over every loop whatever order the members came in.
  std::size_t groupOf(std::uintptr_t key) const {
    std::uint64_t x = key;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return static_cast<std::size_t>(x % groups);
  }
};

// One room's window. Not thread-safe: RoomHub calls it under its lock.
class CoalesceWindow {
 public:
  // The holds for an event arriving now (and remembers its arrival).
  EventHolds next(const CoalesceRule& rule, Clock::Steady now, std::size_t members);

 private:
  bool seen_ = false;
  Clock::Steady last_{};
  double gapUs_ = 0;            // moving average of the gaps between events
  double slowGapUs_ = 0;        // a slower one: how many events share a write
  int slowCount_ = 0;           // gaps in it so far (up to 16)
  std::uint64_t perWrite_ = 0;  // events per write now; 0: not holding
  std::uint64_t events_ = 0;    // held events so far: whose turn it is to leave
};

}  // namespace hub::chat::room
