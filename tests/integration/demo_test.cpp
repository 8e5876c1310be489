// The demo channel as a newcomer meets it: `hub serve` with the demo on (HUB_DEMO unset or 1)
// creates the stream "demo", feeds it from its built-in publisher through its own RTMP ingest,
// and ffprobe plays /live/demo/master.m3u8 (video and audio) within seconds; the watch URL is
// logged once; the publisher comes back after its key is rotated; it is gone when the hub stops;
// HUB_DEMO=0 (what every other test sets) means no demo stream at all.
#include <dirent.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/hub_process.h"
#include "tests/integration/media_test_util.h"
#include "tests/support/fixtures.h"
#include "tests/support/test_client.h"

using namespace hub::test;
using nlohmann::json;

namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

// Processes whose parent is `pid` (the demo runs inside the hub: there must be none).
std::vector<std::string> children(int pid) {
  std::vector<std::string> out;
  DIR* proc = opendir("/proc");
  if (!proc) return out;
  while (auto* e = readdir(proc)) {
    std::string name = e->d_name;
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat("/proc/" + name + "/stat");
    std::string line;
    std::getline(stat, line);
    auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    char state = 0;
    int ppid = 0;
    // GStreamer's registry helper runs as a child only while it rescans the plugins.
    if (line.find("(gst-plugin-scan") != std::string::npos) continue;
    if (std::sscanf(line.c_str() + close + 1, " %c %d", &state, &ppid) == 2 && ppid == pid)
      out.push_back(line.substr(0, close + 1));
  }
  closedir(proc);
  return out;
}

// The names of the threads of `pid`.
std::vector<std::string> threads(int pid) {
  std::vector<std::string> out;
  std::string dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* d = opendir(dir.c_str());
  if (!d) return out;
  while (auto* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    std::ifstream comm(dir + "/" + e->d_name + "/comm");
    std::string name;
    std::getline(comm, name);
    out.push_back(name);
  }
  closedir(d);
  return out;
}

bool hasThread(int pid, const std::string& name) {
  for (const auto& t : threads(pid))
    if (t == name) return true;
  return false;
}

std::string firstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

// A hub with the demo on. Under ASan, GStreamer's one deliberate leak (GLib's first quark block,
// tests/support/lsan.supp) is only recognisable with full stacks on malloc.
std::vector<std::string> demoEnv() {
  const char* asan = std::getenv("ASAN_OPTIONS");
  std::string options = asan && *asan ? std::string(asan) + ":" : "";
  return {"HUB_DEMO=1", "ASAN_OPTIONS=" + options + "fast_unwind_on_malloc=0"};
}

}  // namespace

TEST(DemoChannel, PlaysWithinSecondsAndStopsWithTheHub) {
  HubProcess hub({"--admin-token", kAdminToken}, demoEnv());
  ASSERT_TRUE(hub.waitReady()) << hub.log();
  const auto ready = std::chrono::steady_clock::now();

  // The demo stream exists, is live from the built-in publisher, and its master is served.
  json st;
  ASSERT_TRUE(waitFor(
      [&] {
        st = streamStatus(hub, "demo");
        // Players without LL-HLS (ffmpeg among them) start from complete segments (2 s each).
        return st.value("live", false) && st["video"].is_object() && st["audio"].is_object() &&
               st["renditions"].is_array() && !st["renditions"].empty() &&
               st["renditions"][0].value("segments", 0) >= 2 &&
               get(hub, "/live/demo/master.m3u8").find("source/index.m3u8") != std::string::npos;
      },
      15000))  // about 6 s on a quiet host: 2 s to start, two 2 s segments
      << st.dump() << hub.log();
  EXPECT_EQ(st["video"]["codec"], "h264");
  EXPECT_EQ(st["video"]["width"], 640);
  EXPECT_EQ(st["video"]["height"], 360);
  EXPECT_EQ(st["audio"]["codec"], "aac");
  EXPECT_EQ(st["transcoder"]["state"], "off") << "the demo is passthrough only: " << st.dump();
  EXPECT_EQ(st["publisher"]["address"].get<std::string>().rfind("127.0.0.1:", 0), 0u);

  // A player reads the master and decodes video and audio.
  TempDir dir;
  const std::string master = "http://127.0.0.1:" + std::to_string(hub.httpPort()) + "/live/demo/master.m3u8";
  auto grab = run({"ffmpeg", "-v", "error", "-nostdin", "-i", master, "-t", "2", "-map", "0:v:0", "-map",
                   "0:a:0", "-c", "copy", "-y", dir.path() + "/demo.ts"},
                  {}, 20000);
  ASSERT_EQ(grab.exitCode, 0) << grab.output;
  auto video =
      run({"ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
           "stream=codec_name,width,height,nb_read_frames", "-of", "csv=p=0", dir.path() + "/demo.ts"});
  ASSERT_EQ(video.exitCode, 0) << video.output;
  auto v = firstLine(video.output);
  EXPECT_EQ(v.rfind("h264,640,360,", 0), 0u) << video.output;
  EXPECT_GE(std::atoi(v.substr(v.rfind(',') + 1).c_str()), 40) << "about 2 s at 30 fps: " << video.output;
  auto audio = run({"ffprobe", "-v", "error", "-count_frames", "-select_streams", "a:0", "-show_entries",
                    "stream=codec_name,nb_read_frames", "-of", "csv=p=0", dir.path() + "/demo.ts"});
  ASSERT_EQ(audio.exitCode, 0) << audio.output;
  EXPECT_EQ(firstLine(audio.output).rfind("aac,", 0), 0u) << audio.output;
  EXPECT_LT(std::chrono::steady_clock::now() - ready, std::chrono::seconds(25));

  // The watch URL is logged once (and printed in the start banner); the key never is.
  const std::string watch = "http://127.0.0.1:" + std::to_string(hub.httpPort()) + "/watch/demo";
  auto log = hub.log();
  EXPECT_EQ(count(log, "demo channel: watch it at " + watch), 1u) << log;
  EXPECT_NE(log.find("Demo:     " + watch), std::string::npos) << log;
  auto key = json::parse(get(hub, "/api/v1/streams/demo"), nullptr, false).value("key", "");
  ASSERT_FALSE(key.empty());
  EXPECT_EQ(log.find(key), std::string::npos) << "the stream key must never be logged";

  // The publisher runs inside the hub, on one thread: no child process.
  EXPECT_TRUE(hasThread(hub.pid(), "hub-demo"));
  auto kids = children(hub.pid());
  EXPECT_TRUE(kids.empty()) << kids.front();

  // It stops with the hub: a clean exit in time (a publisher thread that did not end would hold
  // the hub in its join, and the test would have to kill it: -1), and its end is logged.
  EXPECT_EQ(hub.terminate(15000), 0) << hub.log();
  log = hub.log();
  auto stopped = log.find("demo publisher stopped");
  EXPECT_NE(stopped, std::string::npos) << log;
  auto last = log.rfind(" app: stopped");
  ASSERT_NE(last, std::string::npos) << log;
  EXPECT_LT(stopped, last) << "the demo ends before the hub's last line: " << log;
}

TEST(DemoChannel, ComesBackAfterItsKeyIsRotated) {
  HubProcess hub({"--admin-token", kAdminToken}, demoEnv());
  ASSERT_TRUE(hub.waitReady()) << hub.log();
  ASSERT_TRUE(waitFor([&] { return streamStatus(hub, "demo").value("live", false); }, 15000)) << hub.log();
  const int publishes = streamStatus(hub, "demo").value("publishes", 0);

  // Rotating the key disconnects the publisher; the demo asks for the new key and publishes again.
  TestClient c("127.0.0.1", hub.httpPort());
  auto r = c.request("POST", "/api/v1/streams/demo/rotate-key",
                     std::string("Authorization: Bearer ") + kAdminToken + "\r\n", "");
  ASSERT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
  json st;
  EXPECT_TRUE(waitFor(
      [&] {
        st = streamStatus(hub, "demo");
        return st.value("live", false) && st.value("publishes", 0) > publishes;
      },
      15000))
      << st.dump() << hub.log();
  auto metrics = get(hub, "/metrics");
  auto at = metrics.find("\nhub_media_demo_restarts_total ");
  ASSERT_NE(at, std::string::npos) << metrics;
  EXPECT_GE(std::atof(metrics.c_str() + at + 31), 1.0) << metrics;
  EXPECT_EQ(hub.terminate(15000), 0) << hub.log();
}

TEST(DemoChannel, HubDemoZeroMeansNoDemo) {
  HubProcess hub({"--admin-token", kAdminToken});  // HUB_DEMO=0, as every other test
  ASSERT_TRUE(hub.waitReady()) << hub.log();
  TestClient c("127.0.0.1", hub.httpPort());
  auto r =
      c.request("GET", "/api/v1/streams/demo", std::string("Authorization: Bearer ") + kAdminToken + "\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404) << r->body;
  EXPECT_EQ(hub.log().find("/watch/demo"), std::string::npos) << hub.log();
  EXPECT_FALSE(hasThread(hub.pid(), "hub-demo"));
}
