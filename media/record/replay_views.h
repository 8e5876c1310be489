// media/record/replay_views.h
//
// Who watches the replays. Every file of a recording's player path that the `/vod` mount serves
// (the master, a rendition's playlist, its segments) is a sighting of one player key (client
// address + user agent) on that recording; hls::PlaybackSessions turns the sightings into plays
// and watch time per recording. Thumbnails and the MP4 download are not plays. take() hands the
// growth since the previous take() to whoever stores it (the media service, with the live
// sessions' growth) and forgets recordings nobody watches any more. Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/clock.h"
#include "media/hls/playback_sessions.h"

namespace hub::media::record {

struct ReplayGrowth {
  std::string recording;
  hls::PlaybackTotals added;
  int viewers = 0;  // now
};

class ReplayViews {
 public:
  explicit ReplayViews(const Clock& clock) : clock_(clock) {}

  // `rel` is the served path below `/vod/` ("<id>/master.m3u8", "<id>/<rendition>/<file>").
  void served(std::string_view rel, std::string_view peer, std::string_view userAgent);
  std::vector<ReplayGrowth> take();

 private:
  const Clock& clock_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<hls::PlaybackSessions>, std::less<>> byRecording_;
};

}  // namespace hub::media::record
