// media/hls/live_registry.h
//
// Every live stream of this process, by name, and the LL-HLS routes that serve them from
// memory: /live/<name>/master.m3u8, /live/<name>/<rendition>/{index.m3u8, init-<v>.mp4,
// <msn>.m4s, <msn>.<part>.m4s}, /live/<name>/thumb.jpg. One per process; thread-safe. A small
// timer thread (start()) expires parked blocking requests and grace periods; tests drive
// tick() with a FakeClock instead.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/http/server.h"
#include "core/metrics/registry.h"
#include "core/util/clock.h"
#include "media/hls/live_options.h"
#include "media/hls/live_stream.h"
#include "media/hls/segment_listener.h"

namespace hub::media::hls {

class ListenerSet;
struct HlsMetrics;

class LiveRegistry {
 public:
  LiveRegistry(LiveOptions options, const Clock& clock, metrics::Registry& metrics);
  ~LiveRegistry();  // stop()
  LiveRegistry(const LiveRegistry&) = delete;
  LiveRegistry& operator=(const LiveRegistry&) = delete;

  // Starts a live session of `stream`, or resumes the one in its grace period (publisherBack()
  // is called for you). Listeners hear sessionStarted for a new session.
  std::shared_ptr<LiveStream> open(const std::string& stream);
  // The running (or recently ended) session of `stream`, or null.
  std::shared_ptr<LiveStream> find(const std::string& stream) const;
  // Ends `stream` now (stream deleted).
  void close(const std::string& stream);

  // The registry must outlive the server's loops (routes call into it).
  void addRoutes(http::Server& server);
  // Before the first open(); not owned; called on packager threads.
  void addListener(SegmentListener* listener);
  // The latest JPEG of a stream for /live/<name>/thumb.jpg (null: 404).
  void setThumbnailSource(std::function<SharedBytes(const std::string& stream)> source);
  // Who may watch: asked on the loop thread for every /live/<stream>/ request; nullopt lets it
  // through, otherwise the refusal is sent (the media service refuses a held stream to anyone
  // without a preview token). Set it before the server starts; none: everyone may watch.
  using Gate =
      std::function<std::optional<http::Response>(const http::Request& req, std::string_view stream)>;
  void setGate(Gate gate) { gate_ = std::move(gate); }

  // The timer thread (every 50 ms while any stream is listed: tick()). stop() answers parked
  // requests with 503.
  void start();
  void stop();
  void tick();

  const LiveOptions& options() const { return options_; }

  // What each session's viewers added since the previous call (sessions with nothing new are
  // left out), including sessions the timer dropped since: for the media service to store.
  struct PlaybackGrowth {
    std::string stream;
    std::string session;  // the session's tag
    Clock::Wall startedAt;
    PlaybackTotals added;
    int viewers = 0;  // now
  };
  std::vector<PlaybackGrowth> takePlayback();

 private:
  const LiveOptions options_;
  const Clock& clock_;
  metrics::Registry& metrics_;
  std::unique_ptr<HlsMetrics> hlsMetrics_;
  std::unique_ptr<ListenerSet> listeners_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<LiveStream>, std::less<>> streams_;
  std::function<SharedBytes(const std::string&)> thumbnails_;
  Gate gate_;
  std::vector<PlaybackGrowth> dropped_;  // under mu_: growth of sessions no longer listed
  std::thread timer_;
  std::condition_variable timerCv_;  // with mu_: a stream opened, or stop()
  std::atomic<bool> running_{false};
};

}  // namespace hub::media::hls
