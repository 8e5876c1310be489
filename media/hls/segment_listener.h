// media/hls/segment_listener.h
//
// How the packager tells others (the recorder) about what it cuts: each rendition's init
// segment and every finished segment, in order, with the facts a VOD playlist needs. Called on
// the packager's thread, after the segment is complete; implementations must not block for long
// (hand file writes to a worker).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hub::media::hls {

// One rendition as a master playlist lists it.
struct RenditionInfo {
  std::string id;             // "source", "720p", "480p", "360p": also its URL path segment
  int width = 0, height = 0;  // 0 for audio-only
  double frameRate = 0;
  std::int64_t bandwidth = 0;         // peak bits/s
  std::int64_t averageBandwidth = 0;  // bits/s
  std::string codecs;                 // RFC 6381: "avc1.64001f,mp4a.40.2", "hvc1.1.6.L93.B0"
};

using SharedBytes = std::shared_ptr<const std::string>;

struct SegmentEvent {
  std::string stream;  // the stream's name
  RenditionInfo rendition;
  SharedBytes init;           // the rendition's current init segment (fMP4 ftyp+moov)
  SharedBytes data;           // the whole segment (moof+mdat pairs of all its parts); null for a gap
  std::int64_t sequence = 0;  // media sequence number
  double durationSeconds = 0;
  bool discontinuity = false;  // first segment after a publisher change or codec change
  bool gap = false;            // EXT-X-GAP: the rendition has no media for durationSeconds (a hole it left)
  std::chrono::system_clock::time_point programDateTime;  // wall clock of its first frame
};

class SegmentListener {
 public:
  virtual ~SegmentListener() = default;
  // A live session of `stream` began (a publisher arrived and no session was running).
  virtual void sessionStarted(const std::string& stream) = 0;
  virtual void segment(const SegmentEvent& event) = 0;
  // The session ended (grace period over, or the stream was deleted): playlists got ENDLIST.
  virtual void sessionEnded(const std::string& stream) = 0;
};

}  // namespace hub::media::hls
