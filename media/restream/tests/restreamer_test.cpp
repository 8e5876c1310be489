// media/restream/tests/restreamer_test.cpp
//
// Socket-free parts of the restreamer: target URLs, their redaction, refusing HEVC sources.
#include "media/restream/restreamer.h"

#include <gtest/gtest.h>

namespace hub::media::restream {
namespace {

TEST(RtmpUrl, SplitsAppAndStreamNameLikePublishersDo) {
  auto u = parseRtmpUrl("rtmp://push.example.com/live/abc-secret?auth=1");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->host, "push.example.com");
  EXPECT_EQ(u->port, 1935);
  EXPECT_EQ(u->app, "live");
  EXPECT_EQ(u->stream, "abc-secret?auth=1");
  EXPECT_EQ(u->tcUrl, "rtmp://push.example.com:1935/live");
  EXPECT_EQ(u->redacted(), "rtmp://push.example.com:1935/live/***");

  auto nested = parseRtmpUrl("rtmp://[::1]:1936/live/sub/key");
  ASSERT_TRUE(nested);
  EXPECT_EQ(nested->host, "::1");
  EXPECT_EQ(nested->port, 1936);
  EXPECT_EQ(nested->app, "live/sub");
  EXPECT_EQ(nested->stream, "key");
  EXPECT_EQ(nested->tcUrl, "rtmp://[::1]:1936/live/sub");
}

TEST(RtmpUrl, RefusesUrlsWithoutAppOrStreamName) {
  for (const char* bad :
       {"http://x/live/k", "rtmp://host", "rtmp://host/live", "rtmp://host/live/", "rtmp://host:99999/live/k",
        "rtmp://host:abc/live/k", "rtmp:///live/k", "rtmp://[::1/live/k"}) {
    auto u = parseRtmpUrl(bad);
    ASSERT_FALSE(u) << bad;
    EXPECT_EQ(u.error().code, "restream.bad_url") << bad;
  }
}

TEST(Restreamer, BadUrlIsReportedInTheStatusWithoutTheSecret) {
  Restreamer r("gala", "rtmp://host/live", {}, SystemClock::instance());
  const auto st = r.status();
  EXPECT_EQ(st.state, TargetState::Retrying);
  EXPECT_NE(st.lastError.find("restream.bad_url"), std::string::npos);
  r.frame(Frame{});  // ignored, no crash
}

TEST(Restreamer, HevcSourceIsNotRestreamedAndSaysSo) {
  // Port 9 on loopback: nothing should be tried at all for an HEVC source.
  Restreamer r("gala", "rtmp://127.0.0.1:9/live/key", {}, SystemClock::instance());
  TrackInfo hevc;
  hevc.codec = Codec::Hevc;
  hevc.codecData = {1, 2, 3};
  r.tracks({hevc});
  Frame f;
  f.codec = Codec::Hevc;
  f.keyFrame = true;
  r.frame(f);
  const auto st = r.status();
  EXPECT_EQ(st.state, TargetState::Unsupported);
  EXPECT_STREQ(targetStateName(st.state), "unsupported");
  EXPECT_NE(st.lastError.find("HEVC"), std::string::npos);
  EXPECT_EQ(st.failures, 0);
  EXPECT_EQ(st.framesDropped, 1u);
}

}  // namespace
}  // namespace hub::media::restream
