// core/service/service.h
//
// What a service (media, chat, cms) is to the composition root: a name, the schema migrations
// it owns, and start/stop. At start it gets the shared parts of the process through a Context
// (config, HTTP server, SQL, bus, worker pool, metrics, change watcher, clock, readiness checks,
// the Streams client) and adds its routes and background work; services never see each other,
// only these interfaces.
#pragma once

#include <string_view>
#include <vector>

#include "core/config/config.h"
#include "core/service/readiness.h"
#include "core/service/streams.h"
#include "core/util/clock.h"
#include "core/util/result.h"

namespace hub::http {
class Server;
}
namespace hub::sql {
class Database;
class ChangeWatcher;
struct Migration;
}  // namespace hub::sql
namespace hub::bus {
class Bus;
}
namespace hub::loop {
class WorkerPool;
}
namespace hub::metrics {
class Registry;
}

namespace hub::service {

struct Context {
  const config::Config& config;
  http::Server& http;  // add routes before it starts; Service::start runs before it does
  sql::Database& db;   // blocking: use from `workers`, never on an event loop
  bus::Bus& bus;
  loop::WorkerPool& workers;
  metrics::Registry& metrics;
  sql::ChangeWatcher& changes;  // see core/sql/change_feed.h
  const Clock& clock;
  const std::string& authSecret;
  Readiness& readiness;  // checks shown by /readyz (e.g. chat: its fan-out engine is connected)
  Streams& streams;      // media streams from outside media (the CMS): over the bus, see streams.h
};

class Service {
 public:
  virtual ~Service() = default;
  virtual std::string_view name() const = 0;
  // Applied by `hub migrate` and at start-up, after core's own, before start().
  virtual std::vector<sql::Migration> migrations() const = 0;
  // Adds routes and starts background work. An error stops start-up (exit code 1).
  virtual Status start(Context& context) = 0;
  // Stops background work; called after the HTTP server stopped, before the shared parts go.
  virtual void stop() = 0;
};

}  // namespace hub::service
