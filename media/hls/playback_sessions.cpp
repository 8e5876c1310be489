// media/hls/playback_sessions.cpp
//
// Watch time grows at each sighting by the time since the key's previous one, so an open
// session's time is counted as it goes and nothing is lost when it ends.
#include "media/hls/playback_sessions.h"

namespace hub::media::hls {
namespace {

std::int64_t toMs(Clock::Steady::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

}  // namespace

void PlaybackSessions::saw(std::string_view key, Clock::Steady now) {
  std::lock_guard lock(mu_);
  auto it = sessions_.find(key);
  if (it != sessions_.end() && now - it->second.last < window_) {
    if (now > it->second.last) {
      watched_ += now - it->second.last;
      it->second.last = now;
    }
    return;
  }
  ++plays_;  // a new key, or one unseen for the whole window: a new session
  if (it != sessions_.end())
    it->second = Session{now, now};
  else
    sessions_.emplace(std::string(key), Session{now, now});
}

int PlaybackSessions::viewers(Clock::Steady now) {
  std::lock_guard lock(mu_);
  std::erase_if(sessions_, [&](const auto& kv) { return now - kv.second.last >= window_; });
  return static_cast<int>(sessions_.size());
}

PlaybackTotals PlaybackSessions::totals() const {
  std::lock_guard lock(mu_);
  return PlaybackTotals{plays_, toMs(watched_)};
}

PlaybackTotals PlaybackSessions::take() {
  std::lock_guard lock(mu_);
  PlaybackTotals now{plays_, toMs(watched_)};
  PlaybackTotals growth{now.plays - taken_.plays, now.watchMs - taken_.watchMs};
  taken_ = now;
  return growth;
}

}  // namespace hub::media::hls
