// core/http/server_core.h
//
// What every loop thread shares and only reads after start(): options, routes, mounts,
// WebSocket endpoints and the metrics handles. Internal to core/http.
#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include "core/http/router.h"
#include "core/http/server_options.h"
#include "core/http/static_files.h"
#include "core/http/websocket.h"
#include "core/metrics/registry.h"

namespace hub::http {

struct ServerCore {
  ServerCore(ServerOptions o, metrics::Registry& r)
      : options(std::move(o)),
        registry(r),
        statics(options.staticCacheBytes, options.staticCacheMaxFile),
        duration(r.histogram("hub_http_request_duration_seconds",
                             "HTTP request latency, headers received to response handed to the "
                             "kernel",
                             metrics::latencyBuckets())),
        httpConnections(r.gauge("hub_http_connections", "Open HTTP connections (incl. WS)")),
        wsConnections(r.gauge("hub_ws_connections", "Open WebSocket connections")),
        wsRefused(r.counter("hub_ws_refused_total",
                            "WebSocket connections closed at once: too many from one client address")) {}

  const WsRoute* findWs(std::string_view path) const {
    for (const auto& w : wsRoutes)
      if (w.path == path) return &w;
    return nullptr;
  }

  ServerOptions options;
  metrics::Registry& registry;
  Router router;
  StaticFiles statics;  // its cache has its own lock
  std::vector<WsRoute> wsRoutes;
  metrics::Histogram& duration;
  metrics::Gauge& httpConnections;
  metrics::Gauge& wsConnections;
  metrics::Counter& wsRefused;
  std::atomic<std::size_t> connections{0};  // for maxConnections, across threads
};

}  // namespace hub::http
