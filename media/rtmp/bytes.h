// media/rtmp/bytes.h
//
// Byte buffers and the big-endian (and one little-endian) integer helpers every RTMP parser and
// writer needs. Readers take a pointer the caller has already bounds-checked.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace hub::media::rtmp {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline std::uint32_t readU16(const std::uint8_t* p) { return static_cast<std::uint32_t>(p[0]) << 8 | p[1]; }
inline std::uint32_t readU24(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) << 16 | static_cast<std::uint32_t>(p[1]) << 8 | p[2];
}
inline std::uint32_t readU32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) << 24 | readU24(p + 1);
}
// The message stream id in a type-0 chunk header is the one little-endian field of RTMP.
inline std::uint32_t readU32Le(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[3]) << 24 | static_cast<std::uint32_t>(p[2]) << 16 |
         static_cast<std::uint32_t>(p[1]) << 8 | p[0];
}

inline void putU8(Bytes& out, std::uint32_t v) { out.push_back(static_cast<std::uint8_t>(v)); }
inline void putU16(Bytes& out, std::uint32_t v) {
  putU8(out, v >> 8);
  putU8(out, v);
}
inline void putU24(Bytes& out, std::uint32_t v) {
  putU8(out, v >> 16);
  putU16(out, v);
}
inline void putU32(Bytes& out, std::uint32_t v) {
  putU8(out, v >> 24);
  putU24(out, v);
}
inline void putU32Le(Bytes& out, std::uint32_t v) {
  putU8(out, v);
  putU8(out, v >> 8);
  putU8(out, v >> 16);
  putU8(out, v >> 24);
}

}  // namespace hub::media::rtmp
