// core/http/tests/http_util_test.cpp
//
// The small HTTP parsers, edge cases first: they see hostile input on every request.
#include "core/http/http_util.h"

#include <gtest/gtest.h>

namespace hub::http {
namespace {

TEST(UrlDecode, DecodesEscapesAndPlus) {
  EXPECT_EQ(urlDecode("a%20b+c"), "a b c");
  EXPECT_EQ(urlDecode("a+b", false), "a+b");
  EXPECT_EQ(urlDecode("%zz%4"), "%zz%4");  // invalid escapes kept
  EXPECT_EQ(urlDecode("%2e%2E"), "..");
}

TEST(ParseQuery, SplitsAndDecodes) {
  auto q = parseQuery("a=1&b=%20x&c&&d=e=f");
  ASSERT_EQ(q.size(), 4u);
  EXPECT_EQ(q[1].second, " x");
  EXPECT_EQ(q[2].first, "c");
  EXPECT_EQ(q[3].second, "e=f");
}

TEST(HttpDate, RoundTrips) {
  EXPECT_EQ(httpDate(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(parseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
  EXPECT_FALSE(parseHttpDate("yesterday"));
}

TEST(ParseRange, ServesOneRange) {
  auto r = parseRange("bytes=0-99", 1000);
  EXPECT_EQ(r.kind, RangeKind::Satisfiable);
  EXPECT_EQ(r.range.first, 0u);
  EXPECT_EQ(r.range.last, 99u);
  r = parseRange("bytes=900-", 1000);
  EXPECT_EQ(r.range.first, 900u);
  EXPECT_EQ(r.range.last, 999u);
  r = parseRange("bytes=-100", 1000);
  EXPECT_EQ(r.range.first, 900u);
  r = parseRange("bytes=990-5000", 1000);
  EXPECT_EQ(r.range.last, 999u);
}

TEST(ParseRange, RefusesOrIgnoresTheRest) {
  EXPECT_EQ(parseRange("bytes=1000-", 1000).kind, RangeKind::Unsatisfiable);
  EXPECT_EQ(parseRange("bytes=-0", 1000).kind, RangeKind::Unsatisfiable);
  EXPECT_EQ(parseRange("bytes=5-1", 1000).kind, RangeKind::None);
  EXPECT_EQ(parseRange("bytes=0-1,5-6", 1000).kind, RangeKind::None);
  EXPECT_EQ(parseRange("items=0-1", 1000).kind, RangeKind::None);
  EXPECT_EQ(parseRange("bytes=x-1", 1000).kind, RangeKind::None);
  EXPECT_EQ(parseRange("bytes=99999999999999999999999-", 1000).kind, RangeKind::None);
}

TEST(EtagMatches, WeakComparisonAndLists) {
  EXPECT_TRUE(etagMatches("\"abc\"", "\"abc\""));
  EXPECT_TRUE(etagMatches("W/\"abc\"", "\"abc\""));
  EXPECT_TRUE(etagMatches("\"x\", \"abc\"", "\"abc\""));
  EXPECT_TRUE(etagMatches("*", "\"abc\""));
  EXPECT_FALSE(etagMatches("\"abd\"", "\"abc\""));
}

TEST(AcceptsEncoding, HonoursQZeroAndStar) {
  EXPECT_TRUE(acceptsEncoding("gzip, deflate, br", "br"));
  EXPECT_FALSE(acceptsEncoding("gzip", "br"));
  EXPECT_FALSE(acceptsEncoding("br;q=0, gzip", "br"));
  EXPECT_TRUE(acceptsEncoding("*", "gzip"));
  EXPECT_FALSE(acceptsEncoding("", "gzip"));
  EXPECT_TRUE(acceptsEncoding("GZIP;q=0.5", "gzip"));
}

}  // namespace
}  // namespace hub::http
