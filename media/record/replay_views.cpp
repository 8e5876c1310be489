// media/record/replay_views.cpp
#include "media/record/replay_views.h"

namespace hub::media::record {

void ReplayViews::served(std::string_view rel, std::string_view peer, std::string_view userAgent) {
  const auto slash = rel.find('/');
  if (slash == std::string_view::npos || slash == 0) return;
  const auto id = rel.substr(0, slash);
  const auto file = rel.substr(slash + 1);
  // The player's path only: a rendition's files, or the master it starts from.
  if (file != "master.m3u8" && file.find('/') == std::string_view::npos) return;
  std::string key;
  key.reserve(peer.size() + 1 + userAgent.size());
  key.append(peer).append("|").append(userAgent);
  std::lock_guard lock(mu_);  // take() may erase the entry: hold it for the sighting too
  auto it = byRecording_.find(id);
  if (it == byRecording_.end())
    it = byRecording_.emplace(std::string(id), std::make_unique<hls::PlaybackSessions>()).first;
  it->second->saw(key, clock_.steady());
}

std::vector<ReplayGrowth> ReplayViews::take() {
  std::vector<ReplayGrowth> out;
  const auto now = clock_.steady();
  std::lock_guard lock(mu_);
  for (auto it = byRecording_.begin(); it != byRecording_.end();) {
    const int viewers = it->second->viewers(now);
    const auto added = it->second->take();
    if (added.plays > 0 || added.watchMs > 0 || viewers > 0)
      out.push_back(ReplayGrowth{it->first, added, viewers});
    if (viewers == 0)
      it = byRecording_.erase(it);
    else
      ++it;
  }
  return out;
}

}  // namespace hub::media::record
