// media/rtmp/tests/chunk_writer_test.cpp
//
// What the writer emits, and that reader(writer(messages)) gives the messages back for any
// chunk size, header compression, extended timestamps and piece boundaries.
#include "media/rtmp/chunk_writer.h"

#include <gtest/gtest.h>

#include <random>

#include "media/rtmp/chunk_reader.h"
#include "media/rtmp/control_messages.h"

namespace hub::media::rtmp {
namespace {

TEST(ChunkWriter, CompressesRepeatedHeaders) {
  ChunkWriter w;
  Bytes b;
  w.write(4, Message{msg::kAudio, 1, 0, Bytes(10, 1)}, b);
  EXPECT_EQ(b.size(), 12u + 10u);  // type 0
  b.clear();
  w.write(4, Message{msg::kAudio, 1, 23, Bytes(10, 1)}, b);
  EXPECT_EQ(b[0] >> 6, 2);  // same length and type: timestamp delta only
  b.clear();
  w.write(4, Message{msg::kAudio, 1, 46, Bytes(10, 1)}, b);
  EXPECT_EQ(b.size(), 1u + 10u);  // type 3: everything repeats
  b.clear();
  w.write(4, Message{msg::kAudio, 1, 69, Bytes(11, 1)}, b);
  EXPECT_EQ(b[0] >> 6, 1);
  b.clear();
  w.write(4, Message{msg::kAudio, 1, 10, Bytes(11, 1)}, b);  // backwards: full header
  EXPECT_EQ(b[0] >> 6, 0);
}

TEST(ChunkWriter, WritesExtendedTimestampOnEveryChunk) {
  ChunkWriter w(128);
  Bytes b;
  w.write(6, Message{msg::kVideo, 1, 0x01020304, Bytes(200, 9)}, b);
  ASSERT_EQ(b.size(), 12u + 4u + 128u + 1u + 4u + 72u);
  EXPECT_EQ(readU24(&b[1]), 0xffffffu);
  EXPECT_EQ(readU32(&b[12]), 0x01020304u);
  EXPECT_EQ(b[144], 0xc6);
  EXPECT_EQ(readU32(&b[145]), 0x01020304u);
}

TEST(ChunkWriter, ControlMessagesAsTheSpecLaysThemOut) {
  ChunkWriter w;
  Bytes b;
  w.write(kControlChunkStream, setPeerBandwidthMessage(2500000, 2), b);
  const Bytes want = {0x02, 0, 0, 0, 0, 0, 5, 6, 0, 0, 0, 0, 0x00, 0x26, 0x25, 0xa0, 0x02};
  EXPECT_EQ(b, want);
  const Message pong = userControlMessage(7, 0x01020304);
  EXPECT_EQ(pong.typeId, msg::kUserControl);
  EXPECT_EQ(pong.payload, (Bytes{0, 7, 1, 2, 3, 4}));
}

TEST(ChunkWriter, RoundTripsThroughReaderAtEveryChunkSize) {
  std::mt19937 rng(7);
  for (std::uint32_t chunkSize : {128u, 129u, 1000u, 4096u, 65536u}) {
    for (bool compress : {true, false}) {
      ChunkWriter w(128, compress);
      Bytes wire;
      w.write(kControlChunkStream, setChunkSizeMessage(chunkSize), wire);
      w.setChunkSize(chunkSize);
      std::vector<Message> sent;
      std::uint32_t videoTs = 0xfffff0, audioTs = 0;  // video crosses into extended timestamps
      for (int i = 0; i < 60; ++i) {
        const bool video = rng() % 2;
        Message m;
        m.typeId = video ? msg::kVideo : msg::kAudio;
        m.streamId = 1;
        m.timestamp = video ? (videoTs += 33) : (audioTs += rng() % 3 == 0 ? 23 : 21);
        m.payload.resize(video ? rng() % 20000 : 10 + rng() % 3);
        for (auto& x : m.payload) x = static_cast<std::uint8_t>(rng());
        w.write(video ? 6 : 4, m, wire);
        sent.push_back(std::move(m));
      }
      // Feed in random pieces.
      ChunkReader r;
      std::vector<Message> got;
      for (std::size_t pos = 0; pos < wire.size();) {
        const std::size_t n = std::min<std::size_t>(wire.size() - pos, 1 + rng() % 3000);
        auto out = r.feed(ByteView(wire.data() + pos, n));
        ASSERT_TRUE(out.ok()) << out.error().message;
        got.insert(got.end(), out->begin(), out->end());
        pos += n;
      }
      EXPECT_EQ(r.chunkSize(), chunkSize);
      ASSERT_EQ(got.size(), sent.size()) << chunkSize << " " << compress;
      for (std::size_t i = 0; i < sent.size(); ++i) EXPECT_EQ(got[i], sent[i]) << chunkSize << " msg " << i;
    }
  }
}

}  // namespace
}  // namespace hub::media::rtmp
