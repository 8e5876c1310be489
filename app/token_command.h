// app/token_command.h
//
// `hub token guest` and `hub token user NAME [--role ROLE] [--id N] [--ttl SECONDS] [--room ROOM]`:
// prints one chat token on stdout, signed with the same secret `hub serve` uses on this machine;
// with --room, a token bound to that room (its role holds there only).
#pragma once

#include "app/cli.h"
#include "core/config/config.h"

namespace hub::app {

int runToken(const config::Config& config, const Invocation& inv);

}  // namespace hub::app
