// app/cli.h
//
// The command line: `hub [--config FILE] COMMAND [--section-key VALUE ...]`. Parses argv into an
// Invocation, prints help, and loads the configuration the command runs with. Exit codes: 0 ok,
// 2 usage or config error, 1 runtime failure.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/config/config.h"

namespace hub::app {

enum Exit { kOk = 0, kRuntime = 1, kUsage = 2 };

struct Invocation {
  std::string command;            // serve, migrate, stream, user, org, version, token, help
  std::vector<std::string> args;  // positional arguments after the command
  std::string configFile;         // --config, else HUB_CONFIG, else ./hub.toml if present
  std::string role;               // serve --role media|chat|cms; empty: all
  bool help = false;
  std::vector<std::pair<std::string, std::string>> flags;         // config overrides
  std::vector<std::pair<std::string, std::string>> tokenOptions;  // token --role/--ttl/--id
  bool json = false;                                              // --json (hub stream)
  std::string title;                                              // --title (hub stream create)
  // hub user/org: --admin, --password-stdin (value "1"), --org ID, --display-name NAME
  std::vector<std::pair<std::string, std::string>> cmsOptions;
};

// Parses argv; on a usage error prints it to stderr and returns nullopt-like false.
bool parse(int argc, char** argv, Invocation& out);

void printHelp(const std::string& command);

// Loads the config for an invocation; prints the error and returns false when it is invalid.
bool loadConfig(const Invocation& inv, config::Config& out);

}  // namespace hub::app
