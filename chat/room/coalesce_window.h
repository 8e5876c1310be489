// chat/room/coalesce_window.h
//
// Adaptive coalescing: how long a room's new event may wait in its members' loops so that the
// events following it leave in the same write (one frame, a JSON array, per connection). Holding
// only pays when the room has many members here (each write saved is saved on every one of them)
// and the next event is expected soon; otherwise the event goes at once, so a quiet room or a
// small chat stays instant.
//
// The rule, for an event arriving at `now` in a room with `members` local members:
//   gap     = the room's recent gap between events (moving average, 1/4 weight on the newest;
//             reset by a pause longer than four bounds)
//   hold    = 0        when members < minMembers, or gap > bound
//             otherwise the event joins the open window (one opens for `bound` when none is):
//             it waits until the window ends, or, when it is the last event the window can
//             expect (floor(bound / gap) + 1 of them), the window ends now (a 1 us hold: the
//             loops write every held event at once)
// With the default bound of 60 ms: 20 events a second (50 ms apart) go in pairs, the first
// held 50 ms, until its second arrives, not the whole 60; 100 a second about six per write; 200
// a second about twelve. A busy room always waits for as many events as its bound takes: the
// writes, not the events, are what the node pays for (one loopback or network send per member
// per write), so at 100-200 events a second the same members cost a half to a quarter of what a
// hold shrinking with the gap cost (session 13: 5,000 clients x 100 msg/s, 30 % less CPU and
// the fan-out no longer late).
#pragma once

#include <chrono>
#include <cstddef>

#include "core/util/clock.h"

namespace hub::chat::room {

struct CoalesceRule {
  std::chrono::microseconds bound{60'000};  // the longest an event is ever held
  std::size_t minMembers = 64;              // smaller rooms are never held
};

// One room's window. Not thread-safe: RoomHub calls it under its lock.
class CoalesceWindow {
 public:
  // The hold for an event arriving now (and remembers its arrival).
  std::chrono::microseconds next(const CoalesceRule& rule, Clock::Steady now, std::size_t members);

 private:
  bool seen_ = false;
  Clock::Steady last_{};
  double gapUs_ = 0;           // moving average of the gaps between events
  Clock::Steady windowEnd_{};  // when the open window's events are written
  int inWindow_ = 0;           // events in it; 0: no window is open
};

}  // namespace hub::chat::room
