// media/rtmp/tests/flv_tags_test.cpp
//
// FLV video and audio tag bodies as ffmpeg, OBS and our HEVC publisher put them in RTMP
// messages: H.264, Enhanced RTMP HEVC (hvc1) and AAC, and the refusals for everything else.
#include "media/rtmp/flv_tags.h"

#include <gtest/gtest.h>

#include <string>

namespace hub::media::rtmp {
namespace {

const Bytes kAvcC = {0x01, 0x64, 0x00, 0x1f, 0xff, 0xe1, 0x00, 0x04, 0x67, 0x64,
                     0x00, 0x1f, 0x01, 0x00, 0x04, 0x68, 0xeb, 0xe3, 0xcb};

Bytes hvcC() {
  Bytes b(23, 0);
  b[0] = 1;
  return b;
}

// The parsers return views into their input, so every input lives in a named variable.
std::string videoError(const Bytes& b) {
  auto r = parseVideoTag(b);
  return r.ok() ? "ok" : r.error().code;
}
std::string audioError(const Bytes& b) {
  auto r = parseAudioTag(b);
  return r.ok() ? "ok" : r.error().code;
}
std::string configError(const Bytes& b) {
  auto r = parseAudioSpecificConfig(b);
  return r.ok() ? "ok" : r.error().code;
}

Bytes join(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST(FlvTags, AvcSequenceHeaderGivesAvcC) {
  const Bytes body = join({0x17, 0x00, 0x00, 0x00, 0x00}, kAvcC);
  auto tag = parseVideoTag(body);
  ASSERT_TRUE(tag.ok()) << tag.error().message;
  EXPECT_EQ(tag->codec, VideoCodec::H264);
  EXPECT_EQ(tag->packet, VideoPacket::SequenceHeader);
  EXPECT_TRUE(tag->keyFrame);
  EXPECT_EQ(Bytes(tag->data.begin(), tag->data.end()), kAvcC);
}

TEST(FlvTags, AvcNaluCarriesSignedCompositionTime) {
  const Bytes nalu = {0x00, 0x00, 0x00, 0x02, 0x41, 0x9a};
  const Bytes body = join({0x27, 0x01, 0x00, 0x00, 0x50}, nalu);
  auto tag = parseVideoTag(body);
  ASSERT_TRUE(tag.ok());
  EXPECT_FALSE(tag->keyFrame);
  EXPECT_EQ(tag->packet, VideoPacket::Frames);
  EXPECT_EQ(tag->compositionTime, 80);
  EXPECT_EQ(tag->data.size(), nalu.size());

  const Bytes negativeBody = join({0x27, 0x01, 0xff, 0xff, 0xdf}, nalu);
  auto negative = parseVideoTag(negativeBody);
  ASSERT_TRUE(negative.ok());
  EXPECT_EQ(negative->compositionTime, -33);
}

TEST(FlvTags, HevcSequenceStartCodedFramesAndCodedFramesX) {
  const Bytes startBody = join({0x90, 'h', 'v', 'c', '1'}, hvcC());
  auto start = parseVideoTag(startBody);  // key frame, SequenceStart
  ASSERT_TRUE(start.ok()) << start.error().message;
  EXPECT_EQ(start->codec, VideoCodec::Hevc);
  EXPECT_EQ(start->packet, VideoPacket::SequenceHeader);
  EXPECT_EQ(start->data.size(), 23u);

  const Bytes framesBody = {0x91, 'h', 'v', 'c', '1', 0x00, 0x00, 0x42, 0, 0, 0, 1, 0x26};
  auto frames = parseVideoTag(framesBody);
  ASSERT_TRUE(frames.ok());
  EXPECT_EQ(frames->packet, VideoPacket::Frames);
  EXPECT_TRUE(frames->keyFrame);
  EXPECT_EQ(frames->compositionTime, 0x42);
  EXPECT_EQ(frames->data.size(), 5u);

  const Bytes framesXBody = {0xa3, 'h', 'v', 'c', '1', 0, 0, 0, 1, 0x02};  // inter frame
  auto framesX = parseVideoTag(framesXBody);
  ASSERT_TRUE(framesX.ok());
  EXPECT_EQ(framesX->packet, VideoPacket::Frames);
  EXPECT_FALSE(framesX->keyFrame);
  EXPECT_EQ(framesX->compositionTime, 0);
  EXPECT_EQ(framesX->data.size(), 5u);

  const Bytes endBody = {0x92, 'h', 'v', 'c', '1'};
  auto end = parseVideoTag(endBody);
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(end->packet, VideoPacket::EndOfSequence);
}

TEST(FlvTags, RefusesUnknownVideoCodecs) {
  for (const Bytes& body : {Bytes{0x12, 0, 0, 0, 0}, Bytes{0x14, 0, 0, 0, 0},  // Sorenson, VP6
                            Bytes{0x90, 'a', 'v', '0', '1', 0}, Bytes{0x90, 'v', 'p', '0', '9', 0}}) {
    auto tag = parseVideoTag(body);
    ASSERT_FALSE(tag.ok());
    EXPECT_EQ(tag.error().code, "rtmp.flv_unknown_codec");
  }
}

TEST(FlvTags, RefusesTruncatedAndMalformedVideo) {
  EXPECT_EQ(videoError({}), "rtmp.flv_truncated");
  EXPECT_EQ(videoError({0x17, 0x01}), "rtmp.flv_truncated");
  EXPECT_EQ(videoError({0x91, 'h', 'v'}), "rtmp.flv_truncated");
  EXPECT_EQ(videoError({0x91, 'h', 'v', 'c', '1', 0}), "rtmp.flv_truncated");
  EXPECT_EQ(videoError({0x17, 0x07, 0, 0, 0}), "rtmp.flv_bad_packet_type");
  EXPECT_EQ(videoError({0x9c, 'h', 'v', 'c', '1'}), "rtmp.flv_bad_packet_type");
  EXPECT_EQ(videoError({0x17, 0x00, 0, 0, 0, 0x01, 0x64}), "rtmp.flv_bad_config");
  EXPECT_EQ(videoError({0x90, 'h', 'v', 'c', '1', 0x01, 0x01}), "rtmp.flv_bad_config");
}

TEST(FlvTags, AacSequenceHeaderGivesAudioSpecificConfig) {
  const Bytes body = {0xaf, 0x00, 0x12, 0x10};  // AAC LC, 44100 Hz, stereo
  auto tag = parseAudioTag(body);
  ASSERT_TRUE(tag.ok()) << tag.error().message;
  EXPECT_EQ(tag->packet, AudioTag::Packet::SequenceHeader);
  EXPECT_EQ(tag->data.size(), 2u);
  EXPECT_EQ(tag->config.objectType, 2);
  EXPECT_EQ(tag->config.sampleRate, 44100u);
  EXPECT_EQ(tag->config.channels, 2);

  const Bytes rawBody = {0xaf, 0x01, 0x21, 0x10, 0x04};
  auto raw = parseAudioTag(rawBody);
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw->packet, AudioTag::Packet::Raw);
  EXPECT_EQ(raw->data.size(), 3u);
}

TEST(FlvTags, AudioSpecificConfigEscapes) {
  // HE-AAC v2 style escape: object type 31 -> 32 + 6 bits; explicit 24-bit sample rate.
  const Bytes asc = {0xf8, 0x1e, 0x01, 0x77, 0x00, 0x40};
  auto c = parseAudioSpecificConfig(asc);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->objectType, 32);
  EXPECT_EQ(c->sampleRate, 48000u);
  EXPECT_EQ(c->channels, 2);
  EXPECT_EQ(configError({0x12}), "rtmp.flv_truncated");
  EXPECT_EQ(configError({0x16, 0x80}), "rtmp.flv_bad_config");  // index 13
}

TEST(FlvTags, Mp3TagsCarryTheirFrameHeadersRateAndChannels) {
  // MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, joint stereo; the tag's flags byte says 44 kHz.
  const Bytes stereo = {0x2f, 0xff, 0xfb, 0x90, 0x44, 0x00, 0x01};
  auto tag = parseAudioTag(stereo);
  ASSERT_TRUE(tag.ok()) << tag.error().message;
  EXPECT_EQ(tag->format, AudioFormat::Mp3);
  EXPECT_EQ(tag->packet, AudioTag::Packet::Raw);
  EXPECT_EQ(tag->data.size(), 6u);
  EXPECT_EQ(tag->config.sampleRate, 44100u);
  EXPECT_EQ(tag->config.channels, 2);
  // MPEG-1 at 48 kHz (FLV cannot say 48 kHz: the frame header does), mono.
  auto mono48 = parseAudioTag(Bytes{0x2e, 0xff, 0xfb, 0x94, 0xc4});
  ASSERT_TRUE(mono48.ok());
  EXPECT_EQ(mono48->config.sampleRate, 48000u);
  EXPECT_EQ(mono48->config.channels, 1);
  // Sound format 14 (MP3 8 kHz): MPEG-2.5 at 8 kHz.
  auto low = parseAudioTag(Bytes{0xe2, 0xff, 0xe3, 0x88, 0xc4});
  ASSERT_TRUE(low.ok()) << low.error().message;
  EXPECT_EQ(low->config.sampleRate, 8000u);
  EXPECT_EQ(audioError({0x2f, 0xff, 0xfb}), "rtmp.flv_truncated");
  EXPECT_EQ(audioError({0x2f, 0x12, 0x34, 0x56, 0x78}), "rtmp.flv_bad_config");  // no sync word
  EXPECT_EQ(audioError({0x2f, 0xff, 0xfd, 0x90, 0x44}), "rtmp.flv_bad_config");  // Layer II
}

TEST(FlvTags, RefusesUnknownAudioCodecsAndBadPackets) {
  EXPECT_EQ(audioError({0xbf, 0xff}), "rtmp.flv_unknown_codec");  // Speex
  EXPECT_EQ(audioError({0x9f, 0x00}), "rtmp.flv_unknown_codec");  // enhanced audio
  EXPECT_EQ(audioError({}), "rtmp.flv_truncated");
  EXPECT_EQ(audioError({0xaf}), "rtmp.flv_truncated");
  EXPECT_EQ(audioError({0xaf, 0x02, 0x00}), "rtmp.flv_bad_packet_type");
  EXPECT_EQ(audioError({0xaf, 0x00}), "rtmp.flv_truncated");  // empty config
}

}  // namespace
}  // namespace hub::media::rtmp
