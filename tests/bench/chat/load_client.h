// tests/bench/chat/load_client.h
//
// One chat connection of the load generator: a minimal non-blocking WebSocket client (RFC 6455,
// client side only, no extensions) that speaks either the hub's protocol on /ws or Socket.IO 4
// (Engine.IO framing: "0" open, "40" connect, "42[...]" events, "2"/"3" ping/pong) carrying the
// same JSON shapes. Its owner drives it from an epoll loop: onReadable()/onWritable() when the
// socket says so, send*() when the schedule says so. What arrives is handed to a FrameSink.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hub::bench {

enum class Flavor { Hub, SocketIo };

// Called for every complete text message the server sent (after Engine.IO unwrapping for
// Socket.IO: the "42" prefix is left on, the sink searches inside).
class FrameSink {
 public:
  virtual ~FrameSink() = default;
  virtual void onText(std::size_t client, std::string_view text) = 0;
};

class LoadClient {
 public:
  enum class State { Connecting, Handshake, Opening, Hello, Joining, Ready, Closed };

  LoadClient(std::size_t index, Flavor flavor, std::string host, int port, std::string path,
             std::string origin, std::string token, std::string room);

  // Starts the non-blocking connect; returns the fd (-1 on failure, state Closed).
  int start();
  int fd() const { return fd_; }
  State state() const { return state_; }
  std::size_t index() const { return index_; }
  const std::string& closeReason() const { return closeReason_; }
  // True while bytes wait for the socket to become writable.
  bool wantsWrite() const { return !out_.empty(); }
  // When the kernel queued the last bytes read (SO_TIMESTAMPNS, CLOCK_REALTIME microseconds;
  // 0 if the kernel gave none): what the frames being parsed waited for the generator to read.
  std::int64_t arrivalRealMicros() const { return arrivalRealMicros_; }

  // All return false when the connection died (state Closed).
  bool onReadable(FrameSink& sink);
  bool onWritable();
  // Bytes read for this connection by someone else (the worker's io_uring), with the kernel's
  // arrival stamp (0 if none); a frame may be split across calls anywhere.
  bool onData(std::string_view bytes, std::int64_t arrivalRealMicros, FrameSink& sink);
  // The socket's end as someone else read it: 0 closed by the server, or -errno.
  bool onEnd(int res);

  // A hub command object, wrapped for the flavor; false when closed.
  bool sendCommand(std::string_view json);

 private:
  bool fail(std::string why);
  bool flush();
  bool sendFrame(int opcode, std::string_view payload);
  bool parseHandshake();
  // Hands every whole frame of `bytes` on and sets `used` to the bytes they took.
  bool parseFrames(std::string_view bytes, std::size_t& used, FrameSink& sink);
  bool parseBuffered(FrameSink& sink);  // the frames of in_
  bool onMessage(std::string_view text, FrameSink& sink);

  std::size_t index_;
  Flavor flavor_;
  std::string host_;
  int port_;
  std::string path_;
  std::string origin_;
  std::string token_;
  std::string room_;
  int fd_ = -1;
  State state_ = State::Connecting;
  std::string in_;  // bytes not parsed yet: a partial frame, or the handshake's reply
  std::int64_t arrivalRealMicros_ = 0;
  std::string out_;
  std::string fragment_;
  std::string closeReason_;
};

}  // namespace hub::bench
