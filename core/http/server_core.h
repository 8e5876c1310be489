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
                            "WebSocket connections closed at once: too many from one client address")),
        wsWakeDelay(r.histogram("hub_ws_wake_delay_seconds",
                                "a room event's wake-ups for a loop, posted until the loop took them",
                                passBuckets())),
        wsHold(r.histogram("hub_ws_hold_seconds",
                           "coalescing: the first wake-up held until the loop's timer was due",
                           passBuckets())),
        wsTimerLate(r.histogram("hub_ws_timer_late_seconds",
                                "coalescing: the loop's timer due until the loop ran it", passBuckets())),
        wsWritePass(r.histogram("hub_ws_write_pass_seconds",
                                "coalescing: the write pass over the held connections, the timer run until "
                                "the last of them was handed to the kernel",
                                passBuckets())) {}

  // Finer than metrics::latencyBuckets() around a coalescing hold (tens of milliseconds).
  static std::vector<double> passBuckets() {
    return {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06,
            0.07,   0.08,  0.1,   0.12,  0.15, 0.2,  0.3,  0.5,  1,    2.5};
  }

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
  // Where a held WebSocket frame's time in the server goes, one observation per room event per
  // loop (wake delay) or per write pass (the rest): readable from /metrics after a benchmark.
  metrics::Histogram& wsWakeDelay;
  metrics::Histogram& wsHold;
  metrics::Histogram& wsTimerLate;
  metrics::Histogram& wsWritePass;
  std::atomic<std::size_t> connections{0};  // for maxConnections, across threads
};

}  // namespace hub::http
