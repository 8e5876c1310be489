// media/pipeline/tests/thumbnailer_test.cpp
//
// Live thumbnails from real key frames: a valid JPEG of the configured width and the source's
// aspect ratio, one per interval of the injected clock while thumb.jpg is asked for, one per
// idle interval when not; a bad frame counted, not fatal; one decoder per stream reused.
#include "media/pipeline/thumbnailer.h"

#include <gtest/gtest.h>

#include <thread>

#include "media/pipeline/key_frame_jpeg.h"
#include "media/pipeline/tests/clip.h"
#include "tests/support/fixtures.h"

using namespace hub::media;
using namespace hub::media::pipeline;
using namespace hub::media::pipeline::test;

namespace {

bool waitFor(const std::function<bool()>& done) {
  for (int i = 0; i < 500 && !done(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return done();
}

hub::config::Transcode settings() {
  hub::config::Transcode s;
  s.thumbnailIntervalSeconds = 5;
  s.thumbnailWidth = 320;
  s.thumbnailIdleIntervalSeconds = 60;
  return s;
}

}  // namespace

TEST(Thumbnailer, KeyFrameBecomesAJpegOfTheConfiguredWidthOncePerInterval) {
  hub::test::TempDir dir;
  Clip clip = makeClip(dir.path(), "1280x720", 2.0);
  hub::FakeClock clock;
  Thumbnailer thumbs("gala", settings(), clock);
  EXPECT_EQ(thumbs.latest(), nullptr);
  thumbs.tracks(clip.tracks);
  for (const auto& f : clip.frames) thumbs.frame(f);  // two key frames, one interval
  ASSERT_TRUE(waitFor([&] { return thumbs.made() + thumbs.failed() >= 1; }));
  EXPECT_EQ(thumbs.made(), 1u);
  auto jpeg = thumbs.latest();
  ASSERT_NE(jpeg, nullptr);
  ASSERT_GT(jpeg->size(), 4u);
  EXPECT_EQ(static_cast<unsigned char>((*jpeg)[0]), 0xFF);
  EXPECT_EQ(static_cast<unsigned char>((*jpeg)[1]), 0xD8);
  auto decoded = decodeJpeg(*jpeg);
  EXPECT_EQ(decoded.errors, 0);
  EXPECT_EQ(decoded.pictures, 1);
  EXPECT_EQ(decoded.width, 320);
  EXPECT_EQ(decoded.height, 180);

  EXPECT_EQ(thumbs.serve(), jpeg);  // a viewer asks: thumbnails come at the fast interval
  clock.advance(std::chrono::seconds(5));
  for (const auto& f : clip.frames) thumbs.frame(f);
  ASSERT_TRUE(waitFor([&] { return thumbs.made() >= 2; }));
  EXPECT_NE(thumbs.latest(), jpeg);
  EXPECT_EQ(thumbs.failed(), 0u);
}

TEST(Thumbnailer, NobodyAskingSlowsThumbnailsToTheIdleInterval) {
  hub::test::TempDir dir;
  Clip clip = makeClip(dir.path(), "640x360", 1.0);
  hub::FakeClock clock;
  Thumbnailer thumbs("idle", settings(), clock);
  thumbs.tracks(clip.tracks);
  const Frame key = clip.videoFrames().front();
  thumbs.frame(key);  // the first key frame always makes one
  ASSERT_TRUE(waitFor([&] { return thumbs.made() >= 1; }));
  clock.advance(std::chrono::seconds(30));
  thumbs.frame(key);
  ASSERT_NE(thumbs.latest(), nullptr);  // a recording's copy is not a viewer
  clock.advance(std::chrono::seconds(29));
  thumbs.frame(key);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(thumbs.made(), 1u);  // 59 s without a viewer: still the first one
  clock.advance(std::chrono::seconds(1));
  thumbs.frame(key);  // the idle interval is over
  ASSERT_TRUE(waitFor([&] { return thumbs.made() >= 2; }));
  ASSERT_NE(thumbs.serve(), nullptr);  // a viewer: every 5 s again
  clock.advance(std::chrono::seconds(5));
  thumbs.frame(key);
  ASSERT_TRUE(waitFor([&] { return thumbs.made() >= 3; }));
  EXPECT_EQ(thumbs.failed(), 0u);
}

TEST(KeyFrameJpeg, OneDecoderServesEveryKeyFrameOfAStream) {
  hub::test::TempDir dir;
  Clip clip = makeClip(dir.path(), "1280x720", 3.0);
  KeyFrameJpeg jpegs;
  int keys = 0;
  for (const auto& f : clip.videoFrames()) {
    if (!f.keyFrame) continue;
    auto jpeg = jpegs.encode(*clip.video(), f, 320);
    ASSERT_TRUE(jpeg.ok()) << jpeg.error().message;
    auto decoded = decodeJpeg(*jpeg);
    EXPECT_EQ(decoded.width, 320);
    EXPECT_EQ(decoded.height, 180);
    keys++;
  }
  EXPECT_EQ(keys, 3);
  EXPECT_EQ(jpegs.decoderOpens(), 1);
}

TEST(Thumbnailer, HevcKeyFrame) {
  hub::test::TempDir dir;
  Clip clip = makeClip(dir.path(), "640x360", 1.0, "libx265");
  hub::FakeClock clock;
  Thumbnailer thumbs("hevc", settings(), clock);
  thumbs.tracks(clip.tracks);
  for (const auto& f : clip.frames) thumbs.frame(f);
  ASSERT_TRUE(waitFor([&] { return thumbs.made() + thumbs.failed() >= 1; }));
  ASSERT_NE(thumbs.latest(), nullptr);
  auto decoded = decodeJpeg(*thumbs.latest());
  EXPECT_EQ(decoded.width, 320);
  EXPECT_EQ(decoded.height, 180);
}

TEST(Thumbnailer, UndecodableKeyFrameIsCountedAndTheNextOneWorks) {
  hub::test::TempDir dir;
  Clip clip = makeClip(dir.path(), "640x360", 1.0);
  hub::FakeClock clock;
  Thumbnailer thumbs("noise", settings(), clock);
  thumbs.tracks(clip.tracks);
  Frame bad = clip.videoFrames().front();
  auto noise = std::make_shared<std::vector<std::uint8_t>>(64, 0x5A);
  bad.data = Payload{noise, 0, noise->size()};
  thumbs.frame(bad);
  ASSERT_TRUE(waitFor([&] { return thumbs.made() + thumbs.failed() >= 1; }));
  EXPECT_EQ(thumbs.failed(), 1u);
  EXPECT_EQ(thumbs.latest(), nullptr);
  clock.advance(std::chrono::seconds(5));
  thumbs.frame(clip.videoFrames().front());
  ASSERT_TRUE(waitFor([&] { return thumbs.made() >= 1; }));
  EXPECT_NE(thumbs.latest(), nullptr);
}
