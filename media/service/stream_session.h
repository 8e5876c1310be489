// media/service/stream_session.h
//
// One live stream inside the media service: the FrameSink ingest feeds, which fans every call
// out to the stream's consumers (the HLS source rendition, the transcoder, the thumbnailer,
// each restreamer) and keeps the live status: who publishes, codecs, picture size, frame rate,
// key-frame interval, bitrate in, dropped frames. A publisher that drops and comes back, or a
// newer one that takes over, is the same session: consumers see discontinuity(), not a new
// stream. Audio that is not AAC (MP3) is re-encoded to AAC on the way to them (the status shows
// what the publisher sends). Frames arrive on the ingest thread; status() may be read from any
// thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/util/clock.h"
#include "media/frames/frame.h"
#include "media/pipeline/aac_reencoder.h"
#include "media/service/live_outputs.h"
#include "media/streams/stream_store.h"

namespace hub::media::service {

struct Publisher {
  std::uint64_t connectionId = 0;
  std::string address;
};

class StreamSession final : public FrameSink {
 public:
  // Window the rates (bitrate, fps) are measured over.
  static constexpr std::chrono::seconds kRateWindow{5};

  StreamSession(std::string name, const Clock& clock);

  // Consumers, added before the first publisher (or between publishers); not owned.
  void addConsumer(FrameSink* consumer);
  // Read at status time: extra fields the consumers report (viewers, renditions, ...).
  void addStatusSource(std::function<void(nlohmann::json&)> source);
  // The live outputs (HLS, ladder, thumbnails, restream) frames go to besides the consumers;
  // replaced on the ingest thread when a publisher arrives. Readable from any thread.
  void setOutputs(std::shared_ptr<LiveOutputs> outputs);
  std::shared_ptr<LiveOutputs> outputs() const;

  void publisherArrived(const Publisher& publisher, bool takeover);
  void publisherLeft();
  void framesDropped(std::uint64_t n);
  // The stream is going away (deleted, or the service stops): consumers get end().
  void close();

  void tracks(const std::vector<TrackInfo>& tracks) override;
  void frame(const Frame& frame) override;
  void discontinuity() override;
  void end() override;

  const std::string& name() const { return name_; }
  bool live() const;
  nlohmann::json status() const;
  streams::HealthSample sample() const;

 private:
  struct Sample {
    Clock::Steady at;
    std::size_t bytes;
    bool video;
  };
  // After the AAC re-encoder: every call to the consumers and the live outputs.
  class Fanout final : public FrameSink {
   public:
    explicit Fanout(StreamSession& s) : s_(s) {}
    void tracks(const std::vector<TrackInfo>& tracks) override;
    void frame(const Frame& frame) override;
    void discontinuity() override;
    void end() override;

   private:
    StreamSession& s_;
  };
  void trimLocked(Clock::Steady now) const;
  double fpsLocked(Clock::Steady now) const;
  std::int64_t bitrateLocked(Clock::Steady now) const;

  const std::string name_;
  const Clock& clock_;
  std::vector<FrameSink*> consumers_;
  std::vector<std::function<void(nlohmann::json&)>> statusSources_;
  bool needDiscontinuity_ = false;  // ingest thread only
  LiveOutputs* out_ = nullptr;      // ingest thread's copy of outputs_
  bool ended_ = false;
  Fanout fanout_{*this};
  pipeline::AacReencoder audio_{name_, fanout_};

  mutable std::mutex mu_;
  std::optional<Publisher> publisher_;
  std::shared_ptr<LiveOutputs> outputs_;
  std::chrono::system_clock::time_point since_{};
  std::vector<TrackInfo> tracks_;
  mutable std::deque<Sample> samples_;
  std::uint64_t videoFrames_ = 0, audioFrames_ = 0, dropped_ = 0, publishes_ = 0, takeovers_ = 0;
  std::optional<std::int64_t> lastKeyDtsUs_;
  double keyFrameInterval_ = 0;
};

}  // namespace hub::media::service
