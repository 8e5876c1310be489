// tests/bench/http/static_server.cpp
//
// The hub HTTP server serving one directory, for the static-file benchmark against nginx:
//   static_server PORT THREADS DIR   (SIGINT/SIGTERM stops it gracefully)
#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "core/http/server.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s PORT THREADS DIR\n", argv[0]);
    return 2;
  }
  // Block the signals before any thread starts so only sigwait() below sees them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  hub::metrics::Registry registry;
  hub::http::ServerOptions options;
  options.port = std::atoi(argv[1]);
  options.threads = static_cast<unsigned>(std::atoi(argv[2]));
  hub::http::Server server(options, registry);
  if (auto st = server.mountStatic("/", argv[3]); !st) {
    std::fprintf(stderr, "%s\n", st.error().message.c_str());
    return 1;
  }
  if (auto st = server.start(); !st) {
    std::fprintf(stderr, "%s\n", st.error().message.c_str());
    return 1;
  }
  int sig = 0;
  sigwait(&set, &sig);
  server.stop();
  return 0;
}
