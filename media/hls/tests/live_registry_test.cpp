// media/hls/tests/live_registry_test.cpp
//
// The live session as players see it, without sockets: blocking reload and preload hints
// answered when the part appears, timeouts, 400 for far-future requests, delta updates, grace
// period and ENDLIST, a publisher coming back (discontinuity, rising sequence numbers),
// renditions reporting each other, viewers. A FakeClock replaces waiting.
#include "media/hls/live_registry.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <optional>
#include <sstream>

#include "media/hls/rendition.h"
#include "media/hls/tests/synthetic_source.h"

namespace hub::media::hls {
namespace {

using namespace std::chrono_literals;

struct Captured {
  std::shared_ptr<std::optional<http::Response>> slot = std::make_shared<std::optional<http::Response>>();
  http::Responder responder() {
    auto s = slot;
    return http::Responder([s](http::Response r) { *s = std::move(r); });
  }
  bool done() const { return slot->has_value(); }
  int status() const { return slot->has_value() ? (*slot)->status : 0; }
  std::string body() const {
    if (!slot->has_value()) return {};
    const auto& r = **slot;
    return r.shared ? *r.shared : r.body;
  }
};

struct EventLog : SegmentListener {
  std::vector<std::string> events;
  std::vector<SegmentEvent> segments;
  void sessionStarted(const std::string& s) override { events.push_back("started " + s); }
  void segment(const SegmentEvent& e) override {
    segments.push_back(e);
    events.push_back("segment " + e.stream + "/" + e.rendition.id + " " + std::to_string(e.sequence));
  }
  void sessionEnded(const std::string& s) override { events.push_back("ended " + s); }
};

http::Request playlistRequest(std::optional<std::int64_t> msn = {}, std::optional<int> part = {},
                              bool skip = false) {
  http::Request r;
  if (msn) r.query.emplace_back("_HLS_msn", std::to_string(*msn));
  if (part) r.query.emplace_back("_HLS_part", std::to_string(*part));
  if (skip) r.query.emplace_back("_HLS_skip", "YES");
  r.peer = "127.0.0.1";
  return r;
}

class LiveRegistryTest : public ::testing::Test {
 protected:
  LiveRegistryTest() : registry(LiveOptions{}, clock, metrics) { registry.addListener(&log); }

  Rendition& source() { return *stream->find("source"); }
  std::string playlist() {
    Captured c;
    source().servePlaylist(playlistRequest(), c.responder());
    EXPECT_EQ(c.status(), 200);
    return c.body();
  }
  void start() {
    stream = registry.open("gala");
    sink = &stream->rendition(RenditionInfo{"source", 640, 360, 30, 0, 0, ""});
    sink->tracks(src.tracks());
  }

  FakeClock clock;
  metrics::Registry metrics;
  EventLog log;
  LiveRegistry registry;
  std::shared_ptr<LiveStream> stream;
  FrameSink* sink = nullptr;
  test::SyntheticSource src{true, true};
};

TEST_F(LiveRegistryTest, BlockingReloadIsAnsweredWhenThePartAppears) {
  start();
  src.push(*sink, 0.5);  // one part (0.33 s) cut, the second open
  ASSERT_EQ(source().lastMsn(), 0);
  ASSERT_EQ(source().lastPart(), 0);
  auto tag = stream->sessionTag();
  auto text = playlist();
  EXPECT_NE(text.find("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"" + tag + "-0.1.m4s\""), std::string::npos)
      << text;

  Captured blocked, hinted;
  source().servePlaylist(playlistRequest(0, 1), blocked.responder());
  source().serveFile(tag + "-0.1.m4s", hinted.responder());
  EXPECT_FALSE(blocked.done());
  EXPECT_FALSE(hinted.done());
  EXPECT_EQ(metrics.render().find("hub_hls_parked_requests 2") != std::string::npos, true);

  src.push(*sink, 0.2);  // the frame that completes part 0.1 arrives
  ASSERT_TRUE(blocked.done());
  EXPECT_EQ(blocked.status(), 200);
  EXPECT_NE(blocked.body().find("URI=\"" + tag + "-0.1.m4s\""), std::string::npos);
  EXPECT_EQ((*blocked.slot)->headerValue("content-type"), "application/vnd.apple.mpegurl");
  ASSERT_TRUE(hinted.done());
  EXPECT_EQ(hinted.status(), 200);
  EXPECT_EQ((*hinted.slot)->headerValue("cache-control"), "public, max-age=31536000, immutable");
  EXPECT_EQ((*hinted.slot)->headerValue("access-control-allow-origin"), "*");
  EXPECT_EQ(hinted.body().substr(4, 4), "moof");

  // Asking past a segment's last part means the next segment's first.
  src.push(*sink, 1.5);  // segment 0 complete at 2 s: 6 parts
  Captured next;
  source().servePlaylist(playlistRequest(0, 6), next.responder());
  EXPECT_FALSE(next.done());
  src.push(*sink, 0.4);
  EXPECT_TRUE(next.done());
  EXPECT_NE(next.body().find(tag + "-1.0.m4s"), std::string::npos);
}

TEST_F(LiveRegistryTest, ParkedRequestsTimeOutWith503AndFarFutureGets400) {
  start();
  src.push(*sink, 0.5);
  Captured far, parked, badPart;
  source().servePlaylist(playlistRequest(3), far.responder());
  EXPECT_EQ(far.status(), 400);
  http::Request partOnly;
  partOnly.query.emplace_back("_HLS_part", "1");
  source().servePlaylist(partOnly, badPart.responder());
  EXPECT_EQ(badPart.status(), 400);
  source().servePlaylist(playlistRequest(2, 0), parked.responder());
  EXPECT_FALSE(parked.done());
  clock.advance(5s);
  registry.tick();
  EXPECT_FALSE(parked.done());
  clock.advance(1100ms);  // 3 x target duration (2 s)
  registry.tick();
  EXPECT_EQ(parked.status(), 503);
  EXPECT_EQ((*parked.slot)->headerValue("cache-control"), "no-store");
}

TEST_F(LiveRegistryTest, DeltaUpdatesSkipOldSegments) {
  start();
  src.push(*sink, 20.1);  // 10 complete segments
  auto full = playlist();
  Captured delta;
  source().servePlaylist(playlistRequest({}, {}, true), delta.responder());
  EXPECT_EQ(full.find("EXT-X-SKIP"), std::string::npos);
  EXPECT_NE(delta.body().find("#EXT-X-SKIP:SKIPPED-SEGMENTS="), std::string::npos) << delta.body();
  EXPECT_LT(delta.body().size(), full.size());
  EXPECT_NE(full.find("#EXT-X-MEDIA-SEQUENCE:0\n"), std::string::npos);
  src.push(*sink, 2.0);  // the window slides
  EXPECT_NE(playlist().find("#EXT-X-MEDIA-SEQUENCE:1\n"), std::string::npos);
}

TEST_F(LiveRegistryTest, GracePeriodEndsWithEndlistAndAReturningPublisherContinues) {
  start();
  src.push(*sink, 4.5);
  EXPECT_EQ(log.events.front(), "started gala");
  ASSERT_EQ(log.segments.size(), 2u);
  EXPECT_EQ(log.segments[1].sequence, 1);
  EXPECT_NEAR(log.segments[1].durationSeconds, 2.0, 0.01);
  EXPECT_TRUE(log.segments[1].init && log.segments[1].data);

  stream->publisherGone();  // what was open is flushed as a short segment
  EXPECT_EQ(log.segments.size(), 3u);
  clock.advance(10s);
  registry.tick();
  EXPECT_FALSE(stream->ended());

  // The publisher comes back with its clock at 0: same playlist, rising numbers, discontinuity.
  auto again = registry.open("gala");
  EXPECT_EQ(again, stream);
  src.restart(0);
  src.push(*sink, 2.5);
  auto text = playlist();
  EXPECT_NE(text.find("#EXT-X-DISCONTINUITY\n"), std::string::npos) << text;
  EXPECT_NE(text.find(stream->sessionTag() + "-3.m4s"), std::string::npos) << text;
  EXPECT_EQ(std::count(log.events.begin(), log.events.end(), "started gala"), 1);

  stream->publisherGone();
  clock.advance(28s);
  registry.tick();
  EXPECT_FALSE(stream->ended());
  Captured waiting;
  source().servePlaylist(playlistRequest(source().lastMsn() + 1, 0), waiting.responder());
  EXPECT_FALSE(waiting.done());
  clock.advance(2s);
  registry.tick();
  EXPECT_TRUE(stream->ended());
  EXPECT_EQ(log.events.back(), "ended gala");
  EXPECT_EQ(waiting.status(), 200);  // parked players see the end at once
  EXPECT_NE(waiting.body().find("#EXT-X-ENDLIST"), std::string::npos);
  EXPECT_NE(playlist().find("#EXT-X-ENDLIST\n"), std::string::npos);

  // A new publisher after the end starts a new session with its own file names.
  clock.advance(1s);
  auto fresh = registry.open("gala");
  EXPECT_NE(fresh, stream);
  EXPECT_NE(fresh->sessionTag(), stream->sessionTag());
  EXPECT_EQ(std::count(log.events.begin(), log.events.end(), "started gala"), 2);
}

TEST_F(LiveRegistryTest, RenditionsReportEachOtherAndTheMasterListsThem) {
  start();
  EXPECT_EQ(stream->masterPlaylist(), "");  // nothing to play yet
  auto& low = stream->rendition(RenditionInfo{"360p", 640, 360, 30, 800000, 700000, ""});
  test::SyntheticSource lowSrc(true, true);
  low.tracks(lowSrc.tracks());
  src.push(*sink, 2.5);
  lowSrc.push(low, 2.5);
  auto text = playlist();
  EXPECT_NE(text.find("#EXT-X-RENDITION-REPORT:URI=\"../360p/index.m3u8\",LAST-MSN=1,LAST-PART=0"),
            std::string::npos)
      << text;
  auto master = stream->masterPlaylist();
  EXPECT_NE(master.find(
                "CODECS=\"avc1.64001f,mp4a.40.2\",RESOLUTION=640x360,FRAME-RATE=30.000\nsource/index.m3u8\n"),
            std::string::npos)
      << master;
  EXPECT_NE(master.find("360p/index.m3u8"), std::string::npos);
  EXPECT_LT(master.find("source/index.m3u8"), master.find("360p/index.m3u8"));
}

TEST_F(LiveRegistryTest, MasterWaitsForEveryExpectedRenditionThenListsThemAll) {
  start();
  stream->expectRenditions({"source", "360p"});
  Captured early;
  stream->serveMaster("early", early.responder());
  EXPECT_FALSE(early.done());  // nothing at all yet
  src.push(*sink, 0.5);
  EXPECT_FALSE(early.done());  // the source has parts, the rung none yet
  clock.advance(3s);
  registry.tick();
  EXPECT_FALSE(early.done());

  auto& low = stream->rendition(RenditionInfo{"360p", 640, 360, 30, 800000, 700000, ""});
  test::SyntheticSource lowSrc(true, true);
  low.tracks(lowSrc.tracks());
  EXPECT_FALSE(early.done());
  lowSrc.push(low, 0.5);  // the rung's first part: the parked request is answered at once
  ASSERT_TRUE(early.done());
  EXPECT_EQ(early.status(), 200);
  EXPECT_NE(early.body().find("source/index.m3u8"), std::string::npos) << early.body();
  EXPECT_NE(early.body().find("360p/index.m3u8"), std::string::npos) << early.body();
  EXPECT_EQ(stream->viewers(), 1);

  Captured later;  // everything is there: no wait
  stream->serveMaster("later", later.responder());
  EXPECT_EQ(later.status(), 200);
}

TEST_F(LiveRegistryTest, MasterWaitEndsAfterTheLimitWithWhatExists) {
  start();
  stream->expectRenditions({"source", "720p", "480p"});
  src.push(*sink, 0.5);
  Captured parked;
  stream->serveMaster("v", parked.responder());
  EXPECT_FALSE(parked.done());
  clock.advance(LiveOptions{}.masterWait - 1ms);
  registry.tick();
  EXPECT_FALSE(parked.done());
  clock.advance(1ms);
  registry.tick();
  ASSERT_TRUE(parked.done());
  EXPECT_EQ(parked.status(), 200);
  EXPECT_NE(parked.body().find("source/index.m3u8"), std::string::npos);
  EXPECT_EQ(parked.body().find("720p"), std::string::npos);

  // The publisher left (grace period): nothing more is coming, so no wait.
  stream->publisherGone();
  Captured gone;
  stream->serveMaster("v", gone.responder());
  EXPECT_EQ(gone.status(), 200);

  // Nothing at all by the limit: 404 (the player polls); an ended session answers at once.
  auto empty = registry.open("empty");
  Captured none;
  empty->serveMaster("v", none.responder());
  clock.advance(LiveOptions{}.masterWait);
  registry.tick();
  EXPECT_EQ(none.status(), 404);
  Captured parkedAtEnd;
  empty->serveMaster("v", parkedAtEnd.responder());
  EXPECT_FALSE(parkedAtEnd.done());
  registry.close("empty");
  EXPECT_EQ(parkedAtEnd.status(), 404);
  EXPECT_EQ(metrics.render().find("hub_hls_parked_requests 0") != std::string::npos, true);
}

// A media playlist as a player reads it: complete segments' durations, URIs and gap flags.
struct ParsedSegment {
  double duration = 0;
  std::string uri;
  bool gap = false;
};
std::vector<ParsedSegment> parseSegments(const std::string& playlist) {
  std::vector<ParsedSegment> out;
  std::istringstream in(playlist);
  std::string line;
  bool gap = false;
  while (std::getline(in, line)) {
    if (line == "#EXT-X-GAP") {
      gap = true;
    } else if (line.rfind("#EXTINF:", 0) == 0) {
      ParsedSegment s;
      s.duration = std::atof(line.c_str() + 8);
      s.gap = gap;
      std::getline(in, s.uri);
      out.push_back(s);
      gap = false;
    }
  }
  return out;
}

TEST_F(LiveRegistryTest, AHoleInARenditionIsListedAsGapSegments) {
  start();
  src.push(*sink, 4.5);  // segments 0 and 1 (1 s GOPs, 2 s segments), segment 2 open at 4.0
  src.skip(3.0);         // a transcoder restart: no media from 4.5 to 7.5
  src.push(*sink, 4.1);  // back at 7.5 (not a key frame), key frames at 8, 9, 10, 11

  auto segs = parseSegments(playlist());
  double total = 0;
  int gaps = 0;
  for (const auto& s : segs) {
    total += s.duration;
    EXPECT_LE(s.duration, 2.0 + 1e-6);  // within TARGETDURATION
    if (!s.gap) continue;
    ++gaps;
    Captured file;
    source().serveFile(s.uri, file.responder());
    EXPECT_EQ(file.status(), 404) << s.uri;  // never fetched, never there
  }
  // Segment 2 holds 4.0-4.5 and 7.5-8.0; the 3 s between are two gap segments after it, so
  // the listed timeline matches the media's: 10 s up to the last complete segment.
  EXPECT_EQ(gaps, 2);
  EXPECT_NEAR(total, 10.0, 0.05);
  ASSERT_GE(segs.size(), 5u);
  EXPECT_FALSE(segs[2].gap);
  EXPECT_TRUE(segs[3].gap && segs[4].gap);
  EXPECT_NEAR(segs[3].duration + segs[4].duration, 3.0, 0.05);
  EXPECT_NE(metrics.render().find("hub_hls_gap_segments_total 2"), std::string::npos);
  // The recorder hears of the gaps too (no data), so the replay lists them as well.
  ASSERT_EQ(log.segments.size(), segs.size());
  for (std::size_t i = 0; i < segs.size(); ++i) {
    EXPECT_EQ(log.segments[i].gap, segs[i].gap) << i;
    EXPECT_EQ(log.segments[i].data == nullptr, segs[i].gap) << i;
    EXPECT_NEAR(log.segments[i].durationSeconds, segs[i].duration, 1e-4) << i;
  }
}

// Parts as a player following the live edge reads them: URI, duration and GAP=YES.
struct ParsedPart {
  std::string uri;
  double duration = 0;
  bool gap = false;
};
std::vector<ParsedPart> parseParts(const std::string& playlist) {
  std::vector<ParsedPart> out;
  std::istringstream in(playlist);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("#EXT-X-PART:", 0) != 0) continue;
    ParsedPart p;
    p.duration = std::atof(line.c_str() + line.find("DURATION=") + 9);
    auto u = line.find("URI=\"") + 5;
    p.uri = line.substr(u, line.find('"', u) - u);
    p.gap = line.find(",GAP=YES") != std::string::npos;
    out.push_back(p);
  }
  return out;
}

TEST_F(LiveRegistryTest, AHoleAtTheLiveEdgeIsListedAsGapParts) {
  start();
  src.push(*sink, 4.5);  // segments 0 and 1, segment 2 open at 4.0
  src.skip(3.0);         // no media from 4.5 to 7.5
  src.push(*sink, 1.0);  // segment 2 closes at the key frame at 8.0; segment 5 open

  auto parts = parseParts(playlist());
  double gapSeconds = 0;
  int gapParts = 0;
  for (const auto& p : parts) {
    EXPECT_LE(p.duration, advertisedPartTarget(LiveOptions{})) << p.uri;  // within PART-TARGET
    if (!p.gap) continue;
    ++gapParts;
    gapSeconds += p.duration;
    Captured file;
    source().serveFile(p.uri, file.responder());
    EXPECT_EQ(file.status(), 404) << p.uri;  // never fetched, never there
  }
  // The two gap segments (3 s) are covered part by part, so parts and segments agree.
  EXPECT_GE(gapParts, 9);
  EXPECT_NEAR(gapSeconds, 3.0, 0.05);
  ASSERT_FALSE(parts.empty());
  EXPECT_FALSE(parts.back().gap);  // the open segment after the hole has real parts
  // Rendition reports point at the open segment after the hole.
  EXPECT_EQ(source().lastMsn(), 5);
}

std::vector<std::string> programDates(const std::string& playlist) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while ((at = playlist.find("#EXT-X-PROGRAM-DATE-TIME:", at)) != std::string::npos) {
    auto end = playlist.find('\n', at);
    out.push_back(playlist.substr(at, end - at));
    at = end;
  }
  return out;
}

TEST_F(LiveRegistryTest, RenditionsListTheSameProgramDateForTheSameMediaTime) {
  start();
  auto& low = stream->rendition(RenditionInfo{"360p", 640, 360, 30, 800000, 700000, ""});
  test::SyntheticSource lowSrc(true, true);
  low.tracks(lowSrc.tracks());
  auto lowPlaylist = [&] {
    Captured c;
    stream->find("360p")->servePlaylist(playlistRequest(), c.responder());
    return c.body();
  };
  const auto wall = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
  src.push(*sink, 4.5, wall);
  lowSrc.push(low, 4.5, wall + 3s);  // a transcoded rung reaches the packager 3 s later
  auto dates = programDates(playlist());
  ASSERT_EQ(dates.size(), 3u) << playlist();
  EXPECT_EQ(dates[0], "#EXT-X-PROGRAM-DATE-TIME:2027-01-15T08:00:00.000Z");
  EXPECT_EQ(dates[1], "#EXT-X-PROGRAM-DATE-TIME:2027-01-15T08:00:02.000Z");
  EXPECT_EQ(programDates(lowPlaylist()), dates) << lowPlaylist();

  // A publisher coming back restarts its timestamps at 0: a new anchor, shared again.
  stream->publisherGone();
  lowSrc.push(low, 0.5, wall + 7500ms);  // the rung's last frames of the old publisher, late
  auto again = registry.open("gala");
  ASSERT_EQ(again, stream);
  src.restart(0);
  lowSrc.restart(0);
  src.push(*sink, 2.5, wall + 20s);
  lowSrc.push(low, 2.5, wall + 22s);
  dates = programDates(playlist());
  auto lowDates = programDates(lowPlaylist());
  ASSERT_FALSE(dates.empty());
  EXPECT_EQ(dates.back(), "#EXT-X-PROGRAM-DATE-TIME:2027-01-15T08:00:22.000Z") << playlist();
  EXPECT_EQ(lowDates.back(), dates.back()) << lowPlaylist();
}

TEST_F(LiveRegistryTest, MediaFilesAndViewers) {
  start();
  src.push(*sink, 2.5);
  auto tag = stream->sessionTag();
  Captured init, segment, stale, missing;
  source().serveFile(tag + "-init0.mp4", init.responder());
  source().serveFile(tag + "-0.m4s", segment.responder());
  source().serveFile("oldtag-0.m4s", stale.responder());
  source().serveFile(tag + "-9.m4s", missing.responder());
  EXPECT_EQ(init.status(), 200);
  EXPECT_EQ(init.body().substr(4, 4), "ftyp");
  EXPECT_EQ((*init.slot)->headerValue("content-type"), "video/mp4");
  EXPECT_EQ(segment.status(), 200);
  EXPECT_EQ(*(*segment.slot)->shared, *log.segments[0].data);  // served from the store, shared
  EXPECT_EQ(stale.status(), 404);
  EXPECT_EQ(missing.status(), 404);

  stream->sawViewer("10.0.0.1|Safari");
  stream->sawViewer("10.0.0.2|hls.js");
  stream->sawViewer("10.0.0.1|Safari");
  EXPECT_EQ(stream->viewers(), 2);
  clock.advance(20s);
  stream->sawViewer("10.0.0.2|hls.js");
  clock.advance(15s);
  EXPECT_EQ(stream->viewers(), 1);
  auto status = stream->status();
  ASSERT_EQ(status.size(), 1u);
  EXPECT_EQ(status[0].lastMsn, 1);
  EXPECT_EQ(status[0].segments, 1);
}

// The media service stores what takePlayback() hands out: each session's growth once, also
// after the timer dropped an ended session.
TEST_F(LiveRegistryTest, PlaybackGrowthPerSessionIncludingDroppedOnes) {
  start();
  stream->sawViewer("10.0.0.1|Safari");
  clock.advance(4s);
  stream->sawViewer("10.0.0.1|Safari");
  auto growth = registry.takePlayback();
  ASSERT_EQ(growth.size(), 1u);
  EXPECT_EQ(growth[0].stream, "gala");
  EXPECT_EQ(growth[0].session, stream->sessionTag());
  EXPECT_EQ(growth[0].startedAt, clock.wall() - 4s);
  EXPECT_EQ(growth[0].added.plays, 1);
  EXPECT_EQ(growth[0].added.watchMs, 4000);
  EXPECT_EQ(growth[0].viewers, 1);

  clock.advance(2s);
  stream->sawViewer("10.0.0.1|Safari");
  stream->endNow();
  clock.advance(LiveOptions{}.endedLinger);
  registry.tick();
  EXPECT_EQ(registry.find("gala"), nullptr);
  growth = registry.takePlayback();
  ASSERT_EQ(growth.size(), 1u) << "the dropped session's last growth";
  EXPECT_EQ(growth[0].added.plays, 0);
  EXPECT_EQ(growth[0].added.watchMs, 2000);
  EXPECT_TRUE(registry.takePlayback().empty());
}

}  // namespace
}  // namespace hub::media::hls

namespace hub::media::hls {
namespace {

TEST(LiveOptions, FromTheHlsConfigSection) {
  config::Hls c;
  c.partMs = 500;
  c.segmentMs = 4000;
  c.windowSegments = 6;
  c.graceSeconds = 10;
  c.masterWaitMs = 2500;
  auto o = liveOptionsFrom(c);
  EXPECT_DOUBLE_EQ(o.partSeconds, 0.5);
  EXPECT_DOUBLE_EQ(o.segmentSeconds, 4.0);
  EXPECT_EQ(o.windowSegments, 6);
  EXPECT_EQ(o.gracePeriod, std::chrono::seconds(10));
  EXPECT_EQ(o.masterWait, std::chrono::milliseconds(2500));
  EXPECT_DOUBLE_EQ(advertisedPartTarget(o), 0.51);
  EXPECT_DOUBLE_EQ(advertisedPartTarget(LiveOptions{}), 0.34);
}

}  // namespace
}  // namespace hub::media::hls
