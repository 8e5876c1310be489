// tests/bench/hls_bench_server.cpp
//
// The LL-HLS delivery path alone for hls_delivery.sh: http::Server (one loop thread unless told
// otherwise) + LiveRegistry, with one stream "bench" fed from an FLV clip. The first --preload
// seconds are packaged at once (a static window for wrk); POST /bench/resume then feeds the
// rest in real time, so parked blocking-reload requests get answered as parts appear.
//   hls_bench_server --listen 127.0.0.1:PORT --clip FILE.flv --width W --height H [--fps 30]
//                    [--preload 8] [--threads 1]
#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "core/config/config.h"
#include "core/http/server.h"
#include "core/metrics/registry.h"
#include "core/util/clock.h"
#include "media/hls/live_registry.h"
#include "media/hls/tests/flv_clip.h"

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:8091", clipPath;
  int width = 1280, height = 720;
  double fps = 30, preload = 8;
  hub::media::hls::LiveOptions live;
  // Parked requests wait 10 target durations here, not 3: the bench client needs a few
  // seconds to open thousands of connections before it resumes the stream.
  live.blockTimeoutTargets = 10;
  unsigned threads = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--listen") listen = v;
    if (k == "--clip") clipPath = v;
    if (k == "--width") width = std::stoi(v);
    if (k == "--height") height = std::stoi(v);
    if (k == "--fps") fps = std::stod(v);
    if (k == "--preload") preload = std::stod(v);
    if (k == "--threads") threads = static_cast<unsigned>(std::stoul(v));
  }
  auto hp = hub::config::parseHostPort(listen);
  if (!hp) {
    std::fprintf(stderr, "%s\n", hp.error().message.c_str());
    return 2;
  }
  auto clip = hub::media::hls::test::readFlv(clipPath, width, height, fps);
  if (!clip.error.empty()) {
    std::fprintf(stderr, "%s\n", clip.error.c_str());
    return 2;
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  hub::metrics::Registry metrics;
  hub::http::ServerOptions options;
  options.address = hp->host;
  options.port = hp->port;
  options.threads = threads;
  hub::http::Server server(options, metrics);
  hub::media::hls::LiveRegistry registry(live, hub::SystemClock::instance(), metrics);
  registry.addRoutes(server);

  auto stream = registry.open("bench");
  auto& sink = stream->rendition(hub::media::hls::RenditionInfo{"source", width, height, fps, 0, 0, ""});
  sink.tracks(clip.tracks);
  auto preloadUs = static_cast<std::int64_t>(preload * 1e6);
  std::size_t next = 0;
  for (; next < clip.frames.size() && clip.frames[next].dtsUs < preloadUs; ++next) {
    auto f = clip.frames[next];
    f.wallClock = std::chrono::system_clock::now();
    sink.frame(f);
  }
  std::thread feeder;
  std::atomic<bool> resumed{false};
  server.post("/bench/resume", [&](const hub::http::Request&) {
    if (!resumed.exchange(true)) {
      feeder = std::thread([&, next]() mutable {
        auto start = std::chrono::steady_clock::now();
        for (; next < clip.frames.size(); ++next) {
          auto f = clip.frames[next];
          std::this_thread::sleep_until(start + std::chrono::microseconds(f.dtsUs - preloadUs));
          f.wallClock = std::chrono::system_clock::now();
          sink.frame(f);
        }
      });
    }
    return hub::http::Response(200, "resumed\n", "text/plain");
  });
  if (auto st = server.start(); !st) {
    std::fprintf(stderr, "%s\n", st.error().message.c_str());
    return 1;
  }
  registry.start();
  int sig = 0;
  sigwait(&signals, &sig);
  server.stop();
  registry.stop();
  if (feeder.joinable()) feeder.join();
  return 0;
}
