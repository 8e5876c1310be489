#include "core/log/log.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <nlohmann/json.hpp>

namespace hub::log {
namespace {

std::string utcStamp(std::chrono::system_clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

// One JSON object per line: {"ts":"...Z","level":"info","logger":"media.rtmp","msg":"..."}.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    nlohmann::json j = {{"ts", utcStamp(msg.time)},
                        {"level", std::string(spdlog::level::to_string_view(msg.level).data(),
                                              spdlog::level::to_string_view(msg.level).size())},
                        {"logger", std::string(msg.logger_name.data(), msg.logger_name.size())},
                        {"msg", std::string(msg.payload.data(), msg.payload.size())}};
    auto s = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    dest.append(s.data(), s.data() + s.size());
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }
};

struct State {
  std::mutex mu;
  Settings settings;
  spdlog::sink_ptr sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  std::map<std::string, std::shared_ptr<spdlog::logger>, std::less<>> loggers;
};

State& state() {
  static State s;
  return s;
}

spdlog::level::level_enum levelFor(const Settings& s, std::string_view module) {
  // The longest configured prefix wins: "media.rtmp" before "media" before the default.
  std::string_view best;
  const std::string* level = &s.level;
  for (const auto& [name, lvl] : s.modules) {
    bool matches = module == name || (module.size() > name.size() && module.substr(0, name.size()) == name &&
                                      module[name.size()] == '.');
    if (matches && name.size() >= best.size()) {
      best = name;
      level = &lvl;
    }
  }
  return spdlog::level::from_str(*level);
}

void applyFormat(const Settings& s, spdlog::sink_ptr& sink) {
  if (s.format == Format::Json) {
    sink->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    sink->set_formatter(std::make_unique<spdlog::pattern_formatter>("%Y-%m-%dT%H:%M:%S.%eZ %L %n: %v",
                                                                    spdlog::pattern_time_type::utc));
  }
}

}  // namespace

bool validLevel(std::string_view level) {
  static const char* names[] = {"trace", "debug", "info",     "warn", "warning",
                                "error", "err",   "critical", "off"};
  for (const char* n : names)
    if (level == n) return true;
  return false;
}

void configure(const Settings& settings) {
  auto& st = state();
  std::lock_guard lock(st.mu);
  st.settings = settings;
  applyFormat(st.settings, st.sink);
  for (auto& [name, logger] : st.loggers) logger->set_level(levelFor(st.settings, name));
}

std::shared_ptr<spdlog::logger> get(std::string_view module) {
  auto& st = state();
  std::lock_guard lock(st.mu);
  if (auto it = st.loggers.find(module); it != st.loggers.end()) return it->second;
  if (st.loggers.empty()) applyFormat(st.settings, st.sink);
  auto logger = std::make_shared<spdlog::logger>(std::string(module), st.sink);
  logger->set_level(levelFor(st.settings, module));
  logger->flush_on(spdlog::level::warn);
  st.loggers.emplace(std::string(module), logger);
  return logger;
}

}  // namespace hub::log
