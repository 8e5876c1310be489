// media/hls/playback_sessions.h
//
// Who watches one live session. A playback session belongs to one player key (client address +
// user agent): it starts when the key is first seen (a play) and ends once the key has been
// unseen for `window` (30 s); its watch time runs from its first sighting to its last. Counts
// viewers now (keys seen within the window), plays and watch time since the start, and hands the
// growth since the previous take() to whoever stores it (the media service, in batches).
// Thread-safe; times come from the caller (the stream's injected Clock).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "core/util/clock.h"

namespace hub::media::hls {

struct PlaybackTotals {
  std::int64_t plays = 0;
  std::int64_t watchMs = 0;
};

class PlaybackSessions {
 public:
  explicit PlaybackSessions(Clock::Steady::duration window = std::chrono::seconds(30)) : window_(window) {}

  void saw(std::string_view key, Clock::Steady now);
  int viewers(Clock::Steady now);  // sessions whose key was seen within the window
  PlaybackTotals totals() const;   // since the start
  // The plays and watch time added since the previous take() (everything, the first time).
  PlaybackTotals take();

 private:
  struct Session {
    Clock::Steady first, last;
  };

  const Clock::Steady::duration window_;
  mutable std::mutex mu_;
  std::map<std::string, Session, std::less<>> sessions_;
  Clock::Steady::duration watched_{};
  std::int64_t plays_ = 0;
  PlaybackTotals taken_;
};

}  // namespace hub::media::hls
