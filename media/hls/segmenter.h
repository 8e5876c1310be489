// media/hls/segmenter.h
//
// Cuts one rendition's frames into CMAF parts and segments. A part is closed the moment the
// frame that fills it arrives, not one frame later: every frame's duration is the distance to
// the next frame of its track, except a part's last frame, whose duration is estimated (AAC:
// exactly 1024 samples; video: the last measured frame interval). The next part starts exactly
// where that estimate ended, and its first frame carries pts - (that start) as composition
// offset, so presentation times stay exact to the tick and the decode timeline has no holes.
// Segments start at a key frame of the primary track (video, or audio when there is none).
// A hole in the video's timestamps (over a part target, or 4 frame intervals) ends the part
// before it (and the segment, when a key frame follows it, reported as a gap); what follows
// keeps its media time. Audio of the hole is kept: it goes into the next part.
// Not thread-safe: the Rendition calls it under its lock.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "media/frames/frame.h"
#include "media/hls/fmp4.h"
#include "media/hls/live_options.h"
#include "media/hls/segment_listener.h"

namespace hub::media::hls {

struct CutPart {
  SharedBytes data;  // moof + mdat
  double duration = 0;
  bool independent = false;    // starts with a key frame
  bool startsSegment = false;  // first part of a new segment
  bool discontinuity = false;  // (startsSegment only) after a publisher or codec change
  int initVersion = 0;
  std::chrono::system_clock::time_point wallClock;      // ingest time of its first frame
  std::chrono::system_clock::time_point lastWallClock;  // ... and of its last (latency metric)
  std::int64_t mediaUs = 0;  // pts of its first frame on the publisher's timeline (before rebasing)
};

class SegmenterOutput {
 public:
  virtual ~SegmenterOutput() = default;
  virtual void initChanged(int version, SharedBytes init, const std::vector<TrackInfo>& tracks) = 0;
  virtual void partCut(CutPart part) = 0;
  virtual void segmentClosed() = 0;  // the segment of the parts cut so far is complete
  // Right after segmentClosed(): the segment had holes in its primary video (a rung that
  // dropped frames, a transcoder restart) adding up to `seconds` of media time its parts do not
  // cover (playlists list that span as EXT-X-GAP segments after it).
  virtual void gap(double seconds) { (void)seconds; }
};

class Segmenter {
 public:
  Segmenter(const LiveOptions& options, SegmenterOutput& out);

  void tracks(const std::vector<TrackInfo>& tracks);
  void frame(const Frame& frame);
  // Closes the open part and segment; the next segment starts at a key frame, marked as a
  // discontinuity, with timestamps moved to continue where this one ended.
  void discontinuity();
  // Closes the open part and segment (end of stream).
  void flush();

  const std::vector<TrackInfo>& currentTracks() const { return tracks_; }
  double measuredFrameRate() const;
  std::uint64_t droppedFrames() const { return dropped_; }

 private:
  struct Track {
    TrackInfo info;
    std::uint32_t timescale = 0;
    bool video = false;
    std::vector<Sample> samples;  // of the open part
    std::int64_t partBase = 0;    // decode time of the part's first sample
    std::int64_t lastDecode = 0;  // of the last sample appended
    std::int64_t decodeEnd = -1;  // where the last closed part ended, -1: none yet
    std::int64_t lastDelta = 0;   // video: last measured frame interval
  };

  std::int64_t estimate(const Track& t) const;  // duration of a frame whose successor is unknown
  std::int64_t gapTicks(const Track& t) const;  // a longer frame interval is a hole: cut there
  void closePart(bool dropOrphans);
  void closeSegment();
  void rebase(const Frame& f);

  const LiveOptions options_;
  SegmenterOutput& out_;
  std::vector<Track> state_;
  std::vector<TrackInfo> tracks_;
  int initVersion_ = -1;
  bool waitingForKey_ = true;
  bool pendingRebase_ = true;
  bool pendingDiscontinuity_ = false;
  bool segmentOpen_ = false;
  bool partStartsSegment_ = false;
  bool partDiscontinuity_ = false;
  std::int64_t segmentStart_ = 0;  // primary track ticks
  std::int64_t offsetUs_ = 0;
  double holeSeconds_ = 0;  // holes in the open segment's primary video
  std::uint32_t fragmentSeq_ = 0;
  std::chrono::system_clock::time_point partWallClock_{};
  std::chrono::system_clock::time_point partLastWallClock_{};
  bool partHasWallClock_ = false;
  std::int64_t partMediaUs_ = 0;
  std::uint64_t dropped_ = 0;
  std::uint64_t videoFrames_ = 0;
  std::int64_t videoTicks_ = 0;
};

}  // namespace hub::media::hls
