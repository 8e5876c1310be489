// media/rtmp/handshake.cpp
//
// S2 echoes C1 unchanged: the simple handshake asks for that, and clients that check (librtmp,
// as OBS uses it) compare the echo byte for byte. C2 is not checked, as no client gets it right
// consistently.
#include "media/rtmp/handshake.h"

#include <algorithm>
#include <string>
#include <utility>

namespace hub::media::rtmp {

Handshake::Handshake(std::uint32_t epochMs, std::uint64_t seed) {
  s1_.reserve(kPacketSize);
  putU32(s1_, epochMs);
  putU32(s1_, 0);
  std::uint64_t x = seed ? seed : 1;
  while (s1_.size() < kPacketSize) {
    // xorshift64: cheap filler, the simple handshake needs no secrecy
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    putU8(s1_, static_cast<std::uint32_t>(x));
  }
}

Result<std::size_t> Handshake::feed(ByteView in) {
  std::size_t used = 0;
  while (used < in.size()) {
    if (state_ == State::Failed) return makeError("rtmp.handshake_failed", "handshake: already failed");
    if (state_ == State::Done) return used;
    const std::size_t want = (state_ == State::WaitC0C1 ? 1 + kPacketSize : kPacketSize) - in_.size();
    const std::size_t take = std::min(want, in.size() - used);
    in_.insert(in_.end(), in.begin() + static_cast<std::ptrdiff_t>(used),
               in.begin() + static_cast<std::ptrdiff_t>(used + take));
    used += take;
    // Refuse a wrong version on its first byte, before waiting for C1.
    if (state_ == State::WaitC0C1 && in_[0] != kVersion) {
      state_ = State::Failed;
      return makeError("rtmp.handshake_version",
                       "handshake: client version " + std::to_string(in_[0]) + ", want 3");
    }
    if (take < want) break;
    if (state_ == State::WaitC0C1) {
      putU8(out_, kVersion);
      out_.insert(out_.end(), s1_.begin(), s1_.end());
      out_.insert(out_.end(), in_.begin() + 1, in_.end());  // S2 = C1
      state_ = State::WaitC2;
    } else {
      state_ = State::Done;
    }
    in_.clear();
  }
  if (state_ == State::Failed) return makeError("rtmp.handshake_failed", "handshake: already failed");
  return used;
}

Bytes Handshake::takeOutput() { return std::exchange(out_, {}); }

}  // namespace hub::media::rtmp
