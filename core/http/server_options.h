// core/http/server_options.h
//
// The HTTP server's knobs, with defaults right for one machine.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace hub::http {

struct ServerOptions {
  std::string address = "127.0.0.1";       // bound exactly: "0.0.0.0", "::1", "[::1]", "::"
  int port = 8080;                         // 0: the kernel picks one (tests); see Server::port()
  unsigned threads = 0;                    // lws contexts (event loops); 0 = hardware cores
  std::size_t maxBodyBytes = 1 << 20;      // larger requests get 413
  std::size_t maxConnections = 20000;      // over it, new connections are closed at accept
  std::chrono::seconds headerTimeout{10};  // a new connection must finish its headers by then
  std::chrono::seconds idleTimeout{60};    // keep-alive connection with no request
  std::chrono::seconds bodyTimeout{30};    // whole request body once headers arrived
  std::chrono::seconds drainTimeout{10};   // stop(): in-flight requests get this long
  std::size_t maxHeaderBytes = 16 * 1024;
  // Headers lws does not know by name are only visible to handlers when listed here.
  std::vector<std::string> extraHeaders = {"x-request-id",      "x-csrf-token",     "x-requested-with",
                                           "x-forwarded-proto", "x-forwarded-host", "idempotency-key",
                                           "x-hub-preview"};
  // PEM files; both set: every connection speaks TLS, with HTTP/2 offered by ALPN (Apple's
  // native player wants HTTP/2 for low-latency HLS). Read once at start().
  std::string tlsCert;
  std::string tlsKey;
  std::size_t staticCacheBytes = 64 << 20;
  std::size_t staticCacheMaxFile = 1 << 20;
  // Each loop's lws context runs on a libev loop (epoll), so a wake-up costs the sockets that are
  // ready; false, or when lws' libev plugin cannot start, on lws' own poll(), which walks every
  // socket of the loop on each wake-up (see lws_loop.h).
  bool epollLoop = true;
  // Under a stream of small frames from many clients (likes) a loop woke once per frame: on lws'
  // poll() that was most of its CPU, and on epoll each wake-up still costs a pass. A loop
  // holding n WebSockets starts two waits at least min(n x pollGapPerConnection, maxPollGap)
  // apart, so what arrives meanwhile is read in one pass, and a wake-up after a longer wait
  // (idle, a timer) serves at once. It adds at most maxPollGap to a trip through a loop with
  // that many WebSockets (1,000: 4 ms). Plain HTTP connections do
  // not count: each waits for its answer before it asks again, so a gap only lengthened every
  // round trip (50 keep-alive clients of a playlist: 0.2 ms asked, up to 0.75 ms slept, and the
  // loop half idle). Zero turns it off.
  std::chrono::nanoseconds pollGapPerConnection{4000};
  std::chrono::microseconds maxPollGap{4000};
};

}  // namespace hub::http
