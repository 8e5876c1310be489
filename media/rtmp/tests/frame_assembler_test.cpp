// From FLV tag bodies to tracks and frames: the defined outcomes for audio-only and video-only
// publishers, timestamps that go backwards or wrap, late codec data and unknown codecs.
#include <gtest/gtest.h>

#include "media/rtmp/frame_assembler.h"

using namespace hub::media::rtmp;
using hub::media::Codec;
using hub::media::Frame;
using hub::media::FrameSink;
using hub::media::TrackInfo;

namespace {

struct RecordingSink : FrameSink {
  std::vector<std::vector<TrackInfo>> trackCalls;
  std::vector<Frame> frames;
  void tracks(const std::vector<TrackInfo>& t) override { trackCalls.push_back(t); }
  void frame(const Frame& f) override { frames.push_back(f); }
  void discontinuity() override {}
  void end() override {}
};

const std::chrono::system_clock::time_point kWall{};

// Byte by byte: GCC 12's -Warray-bounds misfires on vector::insert of small literals at -O3.
void append(Bytes& b, std::initializer_list<std::uint8_t> bytes) {
  for (auto x : bytes) b.push_back(x);
}

// 640x360 High profile SPS from libx264, in an avcC with 4-byte NAL lengths.
Bytes avcSequenceHeader() {
  const Bytes sps = {0x67, 0x64, 0x00, 0x1e, 0xac, 0xd9, 0x40, 0xa0, 0x2f, 0xf9, 0x70, 0x11, 0x00,
                     0x00, 0x03, 0x00, 0x01, 0x00, 0x00, 0x03, 0x00, 0x32, 0x0f, 0x16, 0x2d, 0x96};
  Bytes b = {0x17, 0x00, 0, 0, 0, 1, 0x64, 0x00, 0x1e, 0xff, 0xe1};
  putU16(b, static_cast<std::uint32_t>(sps.size()));
  for (auto x : sps) b.push_back(x);
  append(b, {1, 0, 4, 0x68, 0xeb, 0xe3, 0xcb});
  return b;
}

Bytes avcFrame(bool key, int cts = 0) {
  Bytes b = {static_cast<std::uint8_t>(key ? 0x17 : 0x27), 0x01};
  putU24(b, static_cast<std::uint32_t>(cts));
  putU32(b, 3);
  append(b, {0x65, 0x88, 0x84});
  return b;
}

Bytes aacSequenceHeader() { return {0xaf, 0x00, 0x12, 0x10}; }  // AAC LC, 44.1 kHz, stereo
Bytes aacFrame() { return {0xaf, 0x01, 0x21, 0x10, 0x05}; }

Amf0Value meta(bool video, bool audio) {
  std::vector<Amf0Property> p = {{"duration", Amf0Value::number(0)}};
  if (video) p.push_back({"videocodecid", Amf0Value::number(7)});
  if (audio) p.push_back({"audiocodecid", Amf0Value::number(10)});
  return Amf0Value::ecmaArray(p);
}

}  // namespace

TEST(FrameAssembler, WaitsForBothSequenceHeadersThenAnnouncesOnce) {
  RecordingSink sink;
  FrameAssembler a(sink);
  a.metadata(meta(true, true));
  ASSERT_TRUE(a.video(0, avcSequenceHeader(), kWall));
  ASSERT_TRUE(a.video(0, avcFrame(true), kWall));
  EXPECT_TRUE(sink.trackCalls.empty());  // audio announced but not there yet
  ASSERT_TRUE(a.audio(0, aacSequenceHeader(), kWall));
  ASSERT_TRUE(a.audio(23, aacFrame(), kWall));
  ASSERT_EQ(sink.trackCalls.size(), 1u);
  ASSERT_EQ(sink.trackCalls[0].size(), 2u);
  EXPECT_EQ(sink.trackCalls[0][0].width, 640);
  EXPECT_EQ(sink.trackCalls[0][0].height, 360);
  EXPECT_EQ(sink.trackCalls[0][1].channels, 2);
  EXPECT_EQ(sink.frames.size(), 2u);  // the held video frame, then the audio one
}

TEST(FrameAssembler, AudioOnlyPublisherGetsOneAudioTrack) {
  RecordingSink sink;
  FrameAssembler a(sink);
  a.metadata(meta(false, true));
  ASSERT_TRUE(a.audio(0, aacSequenceHeader(), kWall));
  ASSERT_TRUE(a.audio(0, aacFrame(), kWall));
  ASSERT_EQ(sink.trackCalls.size(), 1u);
  ASSERT_EQ(sink.trackCalls[0].size(), 1u);
  EXPECT_EQ(sink.trackCalls[0][0].codec, Codec::Aac);
  EXPECT_EQ(sink.frames.size(), 1u);
}

TEST(FrameAssembler, Mp3IsAnnouncedFromItsFrameHeaderAndAgainWhenItChanges) {
  RecordingSink sink;
  FrameAssembler a(sink);
  a.metadata(meta(true, true));
  ASSERT_TRUE(a.video(0, avcSequenceHeader(), kWall));
  ASSERT_TRUE(a.video(0, avcFrame(true), kWall));
  ASSERT_TRUE(a.audio(0, {0x2f, 0xff, 0xfb, 0x90, 0x44, 0x00}, kWall));  // 44.1 kHz stereo
  ASSERT_EQ(sink.trackCalls.size(), 1u);
  ASSERT_EQ(sink.trackCalls[0].size(), 2u);
  EXPECT_EQ(sink.trackCalls[0][1].codec, Codec::Mp3);
  EXPECT_EQ(sink.trackCalls[0][1].sampleRate, 44100);
  EXPECT_EQ(sink.trackCalls[0][1].channels, 2);
  ASSERT_TRUE(a.audio(26, {0x2f, 0xff, 0xfb, 0x90, 0x44, 0x00}, kWall));
  EXPECT_EQ(sink.trackCalls.size(), 1u);                                  // the same: nothing new
  ASSERT_TRUE(a.audio(52, {0x2e, 0xff, 0xfb, 0x94, 0xc4, 0x00}, kWall));  // 48 kHz mono
  ASSERT_EQ(sink.trackCalls.size(), 2u);
  EXPECT_EQ(sink.trackCalls[1][1].sampleRate, 48000);
  EXPECT_EQ(sink.trackCalls[1][1].channels, 1);
  ASSERT_EQ(sink.frames.size(), 4u);
  EXPECT_EQ(sink.frames[1].codec, Codec::Mp3);
  EXPECT_EQ(sink.frames[1].data.size, 5u);  // the MP3 bytes after the flags byte
  EXPECT_EQ(sink.frames[3].dtsUs, 52'000);
}

TEST(FrameAssembler, VideoOnlyWithoutMetadataIsAnnouncedAfterTheWait) {
  RecordingSink sink;
  FrameAssembler a(sink);
  ASSERT_TRUE(a.video(0, avcSequenceHeader(), kWall));
  for (std::uint32_t t = 0; t < 1000; t += 40) ASSERT_TRUE(a.video(t, avcFrame(t == 0), kWall));
  EXPECT_TRUE(sink.trackCalls.empty());
  ASSERT_TRUE(a.video(1000, avcFrame(false), kWall));
  ASSERT_EQ(sink.trackCalls.size(), 1u);
  ASSERT_EQ(sink.trackCalls[0].size(), 1u);
  EXPECT_EQ(sink.trackCalls[0][0].codec, Codec::H264);
  EXPECT_EQ(sink.frames.size(), 26u);
}

TEST(FrameAssembler, TimestampsGoingBackwardsStayMonotonic) {
  RecordingSink sink;
  FrameAssembler a(sink);
  a.metadata(meta(true, false));
  ASSERT_TRUE(a.video(0, avcSequenceHeader(), kWall));
  ASSERT_TRUE(a.video(1000, avcFrame(true), kWall));
  ASSERT_TRUE(a.video(500, avcFrame(false), kWall));
  ASSERT_TRUE(a.video(1040, avcFrame(false, 40), kWall));
  ASSERT_EQ(sink.frames.size(), 3u);
  EXPECT_EQ(sink.frames[0].dtsUs, 1'000'000);
  EXPECT_EQ(sink.frames[1].dtsUs, 1'001'000);
  EXPECT_EQ(sink.frames[2].dtsUs, 1'040'000);
  EXPECT_EQ(sink.frames[2].ptsUs, 1'080'000);
  EXPECT_EQ(a.stats().timestampsBackwards, 1u);
}

TEST(FrameAssembler, ThirtyTwoBitTimestampWrapKeepsRising) {
  RecordingSink sink;
  FrameAssembler a(sink);
  a.metadata(meta(false, true));
  ASSERT_TRUE(a.audio(0, aacSequenceHeader(), kWall));
  ASSERT_TRUE(a.audio(0xffffffe0u, aacFrame(), kWall));
  ASSERT_TRUE(a.audio(0x10u, aacFrame(), kWall));
  ASSERT_EQ(sink.frames.size(), 2u);
  EXPECT_EQ(sink.frames[1].dtsUs - sink.frames[0].dtsUs, 0x30 * 1000);
}

TEST(FrameAssembler, FramesBeforeCodecDataAreDroppedAndCounted) {
  RecordingSink sink;
  FrameAssembler a(sink);
  a.metadata(meta(true, false));
  ASSERT_TRUE(a.video(0, avcFrame(true), kWall));
  ASSERT_TRUE(a.video(0, avcSequenceHeader(), kWall));
  ASSERT_TRUE(a.video(40, avcFrame(true), kWall));
  EXPECT_EQ(a.stats().droppedFrames, 1u);
  EXPECT_EQ(sink.frames.size(), 1u);
}

TEST(FrameAssembler, ChangedCodecDataAnnouncesAgain) {
  RecordingSink sink;
  FrameAssembler a(sink);
  a.metadata(meta(true, false));
  ASSERT_TRUE(a.video(0, avcSequenceHeader(), kWall));
  ASSERT_TRUE(a.video(0, avcFrame(true), kWall));
  ASSERT_TRUE(a.video(40, avcSequenceHeader(), kWall));  // same bytes: nothing new
  EXPECT_EQ(sink.trackCalls.size(), 1u);
  auto changed = avcSequenceHeader();
  changed.back() ^= 1;
  ASSERT_TRUE(a.video(80, changed, kWall));
  EXPECT_EQ(sink.trackCalls.size(), 2u);
}

TEST(FrameAssembler, UnknownCodecIsAnError) {
  RecordingSink sink;
  FrameAssembler a(sink);
  auto st = a.audio(0, {0xbf, 0x00, 0x01}, kWall);  // Speex
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, "rtmp.flv_unknown_codec");
}

TEST(FrameAssembler, ShortNalLengthFieldsAreRewrittenToFourBytes) {
  RecordingSink sink;
  FrameAssembler a(sink);
  a.metadata(meta(true, false));
  auto header = avcSequenceHeader();
  header[5 + 4] = 0xfd;  // lengthSizeMinusOne = 1: 2-byte lengths
  ASSERT_TRUE(a.video(0, header, kWall));
  Bytes frame = {0x17, 0x01, 0, 0, 0, 0x00, 0x02, 0x65, 0x88, 0x00, 0x01, 0x06};
  ASSERT_TRUE(a.video(0, frame, kWall));
  ASSERT_EQ(sink.trackCalls.size(), 1u);
  EXPECT_EQ(sink.trackCalls[0][0].codecData[4] & 3, 3);
  ASSERT_EQ(sink.frames.size(), 1u);
  auto v = sink.frames[0].data.view();
  EXPECT_EQ(Bytes(v.begin(), v.end()), (Bytes{0, 0, 0, 2, 0x65, 0x88, 0, 0, 0, 1, 0x06}));
}
