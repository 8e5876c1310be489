// Picture sizes read from real encoder output: SPS NAL units libx264 and libx265 wrote for
// 640x360 (360 is not a multiple of 16: the cropping / conformance window matters) and a
// 4:4:4 320x240 HEVC one.
#include <gtest/gtest.h>

#include "media/rtmp/sps_parser.h"

using namespace hub::media::rtmp;

namespace {

const Bytes kH264Sps640x360 = {0x67, 0x64, 0x00, 0x1e, 0xac, 0xd9, 0x40, 0xa0, 0x2f, 0xf9, 0x70, 0x11, 0x00,
                               0x00, 0x03, 0x00, 0x01, 0x00, 0x00, 0x03, 0x00, 0x32, 0x0f, 0x16, 0x2d, 0x96};
const Bytes kHevcSps640x360 = {0x42, 0x01, 0x01, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00, 0x90, 0x00,
                               0x00, 0x03, 0x00, 0x00, 0x03, 0x00, 0x3f, 0xa0, 0x05, 0x02, 0x01,
                               0x69, 0x65, 0x95, 0x9a, 0x49, 0x32, 0xbc, 0x05, 0xa0, 0x20, 0x00,
                               0x00, 0x03, 0x00, 0x20, 0x00, 0x00, 0x03, 0x03, 0x21};
const Bytes kHevcSps320x240Yuv444 = {0x42, 0x01, 0x01, 0x04, 0x08, 0x00, 0x00, 0x03, 0x00, 0x9e, 0x08,
                                     0x00, 0x00, 0x03, 0x00, 0x00, 0x3c, 0x90, 0x01, 0x41, 0x01, 0xe2,
                                     0xcb, 0x2b, 0x34, 0x92, 0x65, 0x78, 0x0b, 0x70, 0x20, 0x20, 0x00,
                                     0x40, 0x00, 0x00, 0x03, 0x00, 0x40, 0x00, 0x00, 0x06, 0x42};

Bytes avcC(const Bytes& sps) {
  Bytes out = {1, sps[1], sps[2], sps[3], 0xff, 0xe1};
  putU16(out, static_cast<std::uint32_t>(sps.size()));
  out.insert(out.end(), sps.begin(), sps.end());
  out.push_back(0);  // no PPS
  return out;
}

Bytes hvcC(const Bytes& sps) {
  Bytes out(22, 0);
  out[0] = 1;
  out[21] = 0x0f;
  out.push_back(1);          // one array
  out.push_back(0x80 | 33);  // SPS
  putU16(out, 1);
  putU16(out, static_cast<std::uint32_t>(sps.size()));
  out.insert(out.end(), sps.begin(), sps.end());
  return out;
}

}  // namespace

TEST(SpsParser, H264SizeWithCropping) {
  auto size = parseH264Sps(kH264Sps640x360);
  ASSERT_TRUE(size) << size.error().message;
  EXPECT_EQ(size->width, 640);
  EXPECT_EQ(size->height, 360);
  auto fromRecord = pictureSizeFromAvcC(avcC(kH264Sps640x360));
  ASSERT_TRUE(fromRecord);
  EXPECT_EQ(fromRecord->height, 360);
}

TEST(SpsParser, HevcSizeWithConformanceWindow) {
  auto size = pictureSizeFromHvcC(hvcC(kHevcSps640x360));
  ASSERT_TRUE(size) << size.error().message;
  EXPECT_EQ(size->width, 640);
  EXPECT_EQ(size->height, 360);
  auto chroma444 = parseHevcSps(kHevcSps320x240Yuv444);
  ASSERT_TRUE(chroma444) << chroma444.error().message;
  EXPECT_EQ(chroma444->width, 320);
  EXPECT_EQ(chroma444->height, 240);
}

TEST(SpsParser, TruncatedOrMissingSpsIsAnError) {
  Bytes cut(kH264Sps640x360.begin(), kH264Sps640x360.begin() + 6);
  auto r = parseH264Sps(cut);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "rtmp.sps_bad");
  Bytes noSps = {1, 0x64, 0, 0x1e, 0xff, 0xe0, 0};
  auto m = pictureSizeFromAvcC(noSps);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, "rtmp.sps_missing");
  auto h = pictureSizeFromHvcC(Bytes(23, 0));
  ASSERT_FALSE(h);
  EXPECT_EQ(h.error().code, "rtmp.sps_missing");
}
