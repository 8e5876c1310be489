// core/config/config_keys.h
//
// Inside core/config: the table of every configuration key (its section, name, help and the
// setter that validates and stores its text) and the small parsers the setters and the loader
// share. The loader (config.cpp) reads files, the environment and flags through it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/config.h"

namespace hub::config::detail {

using Setter = std::function<Status(Config&, std::string_view)>;

struct Key {
  std::string section, key, help;
  Setter set;
  std::string name() const { return section + "." + key; }
};

// Every key, in the order `hub config` lists them.
const std::vector<Key>& table();

Error bad(std::string_view what);  // config.invalid
Result<int64_t> parseInt(std::string_view v, int64_t lo, int64_t hi);
Result<bool> parseBool(std::string_view v);
bool startsWith(std::string_view s, std::string_view p);
std::vector<std::string> splitList(std::string_view v);  // "a, b,,c" -> a b c

}  // namespace hub::config::detail
