// media/hls/tests/flv_clip.h
//
// Test harness: real H.264/AAC access units for the packager. ffmpeg encodes a short test
// pattern + tone into an FLV file at test time; this reads it back into TrackInfo and Frames
// (the same shape ingest produces), with payloads sharing one buffer.
#pragma once

#include <string>
#include <vector>

#include "media/frames/frame.h"

namespace hub::media::hls::test {

struct FlvClip {
  std::vector<TrackInfo> tracks;
  std::vector<Frame> frames;  // in file order (dts order across tracks)
  std::string error;          // set when the file could not be read
};

// Runs ffmpeg: `seconds` of testsrc2 at WxH and `fps` (key frame every `gop` frames, B-frames
// on) and a 48 kHz stereo tone, into `path`. Empty string when it worked, else ffmpeg's output.
std::string encodeClip(const std::string& path, int width, int height, int fps, int gop, double seconds,
                       bool video = true, bool audio = true);

// Reads the FLV; video tracks get `width` x `height` and `fps` (ingest reads them from the SPS).
FlvClip readFlv(const std::string& path, int width, int height, double fps);

}  // namespace hub::media::hls::test
