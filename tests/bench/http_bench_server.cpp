// tests/bench/http_bench_server.cpp
//
// The hub's HTTP core on ONE event-loop thread, serving a directory and a small JSON endpoint,
// for http_static.sh to measure against one nginx worker with wrk.
//   hub_http_bench_server --listen 127.0.0.1:PORT --dir DIR [--threads 1]
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "core/config/config.h"
#include "core/http/server.h"
#include "core/metrics/registry.h"

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:8090", dir = ".";
  unsigned threads = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--listen"))
      listen = argv[i + 1];
    else if (!std::strcmp(argv[i], "--dir"))
      dir = argv[i + 1];
    else if (!std::strcmp(argv[i], "--threads"))
      threads = static_cast<unsigned>(std::stoul(argv[i + 1]));
  }
  auto hp = hub::config::parseHostPort(listen);
  if (!hp) {
    std::fprintf(stderr, "%s\n", hp.error().message.c_str());
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
  server.get("/json", [](const hub::http::Request&) {
    return hub::http::Response(200, R"({"ok":true,"service":"bench"})", "application/json");
  });
  if (auto st = server.mountStatic("/", dir); !st) {
    std::fprintf(stderr, "%s\n", st.error().message.c_str());
    return 1;
  }
  if (auto st = server.start(); !st) {
    std::fprintf(stderr, "%s\n", st.error().message.c_str());
    return 1;
  }
  int sig = 0;
  sigwait(&signals, &sig);
  server.stop();
  return 0;
}
