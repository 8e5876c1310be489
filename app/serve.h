// app/serve.h
//
// `hub serve` and `hub migrate`: build the shared parts from the config (SQL, bus, worker pool,
// HTTP server, metrics), apply migrations, start the services of the role, wait for SIGTERM or
// SIGINT, and stop everything in reverse order. Returns the process exit code.
#pragma once

#include <string>

#include <memory>

#include "core/config/config.h"
#include "core/sql/database.h"

namespace hub::metrics {
class Registry;
}

namespace hub::app {

int runServe(const config::Config& config, const std::string& role);
int runMigrate(const config::Config& config);

// The configured database (creating the data dir for SQLite); `metrics` may be null.
Result<std::unique_ptr<sql::Database>> openDatabase(const config::Config& config, metrics::Registry* metrics);

}  // namespace hub::app
