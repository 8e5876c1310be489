// media/rtmp/message.h
//
// One RTMP message as the chunk stream carries it, and the message type ids the server knows
// (spec sections 5.4, 6.2, 7.1).
#pragma once

#include <cstdint>

#include "media/rtmp/bytes.h"

namespace hub::media::rtmp {

namespace msg {
inline constexpr std::uint8_t kSetChunkSize = 1;
inline constexpr std::uint8_t kAbort = 2;
inline constexpr std::uint8_t kAcknowledgement = 3;
inline constexpr std::uint8_t kUserControl = 4;
inline constexpr std::uint8_t kWindowAckSize = 5;
inline constexpr std::uint8_t kSetPeerBandwidth = 6;
inline constexpr std::uint8_t kAudio = 8;
inline constexpr std::uint8_t kVideo = 9;
inline constexpr std::uint8_t kDataAmf3 = 15;
inline constexpr std::uint8_t kCommandAmf3 = 17;
inline constexpr std::uint8_t kDataAmf0 = 18;
inline constexpr std::uint8_t kCommandAmf0 = 20;
inline constexpr std::uint8_t kAggregate = 22;
}  // namespace msg

struct Message {
  std::uint8_t typeId = 0;
  std::uint32_t streamId = 0;   // message stream id
  std::uint32_t timestamp = 0;  // milliseconds, 32 bits, wraps
  Bytes payload;

  bool operator==(const Message&) const = default;
};

}  // namespace hub::media::rtmp
