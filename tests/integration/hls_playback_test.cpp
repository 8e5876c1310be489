// tests/integration/hls_playback_test.cpp
//
// LL-HLS end to end over real HTTP: real H.264/AAC from ffmpeg packaged by LiveRegistry behind
// http::Server, then read by ffprobe/ffmpeg as players would (every rendition decodes, with the
// right durations), the written init + segments as one file, and blocking reload and preload
// hints against a publisher paced in real time.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/http/server.h"
#include "core/metrics/registry.h"
#include "core/util/clock.h"
#include "media/hls/live_registry.h"
#include "media/hls/tests/flv_clip.h"
#include "tests/support/fixtures.h"
#include "tests/support/test_client.h"

namespace hub::media::hls {
namespace {

using namespace std::chrono_literals;

struct Served {
  Served() : server(options(), metrics), registry(LiveOptions{}, SystemClock::instance(), metrics) {
    registry.addRoutes(server);
    auto st = server.start();
    EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
    registry.start();
  }
  ~Served() {
    server.stop();
    registry.stop();
  }
  static http::ServerOptions options() {
    http::ServerOptions o;
    o.address = "127.0.0.1";
    o.port = 0;
    o.threads = 2;
    return o;
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(server.port()) + path;
  }
  std::optional<hub::test::RawResponse> get(const std::string& path) {
    hub::test::TestClient c("127.0.0.1", server.port());
    return c.request("GET", path);
  }
  metrics::Registry metrics;
  http::Server server;
  LiveRegistry registry;
};

// Lines of a playlist that are URIs, and the EXT-X-MAP URIs.
std::vector<std::string> uris(const std::string& playlist, bool maps) {
  std::vector<std::string> out;
  std::istringstream in(playlist);
  for (std::string line; std::getline(in, line);) {
    if (maps) {
      auto at = line.find("#EXT-X-MAP:URI=\"");
      if (at == 0) out.push_back(line.substr(16, line.size() - 17));
    } else if (!line.empty() && line[0] != '#') {
      out.push_back(line);
    }
  }
  return out;
}

// Both clips' frames merged in dts order, pushed into their renditions.
void feed(const test::FlvClip& a, FrameSink& sa, const test::FlvClip& b, FrameSink& sb) {
  sa.tracks(a.tracks);
  sb.tracks(b.tracks);
  std::size_t i = 0, j = 0;
  while (i < a.frames.size() || j < b.frames.size()) {
    if (j >= b.frames.size() || (i < a.frames.size() && a.frames[i].dtsUs <= b.frames[j].dtsUs))
      sa.frame(a.frames[i++]);
    else
      sb.frame(b.frames[j++]);
  }
}

TEST(HlsPlayback, FfprobeDecodesEveryRenditionWithTheRightDurations) {
  hub::test::TempDir dir;
  ASSERT_EQ(test::encodeClip(dir.path() + "/src.flv", 640, 360, 30, 30, 4.0), "");
  ASSERT_EQ(test::encodeClip(dir.path() + "/low.flv", 320, 180, 30, 30, 4.0), "");
  auto src = test::readFlv(dir.path() + "/src.flv", 640, 360, 30);
  auto low = test::readFlv(dir.path() + "/low.flv", 320, 180, 30);
  ASSERT_EQ(src.error, "");
  ASSERT_EQ(low.error, "");
  ASSERT_EQ(src.tracks.size(), 2u);

  Served s;
  auto stream = s.registry.open("x");
  auto& source = stream->rendition(RenditionInfo{"source", 640, 360, 30, 0, 0, ""});
  auto& small = stream->rendition(RenditionInfo{"180p", 320, 180, 30, 0, 0, ""});
  feed(src, source, low, small);
  stream->endNow();  // ENDLIST: players read it from the start

  auto master = s.get("/live/x/master.m3u8");
  ASSERT_TRUE(master);
  ASSERT_EQ(master->status, 200);
  EXPECT_EQ(master->header("content-type"), "application/vnd.apple.mpegurl");
  EXPECT_EQ(master->header("access-control-allow-origin"), "*");
  EXPECT_NE(master->body.find("RESOLUTION=640x360,FRAME-RATE=30.000\nsource/index.m3u8"), std::string::npos)
      << master->body;
  EXPECT_NE(master->body.find("RESOLUTION=320x180"), std::string::npos);
  // The avcC's profile, compatibility and level bytes, as RFC 6381 spells them.
  char avc[32];
  std::snprintf(avc, sizeof avc, "CODECS=\"avc1.%02x%02x%02x,mp4a.40.2\"", src.tracks[0].codecData[1],
                src.tracks[0].codecData[2], src.tracks[0].codecData[3]);
  EXPECT_NE(master->body.find(avc), std::string::npos) << master->body;

  for (std::string r : {"source", "180p"}) {
    auto url = s.url("/live/x/" + r + "/index.m3u8");
    // Every frame decodes: 4 s at 30 fps.
    auto frames =
        hub::test::run({"ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                        "stream=codec_name,width,height,nb_read_frames", "-of", "csv=p=0", url});
    ASSERT_EQ(frames.exitCode, 0) << frames.output;
    std::string size = r == "source" ? "640,360" : "320,180";
    // (ffprobe prints a stream once under its program and once on its own.)
    EXPECT_EQ(frames.output.substr(0, frames.output.find('\n')), "h264," + size + ",120") << r;
    auto audio =
        hub::test::run({"ffprobe", "-v", "error", "-count_frames", "-select_streams", "a:0", "-show_entries",
                        "stream=codec_name,sample_rate,channels", "-of", "csv=p=0", url});
    EXPECT_EQ(audio.output.substr(0, audio.output.find('\n')), "aac,48000,2") << r;
    auto duration =
        hub::test::run({"ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", url});
    ASSERT_EQ(duration.exitCode, 0) << duration.output;
    EXPECT_NEAR(std::stod(duration.output), 4.0, 0.1) << r;
    // A full decode through the master playlist (every variant) reports no error.
    auto decode = hub::test::run({"ffmpeg", "-v", "error", "-i", url, "-map", "0", "-f", "null", "-"});
    EXPECT_EQ(decode.exitCode, 0);
    EXPECT_EQ(decode.output, "") << r;
  }

  // The init segment and every segment as one fMP4 file: the player-independent check.
  auto playlist = s.get("/live/x/source/index.m3u8");
  ASSERT_TRUE(playlist);
  EXPECT_NE(playlist->body.find("#EXT-X-ENDLIST"), std::string::npos);
  auto maps = uris(playlist->body, true);
  ASSERT_EQ(maps.size(), 1u);
  std::string file;
  auto init = s.get("/live/x/source/" + maps[0]);
  ASSERT_TRUE(init);
  EXPECT_EQ(init->header("cache-control"), "public, max-age=31536000, immutable");
  file += init->body;
  auto segments = uris(playlist->body, false);
  EXPECT_EQ(segments.size(), 2u);
  for (const auto& u : segments) {
    auto seg = s.get("/live/x/source/" + u);
    ASSERT_TRUE(seg);
    ASSERT_EQ(seg->status, 200);
    EXPECT_EQ(seg->header("content-type"), "video/iso.segment");
    file += seg->body;
  }
  std::ofstream(dir.path() + "/all.mp4", std::ios::binary) << file;
  auto probe = hub::test::run({"ffprobe", "-v", "error", "-count_frames", "-show_entries",
                               "stream=codec_name,nb_read_frames:format=duration", "-of", "csv=p=0",
                               dir.path() + "/all.mp4"});
  ASSERT_EQ(probe.exitCode, 0) << probe.output;
  EXPECT_NE(probe.output.find("h264,120"), std::string::npos) << probe.output;
  EXPECT_NE(probe.output.find("aac,"), std::string::npos) << probe.output;
}

TEST(HlsPlayback, BlockingReloadAndPreloadHintOverHttp) {
  hub::test::TempDir dir;
  ASSERT_EQ(test::encodeClip(dir.path() + "/src.flv", 640, 360, 30, 30, 4.0), "");
  auto clip = test::readFlv(dir.path() + "/src.flv", 640, 360, 30);
  ASSERT_EQ(clip.error, "");

  Served s;
  auto stream = s.registry.open("live");
  auto& sink = stream->rendition(RenditionInfo{"source", 640, 360, 30, 0, 0, ""});
  sink.tracks(clip.tracks);
  // A publisher in real time: each frame at its dts.
  std::thread publisher([&] {
    auto start = std::chrono::steady_clock::now();
    for (const auto& f : clip.frames) {
      std::this_thread::sleep_until(start + std::chrono::microseconds(f.dtsUs));
      sink.frame(f);
    }
  });
  std::this_thread::sleep_for(1200ms);

  auto first = s.get("/live/live/source/index.m3u8");
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200);
  EXPECT_EQ(first->header("cache-control"), "no-cache");
  auto hint = first->body.find("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"");
  ASSERT_NE(hint, std::string::npos) << first->body;
  auto hintUri = first->body.substr(hint + 35, first->body.find('"', hint + 35) - hint - 35);
  // "<tag>-<msn>.<part>.m4s"
  auto dash = hintUri.rfind('-');
  auto dot = hintUri.find('.', dash);
  auto msn = hintUri.substr(dash + 1, dot - dash - 1);
  auto part = hintUri.substr(dot + 1, hintUri.find('.', dot + 1) - dot - 1);

  // The hinted part and the playlist that lists it, both asked for before they exist.
  hub::test::TestClient partClient("127.0.0.1", s.server.port());
  ASSERT_TRUE(partClient.sendRaw("GET /live/live/source/" + hintUri + " HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto asked = std::chrono::steady_clock::now();
  auto blocked = s.get("/live/live/source/index.m3u8?_HLS_msn=" + msn + "&_HLS_part=" + part);
  auto waited = std::chrono::steady_clock::now() - asked;
  ASSERT_TRUE(blocked);
  EXPECT_EQ(blocked->status, 200);
  EXPECT_NE(blocked->body.find("URI=\"" + hintUri + "\""), std::string::npos) << blocked->body;
  EXPECT_EQ(blocked->header("cache-control").rfind("public, max-age=", 0), 0u);
  EXPECT_LT(waited, 600ms);  // one part (0.33 s) at most, plus scheduling
  auto partResponse = partClient.readResponse();
  ASSERT_TRUE(partResponse);
  EXPECT_EQ(partResponse->status, 200);
  EXPECT_EQ(partResponse->body.substr(4, 4), "moof");

  // Too far ahead: 400 at once.
  auto far = s.get("/live/live/source/index.m3u8?_HLS_msn=" + std::to_string(std::stoi(msn) + 5));
  ASSERT_TRUE(far);
  EXPECT_EQ(far->status, 400);
  publisher.join();

  // Unknown streams and renditions are 404s; CORS preflight is answered.
  EXPECT_EQ(s.get("/live/nope/master.m3u8")->status, 404);
  EXPECT_EQ(s.get("/live/live/nope/index.m3u8")->status, 404);
  hub::test::TestClient pre("127.0.0.1", s.server.port());
  auto options = pre.request("OPTIONS", "/live/live/source/index.m3u8",
                             "Origin: https://player.example\r\nAccess-Control-Request-Method: GET\r\n");
  ASSERT_TRUE(options);
  EXPECT_EQ(options->status, 204);
  EXPECT_EQ(options->header("access-control-allow-origin"), "*");
}

}  // namespace
}  // namespace hub::media::hls
