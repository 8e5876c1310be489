// app/stream_cli.h
//
// `hub stream create|list|show|delete|rotate-key`: the admin CLI for streams. It writes the
// database directly (after applying migrations) and bumps the "media.streams" change topic, so
// a running hub sees the change within a second.
#pragma once

#include "app/cli.h"
#include "core/config/config.h"

namespace hub::app {

int runStream(const config::Config& config, const Invocation& inv);

}  // namespace hub::app
