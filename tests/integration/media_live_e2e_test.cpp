// The whole live path through a real `hub serve`, as hosts and viewers see it: a 1280x720 ffmpeg
// publisher (1 s GOPs) on a stream with the default ladder; the master, asked for from the first
// instant, lists source, 480p and 360p (720p skipped: the source's height) in its first answer, each
// rendition decodes with the right height, /live/<name>/thumb.jpg is a 320x180 JPEG; a restream target on a
// second hub's ingest receives the stream (ffprobe through that hub's HLS) while a refusing target (a closed
// port) retries with the configured backoff and disturbs nothing; after the grace period the recording is in
// /api/v1/public/recordings, its VOD master decodes and download.mp4 has the right duration (that
// of what the publisher sent: it runs until the live checks are done, so a slow host only makes
// the stream longer).
// Also: `[record] enabled = false` records nothing.
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/hub_process.h"
#include "tests/integration/media_test_util.h"
#include "tests/support/fixtures.h"
#include "tests/support/test_client.h"

using namespace hub::test;
using nlohmann::json;

namespace {

// The publisher runs until the test has seen the live path (stopped with SIGINT), at most this
// long; what the recording must hold is what it sent (its -progress file), however long the
// checks took on a loaded host.
constexpr int kMaxSeconds = 120;

// ffmpeg's last `frame=N` in its -progress file: the video frames it sent.
int framesSent(const std::string& progressFile) {
  std::ifstream in(progressFile);
  int frames = -1;
  for (std::string line; std::getline(in, line);)
    if (line.rfind("frame=", 0) == 0) frames = std::atoi(line.c_str() + 6);
  return frames;
}

std::vector<std::string> publish720(int rtmpPort, const std::string& key, const std::string& progressFile) {
  return {"ffmpeg",
          "-hide_banner",
          "-loglevel",
          "error",
          "-nostdin",
          "-re",
          "-f",
          "lavfi",
          "-i",
          "testsrc2=size=1280x720:rate=30",
          "-f",
          "lavfi",
          "-i",
          "sine=frequency=440:sample_rate=44100",
          "-t",
          std::to_string(kMaxSeconds),
          "-progress",
          progressFile,
          "-c:v",
          "libx264",
          "-preset",
          "ultrafast",
          "-tune",
          "zerolatency",
          "-g",
          "30",
          "-pix_fmt",
          "yuv420p",
          "-b:v",
          "2500k",
          "-c:a",
          "aac",
          "-f",
          "flv",
          "rtmp://127.0.0.1:" + std::to_string(rtmpPort) + "/live/" + key};
}

bool put(HubProcess& hub, const std::string& path, const json& body) {
  TestClient c("127.0.0.1", hub.httpPort());
  auto r = c.request(
      "PUT", path,
      std::string("Authorization: Bearer ") + kAdminToken + "\r\nContent-Type: application/json\r\n",
      body.dump());
  if (!r || r->status != 200) ADD_FAILURE() << path << ": " << (r ? r->body : "no answer");
  return r && r->status == 200;
}

std::string url(HubProcess& hub, const std::string& path) {
  return "http://127.0.0.1:" + std::to_string(hub.httpPort()) + path;
}

std::string firstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

// "codec,width,height,frames" of the first video stream, every frame decoded.
std::string probeVideo(const std::string& input) {
  auto r = run({"ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                "stream=codec_name,width,height,nb_read_frames", "-of", "csv=p=0", input},
               {}, 30000);
  return r.exitCode == 0 ? firstLine(r.output) : "ffprobe failed: " + r.output;
}

double probeDuration(const std::string& input) {
  auto r =
      run({"ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", input}, {}, 30000);
  return r.exitCode == 0 ? std::atof(r.output.c_str()) : -1;
}

int field(const std::string& csv, int index) {
  std::size_t at = 0;
  for (int i = 0; i < index && at != std::string::npos; ++i) at = csv.find(',', at) + 1;
  return at == std::string::npos ? -1 : std::atoi(csv.c_str() + at);
}

const json* target(const json& status, const std::string& portText) {
  if (!status.contains("restream")) return nullptr;
  for (const auto& t : status["restream"])
    if (t.value("target", "").find(portText) != std::string::npos) return &t;
  return nullptr;
}

}  // namespace

TEST(MediaLive, LadderThumbnailRestreamAndRecordingThroughTheService) {
  // The second hub is the restream target: passthrough and no recording, to spare the CPU.
  HubProcess mirror({"--admin-token", kAdminToken, "--transcode-ladder", "", "--record-enabled", "false"});
  const int closedPort = freePort();  // nothing listens there: connections are refused
  // A loaded test host may run the ladder slower than real time for a while: let the transcoder
  // hold 5 s of input rather than drop to the next key frame at 1 s (the default).
  HubProcess hub({"--admin-token", kAdminToken, "--hls-grace-period", "2", "--restream-backoff-initial-ms",
                  "100", "--restream-backoff-max-ms", "300", "--transcode-queue-ms", "5000",
                  "--hls-master-wait-ms", "9000"});
  ASSERT_TRUE(mirror.waitReady()) << mirror.log();
  ASSERT_TRUE(hub.waitReady()) << hub.log();
  auto mirrorKey = createStream(mirror, "mirror");
  auto key = createStream(hub, "gala");
  ASSERT_FALSE(mirrorKey.empty());
  ASSERT_FALSE(key.empty());
  const std::string mirrorPort = ":" + std::to_string(mirror.rtmpPort()) + "/";
  const std::string refusingPort = ":" + std::to_string(closedPort) + "/";
  ASSERT_TRUE(put(hub, "/api/v1/streams/gala/restream",
                  {{"targets",
                    {"rtmp://127.0.0.1" + mirrorPort + "live/" + mirrorKey,
                     "rtmp://127.0.0.1" + refusingPort + "live/nobody"}}}));

  TempDir dir;
  const std::string progress = dir.path() + "/progress.txt";
  Process publisher(publish720(hub.rtmpPort(), key, progress), "/dev/null");

  // Live: the master lists source + 480p + 360p, and no 720p, from the first answer on: a
  // player asking at the first instant (before the rungs have parts) is held until they do
  // ([hls] master_wait_ms, raised here so a slow sanitizer build still gets there in time).
  std::string master;
  auto asked = std::chrono::steady_clock::now();
  ASSERT_TRUE(waitFor(
      [&] {
        TestClient c("127.0.0.1", hub.httpPort());
        asked = std::chrono::steady_clock::now();
        auto r = c.request("GET", "/live/gala/master.m3u8", "");
        if (!r || r->status != 200) return false;
        master = r->body;
        return true;
      },
      10000))
      << hub.log();
  const auto held = std::chrono::steady_clock::now() - asked;
  EXPECT_NE(master.find("source/index.m3u8"), std::string::npos) << master;
  EXPECT_NE(master.find("480p/index.m3u8"), std::string::npos) << master << streamStatus(hub, "gala").dump();
  EXPECT_NE(master.find("360p/index.m3u8"), std::string::npos) << master << streamStatus(hub, "gala").dump();
  std::printf("first master answer held %.0f ms\n", std::chrono::duration<double, std::milli>(held).count());
  EXPECT_NE(master.find("RESOLUTION=1280x720"), std::string::npos) << master;
  EXPECT_NE(master.find("RESOLUTION=854x480"), std::string::npos) << master;
  EXPECT_NE(master.find("RESOLUTION=640x360"), std::string::npos) << master;
  EXPECT_EQ(master.find("720p/"), std::string::npos) << master;

  // The live thumbnail: a JPEG 320 pixels wide ([transcode] thumbnail_width) with the aspect kept.
  ASSERT_TRUE(waitFor([&] { return !get(hub, "/live/gala/thumb.jpg").empty(); }, 15000));
  auto jpeg = get(hub, "/live/gala/thumb.jpg");
  ASSERT_GE(jpeg.size(), 3u);
  EXPECT_EQ(jpeg.substr(0, 3), "\xFF\xD8\xFF");
  std::ofstream(dir.path() + "/thumb.jpg", std::ios::binary) << jpeg;
  auto thumb = run({"ffprobe", "-v", "error", "-show_entries", "stream=codec_name,width,height", "-of",
                    "csv=p=0", dir.path() + "/thumb.jpg"});
  EXPECT_EQ(firstLine(thumb.output), "mjpeg,320,180") << thumb.output;

  // Restream: the mirror hub receives the stream (ffprobe through its own HLS) while the
  // refusing target keeps failing and retrying, and the stream and the other target go on.
  ASSERT_TRUE(waitFor([&] { return streamStatus(mirror, "mirror").value("live", false); }, 8000))
      << streamStatus(hub, "gala").dump() << mirror.log();
  ASSERT_TRUE(waitFor(
      [&] { return get(mirror, "/live/mirror/master.m3u8").find("source/index.m3u8") != std::string::npos; },
      5000));
  // ffprobe gives up on a playlist that lists no whole segment yet: wait for one.
  ASSERT_TRUE(waitFor(
      [&] { return get(mirror, "/live/mirror/source/index.m3u8").find("#EXTINF") != std::string::npos; },
      8000))
      << get(mirror, "/live/mirror/source/index.m3u8");
  auto mirrored =
      run({"ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
           "stream=codec_name,width,height", "-of", "csv=p=0", url(mirror, "/live/mirror/master.m3u8")},
          {}, 20000);
  EXPECT_NE(mirrored.output.find("h264,1280,720"), std::string::npos) << mirrored.output;
  // 8 failures within 15 s: only the test's backoff (100..300 ms) allows that; the default
  // (1 s doubling to 30 s, with jitter) would need over 30 s.
  json st;
  EXPECT_TRUE(waitFor(
      [&] {
        st = streamStatus(hub, "gala");
        const json* bad = target(st, refusingPort);
        return bad && bad->value("failures", 0) >= 8;
      },
      15000))
      << st.dump();
  st = streamStatus(hub, "gala");
  const json* bad = target(st, refusingPort);
  const json* good = target(st, mirrorPort);
  ASSERT_TRUE(bad && good) << st.dump();
  EXPECT_EQ((*bad)["state"], "retrying") << st.dump();
  EXPECT_EQ((*bad)["connects"], 0);
  EXPECT_NE((*bad)["last_error"].get<std::string>(), "");
  EXPECT_EQ((*good)["state"], "live") << st.dump();
  EXPECT_EQ((*good)["failures"], 0) << st.dump();
  EXPECT_GT((*good)["frames_sent"].get<long>(), 60);
  EXPECT_TRUE(st.value("live", false));
  EXPECT_EQ((*bad)["target"].get<std::string>().find("nobody"), std::string::npos) << "keys stay hidden";

  // The publisher ends; after the grace period (2 s) the stream ends and is a recording.
  EXPECT_GE(publisher.stop(SIGINT, 30000), 0);
  const int sent = framesSent(progress);
  ASSERT_GE(sent, 60) << "the publisher's progress: " << progress;
  const double seconds = sent / 30.0;
  json recordings;
  ASSERT_TRUE(waitFor(
      [&] {
        recordings = json::parse(get(hub, "/api/v1/public/recordings"), nullptr, false);
        return recordings.is_object() && recordings["recordings"].size() == 1 &&
               !recordings["recordings"][0]["download_url"].is_null();
      },
      20000))
      << recordings.dump() << hub.log();
  const auto& rec = recordings["recordings"][0];
  EXPECT_EQ(rec["stream"], "gala");
  EXPECT_NEAR(rec["duration_seconds"].get<double>(), seconds, 0.7) << rec.dump();
  auto renditions = rec["renditions"].get<std::vector<std::string>>();
  std::sort(renditions.begin(), renditions.end());
  EXPECT_EQ(renditions, (std::vector<std::string>{"360p", "480p", "source"})) << rec.dump();

  // Every live rendition (ENDLIST now, still served) decodes whole, with its height.
  for (auto [id, height] : {std::pair{"source", 720}, {"480p", 480}, {"360p", 360}}) {
    auto v = probeVideo(url(hub, std::string("/live/gala/") + id + "/index.m3u8"));
    EXPECT_EQ(v.rfind("h264,", 0), 0u) << id << ": " << v;
    EXPECT_EQ(field(v, 2), height) << id << ": " << v;
    // The source is never re-encoded; a rung may drop to a key frame when the host is short of
    // CPU (counted in the status), but most of it is there.
    EXPECT_GE(field(v, 3), std::string(id) == "source" ? sent - 3 : sent / 2)
        << id << " lost too many frames: " << v;
  }

  // The replay: the VOD master decodes, and download.mp4 plays with the right duration.
  const std::string vod = rec["master_url"];
  auto vodVideo = probeVideo(url(hub, vod));
  EXPECT_EQ(vodVideo.rfind("h264,", 0), 0u) << vodVideo;
  EXPECT_GE(field(vodVideo, 3), sent / 2) << vodVideo;
  const std::string mp4 = rec["download_url"];
  auto mp4Video = probeVideo(url(hub, mp4));
  EXPECT_EQ(mp4Video.rfind("h264,1280,720,", 0), 0u) << mp4Video;
  EXPECT_NEAR(probeDuration(url(hub, mp4)), seconds, 0.5);
  auto mp4Audio = run({"ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries",
                       "stream=codec_name", "-of", "csv=p=0", url(hub, mp4)});
  EXPECT_EQ(firstLine(mp4Audio.output), "aac") << mp4Audio.output;
  EXPECT_EQ(hub.log().find(key), std::string::npos) << "the stream key must never be logged";
  EXPECT_EQ(hub.log().find(mirrorKey), std::string::npos) << "nor a restream target's";
}

TEST(MediaLive, RecordingOffRecordsNothing) {
  HubProcess hub({"--admin-token", kAdminToken, "--hls-grace-period", "1", "--record-enabled", "false",
                  "--transcode-ladder", ""});
  ASSERT_TRUE(hub.waitReady()) << hub.log();
  auto key = createStream(hub, "quiet");
  auto r = run(ffmpegPublishArgs(hub.rtmpPort(), key, 3), {}, 30000);
  ASSERT_EQ(r.exitCode, 0) << r.output;
  // The stream ends (ENDLIST) after the grace period...
  ASSERT_TRUE(waitFor(
      [&] { return get(hub, "/live/quiet/source/index.m3u8").find("#EXT-X-ENDLIST") != std::string::npos; },
      10000))
      << hub.log();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  // ...and no recording exists: none listed, nothing on disk.
  auto list = json::parse(get(hub, "/api/v1/public/recordings"), nullptr, false);
  ASSERT_TRUE(list.is_object()) << list.dump();
  EXPECT_TRUE(list["recordings"].empty()) << list.dump();
  std::error_code ec;
  std::size_t files = 0;
  for (auto it = std::filesystem::recursive_directory_iterator(hub.dataDir() + "/recordings", ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
    ++files;
  EXPECT_EQ(files, 0u);
}
