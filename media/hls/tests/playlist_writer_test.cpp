// media/hls/tests/playlist_writer_test.cpp
//
// Exact playlist text: live with parts, preload hint and reports; delta update; ended; master.
#include "media/hls/playlist_writer.h"

#include <gtest/gtest.h>

namespace hub::media::hls {
namespace {

using namespace std::chrono;

PlaylistSegment segment(std::int64_t msn, double duration, int parts, bool complete = true) {
  PlaylistSegment s;
  s.msn = msn;
  s.duration = duration;
  s.mapUri = "t-init0.mp4";
  s.uri = "t-" + std::to_string(msn) + ".m4s";
  s.complete = complete;
  s.programDateTime = system_clock::time_point(seconds(1'800'000'000) + milliseconds(2000 * msn + 5));
  for (int i = 0; i < parts; ++i)
    s.parts.push_back(
        {0.33333, i == 0, false, "t-" + std::to_string(msn) + "." + std::to_string(i) + ".m4s"});
  return s;
}

MediaPlaylist live() {
  MediaPlaylist p;
  p.targetDuration = 2;
  p.partTarget = 0.334;
  for (int i = 0; i < 4; ++i) p.segments.push_back(segment(10 + i, 2.0, 6));
  p.segments.push_back(segment(14, 0, 2, false));
  p.preloadHintUri = "t-14.2.m4s";
  p.reports.push_back({"../360p/index.m3u8", 14, 1});
  return p;
}

TEST(PlaylistWriter, LivePlaylistWithPartsHintAndReports) {
  auto p = live();
  p.segments[2].discontinuity = true;
  p.segments[2].mapUri = "t-init1.mp4";
  p.segments[3].mapUri = "t-init1.mp4";
  p.segments[4].mapUri = "t-init1.mp4";
  p.discontinuitySequence = 3;
  const std::string parts13 =
      "#EXT-X-PART:DURATION=0.33333,URI=\"t-13.0.m4s\",INDEPENDENT=YES\n"
      "#EXT-X-PART:DURATION=0.33333,URI=\"t-13.1.m4s\"\n"
      "#EXT-X-PART:DURATION=0.33333,URI=\"t-13.2.m4s\"\n"
      "#EXT-X-PART:DURATION=0.33333,URI=\"t-13.3.m4s\"\n"
      "#EXT-X-PART:DURATION=0.33333,URI=\"t-13.4.m4s\"\n"
      "#EXT-X-PART:DURATION=0.33333,URI=\"t-13.5.m4s\"\n";
  const std::string parts12 =
      "#EXT-X-PART:DURATION=0.33333,URI=\"t-12.0.m4s\",INDEPENDENT=YES\n"
      "#EXT-X-PART:DURATION=0.33333,URI=\"t-12.1.m4s\"\n"
      "#EXT-X-PART:DURATION=0.33333,URI=\"t-12.2.m4s\"\n"
      "#EXT-X-PART:DURATION=0.33333,URI=\"t-12.3.m4s\"\n"
      "#EXT-X-PART:DURATION=0.33333,URI=\"t-12.4.m4s\"\n"
      "#EXT-X-PART:DURATION=0.33333,URI=\"t-12.5.m4s\"\n";
  // Parts are listed for segments that end within 3 target durations (6 s) of the end.
  EXPECT_EQ(writeMediaPlaylist(p, false),
            "#EXTM3U\n"
            "#EXT-X-VERSION:9\n"
            "#EXT-X-TARGETDURATION:2\n"
            "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,CAN-SKIP-UNTIL=12.0,PART-HOLD-BACK=1.002\n"
            "#EXT-X-PART-INF:PART-TARGET=0.334\n"
            "#EXT-X-MEDIA-SEQUENCE:10\n"
            "#EXT-X-DISCONTINUITY-SEQUENCE:3\n"
            "#EXT-X-MAP:URI=\"t-init0.mp4\"\n"
            "#EXT-X-PROGRAM-DATE-TIME:2027-01-15T08:00:20.005Z\n"
            "#EXTINF:2.00000,\nt-10.m4s\n"
            "#EXT-X-PROGRAM-DATE-TIME:2027-01-15T08:00:22.005Z\n"
            "#EXTINF:2.00000,\nt-11.m4s\n"
            "#EXT-X-DISCONTINUITY\n"
            "#EXT-X-MAP:URI=\"t-init1.mp4\"\n"
            "#EXT-X-PROGRAM-DATE-TIME:2027-01-15T08:00:24.005Z\n" +
                parts12 + "#EXTINF:2.00000,\nt-12.m4s\n" +
                "#EXT-X-PROGRAM-DATE-TIME:2027-01-15T08:00:26.005Z\n" + parts13 +
                "#EXTINF:2.00000,\nt-13.m4s\n"
                "#EXT-X-PROGRAM-DATE-TIME:2027-01-15T08:00:28.005Z\n"
                "#EXT-X-PART:DURATION=0.33333,URI=\"t-14.0.m4s\",INDEPENDENT=YES\n"
                "#EXT-X-PART:DURATION=0.33333,URI=\"t-14.1.m4s\"\n"
                "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"t-14.2.m4s\"\n"
                "#EXT-X-RENDITION-REPORT:URI=\"../360p/index.m3u8\",LAST-MSN=14,LAST-PART=1\n");
}

TEST(PlaylistWriter, DeltaUpdateSkipsSegmentsOlderThanSkipUntil) {
  auto p = live();
  p.segments.clear();
  for (int i = 0; i < 10; ++i) p.segments.push_back(segment(20 + i, 2.0, 0));
  p.segments.push_back(segment(30, 0, 1, false));
  p.preloadHintUri = "t-30.1.m4s";
  p.reports.clear();
  auto text = writeMediaPlaylist(p, true);
  // 10 segments of 2 s + a 0.33 s part: those ending more than 12 s before the end go.
  EXPECT_NE(
      text.find("#EXT-X-MEDIA-SEQUENCE:20\n#EXT-X-SKIP:SKIPPED-SEGMENTS=4\n#EXT-X-MAP:URI=\"t-init0.mp4\"\n"),
      std::string::npos)
      << text;
  EXPECT_EQ(text.find("t-23.m4s"), std::string::npos);
  EXPECT_NE(text.find("t-24.m4s"), std::string::npos);
  // Without the directive, everything is there.
  auto full = writeMediaPlaylist(p, false);
  EXPECT_EQ(full.find("EXT-X-SKIP"), std::string::npos);
  EXPECT_NE(full.find("t-20.m4s"), std::string::npos);
}

TEST(PlaylistWriter, EndedPlaylistHasEndlistAndNoLiveTags) {
  MediaPlaylist p;
  p.targetDuration = 2;
  p.segments.push_back(segment(0, 2.0, 6));
  p.segments.push_back(segment(1, 1.5, 5));
  p.segments[0].programDateTime = {};
  p.segments[1].programDateTime = {};
  p.ended = true;
  p.preloadHintUri = "t-2.0.m4s";
  EXPECT_EQ(writeMediaPlaylist(p, true),
            "#EXTM3U\n"
            "#EXT-X-VERSION:9\n"
            "#EXT-X-TARGETDURATION:2\n"
            "#EXT-X-PART-INF:PART-TARGET=0.334\n"
            "#EXT-X-MEDIA-SEQUENCE:0\n"
            "#EXT-X-MAP:URI=\"t-init0.mp4\"\n"
            "#EXTINF:2.00000,\nt-0.m4s\n"
            "#EXTINF:1.50000,\nt-1.m4s\n"
            "#EXT-X-ENDLIST\n");
}

TEST(PlaylistWriter, GapSegmentsCarryExtXGap) {
  MediaPlaylist p;
  p.targetDuration = 2;
  p.segments.push_back(segment(0, 2.0, 6));
  p.segments.push_back(segment(1, 1.5, 0));
  p.segments.back().gap = true;
  p.segments.back().programDateTime = {};
  p.segments.push_back(segment(2, 2.0, 6));
  p.segments[0].programDateTime = p.segments[2].programDateTime = {};
  p.ended = true;
  EXPECT_EQ(writeMediaPlaylist(p, false),
            "#EXTM3U\n"
            "#EXT-X-VERSION:9\n"
            "#EXT-X-TARGETDURATION:2\n"
            "#EXT-X-PART-INF:PART-TARGET=0.334\n"
            "#EXT-X-MEDIA-SEQUENCE:0\n"
            "#EXT-X-MAP:URI=\"t-init0.mp4\"\n"
            "#EXTINF:2.00000,\nt-0.m4s\n"
            "#EXT-X-GAP\n"
            "#EXTINF:1.50000,\nt-1.m4s\n"
            "#EXTINF:2.00000,\nt-2.m4s\n"
            "#EXT-X-ENDLIST\n");
}

TEST(PlaylistWriter, PartsOfAGapSegmentCarryGapYes) {
  MediaPlaylist p;
  p.targetDuration = 2;
  p.segments.push_back(segment(0, 1.0, 3));
  p.segments.push_back(segment(1, 0.66666, 2));
  p.segments.back().gap = true;
  for (auto& part : p.segments.back().parts) part.gap = true;
  for (auto& seg : p.segments) seg.programDateTime = {};
  p.preloadHintUri = "t-2.0.m4s";
  EXPECT_EQ(writeMediaPlaylist(p, false),
            "#EXTM3U\n"
            "#EXT-X-VERSION:9\n"
            "#EXT-X-TARGETDURATION:2\n"
            "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,CAN-SKIP-UNTIL=12.0,PART-HOLD-BACK=1.002\n"
            "#EXT-X-PART-INF:PART-TARGET=0.334\n"
            "#EXT-X-MEDIA-SEQUENCE:0\n"
            "#EXT-X-MAP:URI=\"t-init0.mp4\"\n"
            "#EXT-X-PART:DURATION=0.33333,URI=\"t-0.0.m4s\",INDEPENDENT=YES\n"
            "#EXT-X-PART:DURATION=0.33333,URI=\"t-0.1.m4s\"\n"
            "#EXT-X-PART:DURATION=0.33333,URI=\"t-0.2.m4s\"\n"
            "#EXTINF:1.00000,\nt-0.m4s\n"
            "#EXT-X-PART:DURATION=0.33333,URI=\"t-1.0.m4s\",INDEPENDENT=YES,GAP=YES\n"
            "#EXT-X-PART:DURATION=0.33333,URI=\"t-1.1.m4s\",GAP=YES\n"
            "#EXT-X-GAP\n"
            "#EXTINF:0.66666,\nt-1.m4s\n"
            "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"t-2.0.m4s\"\n");
}

TEST(PlaylistWriter, MasterListsEveryRendition) {
  std::vector<MasterEntry> e = {
      {"source/index.m3u8", 3'200'000, 2'900'000, "avc1.64001f,mp4a.40.2", 1280, 720, 30},
      {"360p/index.m3u8", 800'000, 0, "avc1.42c01e,mp4a.40.2", 640, 360, 29.97},
      {"audio/index.m3u8", 100'000, 96'000, "mp4a.40.2", 0, 0, 0},
  };
  EXPECT_EQ(writeMasterPlaylist(e),
            "#EXTM3U\n"
            "#EXT-X-VERSION:9\n"
            "#EXT-X-INDEPENDENT-SEGMENTS\n"
            "#EXT-X-STREAM-INF:BANDWIDTH=3200000,AVERAGE-BANDWIDTH=2900000,CODECS=\"avc1.64001f,mp4a.40.2\","
            "RESOLUTION=1280x720,FRAME-RATE=30.000\n"
            "source/index.m3u8\n"
            "#EXT-X-STREAM-INF:BANDWIDTH=800000,CODECS=\"avc1.42c01e,mp4a.40.2\",RESOLUTION=640x360,"
            "FRAME-RATE=29.970\n"
            "360p/index.m3u8\n"
            "#EXT-X-STREAM-INF:BANDWIDTH=100000,AVERAGE-BANDWIDTH=96000,CODECS=\"mp4a.40.2\"\n"
            "audio/index.m3u8\n");
}

}  // namespace
}  // namespace hub::media::hls
