// app/challenge_cli.h
//
// `hub challenge rebuild ID`: asks the RUNNING hub (at [http] listen, or --url) to clear and
// rebuild every leaderboard of a walking challenge from SQL, with the [admin] token:
// POST /api/v1/admin/challenges/ID/rebuild. The boards live in the hub (memory) or in Redis,
// so the work is the running hub's, not this process's.
#pragma once

#include "app/cli.h"
#include "core/config/config.h"

namespace hub::app {

int runChallenge(const config::Config& config, const Invocation& inv);

}  // namespace hub::app
