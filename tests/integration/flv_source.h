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

// Encodes `seconds` of 640x360 30 fps test pattern (1 s GOPs) and a 44.1 kHz stereo tone in
// `audioCodec` (an ffmpeg encoder: aac, libmp3lame) into the FLV file `path`; "" or ffmpeg's output.
std::string encodeFlvClip(const std::string& path, int seconds, const std::string& audioCodec = "aac");

// The same (AAC) into `dir`/clip.flv, read back. Fails the current test (and returns an empty clip)
// when ffmpeg or the parse fails.
FlvClip makeFlvClip(const std::string& dir, int seconds);

// Reads an FLV file (H.264 + AAC) into tracks and frames.
FlvClip readFlv(const std::string& path);

}  // namespace hub::test
