// media/record/tests/vod_playlist_test.cpp
//
// The journal a recording keeps and the VOD playlists made from it.
#include "media/record/vod_playlist.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/fixtures.h"

namespace hub::media::record {
namespace {

JournalEntry entry(std::int64_t seq, double dur, bool disc, std::string init) {
  JournalEntry e;
  e.sequence = seq;
  e.durationSeconds = dur;
  e.discontinuity = disc;
  e.initFile = std::move(init);
  e.programDateTimeMs = 1'800'000'000'000 + seq * 2000;
  e.file = "seg" + std::to_string(seq) + ".m4s";
  return e;
}

TEST(VodPlaylist, ListsSegmentsWithMapDiscontinuitiesAndEndList) {
  const std::vector<JournalEntry> entries{entry(7, 2.0, false, "init0.mp4"),
                                          entry(8, 2.5, false, "init0.mp4"), entry(9, 1.2, true, "init0.mp4"),
                                          entry(10, 2.0, true, "init1.mp4")};
  const std::string p = vodMediaPlaylist(entries);
  EXPECT_EQ(
      p,
      "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:3\n#EXT-X-PLAYLIST-TYPE:VOD\n"
      "#EXT-X-MEDIA-SEQUENCE:7\n#EXT-X-INDEPENDENT-SEGMENTS\n"
      "#EXT-X-MAP:URI=\"init0.mp4\"\n#EXT-X-PROGRAM-DATE-TIME:2027-01-15T08:00:14.000Z\n"
      "#EXTINF:2.00000,\nseg7.m4s\n#EXTINF:2.50000,\nseg8.m4s\n"
      "#EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME:2027-01-15T08:00:18.000Z\n#EXTINF:1.20000,\nseg9.m4s\n"
      "#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI=\"init1.mp4\"\n#EXT-X-PROGRAM-DATE-TIME:2027-01-15T08:00:20."
      "000Z\n"
      "#EXTINF:2.00000,\nseg10.m4s\n#EXT-X-ENDLIST\n");
  EXPECT_DOUBLE_EQ(totalDuration(entries), 7.7);
}

TEST(VodPlaylist, HolesAreKeptAsGapsThroughTheJournal) {
  test::TempDir dir;
  JournalEntry hole = entry(8, 1.6, false, "init0.mp4");
  hole.file = gapFileName(8);
  hole.gap = true;
  for (const auto& e : {entry(7, 2.0, false, "init0.mp4"), hole, entry(9, 2.0, false, "init0.mp4")})
    ASSERT_TRUE(appendJournal(dir.path(), e));
  auto back = readJournal(dir.path());
  ASSERT_TRUE(back);
  ASSERT_EQ(back->size(), 3u);
  EXPECT_FALSE((*back)[0].gap);
  EXPECT_TRUE((*back)[1].gap);
  EXPECT_FALSE((*back)[2].gap);
  const std::string p = vodMediaPlaylist(*back);
  EXPECT_NE(
      p.find(
          "#EXTINF:2.00000,\nseg7.m4s\n#EXT-X-GAP\n#EXTINF:1.60000,\ngap8.m4s\n#EXTINF:2.00000,\nseg9.m4s\n"),
      std::string::npos)
      << p;
  EXPECT_EQ(p.find("DISCONTINUITY"), std::string::npos) << "a hole keeps the timeline: " << p;
  EXPECT_DOUBLE_EQ(totalDuration(*back), 5.6);
}

TEST(VodPlaylist, MasterListsEveryRendition) {
  hls::RenditionInfo source{"source", 1280, 720, 30, 3000000, 2500000, "avc1.64001f,mp4a.40.2"};
  hls::RenditionInfo audio{"audio", 0, 0, 0, 128000, 0, "mp4a.40.2"};
  EXPECT_EQ(vodMasterPlaylist({source, audio}),
            "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n"
            "#EXT-X-STREAM-INF:BANDWIDTH=3000000,AVERAGE-BANDWIDTH=2500000,RESOLUTION=1280x720,"
            "CODECS=\"avc1.64001f,mp4a.40.2\",FRAME-RATE=30.000\nsource/index.m3u8\n"
            "#EXT-X-STREAM-INF:BANDWIDTH=128000,CODECS=\"mp4a.40.2\"\naudio/index.m3u8\n");
}

TEST(VodPlaylist, JournalSurvivesACrashCutLine) {
  test::TempDir dir;
  ASSERT_TRUE(appendJournal(dir.path(), entry(1, 2.0, false, "init0.mp4")));
  ASSERT_TRUE(appendJournal(dir.path(), entry(2, 2.0, true, "init0.mp4")));
  std::ofstream(dir.path() + "/segments.txt", std::ios::app) << "3 2.0 0 ini";  // the kill came here
  auto back = readJournal(dir.path());
  ASSERT_TRUE(back);
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[1].sequence, 2);
  EXPECT_TRUE((*back)[1].discontinuity);
  EXPECT_EQ((*back)[1].file, "seg2.m4s");

  hls::RenditionInfo info{"720p", 1280, 720, 29.97, 2800000, 2500000, "avc1.64001f,mp4a.40.2"};
  ASSERT_TRUE(writeRenditionInfo(dir.path(), info));
  auto r = readRenditionInfo(dir.path());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->id, "720p");
  EXPECT_EQ(r->height, 720);
  EXPECT_DOUBLE_EQ(r->frameRate, 29.97);
  EXPECT_EQ(r->codecs, "avc1.64001f,mp4a.40.2");
}

}  // namespace
}  // namespace hub::media::record
