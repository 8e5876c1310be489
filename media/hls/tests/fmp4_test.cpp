// media/hls/tests/fmp4_test.cpp
//
// The box writer's init segments and fragments, read back with an independent reader; and the
// RFC 6381 codec strings.
#include "media/hls/fmp4.h"

#include <gtest/gtest.h>

#include <memory>

#include "media/hls/codec_string.h"
#include "media/hls/tests/box_reader.h"

namespace hub::media::hls {
namespace {

using test::be16;
using test::be32;
using test::be64;
using test::boxes;
using test::child;
using test::children;

const std::vector<std::uint8_t> kAvcC = {1,    0x64, 0x00, 0x1f, 0xff, 0xe1, 0x00, 0x04, 0x67,
                                         0x64, 0x00, 0x1f, 1,    0x00, 0x02, 0x68, 0xee};
const std::vector<std::uint8_t> kAsc = {0x11, 0x90};  // AAC LC, 48 kHz, stereo

TrackInfo videoTrack() {
  TrackInfo t;
  t.codec = Codec::H264;
  t.codecData = kAvcC;
  t.width = 640;
  t.height = 360;
  t.frameRate = 30;
  return t;
}

TrackInfo audioTrack() {
  TrackInfo t;
  t.codec = Codec::Aac;
  t.codecData = kAsc;
  return t;
}

Payload bytes(std::string s) {
  auto v = std::make_shared<const std::vector<std::uint8_t>>(s.begin(), s.end());
  return Payload{v, 0, v->size()};
}

TEST(Fmp4, InitSegmentDescribesEveryTrack) {
  auto init = writeInit({videoTrack(), audioTrack()});
  auto top = boxes(init);
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].type, "ftyp");
  EXPECT_EQ(top[0].payload.substr(0, 4), "iso6");
  ASSERT_EQ(top[1].type, "moov");
  auto moov = children(top[1]);
  ASSERT_NE(child(moov, "mvhd"), nullptr);
  EXPECT_EQ(be32(child(moov, "mvhd")->payload, 4 + 4 + 4 + 4 + 4 + 4 + 2 + 10 + 36 + 24),
            3u);  // next track id

  // Track 1: H.264 640x360 at 90 kHz with our avcC.
  const auto* trak1 = child(moov, "trak", 0);
  ASSERT_NE(trak1, nullptr);
  auto t1 = children(*trak1);
  EXPECT_EQ(be32(child(t1, "tkhd")->payload, 4 + 8), 1u);
  EXPECT_EQ(be32(child(t1, "tkhd")->payload, 76) >> 16, 640u);
  EXPECT_EQ(be32(child(t1, "tkhd")->payload, 80) >> 16, 360u);
  auto mdia = children(*child(t1, "mdia"));
  EXPECT_EQ(be32(child(mdia, "mdhd")->payload, 4 + 8), 90000u);
  EXPECT_EQ(child(mdia, "hdlr")->payload.substr(8, 4), "vide");
  auto minf = children(*child(mdia, "minf"));
  ASSERT_NE(child(minf, "vmhd"), nullptr);
  ASSERT_NE(child(minf, "dinf"), nullptr);
  auto stbl = children(*child(minf, "stbl"));
  for (auto type : {"stsd", "stts", "stsc", "stsz", "stco"}) EXPECT_NE(child(stbl, type), nullptr) << type;
  auto stsd = children(*child(stbl, "stsd"), 8);
  ASSERT_EQ(stsd.size(), 1u);
  ASSERT_EQ(stsd[0].type, "avc1");
  EXPECT_EQ(be16(stsd[0].payload, 24), 640);
  EXPECT_EQ(be16(stsd[0].payload, 26), 360);
  auto avc1 = children(stsd[0], 78);
  ASSERT_EQ(avc1.size(), 1u);
  EXPECT_EQ(avc1[0].type, "avcC");
  EXPECT_EQ(std::string(avc1[0].payload), std::string(kAvcC.begin(), kAvcC.end()));

  // Track 2: AAC at 48 kHz with the AudioSpecificConfig inside esds.
  const auto* trak2 = child(moov, "trak", 1);
  ASSERT_NE(trak2, nullptr);
  auto mdia2 = children(*child(children(*trak2), "mdia"));
  EXPECT_EQ(be32(child(mdia2, "mdhd")->payload, 4 + 8), 48000u);
  auto stbl2 = children(*child(children(*child(mdia2, "minf")), "stbl"));
  auto stsd2 = children(*child(stbl2, "stsd"), 8);
  ASSERT_EQ(stsd2[0].type, "mp4a");
  EXPECT_EQ(be16(stsd2[0].payload, 16), 2);             // channels
  EXPECT_EQ(be32(stsd2[0].payload, 24) >> 16, 48000u);  // sample rate
  auto esds = children(stsd2[0], 28);
  ASSERT_EQ(esds.size(), 1u);
  ASSERT_EQ(esds[0].type, "esds");
  auto es = esds[0].payload.substr(4);
  EXPECT_EQ(static_cast<unsigned char>(es[0]), 0x03);
  EXPECT_EQ(static_cast<std::size_t>(es[1]), es.size() - 2);  // ES descriptor spans the box
  EXPECT_NE(es.find(std::string("\x05\x02\x11\x90", 4)), std::string_view::npos);

  auto mvex = children(*child(moov, "mvex"));
  ASSERT_EQ(mvex.size(), 2u);
  EXPECT_EQ(be32(mvex[1].payload, 4), 2u);
}

TEST(Fmp4, FragmentReadsBackWithOffsetsPointingAtTheSamples) {
  TrackFragment v;
  v.trackId = 1;
  v.baseDecodeTime = 0x1'0000'0000ull + 3000;  // needs the 64-bit tfdt
  v.video = true;
  v.samples.push_back({3000, true, -90, bytes("KEYFRAME")});
  v.samples.push_back({3003, false, 6000, bytes("delta")});
  TrackFragment a;
  a.trackId = 2;
  a.baseDecodeTime = 48000;
  a.video = false;
  a.samples.push_back({1024, true, 0, bytes("aac1")});
  TrackFragment empty;
  empty.trackId = 3;
  auto frag = writeFragment(7, {v, a, empty});

  auto top = boxes(frag);
  ASSERT_EQ(top.size(), 2u);
  ASSERT_EQ(top[0].type, "moof");
  ASSERT_EQ(top[1].type, "mdat");
  EXPECT_EQ(top[1].payload, "KEYFRAMEdeltaaac1");
  auto moof = children(top[0]);
  EXPECT_EQ(be32(child(moof, "mfhd")->payload, 4), 7u);
  ASSERT_EQ(moof.size(), 3u);  // mfhd + two trafs: the empty track is left out

  auto traf = children(*child(moof, "traf", 0));
  auto tfhd = child(traf, "tfhd")->payload;
  EXPECT_EQ(be32(tfhd, 0) & 0xffffff, 0x020000u);  // default-base-is-moof
  EXPECT_EQ(be32(tfhd, 4), 1u);
  auto tfdt = child(traf, "tfdt")->payload;
  EXPECT_EQ(static_cast<unsigned char>(tfdt[0]), 1);
  EXPECT_EQ(be64(tfdt, 4), 0x1'0000'0000ull + 3000);
  auto trun = child(traf, "trun")->payload;
  EXPECT_EQ(static_cast<unsigned char>(trun[0]), 1);  // signed composition offsets
  EXPECT_EQ(be32(trun, 4), 2u);
  auto offset = be32(trun, 8);
  EXPECT_EQ(frag.substr(top[0].offset + offset, 8), "KEYFRAME");
  EXPECT_EQ(be32(trun, 12), 3000u);
  EXPECT_EQ(be32(trun, 16), 8u);
  EXPECT_EQ(be32(trun, 20), 0x02000000u);
  EXPECT_EQ(static_cast<std::int32_t>(be32(trun, 24)), -90);
  EXPECT_EQ(be32(trun, 28), 3003u);
  EXPECT_EQ(be32(trun, 36), 0x01010000u);
  EXPECT_EQ(static_cast<std::int32_t>(be32(trun, 40)), 6000);

  auto traf2 = children(*child(moof, "traf", 1));
  EXPECT_EQ(be32(child(traf2, "tfhd")->payload, 4), 2u);
  EXPECT_EQ(be64(child(traf2, "tfdt")->payload, 4), 48000u);
  auto trun2 = child(traf2, "trun")->payload;
  EXPECT_EQ(be32(trun2, 4), 1u);
  EXPECT_EQ(frag.substr(top[0].offset + be32(trun2, 8), 4), "aac1");
  EXPECT_EQ(be32(trun2, 12), 1024u);
}

TEST(CodecString, FromCodecData) {
  EXPECT_EQ(codecString(videoTrack()), "avc1.64001f");
  EXPECT_EQ(codecString(audioTrack()), "mp4a.40.2");
  TrackInfo he;
  he.codec = Codec::Aac;
  he.codecData = {0x2b, 0x92, 0x08, 0x00};  // SBR, 22.05 kHz core
  EXPECT_EQ(codecString(he), "mp4a.40.5");
  TrackInfo hevc;
  hevc.codec = Codec::Hevc;
  // configurationVersion, profile 1 (Main), compatibility flags 0x60000000, constraints B0, level 93.
  hevc.codecData = {1, 0x01, 0x60, 0, 0, 0, 0xb0, 0, 0, 0, 0, 0, 93, 0xf0, 0};
  EXPECT_EQ(codecString(hevc), "hvc1.1.6.L93.B0");
  TrackInfo truncated;
  truncated.codec = Codec::H264;
  EXPECT_EQ(codecString(truncated), "avc1");

  auto cfg = parseAudioConfig(kAsc);
  ASSERT_TRUE(cfg);
  EXPECT_EQ(cfg->sampleRate, 48000);
  EXPECT_EQ(cfg->channels, 2);
  EXPECT_FALSE(parseAudioConfig(std::vector<std::uint8_t>{0x11}));
}

}  // namespace
}  // namespace hub::media::hls
