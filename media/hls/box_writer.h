// media/hls/box_writer.h
//
// Big-endian byte writing with ISO BMFF boxes that nest: begin() reserves the size field and
// end() fills it in, so box sizes are never computed by hand.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace hub::media::hls {

class BoxWriter {
 public:
  explicit BoxWriter(std::string& out) : out_(out) {}

  void u8(std::uint32_t v) { out_.push_back(static_cast<char>(v & 0xff)); }
  void u16(std::uint32_t v) {
    u8(v >> 8);
    u8(v);
  }
  void u24(std::uint32_t v) {
    u8(v >> 16);
    u16(v);
  }
  void u32(std::uint32_t v) {
    u16(v >> 16);
    u16(v);
  }
  void u64(std::uint64_t v) {
    u32(static_cast<std::uint32_t>(v >> 32));
    u32(static_cast<std::uint32_t>(v));
  }
  void zeros(std::size_t n) { out_.append(n, '\0'); }
  void fourcc(std::string_view code) { out_.append(code.substr(0, 4)); }
  void bytes(std::span<const std::uint8_t> b) {
    out_.append(reinterpret_cast<const char*>(b.data()), b.size());
  }
  void bytes(std::string_view b) { out_.append(b); }

  // Starts a box; returns its offset for end().
  std::size_t begin(std::string_view type);
  // A full box: version and 24-bit flags after the header.
  std::size_t beginFull(std::string_view type, std::uint8_t version, std::uint32_t flags);
  void end(std::size_t box);
  // Overwrites 4 bytes at `at` (offsets known only later, like trun's data_offset).
  void patch32(std::size_t at, std::uint32_t v);

  std::size_t size() const { return out_.size(); }

 private:
  std::string& out_;
};

}  // namespace hub::media::hls
