// core/http/server.h
//
// The HTTP + WebSocket server on libwebsockets. One acceptor thread owns the listening socket
// and hands connections to N event loops (lws contexts, one thread each, N = threads option),
// picking the least loaded. Set it up (routes, mounts, websockets) before start(); after that
// the configuration is read-only.
//
// Threading rules:
//  - Synchronous handlers run on the loop thread owning the connection and must be fast.
//  - Asynchronous handlers start there too; their Responder may be completed from any thread
//    (typically a hub::loop::WorkerPool task). A response for a client that left is dropped.
//  - WebSocket handlers run on the loop thread; WsConnection::send()/close() from any thread.
//  - stop() may be called from any thread except a loop thread (e.g. a signal-handling thread).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/http/router.h"
#include "core/http/server_options.h"
#include "core/http/static_files.h"
#include "core/http/websocket.h"
#include "core/metrics/registry.h"
#include "core/util/result.h"

namespace hub::http {

class Acceptor;
class ContextThread;
struct ServerCore;

class Server {
 public:
  Server(ServerOptions options, metrics::Registry& registry);
  ~Server();  // stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Routes: "/api/v1/streams/:name", trailing "/*" captures the rest as param "*".
  void route(Method method, std::string_view pattern, SyncHandler handler, RouteOptions options = {});
  void routeAsync(Method method, std::string_view pattern, AsyncHandler handler, RouteOptions options = {});
  void get(std::string_view p, SyncHandler h, RouteOptions o = {}) {
    route(Method::Get, p, std::move(h), std::move(o));
  }
  void post(std::string_view p, SyncHandler h, RouteOptions o = {}) {
    route(Method::Post, p, std::move(h), std::move(o));
  }
  void put(std::string_view p, SyncHandler h, RouteOptions o = {}) {
    route(Method::Put, p, std::move(h), std::move(o));
  }
  void patch(std::string_view p, SyncHandler h, RouteOptions o = {}) {
    route(Method::Patch, p, std::move(h), std::move(o));
  }
  void del(std::string_view p, SyncHandler h, RouteOptions o = {}) {
    route(Method::Delete, p, std::move(h), std::move(o));
  }
  // Serves files of `dir` under `urlPrefix`. Error "http.mount" when dir is not a directory.
  Status mountStatic(std::string_view urlPrefix, const std::string& dir, StaticOptions options = {});
  void addWebSocket(std::string_view path, WsHandlers handlers, WsOptions options = {});

  // Raises RLIMIT_NOFILE, binds, starts the loops and the acceptor. Error "http.listen" naming
  // the address when it cannot bind (port in use); "http.start" when a loop fails.
  Status start();
  // Stops accepting, lets requests in flight finish (up to drainTimeout), closes WebSockets
  // with 1001, joins every thread. Idempotent.
  void stop();

  int port() const;                  // the bound port (useful with port 0)
  std::string boundAddress() const;  // "127.0.0.1:41234", "[::1]:8080"
  unsigned threads() const;
  // Requests answered by each loop so far (tests, diagnostics).
  std::vector<std::uint64_t> servedPerThread() const;

 private:
  std::unique_ptr<ServerCore> core_;
  std::unique_ptr<Acceptor> acceptor_;
  std::vector<std::unique_ptr<ContextThread>> loops_;
  std::mutex stopMu_;
  bool started_ = false;
  bool stopped_ = false;
  std::size_t nextLoop_ = 0;      // acceptor thread only
  long long lastRefusalLog_ = 0;  // acceptor thread only
};

}  // namespace hub::http
