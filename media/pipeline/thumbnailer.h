// media/pipeline/thumbnailer.h
//
// The live picture of one stream as a JPEG: a FrameSink that takes one key frame when a
// thumbnail is due and decodes it on its own worker thread with one long-lived libavcodec
// decoder (KeyFrameJpeg), so the caller never waits and only key frames are ever decoded.
// A thumbnail is due every `[transcode] thumbnail_interval` seconds while viewers ask for
// thumb.jpg (serve()), and only every `thumbnail_idle_interval` seconds when nobody asked for
// it that long; until the first one is made, every key frame at the fast interval is tried, so
// there is soon a picture to serve.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/config/config.h"
#include "core/util/clock.h"
#include "media/frames/frame.h"
#include "media/hls/segment_listener.h"

namespace hub::media::pipeline {

class Thumbnailer : public FrameSink {
 public:
  Thumbnailer(std::string stream, const config::Transcode& settings,
              const Clock& clock = SystemClock::instance());
  ~Thumbnailer() override;
  Thumbnailer(const Thumbnailer&) = delete;
  Thumbnailer& operator=(const Thumbnailer&) = delete;

  void tracks(const std::vector<TrackInfo>& tracks) override;
  void frame(const Frame& frame) override;
  void discontinuity() override;
  void end() override;

  // The latest JPEG (thumbnail_width wide, the source's aspect ratio); null before the first.
  // Thread-safe. latest() is for internal copies (recordings) and does not count as demand;
  // serve() is what /live/<name>/thumb.jpg returns and keeps thumbnails at the fast interval.
  hls::SharedBytes latest() const;
  hls::SharedBytes serve() const;
  // How many thumbnails were made / failed to decode so far.
  std::uint64_t made() const;
  std::uint64_t failed() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hub::media::pipeline
