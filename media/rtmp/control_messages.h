// media/rtmp/control_messages.h
//
// Builders for the protocol control and user control messages the server sends (spec sections
// 5.4 and 6.2): all go on chunk stream 2, message stream 0.
#pragma once

#include <cstdint>

#include "media/rtmp/message.h"

namespace hub::media::rtmp {

inline constexpr std::uint32_t kControlChunkStream = 2;

inline Message controlMessage(std::uint8_t typeId, std::uint32_t value) {
  Message m;
  m.typeId = typeId;
  putU32(m.payload, value);
  return m;
}
inline Message setChunkSizeMessage(std::uint32_t size) { return controlMessage(msg::kSetChunkSize, size); }
inline Message abortMessage(std::uint32_t csid) { return controlMessage(msg::kAbort, csid); }
inline Message acknowledgementMessage(std::uint32_t sequence) {
  return controlMessage(msg::kAcknowledgement, sequence);
}
inline Message windowAckSizeMessage(std::uint32_t size) { return controlMessage(msg::kWindowAckSize, size); }
// limitType: 0 hard, 1 soft, 2 dynamic.
inline Message setPeerBandwidthMessage(std::uint32_t size, std::uint8_t limitType) {
  Message m = controlMessage(msg::kSetPeerBandwidth, size);
  putU8(m.payload, limitType);
  return m;
}

// User control events: 0 Stream Begin, 1 Stream EOF, 6 Ping Request, 7 Ping Response.
inline Message userControlMessage(std::uint16_t event, std::uint32_t value) {
  Message m;
  m.typeId = msg::kUserControl;
  putU16(m.payload, event);
  putU32(m.payload, value);
  return m;
}

}  // namespace hub::media::rtmp
