// media/hls/live_options.h
//
// The packager's knobs ([hls] in the config): part and segment targets, the sliding window,
// the grace period after a publisher left, blocking-reload limits. Defaults are right for one
// machine and a browser audience (hls.js, Safari).
#pragma once

#include <chrono>
#include <cmath>

#include "core/config/config.h"

namespace hub::media::hls {

struct LiveOptions {
  // Part target in seconds: a part is closed when one more frame would pass it (0.334 fits
  // 10 frames at 30 fps, 8 at 25 fps, 16 AAC frames at 48 kHz).
  double partSeconds = 0.334;
  // Segment target: a segment is cut at the first key frame once it is at least this long.
  double segmentSeconds = 2.0;
  // Complete segments kept in memory and listed in the media playlist.
  int windowSegments = 10;
  // After publisherGone(): this long for the publisher to come back before ENDLIST.
  std::chrono::milliseconds gracePeriod{std::chrono::seconds(30)};
  // An ended stream's playlists stay served this long, so players see ENDLIST, then it goes.
  std::chrono::milliseconds endedLinger{std::chrono::seconds(60)};
  // Parked blocking-reload and preload-hint requests held at most this many target durations.
  double blockTimeoutTargets = 3.0;
  // A master playlist request waits at most this long for every expected rendition (the
  // ladder's rungs) to have its first part, then lists what exists.
  std::chrono::milliseconds masterWait{std::chrono::seconds(4)};
  // Hard cap on parked requests per rendition (memory bound); over it: 503 at once.
  int maxParkedPerRendition = 20000;
};

// The [hls] section as options.
inline LiveOptions liveOptionsFrom(const config::Hls& c) {
  LiveOptions o;
  o.partSeconds = c.partMs / 1000.0;
  o.segmentSeconds = c.segmentMs / 1000.0;
  o.windowSegments = c.windowSegments;
  o.gracePeriod = std::chrono::seconds(c.graceSeconds);
  o.masterWait = std::chrono::milliseconds(c.masterWaitMs);
  return o;
}

// PART-TARGET as playlists announce it: the cut rule lets a part run a few milliseconds past
// partSeconds (millisecond timestamps, an estimated last frame), so announce the next 10 ms
// step above that; every part is then within it, as RFC 8216bis requires.
inline double advertisedPartTarget(const LiveOptions& o) {
  return std::ceil((o.partSeconds + 0.004) * 100) / 100;
}

}  // namespace hub::media::hls
