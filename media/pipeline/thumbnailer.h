// media/pipeline/thumbnailer.h
//
// The live picture of one stream as a JPEG, renewed every `[transcode] thumbnail_interval`
// seconds: a FrameSink that takes one key frame per interval and decodes it on its own worker
// thread (a tiny GStreamer pipeline: appsrc -> avdec -> videoscale -> jpegenc -> appsink), so
// the caller never waits and only key frames are ever decoded.
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
  // Thread-safe; what LiveRegistry::setThumbnailSource serves at /live/<name>/thumb.jpg.
  hls::SharedBytes latest() const;
  // How many thumbnails were made / failed to decode so far.
  std::uint64_t made() const;
  std::uint64_t failed() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hub::media::pipeline
