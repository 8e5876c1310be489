// media/rtmp/sps_parser.cpp
//
// H.264 (ITU-T H.264 7.3.2.1.1) and HEVC (ITU-T H.265 7.3.2.2) SPS fields up to the picture
// size; everything after the cropping window is left unread.
#include "media/rtmp/sps_parser.h"

#include <cstdint>

namespace hub::media::rtmp {
namespace {

Error bad(const std::string& what) { return makeError("rtmp.sps_bad", what); }

// Bits of an RBSP (emulation prevention removed); reads past the end set a flag instead of
// failing at once, so a parser checks it once at the end.
class BitReader {
 public:
  explicit BitReader(Bytes rbsp) : data_(std::move(rbsp)) {}
  std::uint32_t bits(int n) {
    std::uint32_t v = 0;
    for (int i = 0; i < n; ++i) v = v << 1 | bit();
    return v;
  }
  std::uint32_t bit() {
    if (pos_ >= data_.size() * 8) {
      overrun_ = true;
      return 0;
    }
    std::uint32_t b = data_[pos_ / 8] >> (7 - pos_ % 8) & 1;
    ++pos_;
    return b;
  }
  void skip(std::size_t n) { pos_ += n; }
  std::uint32_t ue() {
    int zeros = 0;
    while (bit() == 0) {
      if (++zeros > 31 || overrun_) {
        overrun_ = true;
        return 0;
      }
    }
    if (zeros == 0) return 0;
    return ((1u << zeros) - 1) + bits(zeros);
  }
  std::int32_t se() {
    std::uint32_t k = ue();
    return (k & 1) ? static_cast<std::int32_t>((k + 1) / 2) : -static_cast<std::int32_t>(k / 2);
  }
  bool overrun() const { return overrun_ || pos_ > data_.size() * 8; }

 private:
  Bytes data_;
  std::size_t pos_ = 0;
  bool overrun_ = false;
};

void skipScalingList(BitReader& r, int size) {
  int last = 8, next = 8;
  for (int j = 0; j < size; ++j) {
    if (next != 0) next = (last + r.se() + 256) % 256;
    last = next == 0 ? last : next;
  }
}

Result<PictureSize> checked(BitReader& r, std::int64_t w, std::int64_t h) {
  if (r.overrun()) return bad("SPS truncated");
  if (w <= 0 || h <= 0 || w > 16384 || h > 16384)
    return bad("picture size " + std::to_string(w) + "x" + std::to_string(h) + " out of range");
  return PictureSize{static_cast<int>(w), static_cast<int>(h)};
}

}  // namespace

Result<PictureSize> parseH264Sps(ByteView nal) {
  if (nal.size() < 4 || (nal[0] & 0x1f) != 7) return bad("not an H.264 SPS");
  BitReader r(unescapeNal(nal, 1));
  std::uint32_t profile = r.bits(8);
  r.skip(16);  // constraint flags, level
  r.ue();      // seq_parameter_set_id
  std::uint32_t chroma = 1;
  bool separateColourPlane = false;
  if (profile == 100 || profile == 110 || profile == 122 || profile == 244 || profile == 44 ||
      profile == 83 || profile == 86 || profile == 118 || profile == 128 || profile == 138 ||
      profile == 139 || profile == 134 || profile == 135) {
    chroma = r.ue();
    if (chroma > 3) return bad("chroma_format_idc above 3");
    if (chroma == 3) separateColourPlane = r.bit();
    r.ue();  // bit depths
    r.ue();
    r.bit();  // qpprime_y_zero_transform_bypass
    if (r.bit()) {
      for (int i = 0; i < (chroma != 3 ? 8 : 12); ++i)
        if (r.bit()) skipScalingList(r, i < 6 ? 16 : 64);
    }
  }
  r.ue();  // log2_max_frame_num_minus4
  std::uint32_t pocType = r.ue();
  if (pocType == 0) {
    r.ue();
  } else if (pocType == 1) {
    r.bit();
    r.se();
    r.se();
    std::uint32_t cycle = r.ue();
    if (cycle > 255) return bad("num_ref_frames_in_pic_order_cnt_cycle above 255");
    for (std::uint32_t i = 0; i < cycle; ++i) r.se();
  }
  r.ue();   // max_num_ref_frames
  r.bit();  // gaps_in_frame_num_allowed
  std::int64_t widthMbs = std::int64_t{r.ue()} + 1;
  std::int64_t heightUnits = std::int64_t{r.ue()} + 1;
  bool frameMbsOnly = r.bit();
  if (!frameMbsOnly) r.bit();  // mb_adaptive_frame_field
  r.bit();                     // direct_8x8_inference
  std::int64_t cropL = 0, cropR = 0, cropT = 0, cropB = 0;
  if (r.bit()) {
    cropL = r.ue();
    cropR = r.ue();
    cropT = r.ue();
    cropB = r.ue();
  }
  std::uint32_t arrayType = separateColourPlane ? 0 : chroma;
  std::int64_t cropX = arrayType == 0 ? 1 : (arrayType == 3 ? 1 : 2);
  std::int64_t cropY = (arrayType == 0 ? 1 : (arrayType == 1 ? 2 : 1)) * (frameMbsOnly ? 1 : 2);
  std::int64_t width = widthMbs * 16 - cropX * (cropL + cropR);
  std::int64_t height = (frameMbsOnly ? 1 : 2) * heightUnits * 16 - cropY * (cropT + cropB);
  return checked(r, width, height);
}

Result<PictureSize> parseHevcSps(ByteView nal) {
  if (nal.size() < 4 || ((nal[0] >> 1) & 0x3f) != 33) return bad("not an HEVC SPS");
  BitReader r(unescapeNal(nal, 2));
  r.skip(4);  // sps_video_parameter_set_id
  std::uint32_t maxSubLayersMinus1 = r.bits(3);
  r.bit();     // temporal_id_nesting
  r.skip(96);  // general profile_tier_level: 88 bits profile + 8 bits level
  bool profilePresent[8] = {}, levelPresent[8] = {};
  for (std::uint32_t i = 0; i < maxSubLayersMinus1; ++i) {
    profilePresent[i] = r.bit();
    levelPresent[i] = r.bit();
  }
  if (maxSubLayersMinus1 > 0)
    for (std::uint32_t i = maxSubLayersMinus1; i < 8; ++i) r.skip(2);
  for (std::uint32_t i = 0; i < maxSubLayersMinus1; ++i) {
    if (profilePresent[i]) r.skip(88);
    if (levelPresent[i]) r.skip(8);
  }
  r.ue();  // sps_seq_parameter_set_id
  std::uint32_t chroma = r.ue();
  if (chroma > 3) return bad("chroma_format_idc above 3");
  bool separateColourPlane = chroma == 3 ? r.bit() : false;
  std::int64_t width = r.ue();
  std::int64_t height = r.ue();
  if (r.bit()) {  // conformance_window_flag
    std::uint32_t arrayType = separateColourPlane ? 0 : chroma;
    std::int64_t subW = (arrayType == 1 || arrayType == 2) ? 2 : 1;
    std::int64_t subH = arrayType == 1 ? 2 : 1;
    std::int64_t l = r.ue(), rr = r.ue(), t = r.ue(), b = r.ue();
    width -= subW * (l + rr);
    height -= subH * (t + b);
  }
  return checked(r, width, height);
}

Result<PictureSize> pictureSizeFromAvcC(ByteView avcC) {
  if (avcC.size() < 8) return makeError("rtmp.sps_missing", "avcC record too short");
  std::size_t count = avcC[5] & 0x1f;
  std::size_t pos = 6;
  for (std::size_t i = 0; i < count; ++i) {
    if (pos + 2 > avcC.size()) break;
    std::size_t len = readU16(&avcC[pos]);
    pos += 2;
    if (pos + len > avcC.size()) return bad("avcC SPS truncated");
    return parseH264Sps(avcC.subspan(pos, len));
  }
  return makeError("rtmp.sps_missing", "avcC record holds no SPS");
}

Result<PictureSize> pictureSizeFromHvcC(ByteView hvcC) {
  if (hvcC.size() < 23) return makeError("rtmp.sps_missing", "hvcC record too short");
  std::size_t arrays = hvcC[22];
  std::size_t pos = 23;
  for (std::size_t a = 0; a < arrays; ++a) {
    if (pos + 3 > hvcC.size()) break;
    std::uint8_t type = hvcC[pos] & 0x3f;
    std::size_t n = readU16(&hvcC[pos + 1]);
    pos += 3;
    for (std::size_t i = 0; i < n; ++i) {
      if (pos + 2 > hvcC.size()) return bad("hvcC truncated");
      std::size_t len = readU16(&hvcC[pos]);
      pos += 2;
      if (pos + len > hvcC.size()) return bad("hvcC NAL unit truncated");
      if (type == 33) return parseHevcSps(hvcC.subspan(pos, len));
      pos += len;
    }
  }
  return makeError("rtmp.sps_missing", "hvcC record holds no SPS");
}

Bytes unescapeNal(ByteView nal, std::size_t headerBytes) {
  Bytes out;
  out.reserve(nal.size());
  int zeros = 0;
  for (std::size_t i = headerBytes; i < nal.size(); ++i) {
    if (zeros >= 2 && nal[i] == 3) {
      zeros = 0;
      continue;
    }
    zeros = nal[i] == 0 ? zeros + 1 : 0;
    out.push_back(nal[i]);
  }
  return out;
}

}  // namespace hub::media::rtmp
