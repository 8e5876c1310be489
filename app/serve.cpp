#include "app/serve.h"

#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <optional>

#include "app/cli.h"
#include "app/core_routes.h"
#include "app/services.h"
#include "app/web_app.h"
#include "core/auth/secret.h"
#include "core/bus/bus.h"
#include "core/http/server.h"
#include "core/log/log.h"
#include "core/loop/worker_pool.h"
#include "core/metrics/registry.h"
#include "core/service/bus_streams.h"
#include "core/sql/change_watcher.h"
#include "core/sql/database.h"
#include "core/sql/migration.h"
#include "core/sql/thread_scope.h"
#include "core/sql/url.h"

namespace hub::app {
namespace {

const auto& logger() {
  static const auto log = hub::log::get("app");
  return log;
}

int fail(int code, const std::string& message) {
  logger()->error("{}", message);
  std::fprintf(stderr, "hub: %s\n", message.c_str());
  return code;
}

// Tokens signed on one node must verify on every other: several processes need one configured
// secret; a single process may generate its own into the data dir.
Result<std::string> authSecret(const config::Config& config, const std::string& role) {
  if (!config.auth.secret.empty()) return config.auth.secret;
  if (!role.empty() || config.bus.url.rfind("redis://", 0) == 0)
    return makeError("config.invalid",
                     "key auth.secret (HUB_AUTH_SECRET) must be set when running with --role or a Redis bus, "
                     "so that every node signs and checks tokens with the same secret");
  return auth::loadOrCreateSecret(config.data.dir);
}

http::ServerOptions httpOptions(const config::Config& c) {
  http::ServerOptions o;
  o.address = c.http.listen.host;
  o.port = c.http.listen.port;
  o.threads = static_cast<unsigned>(c.http.threads);
  o.maxBodyBytes = static_cast<std::size_t>(c.http.maxBodyBytes);
  o.headerTimeout = std::chrono::seconds(c.http.headerTimeoutSeconds);
  o.idleTimeout = std::chrono::seconds(c.http.idleTimeoutSeconds);
  o.drainTimeout = std::chrono::seconds(c.http.drainTimeoutSeconds);
  o.tlsCert = c.http.tlsCert;
  o.tlsKey = c.http.tlsKey;
  return o;
}

// The MySQL driver's per-thread state lives as long as each worker thread.
std::optional<sql::ThreadScope>& workerSqlScope() {
  thread_local std::optional<sql::ThreadScope> scope;
  return scope;
}

int waitForSignal(const sigset_t& signals) {
  int sig = 0;
  sigwait(&signals, &sig);
  return sig;
}

}  // namespace

Result<std::unique_ptr<sql::Database>> openDatabase(const config::Config& config,
                                                    metrics::Registry* metrics) {
  if (config.sql.url.rfind("sqlite://", 0) == 0) {
    std::error_code ec;
    std::filesystem::create_directories(config.data.dir, ec);
    if (ec) return makeError("data.dir", config.data.dir + ": " + ec.message());
  }
  sql::Options options;
  options.poolSize = static_cast<std::size_t>(config.sql.poolSize);
  // A batch of step submissions runs statements of many texts (13 padded widths of each multi-row
  // statement, statement_widths.h; the audit and answer inserts of every batch width) besides
  // the rest of the hub's: with 64 cached per connection a batch prepared 2-3 of them again.
  // At most 256 per connection (8 connections: 2,048 of MariaDB's max_prepared_stmt_count).
  options.statementCacheSize = 256;
  options.metrics = metrics;
  return sql::open(config.sql.url, options);
}

int runMigrate(const config::Config& config) {
  auto db = openDatabase(config, nullptr);
  if (!db) return fail(kRuntime, db.error().wrap("sql").message);
  if (auto st = sql::migrate(**db, allMigrations()); !st)
    return fail(kRuntime, st.error().wrap("migrate").message);
  auto applied = sql::appliedMigrations(**db);
  if (!applied) return fail(kRuntime, applied.error().wrap("migrate").message);
  std::printf("migrated %s:\n", sql::redactUrl(config.sql.url).c_str());
  for (const auto& m : *applied)
    std::printf("  %-6s %3d  %-32s %s\n", m.component.c_str(), m.version, m.name.c_str(),
                m.appliedAt.c_str());
  return kOk;
}

int runServe(const config::Config& config, const std::string& role) {
  // Every thread made from here on inherits the blocked signals; only sigwait() below sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  const std::string roleName = role.empty() ? "all" : role;
  auto secret = authSecret(config, role);
  if (!secret)
    return fail(secret.error().code == "config.invalid" ? kUsage : kRuntime, secret.error().message);

  metrics::Registry metrics;
  addProcessMetrics(metrics);

  auto db = openDatabase(config, &metrics);
  if (!db) return fail(kRuntime, db.error().wrap("sql").message);
  if (auto st = sql::migrate(**db, allMigrations()); !st)
    return fail(kRuntime, st.error().wrap("migrate").message);

  bus::Options busOptions;
  busOptions.metrics = &metrics;
  auto bus = bus::open(config.bus.url, busOptions);
  if (!bus) return fail(kRuntime, bus.error().wrap("bus").message);

  loop::WorkerPool workers(
      loop::WorkerPoolOptions{.threads = static_cast<std::size_t>(config.sql.workers),
                              .maxQueue = 10000,
                              .name = "hub-sql",
                              .onThreadStart = [](std::size_t) { workerSqlScope().emplace(); },
                              .onThreadExit = [](std::size_t) { workerSqlScope().reset(); }});

  sql::ChangeWatcher changes(**db);
  if (auto st = changes.start(); !st) return fail(kRuntime, st.error().wrap("change watcher").message);

  http::Server server(httpOptions(config), metrics);
  auto webRoot = findWebRoot(config.http.webRoot);
  if (!webRoot) return fail(kUsage, webRoot.error().message);
  if (!webRoot->empty()) {
    if (auto st = addWebApp(server, *webRoot); !st) return fail(kRuntime, st.error().message);
    logger()->info("serving the web app from {}", *webRoot);
  } else {
    logger()->info("no web app built (deploy/build-web.sh): / shows the status page");
  }
  if (auto studio = findStudioRoot(); !studio.empty()) {
    if (auto st = addStudio(server, studio); !st) return fail(kRuntime, st.error().message);
    logger()->info("serving the studio from {} at /studio/", studio);
  }
  service::Readiness readiness;
  addCoreRoutes(server, {roleName, **db, **bus, workers, metrics, webRoot->empty(), readiness});

  service::BusStreams streams(**bus);
  service::Context context{config,  server,    **db,    **bus,
                           workers, metrics,   changes, SystemClock::instance(),
                           *secret, readiness, streams};
  auto services = servicesFor(role);
  std::size_t started = 0;
  auto stopStarted = [&] {
    while (started > 0) services[--started]->stop();
  };
  for (; started < services.size(); ++started)
    if (auto st = services[started]->start(context); !st) {
      auto name = std::string(services[started]->name());
      stopStarted();
      return fail(kRuntime, st.error().wrap(name).message);
    }

  if (auto st = server.start(); !st) {
    stopStarted();
    return fail(kRuntime, st.error().message);
  }

  logger()->info("hub {} serving role={} http={} sql={} bus={}", HUB_VERSION, roleName, server.boundAddress(),
                 sql::redactUrl(config.sql.url), config.bus.url);
  const auto& url = config.http.publicUrl;
  std::printf(
      "hub %s is running (role %s).\n  Open:     %s/\n  Health:   %s/healthz  %s/readyz\n"
      "  Metrics:  %s/metrics\n",
      HUB_VERSION, roleName.c_str(), url.c_str(), url.c_str(), url.c_str(), url.c_str());
  if (config.media.demo && (role.empty() || role == "media"))
    std::printf("  Demo:     %s/watch/demo  (a built-in test channel; HUB_DEMO=0 turns it off)\n",
                url.c_str());
  std::printf("Stop it with Ctrl-C.\n");
  std::fflush(stdout);

  int sig = waitForSignal(signals);
  logger()->info("{} received: draining and stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
  server.stop();
  stopStarted();
  changes.stop();
  workers.shutdown();
  logger()->info("stopped");
  return kOk;
}

}  // namespace hub::app
