// Streams as operators manage them: `hub stream` on the command line (a running hub picks the
// change up), the admin API behind the bearer token, the public list of live streams, the
// "media.streams" bus announcements the chat service listens to, held streams (a rehearsal only
// preview tokens play), and the RTMP port's errors.
#include <chrono>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/auth/token.h"
#include "core/bus/bus.h"
#include "tests/integration/hub_process.h"
#include "tests/integration/media_test_util.h"
#include "tests/support/fixtures.h"
#include "tests/support/test_client.h"

using namespace hub::test;
using nlohmann::json;

namespace {

RunResult cli(HubProcess& hub, std::vector<std::string> args) {
  std::vector<std::string> argv = {HUB_BINARY, "stream"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(), {"--data-dir", hub.dataDir(), "--http-public-url", "https://live.example.org",
                           "--rtmp-public-url", "rtmp://ingest.example.org:1935/live"});
  return run(argv, {"HUB_DEMO=0"});
}

std::optional<RawResponse> request(HubProcess& hub, const std::string& method, const std::string& path,
                                   const std::string& body = "", const std::string& token = kAdminToken) {
  TestClient c("127.0.0.1", hub.httpPort());
  std::string headers = token.empty() ? "" : "Authorization: Bearer " + token + "\r\n";
  if (!body.empty()) headers += "Content-Type: application/json\r\n";
  return c.request(method, path, headers, body);
}

}  // namespace

TEST(MediaStreams, CliCreatesStreamsARunningHubAcceptsAtOnce) {
  HubProcess hub({"--admin-token", kAdminToken});
  ASSERT_TRUE(hub.waitReady());
  auto created = cli(hub, {"create", "gala", "--json", "--title", "年度颁奖晚会"});
  ASSERT_EQ(created.exitCode, 0) << created.output;
  auto j = json::parse(created.output, nullptr, false);
  ASSERT_TRUE(j.is_object()) << created.output;
  EXPECT_EQ(j["name"], "gala");
  std::string key = j["key"];
  EXPECT_EQ(key.size(), 32u);
  EXPECT_EQ(j["publish_url"], "rtmp://ingest.example.org:1935/live/" + key);
  EXPECT_EQ(j["playback_url"], "https://live.example.org/live/gala/master.m3u8");

  // The running hub sees the CLI's write through the change feed.
  auto r = run(ffmpegPublishArgs(hub.rtmpPort(), key, 1), {}, 20000);
  for (int i = 0; i < 20 && r.exitCode != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    r = run(ffmpegPublishArgs(hub.rtmpPort(), key, 1), {}, 20000);
  }
  EXPECT_EQ(r.exitCode, 0) << r.output;

  auto shown = cli(hub, {"show", "gala", "--json"});
  EXPECT_EQ(json::parse(shown.output, nullptr, false).value("title", ""), "年度颁奖晚会") << shown.output;
  auto listed = cli(hub, {"list", "--json"});
  EXPECT_EQ(json::parse(listed.output, nullptr, false).size(), 1u) << listed.output;
  EXPECT_EQ(cli(hub, {"create", "gala"}).exitCode, 1) << "names are unique";
  EXPECT_EQ(cli(hub, {"create", "Bad Name!"}).exitCode, 2);
  EXPECT_EQ(cli(hub, {"show", "nope"}).exitCode, 1);

  auto rotated = cli(hub, {"rotate-key", "gala", "--json"});
  ASSERT_EQ(rotated.exitCode, 0) << rotated.output;
  std::string newKey = json::parse(rotated.output, nullptr, false).value("key", "");
  EXPECT_NE(newKey, key);
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));  // two change-feed polls
  EXPECT_NE(run(ffmpegPublishArgs(hub.rtmpPort(), key, 1), {}, 20000).exitCode, 0)
      << "the old key is refused";
  EXPECT_EQ(run(ffmpegPublishArgs(hub.rtmpPort(), newKey, 1), {}, 20000).exitCode, 0);

  EXPECT_EQ(cli(hub, {"delete", "gala"}).exitCode, 0);
  EXPECT_EQ(cli(hub, {"list", "--json"}).output, "[]\n");
  EXPECT_EQ(hub.log().find(newKey), std::string::npos) << "keys are never logged";
}

TEST(MediaStreams, AdminApiNeedsTheTokenAndManagesStreams) {
  HubProcess hub({"--admin-token", kAdminToken});
  ASSERT_TRUE(hub.waitReady());
  EXPECT_EQ(request(hub, "GET", "/api/v1/streams", "", "")->status, 401);
  EXPECT_EQ(request(hub, "GET", "/api/v1/streams", "", "wrong-token")->status, 401);

  auto created = request(hub, "POST", "/api/v1/streams", R"({"name":"gala","title":"Gala"})");
  ASSERT_EQ(created->status, 201) << created->body;
  EXPECT_EQ(request(hub, "POST", "/api/v1/streams", R"({"name":"gala"})")->status, 409);
  EXPECT_EQ(request(hub, "POST", "/api/v1/streams", R"({"name":"../x"})")->status, 400);
  EXPECT_EQ(request(hub, "POST", "/api/v1/streams", R"({"name":)")->status, 400);

  auto ladder =
      request(hub, "PUT", "/api/v1/streams/gala/ladder",
              R"({"passthrough_only":false,"ladder":[{"name":"480p","height":480,"bitrate":1200000}]})");
  ASSERT_EQ(ladder->status, 200) << ladder->body;
  EXPECT_EQ(json::parse(ladder->body)["ladder"][0]["height"], 480);
  EXPECT_EQ(
      request(hub, "PUT", "/api/v1/streams/gala/ladder", R"({"ladder":[{"height":10,"bitrate":1}]})")->status,
      400);
  auto targets = request(hub, "PUT", "/api/v1/streams/gala/restream",
                         R"({"targets":["rtmp://push.example.org/live/abc"]})");
  ASSERT_EQ(targets->status, 200) << targets->body;
  EXPECT_EQ(json::parse(targets->body)["restream_targets"].size(), 1u);
  EXPECT_EQ(request(hub, "PUT", "/api/v1/streams/gala/restream", R"({"targets":["http://x"]})")->status, 400);

  std::string key = json::parse(created->body)["key"];
  auto rotated = request(hub, "POST", "/api/v1/streams/gala/rotate-key");
  ASSERT_EQ(rotated->status, 200);
  EXPECT_NE(json::parse(rotated->body)["key"], key);

  auto list = request(hub, "GET", "/api/v1/streams");
  EXPECT_EQ(json::parse(list->body)["streams"].size(), 1u);
  EXPECT_EQ(request(hub, "DELETE", "/api/v1/streams/gala")->status, 204);
  EXPECT_EQ(request(hub, "GET", "/api/v1/streams/gala")->status, 404);
  EXPECT_EQ(request(hub, "DELETE", "/api/v1/streams/gala")->status, 404);
}

TEST(MediaStreams, AdminApiIsClosedWithoutAConfiguredToken) {
  HubProcess hub;
  ASSERT_TRUE(hub.waitReady());
  EXPECT_EQ(request(hub, "GET", "/api/v1/streams", "", "anything")->status, 403);
}

TEST(MediaStreams, PublicListShowsLiveStreamsWithTitleAndThumbnail) {
  HubProcess hub({"--admin-token", kAdminToken});
  ASSERT_TRUE(hub.waitReady());
  auto key = createStream(hub, "gala", "Gala night");
  ASSERT_FALSE(createStream(hub, "idle").empty());
  Process publisher(ffmpegPublishArgs(hub.rtmpPort(), key, 5), "/dev/null");
  json list;
  ASSERT_TRUE(waitFor(
      [&] {
        auto r = request(hub, "GET", "/api/v1/public/streams", "", "");
        list = r ? json::parse(r->body, nullptr, false) : json();
        return list.is_object() && list["streams"].size() == 1;
      },
      8000))
      << list.dump();
  EXPECT_EQ(list["streams"][0]["name"], "gala");
  EXPECT_EQ(list["streams"][0]["title"], "Gala night");
  EXPECT_NE(list["streams"][0]["thumbnail_url"].get<std::string>().find("/live/gala/thumb.jpg"),
            std::string::npos);
  EXPECT_TRUE(list["streams"][0].contains("viewers"));
  EXPECT_EQ(list.dump().find(key), std::string::npos) << "the public list never shows keys";
}

TEST(MediaStreams, AHeldStreamPlaysOnlyForPreviewTokensUntilReleased) {
  const std::string secret = "media-test-secret-0123456789";
  HubProcess hub({"--admin-token", kAdminToken, "--auth-secret", secret});
  ASSERT_TRUE(hub.waitReady());
  auto key = createStream(hub, "gala", "Gala night");
  EXPECT_EQ(request(hub, "PUT", "/api/v1/streams/gala/held", R"({"held":"yes"})")->status, 400);
  EXPECT_EQ(request(hub, "PUT", "/api/v1/streams/nowhere/held", R"({"held":true})")->status, 404);
  auto held = request(hub, "PUT", "/api/v1/streams/gala/held", R"({"held":true})");
  ASSERT_EQ(held->status, 200) << held->body;
  EXPECT_EQ(json::parse(held->body)["held"], true);

  auto token = [&](hub::auth::Role role, const std::string& room) {
    hub::auth::TokenClaims c;
    c.userId = 7;
    c.name = "host";
    c.role = role;
    c.room = room;
    c.expires = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch() + std::chrono::hours(1))
                    .count();
    return hub::auth::signToken(c, secret);
  };
  const std::string preview = token(hub::auth::Role::Moderator, "gala");
  auto master = [&](const std::string& headers, const std::string& query = "") {
    TestClient c("127.0.0.1", hub.httpPort());
    return c.request("GET", "/live/gala/master.m3u8" + query, headers, "");
  };
  Process publisher(ffmpegPublishArgs(hub.rtmpPort(), key, 8), "/dev/null");
  ASSERT_TRUE(waitFor(
      [&] {
        auto r = master("X-Hub-Preview: " + preview + "\r\n");
        return r && r->status == 200;
      },
      8000))
      << "the control room's preview plays the rehearsal";
  auto viewer = master("");
  ASSERT_TRUE(viewer);
  EXPECT_EQ(viewer->status, 403);
  EXPECT_NE(viewer->body.find("stream.held"), std::string::npos) << viewer->body;
  EXPECT_EQ(master("X-Hub-Preview: " + token(hub::auth::Role::Moderator, "other") + "\r\n")->status, 403)
      << "a moderator of another room";
  EXPECT_EQ(master("X-Hub-Preview: " + token(hub::auth::Role::User, "gala") + "\r\n")->status, 403)
      << "a viewer's own token";
  EXPECT_EQ(master("X-Hub-Preview: not-a-token\r\n")->status, 403);
  EXPECT_EQ(master("", "?preview=" + preview)->status, 200);
  EXPECT_EQ(request(hub, "GET", "/live/gala/thumb.jpg", "", "")->status, 403);
  auto list = json::parse(request(hub, "GET", "/api/v1/public/streams", "", "")->body);
  EXPECT_TRUE(list["streams"].empty()) << "a held stream is not listed as live: " << list.dump();

  ASSERT_EQ(request(hub, "PUT", "/api/v1/streams/gala/held", R"({"held":false})")->status, 200);
  EXPECT_EQ(master("")->status, 200) << "released: everyone may watch";
  list = json::parse(request(hub, "GET", "/api/v1/public/streams", "", "")->body);
  ASSERT_EQ(list["streams"].size(), 1u) << list.dump();
  EXPECT_EQ(list["streams"][0]["name"], "gala");
}

TEST(MediaStreams, CreatedAndDeletedAreAnnouncedOnTheBus) {
  const std::string secret = "test-secret-0123456789abcdef";
  // --role media: the announcements are media's, and chat's Redis engine is not on main yet.
  HubProcess hub({"--role", "media", "--admin-token", kAdminToken, "--bus-url", redisUrl()},
                 {"HUB_AUTH_SECRET=" + secret});
  ASSERT_TRUE(hub.waitReady());
  auto bus = hub::bus::open(redisUrl());
  ASSERT_TRUE(bus) << bus.error().message;
  std::mutex mu;
  std::vector<json> events;
  auto sub = (*bus)->subscribe("media.streams", [&](std::string_view, std::string_view payload) {
    std::lock_guard lock(mu);
    events.push_back(json::parse(payload, nullptr, false));
  });
  ASSERT_TRUE(waitFor([&] { return sub.confirmed(); }, 5000));
  ASSERT_FALSE(createStream(hub, "gala").empty());
  EXPECT_EQ(request(hub, "DELETE", "/api/v1/streams/gala")->status, 204);
  ASSERT_TRUE(waitFor(
      [&] {
        std::lock_guard lock(mu);
        return events.size() >= 2;
      },
      5000));
  std::lock_guard lock(mu);
  EXPECT_EQ(events[0], (json{{"event", "created"}, {"name", "gala"}}));
  EXPECT_EQ(events[1], (json{{"event", "deleted"}, {"name", "gala"}}));
}

TEST(MediaStreams, TwoMediaNodesAnnounceEachChangeOnce) {
  // Two `--role media` nodes on one database and one Redis: each sees every change (its own
  // API's, the other's, the CLI's) but only one of them announces it.
  const std::string secret = "test-secret-0123456789abcdef";
  TempDir shared;
  const std::string sqlUrl = "sqlite://" + shared.path() + "/hub.db";
  auto node = [&] {
    return std::make_unique<HubProcess>(
        std::vector<std::string>{"--role", "media", "--admin-token", kAdminToken, "--bus-url", redisUrl(),
                                 "--sql-url", sqlUrl},
        std::vector<std::string>{"HUB_AUTH_SECRET=" + secret});
  };
  auto a = node();
  ASSERT_TRUE(a->waitReady()) << a->log();
  auto b = node();  // after a: one process applies the migrations
  ASSERT_TRUE(b->waitReady()) << b->log();
  auto bus = hub::bus::open(redisUrl());
  ASSERT_TRUE(bus) << bus.error().message;
  std::mutex mu;
  std::vector<json> events;
  auto sub = (*bus)->subscribe("media.streams", [&](std::string_view, std::string_view payload) {
    auto j = json::parse(payload, nullptr, false);
    if (j.value("name", "").rfind("twin", 0) != 0) return;  // another test's streams
    std::lock_guard lock(mu);
    events.push_back(j);
  });
  ASSERT_TRUE(waitFor([&] { return sub.confirmed(); }, 5000));

  ASSERT_FALSE(createStream(*a, "twin-a").empty());
  ASSERT_FALSE(createStream(*b, "twin-b").empty());
  auto made =
      run({HUB_BINARY, "stream", "create", "twin-cli", "--sql-url", sqlUrl, "--data-dir", shared.path()},
          {"HUB_DEMO=0"});
  ASSERT_EQ(made.exitCode, 0) << made.output;
  // Both nodes know all three (the CLI's through the change feed) before the deletes.
  for (auto* n : {a.get(), b.get()})
    ASSERT_TRUE(waitFor([&] { return request(*n, "GET", "/api/v1/streams/twin-cli")->status == 200; }, 5000));
  EXPECT_EQ(request(*b, "DELETE", "/api/v1/streams/twin-a")->status, 204);
  EXPECT_EQ(request(*a, "DELETE", "/api/v1/streams/twin-cli")->status, 204);
  ASSERT_TRUE(waitFor(
      [&] {
        std::lock_guard lock(mu);
        return events.size() >= 5;
      },
      5000));
  // Both nodes have polled the change feed several times (every 250 ms) since: no echo follows.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  std::lock_guard lock(mu);
  std::multiset<std::string> seen;
  for (const auto& e : events) seen.insert(e.value("event", "") + " " + e.value("name", ""));
  EXPECT_EQ(seen, (std::multiset<std::string>{"created twin-a", "created twin-b", "created twin-cli",
                                              "deleted twin-a", "deleted twin-cli"}))
      << json(events).dump();
}

TEST(MediaStreams, RtmpPortInUseExitsOneNamingTheAddress) {
  SilentListener taken;
  TempDir dir;
  std::string listen = "127.0.0.1:" + std::to_string(taken.port());
  auto r = run({HUB_BINARY, "serve", "--http-listen", "127.0.0.1:0", "--rtmp-listen", listen, "--data-dir",
                dir.path()},
               {"HUB_DEMO=0"});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.output.find(listen), std::string::npos) << r.output;
}
