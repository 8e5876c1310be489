// media/pipeline/tests/clip.h
//
// Real H.264 / HEVC / AAC frames for the pipeline tests: ffmpeg encodes a short test pattern at
// test time, libavformat demuxes it into TrackInfo + Frames exactly as ingest would hand them
// over; and the other direction, libavcodec decodes what the pipeline produced, so the tests
// check pictures rather than bytes. Also a FrameSink that records everything it is given.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "media/frames/frame.h"
#include "media/hls/segment_listener.h"

namespace hub::media::pipeline::test {

struct Clip {
  std::vector<TrackInfo> tracks;
  std::vector<Frame> frames;  // in file order (dts order per track)
  const TrackInfo* video() const;
  std::vector<Frame> videoFrames() const;
  std::vector<Frame> audioFrames() const;
};

// Encodes `seconds` of testsrc2 at `size` ("640x360") and 30 fps with a 1 s GOP, B-frames, and
// a sine tone (AAC), with `videoCodec` (libx264 or libx265), into `dir`, and demuxes it.
// Fails the current test (and returns an empty clip) when ffmpeg or the demux fails.
Clip makeClip(const std::string& dir, const std::string& size, double seconds,
              const std::string& videoCodec = "libx264");

// Decodes frames of one video track with libavcodec: how many pictures came out, their size,
// and how many packets were refused.
struct Decoded {
  int pictures = 0, width = 0, height = 0, errors = 0;
};
Decoded decodeVideo(const TrackInfo& track, const std::vector<Frame>& frames);

// Decodes a JPEG; width/height 0 when it is not one.
Decoded decodeJpeg(const std::string& jpeg);

// Records what a FrameSink is given; thread-safe.
class RecordingSink : public FrameSink {
 public:
  void tracks(const std::vector<TrackInfo>& tracks) override;
  void frame(const Frame& frame) override;
  void discontinuity() override;
  void end() override;

  struct Seen {
    std::vector<std::vector<TrackInfo>> tracks;
    std::vector<Frame> video, audio;
    int discontinuities = 0, ends = 0;
    bool outOfOrder = false;  // a call after end(), or frames before tracks()
  };
  Seen seen() const;

 private:
  mutable std::mutex mu_;
  Seen seen_;
};

// A RecordingSink per rendition id, handed out like LiveStream::rendition does.
class Renditions {
 public:
  FrameSink& sinkFor(const hls::RenditionInfo& info);
  std::map<std::string, hls::RenditionInfo> infos() const;
  RecordingSink::Seen seen(const std::string& id) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, hls::RenditionInfo> infos_;
  std::map<std::string, std::unique_ptr<RecordingSink>> sinks_;
};

}  // namespace hub::media::pipeline::test
