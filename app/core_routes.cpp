#include "app/core_routes.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

namespace hub::app {
namespace {

double residentBytes() {
  std::ifstream in("/proc/self/statm");
  long pages = 0, resident = 0;
  in >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(::sysconf(_SC_PAGESIZE));
}

double openFds() {
  std::error_code ec;
  double n = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    ++n;
  return n;
}

const char* kLanding = R"(<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>hub</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:3em auto;padding:0 1em}</style>
</head><body><h1>hub</h1><p>运行中 · running, version {version}, role {role}.</p>
<ul><li><a href="/healthz">/healthz</a> liveness</li><li><a href="/readyz">/readyz</a> readiness</li>
<li><a href="/metrics">/metrics</a> Prometheus metrics</li></ul></body></html>
)";

std::string landing(const std::string& role) {
  std::string page = kLanding;
  page.replace(page.find("{version}"), 9, HUB_VERSION);
  page.replace(page.find("{role}"), 6, role);
  return page;
}

}  // namespace

void addProcessMetrics(metrics::Registry& metrics) {
  auto started = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  metrics.gaugeFn("process_resident_memory_bytes", "Resident memory size in bytes", residentBytes);
  metrics.gaugeFn("process_open_fds", "Open file descriptors", openFds);
  metrics.gaugeFn("process_start_time_seconds", "Start time since the epoch in seconds",
                  [started] { return started; });
  metrics.gauge("hub_build_info", "The hub's version", {{"version", HUB_VERSION}}).set(1);
}

void addCoreRoutes(http::Server& server, CoreRouteDeps deps) {
  if (deps.landingPage) {
    auto page = std::make_shared<const std::string>(landing(deps.role));
    server.get("/", [page](const http::Request&) {
      return http::Response(200, *page, "text/html; charset=utf-8").header("Cache-Control", "no-cache");
    });
  }

  auto started = std::chrono::steady_clock::now();
  server.get("/healthz", [started, role = deps.role](const http::Request&) {
    auto up = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started);
    return http::Response::json(
               200,
               {{"status", "ok"}, {"version", HUB_VERSION}, {"role", role}, {"uptime_seconds", up.count()}})
        .header("Cache-Control", "no-store");
  });

  // SQL is pinged on the worker pool (it blocks); the bus reports its own state.
  server.routeAsync(http::Method::Get, "/readyz", [deps](http::Request, http::Responder done) {
    auto& bus = deps.bus;
    auto& db = deps.db;
    auto& readiness = deps.readiness;
    auto queued = deps.workers.submit([&db, &bus, &readiness, done] {
      auto sqlStatus = db.ping();
      bool busReady = bus.ready();
      nlohmann::json checks = {{"sql", sqlStatus ? "ok" : sqlStatus.error().message},
                               {"bus", busReady ? "ok" : std::string(bus.engine()) + " bus not connected"}};
      bool ready = sqlStatus.ok() && busReady;
      for (auto& [name, why] : readiness.run()) {
        checks[name] = why.empty() ? "ok" : why;
        ready = ready && why.empty();
      }
      done.send(http::Response::json(ready ? 200 : 503,
                                     {{"status", ready ? "ready" : "not ready"}, {"checks", checks}})
                    .header("Cache-Control", "no-store"));
    });
    if (!queued)
      done.send(
          http::Response::error(503, "hub.overloaded", "worker pool is full: " + queued.error().message));
  });

  server.get("/metrics", [&metrics = deps.metrics](const http::Request&) {
    return http::Response::text(200, metrics.render(), "text/plain; version=0.0.4; charset=utf-8")
        .header("Cache-Control", "no-store");
  });
}

}  // namespace hub::app
