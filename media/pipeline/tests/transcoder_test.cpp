// media/pipeline/tests/transcoder_test.cpp
//
// The ladder on real frames: ffmpeg-made H.264 and HEVC clips go in, every rung's output is
// decoded with libavcodec and compared with the source (sizes, frame counts, key frames at the
// same timestamps on every rung, audio passed through), and the failure and overload paths end
// the way the status says.
#include "media/pipeline/transcoder.h"

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <set>

#include "media/pipeline/tests/clip.h"
#include "tests/support/fixtures.h"

using namespace hub::media;
using namespace hub::media::pipeline;
using namespace hub::media::pipeline::test;

namespace {

hub::config::Transcode settings(const std::string& ladder, int queueMs = 10000) {
  hub::config::Transcode s;
  auto parsed = hub::config::parseLadder(ladder);
  EXPECT_TRUE(parsed);
  if (parsed) s.ladder = *parsed;
  s.queueMs = queueMs;
  return s;
}

Transcoder::SinkFor sinksIn(Renditions& r) {
  return [&r](const hls::RenditionInfo& info) -> FrameSink& { return r.sinkFor(info); };
}

void feed(FrameSink& sink, const Clip& clip) {
  sink.tracks(clip.tracks);
  for (const auto& f : clip.frames) sink.frame(f);
}

std::set<std::int64_t> keyPts(const std::vector<Frame>& frames) {
  std::set<std::int64_t> out;
  for (const auto& f : frames)
    if (f.keyFrame) out.insert(f.ptsUs);
  return out;
}

std::set<std::int64_t> allPts(const std::vector<Frame>& frames) {
  std::set<std::int64_t> out;
  for (const auto& f : frames) out.insert(f.ptsUs);
  return out;
}

const TrackInfo* videoTrack(const std::vector<TrackInfo>& tracks) {
  for (const auto& t : tracks)
    if (isVideo(t.codec)) return &t;
  return nullptr;
}

}  // namespace

TEST(Transcoder, LadderBelowTheSourceWithKeyFramesAlignedOnEveryRung) {
  hub::test::TempDir dir;
  Clip clip = makeClip(dir.path(), "1280x720", 2.0);
  ASSERT_TRUE(clip.video());
  auto source = clip.videoFrames();
  ASSERT_EQ(source.size(), 60u);
  Renditions out;
  Transcoder transcoder("gala", settings("720p:2500k,480p:1200k,360p:700k"), sinksIn(out));
  feed(transcoder, clip);
  transcoder.end();

  auto status = transcoder.status();
  EXPECT_EQ(stateName(status.state), std::string("ended")) << status.message;
  EXPECT_EQ(status.rungs, (std::vector<std::string>{"480p", "360p"}));
  EXPECT_EQ(status.framesIn, 60u);
  EXPECT_EQ(status.framesOut, 120u);
  EXPECT_EQ(status.droppedFrames, 0u);

  auto infos = out.infos();
  ASSERT_EQ(infos.size(), 2u);  // 720p is not below a 720p source
  struct Want {
    std::string id;
    int width, height;
    std::int64_t bitrate;
  };
  for (const auto& want : {Want{"480p", 854, 480, 1'200'000}, Want{"360p", 640, 360, 700'000}}) {
    SCOPED_TRACE(want.id);
    ASSERT_TRUE(infos.count(want.id));
    const auto& info = infos[want.id];
    EXPECT_EQ(info.width, want.width);
    EXPECT_EQ(info.height, want.height);
    EXPECT_NEAR(info.frameRate, 30.0, 0.01);
    EXPECT_EQ(info.codecs.rfind("avc1.", 0), 0u) << info.codecs;
    EXPECT_NE(info.codecs.find(",mp4a.40.2"), std::string::npos) << info.codecs;
    EXPECT_GT(info.averageBandwidth, want.bitrate);
    EXPECT_GE(info.bandwidth, info.averageBandwidth);

    auto seen = out.seen(want.id);
    EXPECT_FALSE(seen.outOfOrder);
    EXPECT_EQ(seen.ends, 1);
    ASSERT_EQ(seen.tracks.size(), 1u);
    const TrackInfo* video = videoTrack(seen.tracks[0]);
    ASSERT_TRUE(video);
    EXPECT_EQ(video->codec, Codec::H264);
    EXPECT_EQ(video->width, want.width);
    EXPECT_EQ(video->bitrate, want.bitrate);
    ASSERT_EQ(seen.tracks[0].size(), 2u);
    EXPECT_EQ(seen.tracks[0][1].codecData, clip.tracks[1].codecData);  // AAC passed through

    ASSERT_EQ(seen.video.size(), source.size());
    EXPECT_EQ(allPts(seen.video), allPts(source));  // the source's timeline, frame for frame
    EXPECT_EQ(keyPts(seen.video), keyPts(source));  // key frames where the source has them
    EXPECT_TRUE(seen.video.front().keyFrame);
    for (std::size_t i = 1; i < seen.video.size(); ++i)
      EXPECT_GT(seen.video[i].dtsUs, seen.video[i - 1].dtsUs);

    auto decoded = decodeVideo(*video, seen.video);
    EXPECT_EQ(decoded.errors, 0);
    EXPECT_EQ(decoded.pictures, 60);
    EXPECT_EQ(decoded.width, want.width);
    EXPECT_EQ(decoded.height, want.height);

    // Every source audio frame from the first picture on, untouched and in step with video.
    auto audio = clip.audioFrames();
    std::size_t expected = 0;
    for (const auto& a : audio) expected += a.dtsUs >= seen.video.front().dtsUs;
    EXPECT_EQ(seen.audio.size(), expected);
    if (!seen.audio.empty()) {
      EXPECT_EQ(seen.audio.front().data.owner, audio[audio.size() - expected].data.owner);
    }
  }
}

TEST(Transcoder, HevcSourceBecomesH264Rungs) {
  hub::test::TempDir dir;
  Clip clip = makeClip(dir.path(), "640x360", 1.0, "libx265");
  ASSERT_TRUE(clip.video());
  ASSERT_EQ(clip.video()->codec, Codec::Hevc);
  Renditions out;
  Transcoder transcoder("hevc", settings("240p:300k"), sinksIn(out));
  feed(transcoder, clip);
  transcoder.end();
  EXPECT_EQ(stateName(transcoder.status().state), std::string("ended")) << transcoder.status().message;
  auto seen = out.seen("240p");
  ASSERT_EQ(seen.tracks.size(), 1u);
  const TrackInfo* video = videoTrack(seen.tracks[0]);
  ASSERT_TRUE(video);
  EXPECT_EQ(video->codec, Codec::H264);
  EXPECT_EQ(seen.video.size(), clip.videoFrames().size());
  EXPECT_EQ(keyPts(seen.video), keyPts(clip.videoFrames()));
  auto decoded = decodeVideo(*video, seen.video);
  EXPECT_EQ(decoded.errors, 0);
  EXPECT_EQ(decoded.pictures, 30);
  EXPECT_EQ(decoded.width, 426);
  EXPECT_EQ(decoded.height, 240);
}

TEST(Transcoder, SourceNoTallerThanAnyRungIsLeftToPassthrough) {
  hub::test::TempDir dir;
  Clip clip = makeClip(dir.path(), "640x360", 1.0);
  Renditions out;
  Transcoder transcoder("small", settings("720p:2500k,480p:1200k,360p:700k"), sinksIn(out));
  feed(transcoder, clip);
  auto status = transcoder.status();
  EXPECT_EQ(stateName(status.state), std::string("idle"));
  EXPECT_NE(status.message.find("360p"), std::string::npos) << status.message;
  EXPECT_EQ(status.droppedFrames, 0u);
  EXPECT_TRUE(out.infos().empty());
  transcoder.end();
}

TEST(Transcoder, UndecodableSourceEndsTheRungsWithAFailedStatus) {
  hub::test::TempDir dir;
  Clip clip = makeClip(dir.path(), "640x360", 1.0);
  // Same tracks, but every video frame after the first key frame is noise.
  std::mt19937 rng(7);
  bool first = true;
  for (auto& f : clip.frames) {
    if (!isVideo(f.codec)) continue;
    if (first) {
      first = false;
      continue;
    }
    auto noise = std::make_shared<std::vector<std::uint8_t>>(f.data.size);
    for (auto& b : *noise) b = static_cast<std::uint8_t>(rng());
    f.data = Payload{noise, 0, noise->size()};
  }
  Frame noiseFrame = clip.videoFrames().back();
  Renditions out;
  Transcoder transcoder("noise", settings("240p:300k"), sinksIn(out));
  feed(transcoder, clip);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (transcoder.status().state == TranscoderStatus::State::Running &&
         std::chrono::steady_clock::now() < deadline) {
    noiseFrame.dtsUs += 33'333;  // what ingest keeps doing
    noiseFrame.ptsUs += 33'333;
    transcoder.frame(noiseFrame);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  auto status = transcoder.status();
  EXPECT_EQ(stateName(status.state), std::string("failed"));
  EXPECT_NE(status.message.find("decod"), std::string::npos) << status.message;
  transcoder.frame(noiseFrame);
  transcoder.end();
  EXPECT_EQ(stateName(transcoder.status().state), std::string("failed"));
  auto seen = out.seen("240p");
  EXPECT_LE(seen.ends, 1);
  EXPECT_FALSE(seen.outOfOrder);
}

TEST(Transcoder, NeverBlocksTheCallerAndDropsVideoUntilTheNextKeyFrame) {
  hub::test::TempDir dir;
  Clip clip = makeClip(dir.path(), "1280x720", 3.0);
  auto source = clip.videoFrames();
  Renditions out;
  Transcoder transcoder("burst", settings("480p:1200k,360p:700k", 100), sinksIn(out));
  auto start = std::chrono::steady_clock::now();
  feed(transcoder, clip);  // three seconds of video at once: far more than 100 ms of queue
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, std::chrono::milliseconds(1500));
  transcoder.end();
  auto status = transcoder.status();
  EXPECT_EQ(stateName(status.state), std::string("ended")) << status.message;
  EXPECT_GT(status.droppedFrames, 0u);
  EXPECT_EQ(status.framesIn + status.droppedFrames, source.size());
  for (const char* id : {"480p", "360p"}) {
    SCOPED_TRACE(id);
    auto seen = out.seen(id);
    ASSERT_EQ(seen.tracks.size(), 1u);
    EXPECT_EQ(seen.video.size(), status.framesIn);
    auto decoded = decodeVideo(*videoTrack(seen.tracks[0]), seen.video);
    EXPECT_EQ(decoded.errors, 0);  // dropped up to a key frame: nothing references a hole
    EXPECT_EQ(decoded.pictures, static_cast<int>(status.framesIn));
  }
  EXPECT_EQ(keyPts(out.seen("480p").video), keyPts(out.seen("360p").video));
}

TEST(Transcoder, DiscontinuityRestartsTheTimelineOnEveryRung) {
  hub::test::TempDir dir;
  Clip clip = makeClip(dir.path(), "640x360", 1.0);
  Renditions out;
  Transcoder transcoder("reconnect", settings("240p:300k"), sinksIn(out));
  feed(transcoder, clip);
  transcoder.discontinuity();
  feed(transcoder, clip);  // the new publisher starts again at 0
  transcoder.end();
  EXPECT_EQ(stateName(transcoder.status().state), std::string("ended"));
  auto seen = out.seen("240p");
  EXPECT_EQ(seen.discontinuities, 1);
  EXPECT_EQ(seen.tracks.size(), 2u);
  EXPECT_EQ(seen.ends, 1);
  EXPECT_FALSE(seen.outOfOrder);
  ASSERT_EQ(seen.video.size(), 60u);
  EXPECT_EQ(seen.video[30].ptsUs, seen.video[0].ptsUs);
  EXPECT_TRUE(seen.video[30].keyFrame);
}
