#include "core/log/log.h"

#include <unistd.h>

#include <cstdio>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/fixtures.h"

namespace {

// Runs fn with stderr redirected to a file and returns what it wrote.
template <class Fn>
std::string captureStderr(Fn fn) {
  hub::test::TempDir dir;
  std::string path = dir.path() + "/stderr";
  std::fflush(stderr);
  int saved = ::dup(2);
  FILE* f = std::fopen(path.c_str(), "w");
  ::dup2(fileno(f), 2);
  fn();
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  std::fclose(f);
  return hub::test::readFile(path);
}

}  // namespace

TEST(Log, JsonLinesCarryTimeLevelLoggerAndEscapedMessage) {
  hub::log::configure({"info", hub::log::Format::Json, {}});
  auto out = captureStderr([] {
    auto log = hub::log::get("test.json");
    log->info("[conn={}] said \"你好\"\nbye", 17);
    log->flush();
  });
  hub::log::configure({});
  auto line = nlohmann::json::parse(out.substr(0, out.find('\n')));
  EXPECT_EQ(line["level"], "info");
  EXPECT_EQ(line["logger"], "test.json");
  EXPECT_EQ(line["msg"], "[conn=17] said \"你好\"\nbye");
  EXPECT_EQ(line["ts"].get<std::string>().back(), 'Z');
}

TEST(Log, ModuleLevelsUseTheLongestPrefix) {
  hub::log::configure({"warn", hub::log::Format::Text, {{"media", "error"}, {"media.rtmp", "debug"}}});
  EXPECT_TRUE(hub::log::get("media.rtmp")->should_log(spdlog::level::debug));
  EXPECT_TRUE(hub::log::get("media.rtmp.chunk")->should_log(spdlog::level::debug));
  EXPECT_FALSE(hub::log::get("media.hls")->should_log(spdlog::level::warn));
  EXPECT_TRUE(hub::log::get("media.hls")->should_log(spdlog::level::err));
  EXPECT_FALSE(hub::log::get("mediaserver")->should_log(spdlog::level::info));
  EXPECT_TRUE(hub::log::get("chat")->should_log(spdlog::level::warn));
  hub::log::configure({});
}

TEST(Log, TextLinesNameTheModule) {
  hub::log::configure({"info", hub::log::Format::Text, {}});
  auto out = captureStderr([] {
    auto log = hub::log::get("test.text");
    log->warn("stream={} closing", "gala");
    log->flush();
  });
  EXPECT_NE(out.find(" W test.text: stream=gala closing"), std::string::npos) << out;
}
