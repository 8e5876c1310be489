// core/sql/tests/url_test.cpp
//
// Database URL parsing and, above all, that a password never survives redaction.
#include <gtest/gtest.h>

#include "core/sql/url.h"

namespace hub::sql {
namespace {

TEST(SqlUrl, ParsesAbsoluteAndRelativeSqlitePaths) {
  auto abs = parseUrl("sqlite:///var/lib/hub/hub.db");
  ASSERT_TRUE(abs);
  EXPECT_EQ(abs->scheme, Url::Scheme::Sqlite);
  EXPECT_EQ(abs->path, "/var/lib/hub/hub.db");
  auto rel = parseUrl("sqlite://data/hub.db");
  ASSERT_TRUE(rel);
  EXPECT_EQ(rel->path, "data/hub.db");
  auto mem = parseUrl("sqlite://:memory:");
  ASSERT_TRUE(mem);
  EXPECT_EQ(mem->path, ":memory:");
}

TEST(SqlUrl, ParsesMysqlWithDefaultPort) {
  auto u = parseUrl("mysql://hub:secret@db.example:3307/hubdb");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->scheme, Url::Scheme::Mysql);
  EXPECT_EQ(u->user, "hub");
  EXPECT_EQ(u->password, "secret");
  EXPECT_EQ(u->host, "db.example");
  EXPECT_EQ(u->port, 3307);
  EXPECT_EQ(u->database, "hubdb");
  auto d = parseUrl("mysql://hub@127.0.0.1/x");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->port, 3306);
  EXPECT_EQ(d->password, "");
}

TEST(SqlUrl, DecodesPercentEncodedCredentialsAndKeepsRawAtSigns) {
  auto u = parseUrl("mysql://us%40er:p%3Ass%2Fw@host/db");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->user, "us@er");
  EXPECT_EQ(u->password, "p:ss/w");
  auto raw = parseUrl("mysql://hub:p@ss@host:1234/db");
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->password, "p@ss");
  EXPECT_EQ(raw->host, "host");
}

TEST(SqlUrl, ParsesBracketedIpv6Host) {
  auto u = parseUrl("mysql://hub:pw@[::1]:3310/db");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 3310);
}

TEST(SqlUrl, RejectsBadUrlsWithoutEchoingThePassword) {
  for (const char* bad :
       {"postgres://a:b@c/d", "mysql://hub:topsecret@host:99999/db", "mysql://hub:topsecret@:3306/db",
        "sqlite://", "mysql://hub:topsecret@host:12x/db"}) {
    auto r = parseUrl(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, "sql.url");
    EXPECT_EQ(r.error().message.find("topsecret"), std::string::npos) << r.error().message;
  }
}

TEST(SqlUrl, RedactsOnlyThePassword) {
  EXPECT_EQ(redactUrl("mysql://hub:secret@127.0.0.1:3306/hub"), "mysql://hub:***@127.0.0.1:3306/hub");
  EXPECT_EQ(redactUrl("mysql://hub:p@ss/w@h/db"), "mysql://hub:***@h/db");
  EXPECT_EQ(redactUrl("mysql://hub@h/db"), "mysql://hub@h/db");
  EXPECT_EQ(redactUrl("mysql://h:3306/db"), "mysql://h:3306/db");
  EXPECT_EQ(redactUrl("sqlite:///tmp/a.db"), "sqlite:///tmp/a.db");
}

TEST(SqlUrl, FormatRoundTrips) {
  auto u = parseUrl("mysql://us%40er:p%3Ass@host:3307/db");
  ASSERT_TRUE(u);
  auto again = parseUrl(formatUrl(*u));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->user, "us@er");
  EXPECT_EQ(again->password, "p:ss");
  EXPECT_EQ(again->port, 3307);
  EXPECT_EQ(again->database, "db");
}

}  // namespace
}  // namespace hub::sql
