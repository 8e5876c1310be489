// app/services.h
//
// Which services run for a role: every one for `hub serve`, one for `--role`. Each service
// folder (media/, chat/, cms/) contributes a factory here when its issue lands.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/service/service.h"
#include "core/sql/migration.h"

namespace hub::app {

std::vector<std::unique_ptr<service::Service>> servicesFor(const std::string& role);

// Core's migrations, then those of every service (`hub migrate` applies all of them, so one
// database serves every role).
std::vector<sql::Migration> allMigrations();

}  // namespace hub::app
