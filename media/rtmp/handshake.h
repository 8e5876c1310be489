// media/rtmp/handshake.h
//
// The server side of the RTMP simple handshake (spec section 5.2) as a state machine over bytes:
// feed what the client sent, in pieces of any size, and send what output() holds. C0+C1 earn
// S0+S1+S2 at once; C2 completes it. Bytes after C2 belong to the chunk stream and are left
// for the caller. The complex (digest) handshake is not needed: ffmpeg, OBS and GStreamer all
// publish with the simple one when the server answers it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/util/result.h"
#include "media/rtmp/bytes.h"

namespace hub::media::rtmp {

class Handshake {
 public:
  static constexpr std::size_t kPacketSize = 1536;  // C1, C2, S1, S2
  static constexpr std::uint8_t kVersion = 3;

  enum class State { WaitC0C1, WaitC2, Done, Failed };

  // `epochMs` goes into S1's time field; `seed` fills S1's random part (it needs no secrecy).
  explicit Handshake(std::uint32_t epochMs = 0, std::uint64_t seed = 0x9e3779b97f4a7c15ULL);

  // Consumes handshake bytes from `in` and returns how many it took: all of them until the
  // handshake is done, then only up to the end of C2. Error code: rtmp.handshake_version.
  Result<std::size_t> feed(ByteView in);

  // Bytes to send to the client; the caller empties it with takeOutput() after each feed.
  const Bytes& output() const { return out_; }
  Bytes takeOutput();

  State state() const { return state_; }
  bool done() const { return state_ == State::Done; }

 private:
  State state_ = State::WaitC0C1;
  Bytes in_;  // C0+C1 or C2 as far as received
  Bytes out_;
  Bytes s1_;
};

}  // namespace hub::media::rtmp
