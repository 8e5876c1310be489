// app/serve.h
//
// `hub serve` and `hub migrate`: build the shared parts from the config (SQL, bus, worker pool,
// HTTP server, metrics), apply migrations, start the services of the role, wait for SIGTERM or
// SIGINT, and stop everything in reverse order. Returns the process exit code.
#pragma once

#include <string>

#include "core/config/config.h"

namespace hub::app {

int runServe(const config::Config& config, const std::string& role);
int runMigrate(const config::Config& config);

}  // namespace hub::app
