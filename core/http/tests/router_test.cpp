// core/http/tests/router_test.cpp
//
// Matching rules: parameters, wildcard, 404 versus 405, HEAD falling back to GET.
#include "core/http/router.h"

#include <gtest/gtest.h>

namespace hub::http {
namespace {

Response ok(const Request&) { return Response::text(200, "ok"); }

TEST(Router, MatchesParams) {
  Router r;
  r.add(Method::Get, "/api/v1/streams/:name", ok);
  r.add(Method::Get, "/api/v1/streams/:name/viewers", ok);
  auto m = r.match(Method::Get, "/api/v1/streams/gala");
  ASSERT_TRUE(m.route);
  ASSERT_EQ(m.params.size(), 1u);
  EXPECT_EQ(m.params[0].second, "gala");
  m = r.match(Method::Get, "/api/v1/streams/gala/viewers");
  ASSERT_TRUE(m.route);
  EXPECT_EQ(m.route->pattern, "/api/v1/streams/:name/viewers");
  EXPECT_FALSE(r.match(Method::Get, "/api/v1/streams").route);
  EXPECT_FALSE(r.match(Method::Get, "/api/v1/streams/a/b/c").pathKnown);
}

TEST(Router, DistinguishesUnknownPathFromWrongMethod) {
  Router r;
  r.add(Method::Get, "/a", ok);
  r.add(Method::Post, "/a", ok);
  auto m = r.match(Method::Delete, "/a");
  EXPECT_FALSE(m.route);
  EXPECT_TRUE(m.pathKnown);
  EXPECT_NE(m.allow.find("POST"), std::string::npos);
  EXPECT_FALSE(r.match(Method::Get, "/b").pathKnown);
}

TEST(Router, HeadUsesGetAndWildcardTakesRest) {
  Router r;
  r.add(Method::Get, "/vod/*", ok);
  auto m = r.match(Method::Head, "/vod/a/b.m3u8");
  ASSERT_TRUE(m.route);
  EXPECT_EQ(m.params[0].second, "a/b.m3u8");
}

// Routes are filed by their leading literal segments; a path must still meet every route that
// can match it, in the order they were added, whatever key each is filed under.
TEST(Router, FirstAddedRouteWinsAcrossKeysAndAllowListsThemAll) {
  Router r;
  r.add(Method::Get, "/:page", ok);           // filed under ""
  r.add(Method::Get, "/api/v1/:x", ok);       // "api/v1"
  r.add(Method::Post, "/api/v1/things", ok);  // "api/v1/things"
  r.add(Method::Get, "/api/v1/things", ok);   // "api/v1/things"
  r.add(Method::Put, "/api/*", ok);           // "api"
  r.add(Method::Get, "/", ok);                // ""
  r.add(Method::Get, "/api/v1/things/:id/a/b", ok);
  for (const char* path : {"/api/v1/things", "//api//v1/things", "/api/v1/things/"}) {
    auto m = r.match(Method::Get, path);
    ASSERT_TRUE(m.route) << path;
    EXPECT_EQ(m.route->pattern, "/api/v1/:x") << path;
    EXPECT_EQ(m.allow, "GET, POST, PUT, HEAD") << path;
    ASSERT_EQ(m.params.size(), 1u) << path;
    EXPECT_EQ(m.params[0].second, "things") << path;
  }
  auto put = r.match(Method::Put, "/api/v1/things");
  ASSERT_TRUE(put.route);
  EXPECT_EQ(put.route->pattern, "/api/*");
  EXPECT_FALSE(r.match(Method::Delete, "/api/v1/things").route);
  EXPECT_TRUE(r.match(Method::Delete, "/api/v1/things").pathKnown);
  EXPECT_EQ(r.match(Method::Get, "/").route->pattern, "/");
  EXPECT_EQ(r.match(Method::Get, "/about").route->pattern, "/:page");
  EXPECT_EQ(r.match(Method::Get, "/api/v1/things/7/a/b").route->pattern, "/api/v1/things/:id/a/b");
  EXPECT_EQ(r.match(Method::Get, "/api/v2/x").route, nullptr);
  EXPECT_EQ(r.match(Method::Put, "/api/v2/x").route->pattern, "/api/*");
  EXPECT_FALSE(r.match(Method::Get, "/nothing/here").pathKnown);
}

TEST(Cors, AllowsListedOrigins) {
  CorsOptions c{{"https://a.example"}};
  EXPECT_EQ(c.allowOriginFor("https://a.example"), "https://a.example");
  EXPECT_EQ(c.allowOriginFor("https://b.example"), "");
  CorsOptions any{{"*"}};
  EXPECT_EQ(any.allowOriginFor("https://b.example"), "*");
}

}  // namespace
}  // namespace hub::http
