// media/restream/restreamer.h
//
// Simulcast to one external RTMP target (a Douyin, Bilibili, Kuaishou or WeChat Channels live
// room): the source tracks are forwarded as they are, never re-encoded. A Restreamer is a
// FrameSink the stream session fans out to; frame() only copies a Payload handle into a bounded
// queue, and the Restreamer's own thread speaks RTMP (our client handshake, chunk writer and
// AMF0: connect, releaseStream, FCPublish, createStream, publish, @setDataFrame onMetaData, the
// AVC/AAC sequence headers, then FLV tag bodies). A slow target overflows its queue and drops
// until the next key frame; a failing one reconnects with exponential backoff and jitter and
// starts again from a key frame with the sequence headers. Neither ever blocks the stream or
// the other targets. H.264 only: an HEVC source is not restreamed and the status says so.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/util/clock.h"
#include "core/util/result.h"
#include "media/frames/frame.h"

namespace hub::metrics {
class Registry;
}

namespace hub::media::restream {

struct RestreamOptions {
  std::size_t maxQueuedBytes = 8 << 20;  // frames waiting for the socket; over it: drop to a key frame
  std::chrono::milliseconds connectTimeout{5000};  // TCP connect + handshake + publish answer
  std::chrono::milliseconds sendTimeout{5000};     // a socket that accepts nothing this long: reconnect
  std::chrono::milliseconds backoffInitial{1000};
  std::chrono::milliseconds backoffMax{30000};
  std::uint32_t chunkSize = 4096;  // announced with Set Chunk Size after the handshake
};

// "rtmp://host[:port]/app[/...]/streamName[?query]" split the way publishers do it: the last path
// segment (plus query) is the stream name, the rest is the app. Error "restream.bad_url".
struct RtmpUrl {
  std::string host;
  std::uint16_t port = 1935;
  std::string app;     // "live" or "live/sub"
  std::string stream;  // the stream name: usually the secret key
  std::string tcUrl;   // "rtmp://host:port/app"
  // The URL with the stream name hidden, for logs and the status: it is a secret.
  std::string redacted() const;
};
Result<RtmpUrl> parseRtmpUrl(const std::string& url);

enum class TargetState { Connecting, Live, Retrying, Unsupported, Stopped };
const char* targetStateName(TargetState s);  // "connecting", "live", "retrying", ...

struct RestreamStatus {
  std::string target;  // RtmpUrl::redacted()
  TargetState state = TargetState::Connecting;
  std::string lastError;  // code and message of the last failure ("restream.connect: ...")
  std::uint64_t bytesSent = 0;
  std::uint64_t framesSent = 0;
  std::uint64_t framesDropped = 0;
  int connects = 0;  // successful publishes so far
  int failures = 0;  // failed attempts and lost connections so far
};

class Restreamer final : public FrameSink {
 public:
  // `stream` names the hub stream for log lines and metrics. Starts its thread at once; it
  // connects when the first tracks arrive. A bad URL leaves it in Retrying with the error and
  // no thread work. `metrics` may be null.
  Restreamer(std::string stream, const std::string& url, RestreamOptions options, const Clock& clock,
             metrics::Registry* metrics = nullptr);
  ~Restreamer() override;  // stops the thread, closes the connection (FCUnpublish, deleteStream)
  Restreamer(const Restreamer&) = delete;
  Restreamer& operator=(const Restreamer&) = delete;

  void tracks(const std::vector<TrackInfo>& tracks) override;
  void frame(const Frame& frame) override;
  void discontinuity() override;
  void end() override;

  RestreamStatus status() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hub::media::restream
