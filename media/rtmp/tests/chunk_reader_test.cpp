// media/rtmp/tests/chunk_reader_test.cpp
//
// The chunk stream demuxer on hand-made chunks (each header type and its corner), on bytes from a
// real ffmpeg, and on bad input: every refusal has its code and the reader never crashes.
#include "media/rtmp/chunk_reader.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <random>

#include "media/rtmp/amf0.h"
#include "media/rtmp/chunk_writer.h"
#include "media/rtmp/control_messages.h"
#include "media/rtmp/flv_tags.h"
#include "media/rtmp/tests/ffmpeg_samples.h"

namespace hub::media::rtmp {
namespace {

// Hand-written chunk headers, one field at a time, as the spec draws them.
void type0(Bytes& b, std::uint8_t csid, std::uint32_t ts, std::uint32_t len, std::uint8_t type,
           std::uint32_t sid) {
  putU8(b, csid);
  putU24(b, ts);
  putU24(b, len);
  putU8(b, type);
  putU32Le(b, sid);
}
void type1(Bytes& b, std::uint8_t csid, std::uint32_t delta, std::uint32_t len, std::uint8_t type) {
  putU8(b, 0x40 | csid);
  putU24(b, delta);
  putU24(b, len);
  putU8(b, type);
}
void type2(Bytes& b, std::uint8_t csid, std::uint32_t delta) {
  putU8(b, 0x80 | csid);
  putU24(b, delta);
}
void type3(Bytes& b, std::uint8_t csid) { putU8(b, 0xc0 | csid); }
void payload(Bytes& b, std::size_t n, std::uint8_t fill) { b.insert(b.end(), n, fill); }

Bytes controlChunks(const Message& m) {
  Bytes b;
  ChunkWriter(128, false).write(kControlChunkStream, m, b);
  return b;
}

std::vector<Message> feedOk(ChunkReader& r, const Bytes& b) {
  auto out = r.feed(b);
  EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
  return out.ok() ? std::move(*out) : std::vector<Message>{};
}

std::string feedError(ChunkReader& r, const Bytes& b) {
  auto out = r.feed(b);
  return out.ok() ? "no error" : out.error().code;
}

TEST(ChunkReader, ReassemblesFfmpegConnect) {
  ChunkReader r;
  const Bytes wire(std::begin(samples::kFfmpegConnectChunks), std::end(samples::kFfmpegConnectChunks));
  auto msgs = feedOk(r, wire);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].typeId, msg::kCommandAmf0);
  EXPECT_EQ(msgs[0].streamId, 0u);
  EXPECT_EQ(msgs[0].timestamp, 0u);
  ASSERT_EQ(msgs[0].payload.size(), 140u);
  EXPECT_EQ(msgs[0].payload.back(), 0x09);
  EXPECT_EQ(r.bytesReceived(), wire.size());
}

TEST(ChunkReader, FfmpegConnectInOneBytePieces) {
  ChunkReader whole, pieces;
  const Bytes wire(std::begin(samples::kFfmpegConnectChunks), std::end(samples::kFfmpegConnectChunks));
  auto want = feedOk(whole, wire);
  std::vector<Message> got;
  for (std::uint8_t byte : wire) {
    auto m = feedOk(pieces, Bytes{byte});
    got.insert(got.end(), m.begin(), m.end());
  }
  EXPECT_EQ(got, want);
}

TEST(ChunkReader, ReadsAllFourHeaderTypes) {
  Bytes b;
  type0(b, 4, 1000, 4, msg::kAudio, 1);
  payload(b, 4, 0xa0);
  type1(b, 4, 20, 3, msg::kVideo);
  payload(b, 3, 0xa1);
  type2(b, 4, 30);
  payload(b, 3, 0xa2);
  type3(b, 4);  // new message: same length, type and delta
  payload(b, 3, 0xa3);
  ChunkReader r;
  auto m = feedOk(r, b);
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[0].timestamp, 1000u);
  EXPECT_EQ(m[0].typeId, msg::kAudio);
  EXPECT_EQ(m[0].streamId, 1u);
  EXPECT_EQ(m[1].timestamp, 1020u);
  EXPECT_EQ(m[1].typeId, msg::kVideo);
  EXPECT_EQ(m[1].streamId, 1u);
  EXPECT_EQ(m[2].timestamp, 1050u);
  EXPECT_EQ(m[3].timestamp, 1080u);
  EXPECT_EQ(m[3].payload, Bytes(3, 0xa3));
}

TEST(ChunkReader, Type3AfterType0RepeatsItsTimestampAsDelta) {
  // ffmpeg's writer relies on this reading: its type-3 after a type-0 of 40 means +40.
  Bytes b;
  type0(b, 5, 40, 2, msg::kAudio, 1);
  payload(b, 2, 1);
  type3(b, 5);
  payload(b, 2, 2);
  ChunkReader r;
  auto m = feedOk(r, b);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[1].timestamp, 80u);
}

TEST(ChunkReader, ReassemblesInterleavedStreams) {
  Bytes b;
  type0(b, 6, 0, 300, msg::kVideo, 1);
  payload(b, 128, 0x11);
  type0(b, 4, 5, 10, msg::kAudio, 1);  // a whole audio message between video chunks
  payload(b, 10, 0x22);
  type3(b, 6);
  payload(b, 128, 0x11);
  type1(b, 4, 23, 2, msg::kAudio);
  payload(b, 2, 0x33);
  type3(b, 6);
  payload(b, 44, 0x11);
  ChunkReader r;
  auto m = feedOk(r, b);
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].typeId, msg::kAudio);
  EXPECT_EQ(m[0].payload, Bytes(10, 0x22));
  EXPECT_EQ(m[1].timestamp, 28u);
  EXPECT_EQ(m[2].typeId, msg::kVideo);
  EXPECT_EQ(m[2].payload, Bytes(300, 0x11));
}

TEST(ChunkReader, BasicHeadersOfOneTwoAndThreeBytes) {
  for (std::uint32_t csid : {2u, 63u, 64u, 319u, 320u, 65599u}) {
    Bytes b;
    ChunkWriter w;
    Message m{msg::kVideo, 1, 7, Bytes(200, 0x42)};
    w.write(csid, m, b);
    const std::size_t basic = csid < 64 ? 1 : csid < 320 ? 2 : 3;
    EXPECT_EQ(b.size(), 200 + 12 + basic - 1 + basic) << csid;  // two chunks
    ChunkReader r;
    auto got = feedOk(r, b);
    ASSERT_EQ(got.size(), 1u) << csid;
    EXPECT_EQ(got[0], m) << csid;
  }
}

TEST(ChunkReader, ExtendedTimestampOnType0) {
  Bytes b;
  type0(b, 4, 0xffffff, 1, msg::kAudio, 1);
  putU32(b, 0x01000000);
  payload(b, 1, 9);
  ChunkReader r;
  auto m = feedOk(r, b);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].timestamp, 0x01000000u);
}

TEST(ChunkReader, ExtendedTimestampOnType3Chunk) {
  // ffmpeg and OBS repeat the extended timestamp on every continuation chunk.
  Bytes b;
  type0(b, 6, 0xffffff, 300, msg::kVideo, 1);
  putU32(b, 0x12345678);
  payload(b, 128, 1);
  type3(b, 6);
  putU32(b, 0x12345678);
  payload(b, 128, 1);
  type3(b, 6);
  putU32(b, 0x12345678);
  payload(b, 44, 1);
  ChunkReader r;
  auto m = feedOk(r, b);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].timestamp, 0x12345678u);
  EXPECT_EQ(m[0].payload, Bytes(300, 1));
}

TEST(ChunkReader, ExtendedTimestampLeftOffType3ContinuationIsTolerated) {
  Bytes b;
  type0(b, 6, 0xffffff, 200, msg::kVideo, 1);
  putU32(b, 0x12345678);
  payload(b, 128, 7);
  type3(b, 6);
  payload(b, 72, 7);
  ChunkReader r;
  auto m = feedOk(r, b);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].payload, Bytes(200, 7));
}

TEST(ChunkReader, ExtendedDeltaOnType3NewMessage) {
  Bytes b;
  type0(b, 4, 100, 1, msg::kAudio, 1);
  payload(b, 1, 0);
  type2(b, 4, 0xffffff);
  putU32(b, 0x01000000);
  payload(b, 1, 0);
  type3(b, 4);
  putU32(b, 0x01000000);
  payload(b, 1, 0);
  ChunkReader r;
  auto m = feedOk(r, b);
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[1].timestamp, 0x01000064u);
  EXPECT_EQ(m[2].timestamp, 0x02000064u);
}

TEST(ChunkReader, TimestampWrapsAt32Bits) {
  Bytes b;
  type0(b, 4, 0xffffff, 1, msg::kAudio, 1);
  putU32(b, 0xfffffff0);
  payload(b, 1, 0);
  type2(b, 4, 0x20);
  payload(b, 1, 0);
  ChunkReader r;
  auto m = feedOk(r, b);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[1].timestamp, 0x10u);
}

TEST(ChunkReader, SetChunkSizeAppliesToLaterChunks) {
  Bytes b = controlChunks(setChunkSizeMessage(4096));
  type0(b, 6, 0, 3000, msg::kVideo, 1);
  payload(b, 3000, 5);
  ChunkReader r;
  auto m = feedOk(r, b);
  EXPECT_EQ(r.chunkSize(), 4096u);
  ASSERT_EQ(m.size(), 1u);  // the Set Chunk Size itself is not handed on
  EXPECT_EQ(m[0].payload.size(), 3000u);
}

TEST(ChunkReader, AcceptsChunkSizesAtTheLimits) {
  for (std::uint32_t size : {128u, 65536u}) {
    ChunkReader r;
    feedOk(r, controlChunks(setChunkSizeMessage(size)));
    EXPECT_EQ(r.chunkSize(), size);
  }
}

TEST(ChunkReader, RefusesChunkSizeAboveLimit) {
  ChunkReader r;
  EXPECT_EQ(feedError(r, controlChunks(setChunkSizeMessage(65537))), "rtmp.chunk_size");
}

TEST(ChunkReader, RefusesChunkSizeZeroBelowMinimumAndHuge) {
  for (std::uint32_t size : {0u, 1u, 127u, 0x7fffffffu, 0x80000000u, 0xffffffffu}) {
    ChunkReader r;
    EXPECT_EQ(feedError(r, controlChunks(setChunkSizeMessage(size))), "rtmp.chunk_size") << size;
  }
}

TEST(ChunkReader, RefusesShortControlMessage) {
  Bytes b;
  type0(b, 2, 0, 2, msg::kSetChunkSize, 0);
  payload(b, 2, 0x10);
  ChunkReader r;
  EXPECT_EQ(feedError(r, b), "rtmp.control_message");
}

TEST(ChunkReader, AbortDropsThePartialMessage) {
  Bytes b;
  type0(b, 6, 0, 300, msg::kVideo, 1);
  payload(b, 128, 1);
  Bytes abort = controlChunks(abortMessage(6));
  b.insert(b.end(), abort.begin(), abort.end());
  type0(b, 6, 40, 2, msg::kVideo, 1);  // a new message may start on the aborted stream
  payload(b, 2, 2);
  ChunkReader r;
  auto m = feedOk(r, b);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].payload, Bytes(2, 2));
}

TEST(ChunkReader, NotesWindowAndAcknowledgement) {
  Bytes b = controlChunks(windowAckSizeMessage(2500000));
  Bytes ack = controlChunks(acknowledgementMessage(4096));
  b.insert(b.end(), ack.begin(), ack.end());
  Bytes ping = controlChunks(userControlMessage(7, 1234));
  b.insert(b.end(), ping.begin(), ping.end());
  ChunkReader r;
  auto m = feedOk(r, b);
  EXPECT_EQ(r.peerWindowAckSize(), 2500000u);
  EXPECT_EQ(r.lastAckReceived(), 4096u);
  ASSERT_EQ(m.size(), 1u);  // user control goes on to the session
  EXPECT_EQ(m[0].typeId, msg::kUserControl);
}

TEST(ChunkReader, RefusesMessageAboveLimit) {
  Bytes b;
  type0(b, 6, 0, 8 * 1024 * 1024 + 1, msg::kVideo, 1);
  ChunkReader r;
  EXPECT_EQ(feedError(r, b), "rtmp.message_too_large");

  ChunkReaderLimits small;
  small.maxMessageSize = 1000;
  ChunkReader r2(small);
  Bytes c;
  type0(c, 6, 0, 1001, msg::kVideo, 1);
  EXPECT_EQ(feedError(r2, c), "rtmp.message_too_large");
}

TEST(ChunkReader, RefusesContinuationWithoutPreviousHeader) {
  for (std::uint8_t first : {0x43, 0x83, 0xc3}) {
    ChunkReader r;
    EXPECT_EQ(feedError(r, Bytes{first, 0, 0, 0, 0, 0, 0, 0}), "rtmp.chunk_no_previous_header");
  }
}

TEST(ChunkReader, RefusesNewHeaderInTheMiddleOfAMessage) {
  Bytes b;
  type0(b, 6, 0, 300, msg::kVideo, 1);
  payload(b, 128, 1);
  type1(b, 6, 10, 5, msg::kVideo);
  payload(b, 5, 1);
  ChunkReader r;
  EXPECT_EQ(feedError(r, b), "rtmp.chunk_interrupted");
}

TEST(ChunkReader, StaysFailedAfterAnError) {
  ChunkReader r;
  EXPECT_EQ(feedError(r, controlChunks(setChunkSizeMessage(0))), "rtmp.chunk_size");
  Bytes good;
  type0(good, 4, 0, 1, msg::kAudio, 1);
  payload(good, 1, 0);
  EXPECT_EQ(feedError(r, good), "rtmp.chunk_size");
}

TEST(ChunkReader, RefusesTooManyChunkStreams) {
  ChunkReaderLimits limits;
  limits.maxChunkStreams = 4;
  ChunkReader r(limits);
  Bytes b;
  for (std::uint8_t csid = 3; csid < 8; ++csid) {
    type0(b, csid, 0, 1, msg::kAudio, 1);
    payload(b, 1, 0);
  }
  EXPECT_EQ(feedError(r, b), "rtmp.too_many_chunk_streams");
}

TEST(ChunkReader, BoundsBytesHeldInPartialMessages) {
  ChunkReaderLimits limits;
  limits.maxBufferedBytes = 1000;
  ChunkReader r(limits);
  Bytes b;
  for (std::uint8_t csid = 3; csid < 20; ++csid) {
    type0(b, csid, 0, 100000, msg::kVideo, 1);
    payload(b, 128, 0);
  }
  EXPECT_EQ(feedError(r, b), "rtmp.buffer_limit");
}

TEST(ChunkReader, EmptyMessageCompletesAtOnce) {
  Bytes b;
  type0(b, 3, 0, 0, msg::kDataAmf0, 1);
  ChunkReader r;
  auto m = feedOk(r, b);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_TRUE(m[0].payload.empty());
}

TEST(ChunkReader, GarbageGivesErrorsOrWaitsNeverCrashes) {
  std::mt19937 rng(42);
  int errors = 0;
  for (int round = 0; round < 2000; ++round) {
    Bytes junk(rng() % 600);
    for (auto& x : junk) x = static_cast<std::uint8_t>(rng());
    ChunkReader r;
    auto out = r.feed(junk);
    if (!out.ok()) {
      ++errors;
      EXPECT_EQ(out.error().code.rfind("rtmp.", 0), 0u);
    }
  }
  EXPECT_GT(errors, 0);
}

TEST(ChunkReader, ReadsARealFfmpegPublishSession) {
  std::ifstream in(std::string(HUB_RTMP_TEST_DATA) + "/ffmpeg_publish.bin", std::ios::binary);
  ASSERT_TRUE(in) << "tests/data/ffmpeg_publish.bin missing";
  const Bytes wire((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ChunkReader r;
  std::vector<Message> msgs;
  std::mt19937 rng(3);
  for (std::size_t pos = 0; pos < wire.size();) {  // in pieces, as TCP would deliver them
    const std::size_t n = std::min<std::size_t>(wire.size() - pos, 1 + rng() % 1500);
    auto out = feedOk(r, Bytes(wire.begin() + static_cast<std::ptrdiff_t>(pos),
                               wire.begin() + static_cast<std::ptrdiff_t>(pos + n)));
    msgs.insert(msgs.end(), out.begin(), out.end());
    pos += n;
  }
  EXPECT_EQ(r.chunkSize(), 128u);  // this session never changes the default chunk size

  std::vector<std::string> commands;
  int videoFrames = 0, audioFrames = 0, bFrames = 0;
  bool avcConfig = false, aacConfig = false, metadata = false;
  for (const auto& m : msgs) {
    if (m.typeId == msg::kCommandAmf0) {
      auto v = decodeAmf0(m.payload);
      ASSERT_TRUE(v.ok()) << v.error().message;
      commands.push_back((*v)[0].asString());
    } else if (m.typeId == msg::kDataAmf0) {
      auto v = decodeAmf0(m.payload);
      ASSERT_TRUE(v.ok()) << v.error().message;
      ASSERT_GE(v->size(), 3u);
      EXPECT_EQ((*v)[0].asString(), "@setDataFrame");
      EXPECT_EQ((*v)[2].get("width")->asNumber(), 64.0);
      metadata = true;
    } else if (m.typeId == msg::kVideo) {
      EXPECT_EQ(m.streamId, 1u);
      auto tag = parseVideoTag(m.payload);
      ASSERT_TRUE(tag.ok()) << tag.error().message;
      EXPECT_EQ(tag->codec, VideoCodec::H264);
      if (tag->packet == VideoPacket::SequenceHeader) avcConfig = true;
      if (tag->packet == VideoPacket::Frames) ++videoFrames;
      if (tag->compositionTime > 0) ++bFrames;
    } else if (m.typeId == msg::kAudio) {
      auto tag = parseAudioTag(m.payload);
      ASSERT_TRUE(tag.ok()) << tag.error().message;
      if (tag->packet == AudioTag::Packet::SequenceHeader) {
        aacConfig = true;
        EXPECT_EQ(tag->config.sampleRate, 44100u);
        EXPECT_EQ(tag->config.channels, 1);
      } else {
        ++audioFrames;
      }
    }
  }
  ASSERT_GE(commands.size(), 5u);
  EXPECT_EQ(std::vector<std::string>(commands.begin(), commands.begin() + 5),
            (std::vector<std::string>{"connect", "releaseStream", "FCPublish", "createStream", "publish"}));
  EXPECT_TRUE(metadata);
  EXPECT_TRUE(avcConfig);
  EXPECT_TRUE(aacConfig);
  EXPECT_GE(videoFrames, 10);
  EXPECT_GE(audioFrames, 40);
  EXPECT_GT(bFrames, 0);
}

}  // namespace
}  // namespace hub::media::rtmp
