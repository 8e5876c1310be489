// media/pipeline/aac_reencoder.h
//
// The stream's audio as AAC, whatever the publisher sends. A FrameSink in front of the stream's
// outputs: video and AAC pass through untouched (the publisher's own bytes and
// AudioSpecificConfig); only audio that is not AAC (MP3 in FLV) is re-encoded with libavcodec,
// decoded and encoded again as AAC-LC at the same sample rate and channels, in 1024-sample
// frames timed from the MP3 frames' timestamps. Nothing after it sees MP3. A re-encoder that
// cannot start leaves the audio out (logged) and the video goes on.
// Not thread-safe: one caller at a time, like any FrameSink (the ingest thread).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "media/frames/frame.h"

namespace hub::media::pipeline {

class AacReencoder final : public FrameSink {
 public:
  AacReencoder(std::string stream, FrameSink& next);
  ~AacReencoder() override;
  AacReencoder(const AacReencoder&) = delete;
  AacReencoder& operator=(const AacReencoder&) = delete;

  void tracks(const std::vector<TrackInfo>& tracks) override;
  void frame(const Frame& frame) override;
  void discontinuity() override;  // what the encoder holds goes out first
  void end() override;

  // AAC frames made from re-encoded audio so far (0 while the publisher sends AAC).
  std::uint64_t encodedFrames() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hub::media::pipeline
