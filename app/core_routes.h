// app/core_routes.h
//
// The routes every hub process answers whatever its role: a landing page at / (unless the web
// app is served there), /healthz
// (liveness), /readyz (SQL and bus reachable and every service check ready, else 503) and
// /metrics (Prometheus).
#pragma once

#include <string>

#include "core/bus/bus.h"
#include "core/http/server.h"
#include "core/loop/worker_pool.h"
#include "core/metrics/registry.h"
#include "core/service/readiness.h"
#include "core/sql/database.h"

namespace hub::app {

struct CoreRouteDeps {
  std::string role;  // "all", "media", "chat", "cms"
  sql::Database& db;
  bus::Bus& bus;
  loop::WorkerPool& workers;
  metrics::Registry& metrics;
  bool landingPage;               // false when the web app answers "/"
  service::Readiness& readiness;  // the services' own checks (e.g. "chat")
};

void addCoreRoutes(http::Server& server, CoreRouteDeps deps);

// Process gauges: resident memory, open fds, start time, build info.
void addProcessMetrics(metrics::Registry& metrics);

}  // namespace hub::app
