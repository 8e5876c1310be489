// media/pipeline/transcoder.h
//
// The transcoding ladder of one live stream: a FrameSink that decodes the source's video once
// (GStreamer: appsrc -> avdec_h264/avdec_h265 -> tee) and encodes one rendition per rung
// (videoscale -> x264enc zerolatency -> h264parse -> appsink), key frames forced at the source's
// key frames so every rung cuts segments at the same times. Encoded frames keep the source's
// timestamps and go, with the source's AAC frames passed through, into the sink the callback
// gives for each rung (the session passes LiveStream::rendition).
//
// Never blocks its caller: at most `[transcode] queue_ms` of video waits in the appsrc; beyond
// that video is dropped until the next key frame (counted in status().droppedFrames). A pipeline
// error ends the renditions (end() on their sinks) and leaves status() failed with the message.
// A passthrough-only stream has no Transcoder at all.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/config/config.h"
#include "media/frames/frame.h"
#include "media/hls/segment_listener.h"

namespace hub::metrics {
class Registry;
}

namespace hub::media::pipeline {

struct TranscoderStatus {
  enum class State { Idle, Running, Failed, Ended };
  State state = State::Idle;
  std::string message;              // why it failed (or why it is idle: "source is 360p")
  std::vector<std::string> rungs;   // ids of the rungs being produced ("720p", "480p")
  std::uint64_t framesIn = 0;       // source video frames accepted into the pipeline
  std::uint64_t framesOut = 0;      // encoded frames delivered, all rungs together
  std::uint64_t droppedFrames = 0;  // source video frames dropped (queue full, or failed)
};
const char* stateName(TranscoderStatus::State state);

// The rungs of `ladder` that a source of `sourceHeight` gets (those strictly below it).
std::vector<config::TranscodeRung> rungsFor(const std::vector<config::TranscodeRung>& ladder,
                                            int sourceHeight);

class Transcoder : public FrameSink {
 public:
  // Gives the sink of a rung; called from a GStreamer thread when the rung's first frame is
  // ready (its RenditionInfo then carries the real codecs string and size), once per rung per
  // pipeline (again after a codec change rebuilt it). The sink must outlive the Transcoder.
  using SinkFor = std::function<FrameSink&(const hls::RenditionInfo&)>;

  // `settings.ladder` is the stream's ladder (the default or its own override).
  Transcoder(std::string stream, config::Transcode settings, SinkFor sinkFor,
             metrics::Registry* metrics = nullptr);
  ~Transcoder() override;
  Transcoder(const Transcoder&) = delete;
  Transcoder& operator=(const Transcoder&) = delete;

  void tracks(const std::vector<TrackInfo>& tracks) override;
  void frame(const Frame& frame) override;
  void discontinuity() override;
  void end() override;

  TranscoderStatus status() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hub::media::pipeline
