// tests/integration/flv_source.h
//
// Real H.264 + AAC frames for tests that feed a FrameSink: ffmpeg encodes a test pattern and a
// tone into an FLV file, and this reads its tags back with media/rtmp's FLV tag parsers into
// the TrackInfo and Frames ingest would produce.
#pragma once

#include <string>
#include <vector>

#include "media/frames/frame.h"

namespace hub::test {

struct FlvClip {
  std::vector<media::TrackInfo> tracks;  // video first, then audio
  std::vector<media::Frame> frames;      // in file order (interleaved by dts)
  int videoFrames = 0, audioFrames = 0;
};

// Encodes `seconds` of 640x360 30 fps test pattern (1 s GOPs) and a 44.1 kHz tone into
// `dir`/clip.flv with ffmpeg and reads it. Fails the current test (and returns an empty clip)
// when ffmpeg or the parse fails.
FlvClip makeFlvClip(const std::string& dir, int seconds);

// Reads an FLV file (H.264 + AAC) into tracks and frames.
FlvClip readFlv(const std::string& path);

}  // namespace hub::test
