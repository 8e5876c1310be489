// tests/integration/record_test.cpp
//
// The recorder fed with real fMP4 segments (ffmpeg's HLS muxer cuts them, as the packager
// would), served by the hub's HTTP server: ffprobe reads the VOD master over HTTP with the right
// duration, the MP4 export decodes fully, the public list and the admin delete work, and a
// recording a killed process left open is finalized at the next start; a rehearsal (the stream
// held) is left out of the replay.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "core/http/server.h"
#include "core/loop/worker_pool.h"
#include "core/metrics/registry.h"
#include "core/sql/change_feed.h"
#include "core/sql/database.h"
#include "core/sql/migration.h"
#include "media/hls/live_registry.h"
#include "media/record/recorder.h"
#include "tests/integration/flv_source.h"
#include "tests/support/fixtures.h"
#include "tests/support/test_client.h"

namespace hub::media::record {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// One rendition's worth of fMP4 as ffmpeg's HLS muxer wrote it.
struct Fmp4Clip {
  hls::RenditionInfo info;
  hls::SharedBytes init;
  std::vector<std::pair<double, hls::SharedBytes>> segments;  // duration, bytes
  double duration = 0;
  int videoFrames = 0;
};

hls::SharedBytes bytesOf(const std::string& path) {
  return std::make_shared<const std::string>(test::readFile(path));
}

Fmp4Clip makeFmp4Clip(const std::string& dir, const std::string& id, int width, int height, int seconds) {
  fs::create_directories(dir);
  auto r = test::run({"ffmpeg",
                      "-v",
                      "error",
                      "-y",
                      "-f",
                      "lavfi",
                      "-i",
                      "testsrc2=size=" + std::to_string(width) + "x" + std::to_string(height) + ":rate=30",
                      "-f",
                      "lavfi",
                      "-i",
                      "sine=frequency=440:sample_rate=48000",
                      "-t",
                      std::to_string(seconds),
                      "-c:v",
                      "libx264",
                      "-preset",
                      "ultrafast",
                      "-g",
                      "30",
                      "-pix_fmt",
                      "yuv420p",
                      "-c:a",
                      "aac",
                      "-f",
                      "hls",
                      "-hls_time",
                      "1",
                      "-hls_segment_type",
                      "fmp4",
                      "-hls_playlist_type",
                      "vod",
                      "-hls_fmp4_init_filename",
                      "init.mp4",
                      "-hls_segment_filename",
                      dir + "/seg%d.m4s",
                      dir + "/index.m3u8"},
                     {}, 60000);
  EXPECT_EQ(r.exitCode, 0) << r.output;
  Fmp4Clip clip;
  clip.info = {id, width, height, 30, 1200000, 1000000, "avc1.640016,mp4a.40.2"};
  clip.init = bytesOf(dir + "/init.mp4");
  std::istringstream playlist(test::readFile(dir + "/index.m3u8"));
  double pending = 0;
  for (std::string line; std::getline(playlist, line);) {
    if (line.rfind("#EXTINF:", 0) == 0) {
      pending = std::stod(line.substr(8));
    } else if (!line.empty() && line[0] != '#') {
      clip.segments.emplace_back(pending, bytesOf(dir + "/" + line));
      clip.duration += pending;
    }
  }
  clip.videoFrames = seconds * 30;
  EXPECT_FALSE(clip.segments.empty());
  return clip;
}

// Feeds a clip as the packager reports it; sequence numbers keep rising across calls.
void feed(hls::SegmentListener& l, const std::string& stream, const Fmp4Clip& clip, std::int64_t& seq,
          bool discontinuity, std::size_t count = SIZE_MAX) {
  auto pdt = std::chrono::system_clock::now();
  for (std::size_t i = 0; i < clip.segments.size() && i < count; ++i) {
    hls::SegmentEvent ev;
    ev.stream = stream;
    ev.rendition = clip.info;
    ev.init = clip.init;
    ev.data = clip.segments[i].second;
    ev.sequence = seq++;
    ev.durationSeconds = clip.segments[i].first;
    ev.discontinuity = discontinuity && i == 0;
    ev.programDateTime = pdt;
    pdt += std::chrono::milliseconds(static_cast<int>(ev.durationSeconds * 1000));
    l.segment(ev);
  }
}

std::unique_ptr<sql::Database> openDb(const std::string& dir) {
  auto db = sql::open("sqlite://" + dir + "/hub.db");
  EXPECT_TRUE(db) << db.error().message;
  auto all = sql::coreMigrations();
  for (auto& m : Recorder::migrations()) all.push_back(m);
  auto st = sql::migrate(**db, all);
  EXPECT_TRUE(st) << st.error().message;
  return std::move(*db);
}

double probeDuration(const std::string& url) {
  auto r = test::run({"ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", url});
  EXPECT_EQ(r.exitCode, 0) << r.output;
  return std::atof(r.output.c_str());
}

int countVideoFrames(const std::string& url) {
  auto r = test::run({"ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                      "stream=nb_read_frames", "-of", "csv=p=0", url});
  EXPECT_EQ(r.exitCode, 0) << r.output;
  return std::atoi(r.output.c_str());
}

// The admin check the media service wires (a bearer token); this test's token.
std::optional<http::Response> testAdmin(const http::Request& req) {
  if (req.header("authorization") == "Bearer s3cret") return std::nullopt;
  return http::Response::error(401, "auth.bad_token", "admin token required");
}

struct Hub {
  test::TempDir dir;
  std::unique_ptr<sql::Database> db = openDb(dir.path());
  metrics::Registry registry;
  loop::WorkerPool workers{2};
  Recorder recorder{RecorderOptions{.dir = dir.path() + "/recordings",
                                    .enabled = true,
                                    .exportMp4 = true,
                                    .maxQueuedBytes = 256 << 20,
                                    .thumbnailInterval = 10s},
                    *db, SystemClock::instance(), &registry};
  std::unique_ptr<http::Server> server;

  Hub() {
    EXPECT_TRUE(recorder.start());
    http::ServerOptions o;
    o.port = 0;
    o.threads = 1;
    server = std::make_unique<http::Server>(o, registry);
    auto routes = recorder.addRoutes(*server, workers, testAdmin);
    EXPECT_TRUE(routes) << routes.error().message;
    auto started = server->start();
    EXPECT_TRUE(started) << started.error().message;
  }
  ~Hub() {
    server->stop();
    recorder.stop();
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(server->port()) + path;
  }
  test::RawResponse get(const std::string& method, const std::string& path, const std::string& headers = "") {
    test::TestClient c("127.0.0.1", server->port());
    auto r = c.request(method, path, headers);
    EXPECT_TRUE(r) << method << " " << path;
    return r ? *r : test::RawResponse{};
  }
};

TEST(Recorder, SessionBecomesAVodWithEveryRenditionAndAnMp4) {
  Hub hub;
  const auto media = hub.dir.path() + "/media";
  const auto source = makeFmp4Clip(media + "/source", "source", 640, 360, 4);
  const auto low = makeFmp4Clip(media + "/low", "360p", 320, 180, 4);
  auto jpeg = test::run({"ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x180",
                         "-frames:v", "1", media + "/thumb.jpg"});
  ASSERT_EQ(jpeg.exitCode, 0) << jpeg.output;
  const auto thumb = bytesOf(media + "/thumb.jpg");
  hub.recorder.setThumbnailSource(
      [&](const std::string& stream) { return stream == "gala" ? thumb : nullptr; });

  // Two publishers in a row: the second starts its timestamps at 0 again (a discontinuity).
  hub.recorder.sessionStarted("gala");
  std::int64_t seqSource = 100, seqLow = 100;
  feed(hub.recorder, "gala", source, seqSource, false);
  feed(hub.recorder, "gala", low, seqLow, false);
  feed(hub.recorder, "gala", source, seqSource, true);
  feed(hub.recorder, "gala", low, seqLow, true);
  hub.recorder.sessionEnded("gala");
  hub.recorder.waitIdle();

  auto list = hub.recorder.list();
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  const auto rec = list->front();
  EXPECT_EQ(rec.state, "ready");
  EXPECT_EQ(rec.stream, "gala");
  EXPECT_EQ(rec.renditions, (std::vector<std::string>{"source", "360p"}));
  EXPECT_NEAR(rec.durationSeconds, 2 * source.duration, 0.01);
  EXPECT_TRUE(rec.hasMp4);
  EXPECT_TRUE(rec.hasThumbnail);
  EXPECT_GT(rec.sizeBytes, 0);

  // ffprobe reads the VOD over HTTP: the master, then each rendition, with the whole duration.
  const auto master = hub.get("GET", "/vod/" + rec.id + "/master.m3u8");
  EXPECT_EQ(master.status, 200);
  EXPECT_NE(master.body.find("RESOLUTION=640x360"), std::string::npos) << master.body;
  EXPECT_NE(master.body.find("360p/index.m3u8"), std::string::npos) << master.body;
  const auto playlist = hub.get("GET", "/vod/" + rec.id + "/source/index.m3u8");
  EXPECT_NE(playlist.body.find("#EXT-X-PLAYLIST-TYPE:VOD"), std::string::npos);
  EXPECT_NE(playlist.body.find("#EXT-X-DISCONTINUITY"), std::string::npos);
  EXPECT_NE(playlist.body.find("#EXT-X-ENDLIST"), std::string::npos);
  EXPECT_NEAR(probeDuration(hub.url("/vod/" + rec.id + "/master.m3u8")), 2 * source.duration, 0.1);
  EXPECT_NEAR(probeDuration(hub.url("/vod/" + rec.id + "/360p/index.m3u8")), 2 * low.duration, 0.1);

  // The MP4: progressive (moov before mdat), every frame of both publishers decodes.
  const std::string mp4 = test::readFile(hub.dir.path() + "/recordings/" + rec.id + "/download.mp4");
  ASSERT_FALSE(mp4.empty());
  EXPECT_LT(mp4.find("moov"), mp4.find("mdat"));
  const auto mp4Url = hub.url("/vod/" + rec.id + "/download.mp4");
  EXPECT_NEAR(probeDuration(mp4Url), 2 * source.duration, 0.15);
  EXPECT_EQ(countVideoFrames(mp4Url), 2 * source.videoFrames);
  auto decode = test::run({"ffmpeg", "-v", "error", "-i", mp4Url, "-f", "null", "-"});
  EXPECT_EQ(decode.exitCode, 0);
  EXPECT_EQ(decode.output, "");

  // Range requests come from core's static mount.
  const auto part = hub.get("GET", "/vod/" + rec.id + "/download.mp4", "Range: bytes=0-99\r\n");
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.body.size(), 100u);
  EXPECT_EQ(part.body, mp4.substr(0, 100));
  EXPECT_EQ(hub.get("GET", "/vod/" + rec.id + "/thumb.jpg").body, *thumb);

  // The public list: what a viewers' page needs.
  const auto listed = hub.get("GET", "/api/v1/public/recordings");
  ASSERT_EQ(listed.status, 200);
  const auto json = nlohmann::json::parse(listed.body);
  ASSERT_EQ(json["recordings"].size(), 1u);
  const auto& item = json["recordings"][0];
  EXPECT_EQ(item["id"], rec.id);
  EXPECT_EQ(item["title"], "gala");
  EXPECT_EQ(item["master_url"], "/vod/" + rec.id + "/master.m3u8");
  EXPECT_EQ(item["thumbnail_url"], "/vod/" + rec.id + "/thumb.jpg");
  EXPECT_EQ(item["download_url"], "/vod/" + rec.id + "/download.mp4");
  EXPECT_NEAR(item["duration_seconds"].get<double>(), 2 * source.duration, 0.01);

  // Admin delete: refused without the token, then the row and the files are gone.
  EXPECT_EQ(hub.get("DELETE", "/api/v1/recordings/" + rec.id).status, 401);
  EXPECT_EQ(hub.get("DELETE", "/api/v1/recordings/" + rec.id, "Authorization: Bearer s3cret\r\n").status,
            204);
  EXPECT_EQ(hub.get("DELETE", "/api/v1/recordings/" + rec.id, "Authorization: Bearer s3cret\r\n").status,
            404);
  EXPECT_FALSE(fs::exists(hub.dir.path() + "/recordings/" + rec.id));
  EXPECT_EQ(hub.get("GET", "/vod/" + rec.id + "/master.m3u8").status, 404);
  EXPECT_EQ(nlohmann::json::parse(hub.get("GET", "/api/v1/public/recordings").body)["recordings"].size(), 0u);
}

TEST(Recorder, NewestFirstAndEmptySessionsLeaveNothing) {
  Hub hub;
  const auto clip = makeFmp4Clip(hub.dir.path() + "/media", "source", 320, 180, 2);
  std::int64_t seq = 0;
  for (const char* stream : {"first", "second"}) {
    hub.recorder.sessionStarted(stream);
    feed(hub.recorder, stream, clip, seq, false);
    hub.recorder.sessionEnded(stream);
    hub.recorder.waitIdle();
    std::this_thread::sleep_for(1100ms);  // ids and start times one second apart
  }
  hub.recorder.sessionStarted("nobody");  // a publisher that left before the first segment
  hub.recorder.sessionEnded("nobody");
  hub.recorder.waitIdle();
  auto list = hub.recorder.list();
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].stream, "second");
  EXPECT_EQ((*list)[1].stream, "first");
  // No live thumbnail hook here: the poster is decoded from the recording's first key frame.
  ASSERT_TRUE((*list)[0].hasThumbnail);
  const auto poster = hub.get("GET", "/vod/" + (*list)[0].id + "/thumb.jpg");
  EXPECT_EQ(poster.status, 200);
  EXPECT_EQ(poster.header("content-type"), "image/jpeg");
  auto probe = test::run({"ffprobe", "-v", "error", "-show_entries", "stream=codec_name,width,height", "-of",
                          "csv=p=0", hub.url("/vod/" + (*list)[0].id + "/thumb.jpg")});
  EXPECT_EQ(probe.output, "mjpeg,320,180\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(hub.dir.path() + "/recordings"), fs::directory_iterator()),
            2);
}

TEST(Recorder, ARehearsalIsLeftOutOfTheReplay) {
  std::atomic<bool> held{true};  // outlives the recorder that asks it
  Hub hub;
  hub.recorder.setHeldCheck([&](const std::string& stream) { return stream == "drill" || held.load(); });
  const auto clip = makeFmp4Clip(hub.dir.path() + "/media", "source", 320, 180, 2);
  std::int64_t seq = 0;
  hub.recorder.sessionStarted("gala");
  feed(hub.recorder, "gala", clip, seq, false);  // the rehearsal: held
  held = false;                                  // the host starts the broadcast
  feed(hub.recorder, "gala", clip, seq, false);
  hub.recorder.sessionEnded("gala");
  hub.recorder.sessionStarted("drill");  // a rehearsal that never started: no recording at all
  feed(hub.recorder, "drill", clip, seq, false);
  hub.recorder.sessionEnded("drill");
  hub.recorder.waitIdle();
  auto list = hub.recorder.list();
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].stream, "gala");
  EXPECT_NEAR((*list)[0].durationSeconds, clip.duration, 0.01) << "only what followed the start";
  const auto playlist = hub.get("GET", "/vod/" + (*list)[0].id + "/source/index.m3u8").body;
  EXPECT_EQ(playlist.find("#EXT-X-DISCONTINUITY\n"), std::string::npos) << playlist;
}

TEST(Recorder, RecordingOfAKilledProcessIsFinalizedAtTheNextStart) {
  test::TempDir dir;
  const auto clip = makeFmp4Clip(dir.path() + "/media", "source", 320, 180, 4);
  { openDb(dir.path()); }  // schema, before the child uses it
  const RecorderOptions options{.dir = dir.path() + "/recordings",
                                .enabled = true,
                                .exportMp4 = true,
                                .maxQueuedBytes = 256 << 20,
                                .thumbnailInterval = 10s};
  const std::size_t half = clip.segments.size() / 2;
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The "hub": records half the session, then dies without any chance to clean up.
    auto db = sql::open("sqlite://" + dir.path() + "/hub.db");
    if (!db) ::_exit(3);
    Recorder recorder(options, **db, SystemClock::instance());
    if (!recorder.start()) ::_exit(4);
    recorder.sessionStarted("gala");
    std::int64_t seq = 0;
    feed(recorder, "gala", clip, seq, false, half);
    recorder.waitIdle();
    ::kill(::getpid(), SIGKILL);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child exit " << status;

  auto db = openDb(dir.path());
  {
    auto before = Recorder(options, *db, SystemClock::instance()).list();
    ASSERT_TRUE(before);
    ASSERT_EQ(before->size(), 1u);
    EXPECT_EQ(before->front().state, "recording");
  }
  Recorder recorder(options, *db, SystemClock::instance());
  ASSERT_TRUE(recorder.start());
  recorder.waitIdle();
  auto after = recorder.list();
  ASSERT_TRUE(after);
  ASSERT_EQ(after->size(), 1u);
  const auto& rec = after->front();
  EXPECT_EQ(rec.state, "ready");
  EXPECT_TRUE(rec.endedAt.has_value());
  double expected = 0;
  for (std::size_t i = 0; i < half; ++i) expected += clip.segments[i].first;
  EXPECT_NEAR(rec.durationSeconds, expected, 0.01);
  const auto recDir = options.dir + "/" + rec.id;
  EXPECT_NEAR(probeDuration(recDir + "/master.m3u8"), expected, 0.1);
  EXPECT_NE(test::readFile(recDir + "/source/index.m3u8").find("#EXT-X-ENDLIST"), std::string::npos);
  EXPECT_EQ(countVideoFrames(recDir + "/download.mp4"), static_cast<int>(std::lround(expected * 30)));
}

TEST(Recorder, RecordsWhatTheRealPackagerCutsAcrossAPublisherReconnect) {
  Hub hub;
  const auto clip = test::makeFlvClip(hub.dir.path(), 4);
  ASSERT_EQ(clip.tracks.size(), 2u);
  hls::LiveRegistry live(hls::LiveOptions{}, SystemClock::instance(), hub.registry);
  live.addListener(&hub.recorder);

  // A publisher, then the same one again after a drop, its clock back at 0.
  auto stream = live.open("gala");
  auto* sink = &stream->rendition(hls::RenditionInfo{"source", 640, 360, 30, 0, 0, ""});
  for (int pass = 0; pass < 2; ++pass) {
    if (pass == 1) {
      stream->publisherGone();
      ASSERT_EQ(live.open("gala"), stream);
      sink->discontinuity();
    }
    sink->tracks(clip.tracks);
    for (const auto& f : clip.frames) sink->frame(f);
  }
  stream->publisherGone();
  stream->endNow();
  hub.recorder.waitIdle();

  auto list = hub.recorder.list();
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  const auto& rec = list->front();
  EXPECT_EQ(rec.state, "ready");
  EXPECT_EQ(rec.renditions, std::vector<std::string>{"source"});
  EXPECT_NEAR(rec.durationSeconds, 8.0, 0.1);
  const auto playlist = hub.get("GET", "/vod/" + rec.id + "/source/index.m3u8").body;
  EXPECT_NE(playlist.find("#EXT-X-DISCONTINUITY"), std::string::npos) << playlist;
  EXPECT_NEAR(probeDuration(hub.url("/vod/" + rec.id + "/master.m3u8")), 8.0, 0.15);
  // Every frame of both publishers is in the replay and in the MP4, and all of it decodes.
  EXPECT_EQ(countVideoFrames(hub.url("/vod/" + rec.id + "/master.m3u8")), 2 * clip.videoFrames);
  const auto mp4Url = hub.url("/vod/" + rec.id + "/download.mp4");
  EXPECT_EQ(countVideoFrames(mp4Url), 2 * clip.videoFrames);
  auto decode = test::run({"ffmpeg", "-v", "error", "-i", mp4Url, "-f", "null", "-"});
  EXPECT_EQ(decode.exitCode, 0);
  EXPECT_EQ(decode.output, "");
  live.stop();
}

}  // namespace
}  // namespace hub::media::record
