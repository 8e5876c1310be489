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

TEST(Cors, AllowsListedOrigins) {
  CorsOptions c{{"https://a.example"}};
  EXPECT_EQ(c.allowOriginFor("https://a.example"), "https://a.example");
  EXPECT_EQ(c.allowOriginFor("https://b.example"), "");
  CorsOptions any{{"*"}};
  EXPECT_EQ(any.allowOriginFor("https://b.example"), "*");
}

}  // namespace
}  // namespace hub::http
