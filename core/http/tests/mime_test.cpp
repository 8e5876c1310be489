// core/http/tests/mime_test.cpp
//
// Content types of the assets we serve, HLS included.
#include "core/http/mime.h"

#include <gtest/gtest.h>

namespace hub::http {
namespace {

TEST(Mime, KnowsOurAssets) {
  EXPECT_EQ(mimeType("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(mimeType("app.mjs"), "text/javascript; charset=utf-8");
  EXPECT_EQ(mimeType("live/gala/index.m3u8"), "application/vnd.apple.mpegurl");
  EXPECT_EQ(mimeType("seg1.m4s"), "video/iso.segment");
  EXPECT_EQ(mimeType("a.WASM"), "application/wasm");
  EXPECT_EQ(mimeType("font.woff2"), "font/woff2");
  EXPECT_EQ(mimeType("x.ts"), "video/mp2t");
}

TEST(Mime, UnknownIsOctetStream) {
  EXPECT_EQ(mimeType("README"), "application/octet-stream");
  EXPECT_EQ(mimeType("dir.d/file"), "application/octet-stream");
  EXPECT_EQ(mimeType("x.verylongextension"), "application/octet-stream");
}

}  // namespace
}  // namespace hub::http
