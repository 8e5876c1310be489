// media/hls/playlist_writer.h
//
// The text of LL-HLS playlists (RFC 8216bis): the master playlist and a media playlist with
// parts, preload hint, server control, delta updates and rendition reports. Pure functions of
// plain values, so their exact output is unit-tested.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace hub::media::hls {

struct PlaylistPart {
  double duration = 0;
  bool independent = false;
  bool gap = false;  // GAP=YES: no media for this part (inside a gap segment, never fetched)
  std::string uri;
};

struct PlaylistSegment {
  std::int64_t msn = 0;
  double duration = 0;
  bool discontinuity = false;
  std::string mapUri;  // EXT-X-MAP written whenever it differs from the previous segment's
  std::chrono::system_clock::time_point programDateTime{};  // epoch: left out
  std::string uri;
  std::vector<PlaylistPart> parts;
  bool complete = true;  // false: the segment being cut (parts only, no EXTINF)
  bool gap = false;      // EXT-X-GAP: this rendition has no media for that span (never fetched)
};

struct RenditionReport {
  std::string uri;
  std::int64_t lastMsn = 0;
  int lastPart = 0;
};

struct MediaPlaylist {
  int targetDuration = 2;
  double partTarget = 0.334;
  std::int64_t discontinuitySequence = 0;
  std::vector<PlaylistSegment> segments;  // oldest first; media sequence = the first's msn
  std::string preloadHintUri;             // empty: none
  bool ended = false;
  std::vector<RenditionReport> reports;
};

// Parts are listed for segments starting within three target durations of the playlist's end
// (no listed part is older than that, RFC 8216bis 6.2.2). A gap segment is written with
// EXT-X-GAP before its EXTINF (RFC 8216bis 4.4.4.7), so players skip it instead of stalling;
// its parts, when listed, carry GAP=YES (4.4.4.9), so a player following parts skips them too.
// `skip`: a delta update; complete segments ending more than CAN-SKIP-UNTIL (six target
// durations) before the end become one EXT-X-SKIP.
std::string writeMediaPlaylist(const MediaPlaylist& playlist, bool skip);

struct MasterEntry {
  std::string uri;
  std::int64_t bandwidth = 0;
  std::int64_t averageBandwidth = 0;
  std::string codecs;
  int width = 0, height = 0;  // 0: audio only
  double frameRate = 0;       // 0: left out
};

std::string writeMasterPlaylist(const std::vector<MasterEntry>& entries);

}  // namespace hub::media::hls
