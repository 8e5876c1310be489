// core/http/tests/static_files_test.cpp
//
// Static mounts through a real server: MIME, validators, ranges, pre-compressed variants,
// directory index and every way of climbing out of the mount.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/http/server.h"
#include "tests/support/fixtures.h"
#include "tests/support/test_client.h"

namespace hub::http {
namespace {

namespace fs = std::filesystem;
using hub::test::TestClient;

void writeFile(const fs::path& p, const std::string& content) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << content;
}

class StaticTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(dir_.path()) / "www";
    writeFile(root_ / "index.html", "<h1>home</h1>");
    writeFile(root_ / "app.js", "console.log(1)");
    writeFile(root_ / "app.js.gz", "GZIPPED");
    writeFile(root_ / "app.js.br", "BROTLI");
    writeFile(root_ / "live/index.m3u8", "#EXTM3U\n");
    writeFile(root_ / "docs/index.html", "docs");
    std::string big(3 * 1024 * 1024, 'x');
    for (std::size_t i = 0; i < big.size(); i += 4096) big[i] = 'y';
    writeFile(root_ / "big.mp4", big);
    big_ = big;
    writeFile(fs::path(dir_.path()) / "secret.txt", "top secret");
    fs::create_symlink(fs::path(dir_.path()) / "secret.txt", root_ / "escape.txt");
    ServerOptions o;
    o.port = 0;
    o.threads = 1;
    server_ = std::make_unique<Server>(o, registry_);
    StaticOptions so;
    so.cors = CorsOptions{{"*"}};
    ASSERT_TRUE(server_->mountStatic("/static", root_.string(), so));
    StaticOptions app;
    app.pageFallback = "index.html";
    ASSERT_TRUE(server_->mountStatic("/app", root_.string(), app));
    ASSERT_TRUE(server_->start());
  }

  hub::test::TempDir dir_;
  fs::path root_;
  std::string big_;
  metrics::Registry registry_;
  std::unique_ptr<Server> server_;
};

TEST_F(StaticTest, ServesWithMimeAndValidators) {
  TestClient c("127.0.0.1", server_->port());
  auto r = c.request("GET", "/static/live/index.m3u8");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("content-type"), "application/vnd.apple.mpegurl");
  EXPECT_EQ(r->body, "#EXTM3U\n");
  EXPECT_FALSE(r->header("etag").empty());
  EXPECT_FALSE(r->header("last-modified").empty());
  auto again = c.request("GET", "/static/live/index.m3u8", "If-None-Match: " + r->header("etag") + "\r\n");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  EXPECT_TRUE(again->body.empty());
  auto ims = c.request("GET", "/static/live/index.m3u8",
                       "If-Modified-Since: " + r->header("last-modified") + "\r\n");
  ASSERT_TRUE(ims);
  EXPECT_EQ(ims->status, 304);
  auto head = c.request("HEAD", "/static/live/index.m3u8");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->header("content-length"), "8");
}

TEST_F(StaticTest, RangeGives206AndBadRange416) {
  TestClient c("127.0.0.1", server_->port());
  auto r = c.request("GET", "/static/big.mp4", "Range: bytes=4090-4100\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 206);
  EXPECT_EQ(r->header("content-range"), "bytes 4090-4100/" + std::to_string(big_.size()));
  EXPECT_EQ(r->body, big_.substr(4090, 11));
  auto bad = c.request("GET", "/static/big.mp4", "Range: bytes=999999999-\r\n");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 416);
  EXPECT_EQ(bad->header("content-range"), "bytes */" + std::to_string(big_.size()));
  auto whole = c.request("GET", "/static/big.mp4");  // streamed from disk in pieces
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->status, 200);
  EXPECT_EQ(whole->body, big_);
  EXPECT_EQ(whole->header("content-type"), "video/mp4");
}

TEST_F(StaticTest, PrecompressedOnlyWhenAccepted) {
  TestClient c("127.0.0.1", server_->port());
  auto plain = c.request("GET", "/static/app.js");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->body, "console.log(1)");
  EXPECT_EQ(plain->header("content-encoding"), "");
  EXPECT_EQ(plain->header("vary"), "accept-encoding");
  auto gz = c.request("GET", "/static/app.js", "Accept-Encoding: gzip\r\n");
  ASSERT_TRUE(gz);
  EXPECT_EQ(gz->body, "GZIPPED");
  EXPECT_EQ(gz->header("content-encoding"), "gzip");
  EXPECT_EQ(gz->header("content-type"), "text/javascript; charset=utf-8");
  auto br = c.request("GET", "/static/app.js", "Accept-Encoding: gzip, br\r\n");
  ASSERT_TRUE(br);
  EXPECT_EQ(br->body, "BROTLI");
  EXPECT_EQ(br->header("content-encoding"), "br");
  EXPECT_NE(br->header("etag"), plain->header("etag"));
}

TEST_F(StaticTest, DirectoryIndexAndRedirect) {
  TestClient c("127.0.0.1", server_->port());
  auto r = c.request("GET", "/static/docs/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "docs");
  EXPECT_EQ(r->header("content-type"), "text/html; charset=utf-8");
  auto redirect = c.request("GET", "/static/docs");
  ASSERT_TRUE(redirect);
  EXPECT_EQ(redirect->status, 301);
  EXPECT_EQ(redirect->header("location"), "/static/docs/");
  auto root = c.request("GET", "/static/");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->body, "<h1>home</h1>");
}

TEST_F(StaticTest, TraversalRefused) {
  for (std::string path : {"/static/../secret.txt", "/static/%2e%2e/secret.txt",
                           "/static/%2E%2E%2Fsecret.txt", "/static/..%2fsecret.txt", "/static/escape.txt",
                           "/static/docs/../../secret.txt", "/static/.%2e/secret.txt"}) {
    TestClient c("127.0.0.1", server_->port());
    auto r = c.request("GET", path);
    if (!r) continue;  // lws may refuse the request line outright: also fine
    EXPECT_NE(r->status, 200) << path;
    EXPECT_EQ(r->body.find("top secret"), std::string::npos) << path;
  }
}

TEST_F(StaticTest, CorsOnMountAndMissingFile) {
  TestClient c("127.0.0.1", server_->port());
  auto r = c.request("GET", "/static/app.js", "Origin: https://x.example\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header("access-control-allow-origin"), "*");
  auto pre = c.request("OPTIONS", "/static/app.js", "Origin: https://x.example\r\n");
  ASSERT_TRUE(pre);
  EXPECT_EQ(pre->status, 204);
  EXPECT_NE(pre->header("access-control-allow-methods").find("GET"), std::string::npos);
  auto missing = c.request("GET", "/static/nope.js");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST_F(StaticTest, PageFallbackServesTheAppForPagesOnly) {
  TestClient c("127.0.0.1", server_->port());
  for (const char* page : {"/app/signin", "/app/admin/audit", "/app/live/12/control"}) {
    auto r = c.request("GET", page);
    ASSERT_TRUE(r) << page;
    EXPECT_EQ(r->status, 200) << page;
    EXPECT_EQ(r->body, "<h1>home</h1>") << page;
  }
  auto file = c.request("GET", "/app/app.js");
  ASSERT_TRUE(file);
  EXPECT_EQ(file->body, "console.log(1)");
  auto asset = c.request("GET", "/app/assets/missing-abc123.js");  // a stale asset stays a 404
  ASSERT_TRUE(asset);
  EXPECT_EQ(asset->status, 404);
  auto plain = c.request("GET", "/static/signin");  // no fallback on this mount
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->status, 404);
}

TEST_F(StaticTest, ChangedFileIsServedFresh) {
  TestClient c("127.0.0.1", server_->port());
  auto r1 = c.request("GET", "/static/live/index.m3u8");
  ASSERT_TRUE(r1);
  writeFile(root_ / "live/index.m3u8", "#EXTM3U\n#EXT-X-VERSION:9\n");
  auto r2 = c.request("GET", "/static/live/index.m3u8");
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->body, "#EXTM3U\n#EXT-X-VERSION:9\n");
  EXPECT_NE(r2->header("etag"), r1->header("etag"));
}

}  // namespace
}  // namespace hub::http
