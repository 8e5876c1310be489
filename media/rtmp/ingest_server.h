// media/rtmp/ingest_server.h
//
// The RTMP ingest server: one thread of its own running epoll over non-blocking sockets on the
// exact `[rtmp] listen` address, one IngestSession per connection. It enforces the connection
// cap, the handshake timeout (connect must arrive in time) and the idle timeout (a publisher
// that stalls is closed), keeps one publisher per stream (the newest takes over: encoders that
// reconnect are never locked out), and counts everything in Prometheus metrics. Bad bytes close
// that one connection, with a log line and a metric.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/metrics/registry.h"
#include "core/util/clock.h"
#include "core/util/result.h"
#include "media/frames/frame.h"
#include "media/rtmp/ingest_session.h"

namespace hub::media::rtmp {

struct PublisherInfo {
  std::uint64_t connectionId = 0;
  std::string peer;  // "127.0.0.1:51234"
};

// What the server needs from the media service. Called on the server's thread; must not block.
class IngestHost {
 public:
  virtual ~IngestHost() = default;
  // The stream a publish key belongs to; error rtmp.bad_key.
  virtual Result<std::string> resolveKey(std::string_view key) = 0;
  // A publisher's key was accepted. `takeover`: another publisher of this stream was just
  // closed in its favour. The sink stays valid until publishEnded() for this stream.
  virtual FrameSink& publishStarted(const std::string& stream, const PublisherInfo& info, bool takeover) = 0;
  virtual void publishEnded(const std::string& stream) = 0;
  // Frames of `stream` ingest could not use (no codec data for their track).
  virtual void framesDropped(const std::string& stream, std::uint64_t n) = 0;
};

struct IngestServerOptions {
  std::string address = "0.0.0.0";
  int port = 1935;
  std::size_t maxConnections = 1000;
  std::chrono::milliseconds handshakeTimeout{10'000};  // accept -> connect command
  std::chrono::milliseconds idleTimeout{30'000};       // no bytes from the client
  std::size_t maxOutputBytes = 1 << 20;                // unsent replies before a client is dropped
  IngestSessionOptions session;
};

class IngestServer {
 public:
  IngestServer(IngestServerOptions options, IngestHost& host, metrics::Registry& metrics, const Clock& clock);
  ~IngestServer();  // stop()
  IngestServer(const IngestServer&) = delete;
  IngestServer& operator=(const IngestServer&) = delete;

  // Binds and starts the thread. Error "rtmp.listen" naming the address.
  Status start();
  void stop();  // closes every connection (publishers end) and joins; idempotent

  int port() const { return port_; }
  std::string boundAddress() const { return bound_; }

  // Closes the publisher of `stream`, if any (its stream was deleted or its key rotated). Any thread.
  void disconnect(const std::string& stream);
  // Runs `fn` on the server's thread, after the requests posted before it (FrameSink calls must
  // come from that thread). Dropped when the server is not running.
  void post(std::function<void()> fn);

 private:
  struct Connection;
  friend struct Connection;

  void run();
  void accept();
  void onReadable(Connection& c);
  void flush(Connection& c);
  void close(std::uint64_t id, const Error* why);
  void checkTimeouts();
  void countError(const std::string& code);
  void countProgress(Connection& c);

  IngestServerOptions options_;
  IngestHost& host_;
  metrics::Registry& metrics_;
  const Clock& clock_;
  int listenFd_ = -1;
  int epollFd_ = -1;
  int wakeFd_ = -1;
  int port_ = 0;
  std::string bound_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::uint64_t nextId_ = 1;
  std::map<std::uint64_t, std::unique_ptr<Connection>> connections_;  // server thread only
  std::map<std::string, std::uint64_t> publishers_;                   // stream -> connection
  std::vector<std::uint64_t> toClose_;
  std::mutex requestsMu_;
  std::vector<std::function<void()>> posted_;

  metrics::Gauge& connectionsGauge_;
  metrics::Counter& accepted_;
  metrics::Counter& bytesIn_;
  metrics::Counter& videoFrames_;
  metrics::Counter& audioFrames_;
  metrics::Counter& publishes_;
  metrics::Counter& takeovers_;
  metrics::Counter& droppedFrames_;
};

}  // namespace hub::media::rtmp
