// core/log/log.h
//
// Named loggers, one per module ("media.rtmp", "chat.fanout", "core.http"), all writing to
// stderr as text or JSON lines. Levels are set per module from config; a module without its own
// level uses the default. Never log secrets, keys or tokens.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

namespace hub::log {

enum class Format { Text, Json };

struct Settings {
  std::string level = "info";  // trace, debug, info, warn, error, critical, off
  Format format = Format::Text;
  std::map<std::string, std::string> modules;  // module name (or prefix "media") -> level
};

// Applies to existing loggers and to every logger made later.
void configure(const Settings& settings);

// The logger of one module; made on first use, cheap to call again.
std::shared_ptr<spdlog::logger> get(std::string_view module);

// True when `level` names a spdlog level.
bool validLevel(std::string_view level);

}  // namespace hub::log
