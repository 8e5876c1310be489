// app/cms_cli.h
//
// `hub user create|list`, `hub org import` and `hub member import`: the CMS admin CLI. Like `hub stream`, it
// writes the database directly (after applying migrations), audits what it does as actor "cli", and bumps the
// change topics so a running hub sees the change within a second.
#pragma once

#include "app/cli.h"
#include "core/config/config.h"

namespace hub::app {

int runUser(const config::Config& config, const Invocation& inv);
int runOrg(const config::Config& config, const Invocation& inv);
int runMember(const config::Config& config, const Invocation& inv);

}  // namespace hub::app
