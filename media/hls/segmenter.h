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
// before it. While the audio goes on through it, the audio is cut into parts (and segments) of
// its own, and the first frame after the hole is moved back to where the video stopped and
// lasts the hole: each track's timeline stays whole, the viewer hears the hole and sees that
// frame. A hole nothing covers (no audio, or it stopped too) is listed as a gap after its
// segment; what follows keeps its media time, and a key frame there starts a new segment.
// Not thread-safe: the Rendition calls it under its lock.
#pragma once

#include <chrono>
#include <climits>
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
  // dropped frames, a transcoder restart) that no audio covered either, adding up to `seconds`
  // of media time its parts do not cover (playlists list that span as EXT-X-GAP segments after it).
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
    std::int64_t held = 0;        // the last sample was moved back this far over a hole: it lasts that longer
    std::int64_t lastKey = -1;    // video: decode time of the last key frame
    std::int64_t gop = 0;         // ... and the distance from the one before
    std::int64_t runStart = -1;   // audio: decode time its unbroken run began
  };

  std::int64_t estimate(const Track& t) const;  // duration of a frame whose successor is unknown
  std::int64_t gapTicks(const Track& t) const;  // a longer frame interval is a hole: cut there
  // Cuts the open part. Without the primary's samples (audio waiting for the video) it cuts
  // only in a hole (holeMode_) or at the end of the timeline (dropOrphans, with a segment
  // open), else they wait (or are dropped). Non-primary samples from untilUs on stay.
  void closePart(bool dropOrphans, std::int64_t untilUs = INT64_MAX);
  void closeSegment();
  void openSegment(std::int64_t start);
  // An audio frame was appended: notices a hole in the video and cuts the audio meanwhile.
  void audioArrived(Track& audio, std::chrono::system_clock::time_point wall);
  void cutAudio(std::int64_t limitUs);               // the pending audio before limitUs, in audio-only parts
  std::int64_t timelineTicks(const Track& t) const;  // timelineEndUs_ in t's ticks, -1: none
  std::size_t audioIndex() const;                    // the audio track beside a primary video, 0: none
  std::int64_t audioEndUs() const;                   // where the audio received so far ends, -1: none
  std::int64_t audioRunUs() const;                   // where the audio's unbroken run began (INT64_MAX: none)
  // Whether the audio runs without a break from fromUs or before to toUsIncl or after.
  bool audioCovers(std::int64_t fromUs, std::int64_t toUsIncl) const;
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
  double holeSeconds_ = 0;           // holes in the open segment's primary video
  bool holeMode_ = false;            // the video is away while the audio goes on: parts cut on the audio
  std::int64_t timelineEndUs_ = -1;  // where the last part cut ended on the listed timeline
  std::chrono::system_clock::time_point audioWallClock_{};  // ingest time of the last audio frame
  std::int64_t audioWallUs_ = 0;                            // ... and its decode time
  std::int64_t audioLeadUs_ = 0;  // how far the audio was ahead of the video at its last frame
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
