// media/hls/tests/box_reader.h
//
// A minimal ISO BMFF reader for tests: reads back what the box writer wrote, independently of it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hub::media::hls::test {

struct Box {
  std::string type;
  std::size_t offset = 0;    // of the box header in the whole buffer
  std::string_view payload;  // after the 8-byte header
};

inline std::uint32_t be32(std::string_view s, std::size_t at) {
  auto b = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + i])); };
  return b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3);
}
inline std::uint16_t be16(std::string_view s, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(s[at]) << 8 |
                                    static_cast<unsigned char>(s[at + 1]));
}
inline std::uint64_t be64(std::string_view s, std::size_t at) {
  return std::uint64_t(be32(s, at)) << 32 | be32(s, at + 4);
}

// The boxes directly inside `data` (whose first byte is at `base` in the whole buffer). Stops at
// the first box whose size does not fit.
inline std::vector<Box> boxes(std::string_view data, std::size_t base = 0) {
  std::vector<Box> out;
  std::size_t pos = 0;
  while (pos + 8 <= data.size()) {
    auto size = be32(data, pos);
    if (size < 8 || pos + size > data.size()) break;
    out.push_back({std::string(data.substr(pos + 4, 4)), base + pos, data.substr(pos + 8, size - 8)});
    pos += size;
  }
  return out;
}

inline const Box* child(const std::vector<Box>& list, std::string_view type, int nth = 0) {
  for (const auto& b : list)
    if (b.type == type && nth-- == 0) return &b;
  return nullptr;
}

// Children of `box`, skipping `skip` payload bytes first (full box header, sample entry fields).
inline std::vector<Box> children(const Box& box, std::size_t skip = 0) {
  return boxes(box.payload.substr(skip), box.offset + 8 + skip);
}

}  // namespace hub::media::hls::test
