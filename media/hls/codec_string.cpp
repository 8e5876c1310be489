// media/hls/codec_string.cpp
//
// RFC 6381 strings from avcC / hvcC / AudioSpecificConfig (ISO/IEC 14496-15 annex E for HEVC).
#include "media/hls/codec_string.h"

#include <cstdio>

namespace hub::media::hls {
namespace {

constexpr int kAacRates[] = {96000, 88200, 64000, 48000, 44100, 32000, 24000,
                             22050, 16000, 12000, 11025, 8000,  7350};

class BitReader {
 public:
  explicit BitReader(std::span<const std::uint8_t> b) : b_(b) {}
  bool has(std::size_t n) const { return pos_ + n <= b_.size() * 8; }
  std::uint32_t read(int n) {
    std::uint32_t v = 0;
    for (int i = 0; i < n; ++i, ++pos_) v = (v << 1) | ((b_[pos_ / 8] >> (7 - pos_ % 8)) & 1u);
    return v;
  }

 private:
  std::span<const std::uint8_t> b_;
  std::size_t pos_ = 0;
};

std::string hevcString(std::span<const std::uint8_t> c) {
  if (c.size() < 13) return "hvc1";
  int space = c[1] >> 6, tier = (c[1] >> 5) & 1, profile = c[1] & 0x1f;
  std::uint32_t compat =
      (std::uint32_t(c[2]) << 24) | (std::uint32_t(c[3]) << 16) | (std::uint32_t(c[4]) << 8) | c[5];
  std::uint32_t reversed = 0;
  for (int i = 0; i < 32; ++i) reversed |= ((compat >> i) & 1u) << (31 - i);
  char buf[64];
  std::string out = "hvc1.";
  if (space > 0) out += static_cast<char>('A' + space - 1);
  std::snprintf(buf, sizeof buf, "%d.%X.%c%d", profile, reversed, tier ? 'H' : 'L', c[12]);
  out += buf;
  // Constraint bytes 6..11, trailing zero bytes left out.
  int last = 11;
  while (last >= 6 && c[last] == 0) --last;
  for (int i = 6; i <= last; ++i) {
    std::snprintf(buf, sizeof buf, ".%X", c[i]);
    out += buf;
  }
  return out;
}

}  // namespace

std::optional<AudioConfig> parseAudioConfig(std::span<const std::uint8_t> asc) {
  BitReader r(asc);
  AudioConfig a;
  if (!r.has(5)) return std::nullopt;
  a.objectType = static_cast<int>(r.read(5));
  if (a.objectType == 31) {
    if (!r.has(6)) return std::nullopt;
    a.objectType = 32 + static_cast<int>(r.read(6));
  }
  if (!r.has(4)) return std::nullopt;
  auto index = r.read(4);
  if (index == 15) {
    if (!r.has(24)) return std::nullopt;
    a.sampleRate = static_cast<int>(r.read(24));
  } else if (index < std::size(kAacRates)) {
    a.sampleRate = kAacRates[index];
  } else {
    return std::nullopt;
  }
  if (!r.has(4)) return std::nullopt;
  a.channels = static_cast<int>(r.read(4));
  return a;
}

std::string codecString(const TrackInfo& track) {
  const auto& c = track.codecData;
  char buf[32];
  switch (track.codec) {
    case Codec::H264:
      if (c.size() < 4) return "avc1";
      std::snprintf(buf, sizeof buf, "avc1.%02x%02x%02x", c[1], c[2], c[3]);
      return buf;
    case Codec::Hevc:
      return hevcString(c);
    case Codec::Aac: {
      auto a = parseAudioConfig(c);
      return "mp4a.40." + std::to_string(a ? a->objectType : 2);
    }
    case Codec::Mp3:
      return "mp4a.40.34";  // never packaged: re-encoded to AAC before the packager
  }
  return "";
}

}  // namespace hub::media::hls
