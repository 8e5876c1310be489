#include "core/config/config.h"

#include <fstream>

#include <gtest/gtest.h>

#include "tests/support/fixtures.h"

using namespace hub::config;

namespace {

std::string writeFile(const hub::test::TempDir& dir, const std::string& text) {
  std::string path = dir.path() + "/hub.toml";
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST(Config, DefaultsAreRightForOneMachine) {
  auto c = load({});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->http.listen.str(), "0.0.0.0:8080");
  EXPECT_EQ(c->rtmp.listen.str(), "0.0.0.0:1935");
  EXPECT_EQ(c->data.dir, "./data");
  EXPECT_EQ(c->sql.url, "sqlite://./data/hub.db");
  EXPECT_EQ(c->bus.url, "memory://");
  EXPECT_EQ(c->http.publicUrl, "http://localhost:8080");
  EXPECT_EQ(c->rtmp.publicUrl, "rtmp://localhost:1935/live");
}

TEST(Config, FileThenEnvironmentThenFlagsEachWin) {
  hub::test::TempDir dir;
  auto path = writeFile(dir,
                        "[http]\nlisten = \"127.0.0.1:9000\"\npublic_url = \"https://live.example.org/\"\n"
                        "[data]\ndir = \"/var/lib/hub\"\n[log]\nlevel = \"debug\"\n"
                        "[log.modules]\n\"media.rtmp\" = \"trace\"\n");
  auto c = load({path,
                 {{"HUB_HTTP_LISTEN", "127.0.0.1:9100"}, {"HUB_BUS_URL", "redis://127.0.0.1:6379"}},
                 {{"http-listen", "127.0.0.1:9200"}}});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->http.listen.str(), "127.0.0.1:9200");
  EXPECT_EQ(c->http.publicUrl, "https://live.example.org");
  EXPECT_EQ(c->bus.url, "redis://127.0.0.1:6379");
  EXPECT_EQ(c->sql.url, "sqlite:///var/lib/hub/hub.db");
  EXPECT_EQ(c->log.level, "debug");
  EXPECT_EQ(c->log.modules.at("media.rtmp"), "trace");
}

TEST(Config, UnknownKeyInFileIsNamed) {
  hub::test::TempDir dir;
  auto path = writeFile(dir, "[http]\nlisten = \"127.0.0.1:9000\"\nlistne = \"x\"\n");
  auto c = load({path, {}, {}});
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, "config.unknown_key");
  EXPECT_NE(c.error().message.find("http.listne"), std::string::npos) << c.error().message;
}

TEST(Config, BadValueNamesKeyAndProblem) {
  auto c = load({"", {{"HUB_HTTP_LISTEN", "127.0.0.1:99999"}}, {}});
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("HUB_HTTP_LISTEN"), std::string::npos) << c.error().message;
  EXPECT_NE(c.error().message.find("65535"), std::string::npos) << c.error().message;

  auto bus = load({"", {}, {{"bus-url", "kafka://x"}}});
  ASSERT_FALSE(bus);
  EXPECT_NE(bus.error().message.find("--bus-url"), std::string::npos) << bus.error().message;
  EXPECT_NE(bus.error().message.find("redis://"), std::string::npos);
}

TEST(Config, SyntaxErrorGivesLineAndColumn) {
  hub::test::TempDir dir;
  auto path = writeFile(dir, "[http]\nlisten = \n");
  auto c = load({path, {}, {}});
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, "config.parse");
  EXPECT_NE(c.error().message.find(":2:"), std::string::npos) << c.error().message;
}

TEST(Config, UnknownFlagIsRefused) {
  auto c = load({"", {}, {{"http-lisen", "1"}}});
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("--http-lisen"), std::string::npos);
}

TEST(Config, FlagsAcceptUnderscoreOrDash) {
  auto c = load({"", {}, {{"http-public_url", "http://a.example"}, {"sql-pool-size", "3"}}});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->http.publicUrl, "http://a.example");
  EXPECT_EQ(c->sql.poolSize, 3);
}

TEST(Config, TlsNeedsBothFiles) {
  auto c = load({"", {{"HUB_HTTP_TLS_CERT", "/x.pem"}}, {}});
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("tls_key"), std::string::npos);
}

TEST(HostPort, ParsesIpv4Ipv6AndNames) {
  auto a = parseHostPort("[::1]:8080");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->port, 8080);
  EXPECT_EQ(a->str(), "[::1]:8080");
  EXPECT_TRUE(parseHostPort("localhost:0"));
  EXPECT_FALSE(parseHostPort("8080"));
  EXPECT_FALSE(parseHostPort(":8080"));
  EXPECT_FALSE(parseHostPort("::1:8080"));
  EXPECT_FALSE(parseHostPort("host:port"));
}

TEST(Config, EveryKeyHasEnvAndFlagNames) {
  bool sawListen = false;
  for (const auto& k : keys()) {
    EXPECT_FALSE(k.help.empty()) << k.name;
    if (k.name == "http.listen") {
      sawListen = true;
      EXPECT_EQ(k.env, "HUB_HTTP_LISTEN");
      EXPECT_EQ(k.flag, "--http-listen");
    }
  }
  EXPECT_TRUE(sawListen);
}

TEST(Config, ExampleFileIsValidAndDocumentsEveryKey) {
  std::string path = std::string(HUB_SOURCE_DIR) + "/deploy/hub.example.toml";
  auto c = load({path, {}, {}});
  ASSERT_TRUE(c) << c.error().message;
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const auto& k : keys()) {
    auto key = k.name.substr(k.name.find('.') + 1);
    auto section = "[" + k.name.substr(0, k.name.find('.'));
    EXPECT_NE(text.find(section), std::string::npos) << k.name;
    bool documented =
        text.find(key + " =") != std::string::npos || text.find("[" + k.name + "]") != std::string::npos;
    EXPECT_TRUE(documented) << k.name << " is not documented in " << path;
  }
}

TEST(TranscodeLadder, ParsesRungsHighestFirstAndRoundTrips) {
  auto ladder = parseLadder("360p:700k, 720p:2.5M");
  EXPECT_FALSE(ladder);  // no fractions
  ladder = parseLadder("360p:700k, 720p:2500k,1080p:6M");
  ASSERT_TRUE(ladder) << ladder.error().message;
  ASSERT_EQ(ladder->size(), 3u);
  EXPECT_EQ((*ladder)[0].id, "1080p");
  EXPECT_EQ((*ladder)[0].height, 1080);
  EXPECT_EQ((*ladder)[0].bitrate, 6'000'000);
  EXPECT_EQ((*ladder)[2].id, "360p");
  EXPECT_EQ((*ladder)[2].bitrate, 700'000);
  EXPECT_EQ(formatLadder(*ladder), "1080p:6000k,720p:2500k,360p:700k");
  auto empty = parseLadder("");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST(TranscodeLadder, RefusesBadRungsNamingThem) {
  for (const char* bad : {"720:2500k", "p:100k", "721p:2500k", "720p:", "720p:10k", "720p:1k,720p:2M",
                          "99999p:1M", "720p:abc"}) {
    auto ladder = parseLadder(bad);
    EXPECT_FALSE(ladder) << bad;
    if (!ladder) {
      EXPECT_EQ(ladder.error().code, "config.invalid") << bad;
    }
  }
}

TEST(TranscodeLadder, DefaultsAndOverrides) {
  auto c = load({});
  ASSERT_TRUE(c);
  EXPECT_EQ(formatLadder(c->transcode.ladder), "720p:2500k,480p:1200k,360p:700k");
  EXPECT_EQ(c->transcode.preset, "veryfast");
  c = load({"", {{"HUB_TRANSCODE_LADDER", ""}, {"HUB_TRANSCODE_PRESET", "superfast"}}, {}});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_TRUE(c->transcode.ladder.empty());
  EXPECT_EQ(c->transcode.preset, "superfast");
  c = load({"", {{"HUB_TRANSCODE_PRESET", "placebo"}}, {}});
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("HUB_TRANSCODE_PRESET"), std::string::npos);
}

TEST(Config, RecordAndRestreamKeys) {
  auto c = load({"",
                 {{"HUB_RECORD_ENABLED", "false"}, {"HUB_RECORD_EXPORT_MP4", "no"}},
                 {{"restream-backoff_max_ms", "5000"}, {"record-thumbnail_interval", "30"}}});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_FALSE(c->record.enabled);
  EXPECT_FALSE(c->record.exportMp4);
  EXPECT_EQ(c->record.thumbnailIntervalSeconds, 30);
  EXPECT_EQ(c->restream.backoffMaxMs, 5000);
  EXPECT_EQ(c->restream.connectTimeoutSeconds, 5);
  auto bad = load({"", {{"HUB_RECORD_ENABLED", "maybe"}}, {}});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("HUB_RECORD_ENABLED"), std::string::npos) << bad.error().message;
}

TEST(Config, DemoIsOnUnlessHubDemoIsZero) {
  auto c = load({});
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->media.demo);
  c = load({"", {{"HUB_DEMO", "0"}}, {}});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_FALSE(c->media.demo);
  c = load({"", {{"HUB_DEMO", "0"}, {"HUB_MEDIA_DEMO", "true"}}, {}});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_TRUE(c->media.demo);
  c = load({"", {}, {{"media-demo", "off"}}});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_FALSE(c->media.demo);
  auto bad = load({"", {{"HUB_DEMO", "perhaps"}}, {}});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("HUB_DEMO"), std::string::npos) << bad.error().message;
}

TEST(Config, ChatCoalescingIsAutoByDefaultAndTakesOffOrAFixedWindow) {
  auto c = load({});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->chat.coalesceMs, -1);  // auto
  EXPECT_EQ(c->chat.coalesceMaxMs, 60);
  EXPECT_EQ(c->chat.coalesceMinMembers, 64);

  hub::test::TempDir dir;
  auto path = writeFile(dir, "[chat]\ncoalesce_ms = 0\ncoalesce_max_ms = 40\n");
  auto off = load({path, {}, {}});
  ASSERT_TRUE(off) << off.error().message;
  EXPECT_EQ(off->chat.coalesceMs, 0);
  EXPECT_EQ(off->chat.coalesceMaxMs, 40);
  auto fixed = load({"", {{"HUB_CHAT_COALESCE_MS", "50"}}, {}});
  ASSERT_TRUE(fixed) << fixed.error().message;
  EXPECT_EQ(fixed->chat.coalesceMs, 50);
  auto back = load({path, {}, {{"chat-coalesce-ms", "auto"}}});
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->chat.coalesceMs, -1);

  auto bad = load({"", {}, {{"chat-coalesce-ms", "sometimes"}}});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("--chat-coalesce-ms"), std::string::npos) << bad.error().message;
  EXPECT_NE(bad.error().message.find("auto"), std::string::npos) << bad.error().message;
  EXPECT_FALSE(load({"", {}, {{"chat-coalesce-ms", "-1"}}}));  // "auto" is spelled out
}
