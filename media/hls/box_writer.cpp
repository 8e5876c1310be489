// media/hls/box_writer.cpp
//
// Box nesting for BoxWriter: sizes are patched in when a box ends.
#include "media/hls/box_writer.h"

namespace hub::media::hls {

std::size_t BoxWriter::begin(std::string_view type) {
  std::size_t at = out_.size();
  u32(0);
  fourcc(type);
  return at;
}

std::size_t BoxWriter::beginFull(std::string_view type, std::uint8_t version, std::uint32_t flags) {
  std::size_t at = begin(type);
  u8(version);
  u24(flags);
  return at;
}

void BoxWriter::end(std::size_t box) { patch32(box, static_cast<std::uint32_t>(out_.size() - box)); }

void BoxWriter::patch32(std::size_t at, std::uint32_t v) {
  out_[at] = static_cast<char>(v >> 24);
  out_[at + 1] = static_cast<char>((v >> 16) & 0xff);
  out_[at + 2] = static_cast<char>((v >> 8) & 0xff);
  out_[at + 3] = static_cast<char>(v & 0xff);
}

}  // namespace hub::media::hls
