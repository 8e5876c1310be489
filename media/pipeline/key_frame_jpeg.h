// media/pipeline/key_frame_jpeg.h
//
// One key frame to a small JPEG with libavcodec: a decoder that lives as long as the stream's
// codec data stay the same (single-threaded, drained after each key frame so B-frame delay
// never holds the picture back), an area-average downscale of the planes (limited range made
// full range on the way), and the MJPEG encoder, reopened only when the output size changes.
// Not thread-safe: the Thumbnailer's worker owns one.
#pragma once

#include <memory>
#include <string>

#include "core/util/result.h"
#include "media/frames/frame.h"

namespace hub::media::pipeline {

class KeyFrameJpeg {
 public:
  KeyFrameJpeg();
  ~KeyFrameJpeg();
  KeyFrameJpeg(const KeyFrameJpeg&) = delete;
  KeyFrameJpeg& operator=(const KeyFrameJpeg&) = delete;

  // Decodes `frame` (a key frame of `track`) and encodes it `width` wide (even), the height
  // keeping the picture's aspect ratio (even). Errors: "pipeline.thumbnail" (the frame did not
  // decode, or an unsupported pixel format), "pipeline.missing_codec".
  Result<std::string> encode(const TrackInfo& track, const Frame& frame, int width);

  // How many times a decoder was opened (once per codec-data change; the tests check reuse).
  int decoderOpens() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hub::media::pipeline
