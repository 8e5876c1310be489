// The viewers' web app as the hub serves it: index.html for the app's pages (/, /watch/<name>,
// /replay/<id>, /challenge/<id>), hashed assets with an immutable cache, API and health routes still answered
// by their handlers, index.html re-read after a rebuild, and a web_root without index.html refused at
// start-up (exit 2).
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "tests/integration/hub_process.h"
#include "tests/support/fixtures.h"
#include "tests/support/test_client.h"

using hub::test::HubProcess;
using hub::test::run;
using hub::test::TestClient;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

void write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

}  // namespace

TEST(WebApp, ServesPagesAssetsAndKeepsRoutes) {
  hub::test::TempDir web;
  std::filesystem::create_directories(web.path() + "/assets");
  const std::string index = "<!doctype html><title>player</title><div id=app></div>";
  write(web.path() + "/index.html", index);
  write(web.path() + "/assets/index-abc123.js", "console.log('hub')");
  write(web.path() + "/favicon.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>");

  HubProcess hub({"--http-web-root", web.path()});
  ASSERT_TRUE(hub.waitReady()) << hub.log();
  TestClient c("127.0.0.1", hub.httpPort());

  for (const char* page : {"/", "/watch/gala", "/watch/%E6%99%9A%E4%BC%9A", "/replay/42", "/challenge/7"}) {
    auto r = c.request("GET", page);
    ASSERT_TRUE(r) << page;
    EXPECT_EQ(r->status, 200) << page;
    EXPECT_EQ(r->body, index) << page;
    EXPECT_TRUE(contains(r->header("content-type"), "text/html")) << page;
    EXPECT_EQ(r->header("cache-control"), "no-cache") << page;
  }
  auto js = c.request("GET", "/assets/index-abc123.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_EQ(js->body, "console.log('hub')");
  EXPECT_TRUE(contains(js->header("content-type"), "javascript"));
  EXPECT_TRUE(contains(js->header("cache-control"), "immutable"));
  auto icon = c.request("GET", "/favicon.svg");
  ASSERT_TRUE(icon);
  EXPECT_EQ(icon->status, 200);
  EXPECT_EQ(icon->header("cache-control"), "no-cache");

  auto missing = c.request("GET", "/assets/gone.js");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  auto health = c.request("GET", "/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_TRUE(contains(health->body, "\"status\":\"ok\""));
  // The status page is replaced by the app.
  EXPECT_FALSE(contains(c.request("GET", "/")->body, "/metrics"));
  // A rebuild while the hub runs: the pages serve the new index.html at once.
  const std::string rebuilt = "<!doctype html><title>player v2</title><div id=app></div>";
  write(web.path() + "/index.html", rebuilt);
  auto fresh = c.request("GET", "/watch/gala");
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->body, rebuilt);
  EXPECT_TRUE(contains(hub.log(), "serving the web app from")) << hub.log();
  EXPECT_EQ(hub.terminate(), 0) << hub.log();
}

TEST(WebApp, WebRootWithoutIndexIsAConfigError) {
  hub::test::TempDir empty;
  hub::test::TempDir data;
  auto r = run({HUB_BINARY, "serve", "--http-listen", "127.0.0.1:0", "--rtmp-listen", "127.0.0.1:0",
                "--data-dir", data.path(), "--http-web-root", empty.path()},
               {"HUB_DEMO=0"});
  EXPECT_EQ(r.exitCode, 2) << r.output;
  EXPECT_TRUE(contains(r.output, "http.web_root")) << r.output;
}
