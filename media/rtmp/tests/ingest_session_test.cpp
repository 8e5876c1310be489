// The publisher session without sockets: a real ffmpeg 5.1 publish replayed through it, and
// the refusals and control answers a publisher sees (wrong key, wrong app, chunk size 0, ping).
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "media/rtmp/amf0.h"
#include "media/rtmp/chunk_reader.h"
#include "media/rtmp/chunk_writer.h"
#include "media/rtmp/control_messages.h"
#include "media/rtmp/ingest_session.h"

using namespace hub::media::rtmp;
using hub::media::Codec;
using hub::media::Frame;
using hub::media::FrameSink;
using hub::media::TrackInfo;

namespace {

struct RecordingSink : FrameSink {
  std::vector<std::vector<TrackInfo>> trackCalls;
  std::vector<Frame> frames;
  int discontinuities = 0, ends = 0;
  void tracks(const std::vector<TrackInfo>& t) override { trackCalls.push_back(t); }
  void frame(const Frame& f) override { frames.push_back(f); }
  void discontinuity() override { ++discontinuities; }
  void end() override { ++ends; }
};

struct FakeHost : IngestSessionHost {
  RecordingSink sink;
  std::vector<std::string> started, ended;
  hub::Result<std::string> resolveKey(std::string_view key) override {
    if (key == "key123") return std::string("gala");
    return hub::makeError("rtmp.bad_key", "unknown stream key");
  }
  FrameSink& publishStarted(const std::string& stream) override {
    started.push_back(stream);
    return sink;
  }
  void publishEnded(const std::string& stream) override { ended.push_back(stream); }
};

Bytes handshake() {
  Bytes b(1 + 2 * 1536, 0x11);
  b[0] = 3;
  return b;
}

Bytes command(ChunkWriter& w, std::vector<Amf0Value> values, std::uint32_t streamId = 0) {
  Message m;
  m.typeId = msg::kCommandAmf0;
  m.streamId = streamId;
  m.payload = encodeAmf0(values);
  Bytes out;
  w.write(3, m, out);
  return out;
}

Bytes connect(ChunkWriter& w, const std::string& app) {
  return command(w, {Amf0Value::string("connect"), Amf0Value::number(1),
                     Amf0Value::object({{"app", Amf0Value::string(app)},
                                        {"tcUrl", Amf0Value::string("rtmp://127.0.0.1/" + app)}})});
}

// Every message the server sent, after S0+S1+S2.
std::vector<Message> replies(const Bytes& out) {
  ChunkReader r;
  auto m = r.feed(ByteView(out).subspan(1 + 2 * 1536));
  EXPECT_TRUE(m) << m.error().message;
  return m ? *m : std::vector<Message>{};
}

std::vector<std::string> statusCodes(const std::vector<Message>& ms) {
  std::vector<std::string> codes;
  for (const auto& m : ms) {
    if (m.typeId != msg::kCommandAmf0) continue;
    auto v = decodeAmf0(m.payload);
    if (!v) continue;
    for (const auto& value : *v)
      if (value.isObject())
        if (const Amf0Value* c = value.get("code"); c && c->isString()) codes.push_back(c->asString());
  }
  return codes;
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

TEST(IngestSession, FfmpegPublishBecomesTracksAndFrames) {
  std::ifstream in(std::string(HUB_RTMP_TEST_DATA) + "/ffmpeg_publish.bin", std::ios::binary);
  ASSERT_TRUE(in);
  Bytes captured((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  FakeHost host;
  hub::FakeClock clock;
  IngestSession s(host, clock);
  Bytes all = handshake();
  all.insert(all.end(), captured.begin(), captured.end());
  Bytes out;
  // Pieces of odd sizes, as TCP delivers them.
  for (std::size_t pos = 0, step = 1; pos < all.size(); pos += step, step = step % 977 + 13) {
    auto piece = ByteView(all).subspan(pos, std::min(step, all.size() - pos));
    auto st = s.feed(piece);
    ASSERT_TRUE(st) << st.error().code << ": " << st.error().message;
    auto o = s.takeOutput();
    out.insert(out.end(), o.begin(), o.end());
  }
  auto codes = statusCodes(replies(out));
  EXPECT_TRUE(has(codes, "NetConnection.Connect.Success"));
  EXPECT_TRUE(has(codes, "NetStream.Publish.Start"));
  ASSERT_EQ(host.started, std::vector<std::string>{"gala"});
  // ffmpeg ends with FCUnpublish + deleteStream: the publish ended.
  EXPECT_EQ(host.ended, std::vector<std::string>{"gala"});

  ASSERT_FALSE(host.sink.trackCalls.empty());
  const auto& tracks = host.sink.trackCalls.front();
  ASSERT_EQ(tracks.size(), 2u);
  EXPECT_EQ(tracks[0].codec, Codec::H264);
  EXPECT_EQ(tracks[0].width, 64);
  EXPECT_EQ(tracks[0].height, 64);
  EXPECT_EQ(tracks[0].codecData[0], 1);  // avcC
  EXPECT_EQ(tracks[1].codec, Codec::Aac);
  EXPECT_EQ(tracks[1].sampleRate, 44100);

  int video = 0, audio = 0, keys = 0;
  std::int64_t lastVideo = -1, lastAudio = -1;
  for (const auto& f : host.sink.frames) {
    if (f.codec == Codec::H264) {
      ++video;
      keys += f.keyFrame;
      EXPECT_GT(f.dtsUs, lastVideo);
      EXPECT_GE(f.ptsUs, f.dtsUs);  // B-frames: composition time is never negative here
      lastVideo = f.dtsUs;
      // Length-prefixed NAL units that fill the payload exactly.
      auto v = f.data.view();
      std::size_t pos = 0;
      while (pos + 4 <= v.size()) pos += 4 + readU32(&v[pos]);
      EXPECT_EQ(pos, v.size());
    } else {
      ++audio;
      EXPECT_GT(f.dtsUs, lastAudio);
      lastAudio = f.dtsUs;
    }
  }
  EXPECT_GE(video, 14);  // 1.5 s at 10 fps
  EXPECT_GE(keys, 2);    // -g 10
  EXPECT_GE(audio, 60);  // 1.5 s of 1024-sample AAC frames at 44.1 kHz
}

TEST(IngestSession, WrongKeyGetsBadNameAndCloses) {
  FakeHost host;
  hub::FakeClock clock;
  IngestSession s(host, clock);
  ChunkWriter w;
  Bytes in = handshake();
  for (auto& part : {connect(w, "live"),
                     command(w, {Amf0Value::string("createStream"), Amf0Value::number(2), Amf0Value::null()}),
                     command(w,
                             {Amf0Value::string("publish"), Amf0Value::number(0), Amf0Value::null(),
                              Amf0Value::string("nope?x=1"), Amf0Value::string("live")},
                             1)})
    in.insert(in.end(), part.begin(), part.end());
  auto st = s.feed(in);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, "rtmp.bad_key");
  EXPECT_EQ(s.state(), IngestSession::State::Closing);
  auto codes = statusCodes(replies(s.takeOutput()));
  EXPECT_TRUE(has(codes, "NetStream.Publish.BadName"));
  EXPECT_FALSE(has(codes, "NetStream.Publish.Start"));
  EXPECT_TRUE(host.started.empty());
}

TEST(IngestSession, KeyWithQueryStringIsAccepted) {
  FakeHost host;
  hub::FakeClock clock;
  IngestSession s(host, clock);
  ChunkWriter w;
  Bytes in = handshake();
  for (auto& part : {connect(w, "live/"), command(w,
                                                  {Amf0Value::string("publish"), Amf0Value::number(0),
                                                   Amf0Value::null(), Amf0Value::string("key123?token=a")},
                                                  1)})
    in.insert(in.end(), part.begin(), part.end());
  ASSERT_TRUE(s.feed(in));
  EXPECT_EQ(s.state(), IngestSession::State::Publishing);
  EXPECT_EQ(s.stream(), "gala");
  s.closed();
  EXPECT_EQ(host.ended, std::vector<std::string>{"gala"});
}

TEST(IngestSession, WrongAppIsRejected) {
  FakeHost host;
  hub::FakeClock clock;
  IngestSession s(host, clock);
  ChunkWriter w;
  Bytes in = handshake();
  auto c = connect(w, "vod");
  in.insert(in.end(), c.begin(), c.end());
  auto st = s.feed(in);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, "rtmp.bad_app");
  EXPECT_TRUE(has(statusCodes(replies(s.takeOutput())), "NetConnection.Connect.Rejected"));
}

TEST(IngestSession, ChunkSizeZeroIsRefused) {
  FakeHost host;
  hub::FakeClock clock;
  IngestSession s(host, clock);
  ChunkWriter w;
  Bytes in = handshake();
  w.write(kControlChunkStream, setChunkSizeMessage(0), in);
  auto st = s.feed(in);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, "rtmp.chunk_size");
}

TEST(IngestSession, AnswersPingAndAcknowledgesTheWindow) {
  FakeHost host;
  hub::FakeClock clock;
  IngestSession s(
      host, clock,
      IngestSessionOptions{.limits = {}, .outChunkSize = 4096, .windowAckSize = 1000, .app = "live"});
  ChunkWriter w;
  Bytes in = handshake();
  auto c = connect(w, "live");
  in.insert(in.end(), c.begin(), c.end());
  w.write(kControlChunkStream, userControlMessage(6, 0xabcdef), in);
  for (int i = 0; i < 8; ++i) {  // enough bytes for an acknowledgement
    auto pad = command(
        w, {Amf0Value::string("_checkbw"), Amf0Value::number(0), Amf0Value::string(std::string(200, 'x'))});
    in.insert(in.end(), pad.begin(), pad.end());
  }
  ASSERT_TRUE(s.feed(in));
  bool pong = false;
  auto out = s.takeOutput();
  ChunkReader client;  // applies Acknowledgement itself and remembers it
  auto ms = client.feed(ByteView(out).subspan(1 + 2 * 1536));
  ASSERT_TRUE(ms);
  for (const auto& m : *ms)
    if (m.typeId == msg::kUserControl && readU16(m.payload.data()) == 7 &&
        readU32(m.payload.data() + 2) == 0xabcdef)
      pong = true;
  EXPECT_TRUE(pong);
  ASSERT_TRUE(client.lastAckReceived().has_value());
  EXPECT_GE(*client.lastAckReceived(), 1000u);
}

TEST(IngestSession, MediaBeforePublishClosesTheConnection) {
  FakeHost host;
  hub::FakeClock clock;
  IngestSession s(host, clock);
  ChunkWriter w;
  Bytes in = handshake();
  Message video;
  video.typeId = msg::kVideo;
  video.payload = {0x17, 0x01, 0, 0, 0};
  w.write(6, video, in);
  auto st = s.feed(in);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, "rtmp.unexpected_message");
}
