// `hub serve` in the many-machines shape: MySQL/MariaDB and Redis from this run's fixtures,
// one role per process, and Redis going away and coming back while the hub serves.
#include <chrono>
#include <functional>
#include <thread>

#include <gtest/gtest.h>

#include "tests/integration/hub_process.h"
#include "tests/support/fixtures.h"
#include "tests/support/test_client.h"

using hub::test::HubProcess;
using hub::test::run;
using hub::test::TestClient;

namespace {

const std::string kSecret = "integration-test-secret-0123456789";

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A database of its own on this run's MariaDB, so tests never share tables.
std::string freshMysqlUrl(const std::string& name) {
  // The fixture's URL is mysql://USER:PASS@HOST:PORT/DB.
  std::string url = hub::test::mariadbUrl();
  auto colon1 = url.find(':', 8), at = url.find('@'), colon2 = url.find(':', at), slash = url.find('/', at);
  if (url.rfind("mysql://", 0) != 0 || colon1 > at || at == std::string::npos ||
      colon2 == std::string::npos || slash == std::string::npos) {
    ADD_FAILURE() << "unexpected fixture url " << url;
    return url;
  }
  std::string user = url.substr(8, colon1 - 8), pass = url.substr(colon1 + 1, at - colon1 - 1);
  std::string host = url.substr(at + 1, colon2 - at - 1), port = url.substr(colon2 + 1, slash - colon2 - 1);
  auto r = run({"mariadb", "--no-defaults", "-h", host, "-P", port, "-u", user, "-p" + pass, "-e",
                "DROP DATABASE IF EXISTS " + name + "; CREATE DATABASE " + name + " CHARACTER SET utf8mb4"});
  EXPECT_EQ(r.exitCode, 0) << r.output;
  return url.substr(0, slash + 1) + name;
}

int status(int port, const std::string& path, std::string* body = nullptr) {
  TestClient c("127.0.0.1", port);
  auto r = c.request("GET", path);
  if (!r) return 0;
  if (body) *body = r->body;
  return r->status;
}

bool eventually(const std::function<bool()>& check, int timeoutMs) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
  while (std::chrono::steady_clock::now() < deadline) {
    if (check()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return check();
}

}  // namespace

TEST(ServeProduction, MariadbAndRedisAreReady) {
  auto sqlUrl = freshMysqlUrl("hub_serve_ready");
  HubProcess hub({"--sql-url", sqlUrl, "--bus-url", hub::test::redisUrl()}, {"HUB_AUTH_SECRET=" + kSecret});
  ASSERT_TRUE(hub.waitReady()) << hub.log();
  std::string body;
  EXPECT_TRUE(eventually([&] { return status(hub.httpPort(), "/readyz", &body) == 200; }, 10000)) << body;
  EXPECT_TRUE(contains(body, "\"bus\":\"ok\""));
  std::string metrics;
  EXPECT_EQ(status(hub.httpPort(), "/metrics", &metrics), 200);
  EXPECT_TRUE(contains(metrics, "hub_bus_up{engine=\"redis\"} 1")) << metrics;
  EXPECT_EQ(hub.terminate(), 0) << hub.log();
  EXPECT_FALSE(contains(hub.log(), "hubtest")) << "the SQL password reached the log";
}

TEST(ServeProduction, MigrateOnMariadbIsIdempotent) {
  auto sqlUrl = freshMysqlUrl("hub_migrate_twice");
  auto first = run({HUB_BINARY, "migrate", "--sql-url", sqlUrl});
  EXPECT_EQ(first.exitCode, 0) << first.output;
  EXPECT_TRUE(contains(first.output, "core")) << first.output;
  auto again = run({HUB_BINARY, "migrate", "--sql-url", sqlUrl});
  EXPECT_EQ(again.exitCode, 0) << again.output;
  EXPECT_FALSE(contains(first.output + again.output, "hubtest"));
}

TEST(ServeProduction, EachRoleRunsAsItsOwnProcess) {
  auto sqlUrl = freshMysqlUrl("hub_roles");
  ASSERT_EQ(run({HUB_BINARY, "migrate", "--sql-url", sqlUrl}).exitCode, 0);
  for (std::string role : {"media", "chat", "cms"}) {
    HubProcess hub({"--role", role, "--sql-url", sqlUrl, "--bus-url", hub::test::redisUrl()},
                   {"HUB_AUTH_SECRET=" + kSecret});
    ASSERT_TRUE(hub.waitReady()) << role << "\n" << hub.log();
    std::string body;
    EXPECT_EQ(status(hub.httpPort(), "/healthz", &body), 200);
    EXPECT_TRUE(contains(body, "\"role\":\"" + role + "\"")) << body;
    EXPECT_EQ(hub.terminate(), 0) << hub.log();
  }
}

TEST(ServeProduction, RedisDownKeepsServingAndReportsNotReadyUntilItIsBack) {
  hub::test::RedisServer redis;
  redis.stop();
  HubProcess hub({"--bus-url", redis.url()}, {"HUB_AUTH_SECRET=" + kSecret});
  ASSERT_TRUE(hub.waitReady()) << hub.log();
  std::string body;
  EXPECT_EQ(status(hub.httpPort(), "/readyz", &body), 503);
  EXPECT_TRUE(contains(body, "bus")) << body;
  EXPECT_EQ(status(hub.httpPort(), "/healthz"), 200);

  redis.start();
  EXPECT_TRUE(eventually([&] { return status(hub.httpPort(), "/readyz", &body) == 200; }, 15000)) << body;

  redis.stop();
  EXPECT_TRUE(eventually([&] { return status(hub.httpPort(), "/readyz") == 503; }, 15000));
  EXPECT_TRUE(hub.running());
  EXPECT_EQ(hub.terminate(), 0) << hub.log();
}
