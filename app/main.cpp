// app/main.cpp: parse the command line, load config, build the services it names, run.
// Everything a test needs lives in the libraries; tests run this binary as a user would.
#include <cstdio>

#include "app/challenge_cli.h"
#include "app/cli.h"
#include "app/cms_cli.h"
#include "app/serve.h"
#include "app/stream_cli.h"
#include "app/token_command.h"
#include "core/log/log.h"

int main(int argc, char** argv) {
  using namespace hub::app;
  Invocation inv;
  if (!parse(argc, argv, inv)) return kUsage;
  if (inv.help) {
    printHelp(inv.command);
    return kOk;
  }
  if (inv.command == "version") {
    std::printf("hub %s\n", HUB_VERSION);
    return kOk;
  }
  hub::config::Config config;
  if (!loadConfig(inv, config)) return kUsage;
  // `hub stream` prints results for people and scripts (--json); info lines would only be noise.
  if ((inv.command == "stream" || inv.command == "user" || inv.command == "org" ||
       inv.command == "challenge") &&
      config.log.level == "info")
    config.log.level = "warn";
  hub::log::configure({config.log.level,
                       config.log.format == "json" ? hub::log::Format::Json : hub::log::Format::Text,
                       config.log.modules});
  if (inv.command == "migrate") return runMigrate(config);
  if (inv.command == "token") return runToken(config, inv);
  if (inv.command == "stream") return runStream(config, inv);
  if (inv.command == "user") return runUser(config, inv);
  if (inv.command == "org") return runOrg(config, inv);
  if (inv.command == "member") return runMember(config, inv);
  if (inv.command == "challenge") return runChallenge(config, inv);
  return runServe(config, inv.role);
}
