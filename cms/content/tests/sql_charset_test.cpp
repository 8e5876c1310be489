// cms/content/tests/sql_charset_test.cpp
//
// MySQL migration scripts get utf8mb4 on every table and nothing else.
#include <gtest/gtest.h>

#include "cms/content/sql_charset.h"

namespace hub::cms::content {
namespace {

TEST(SqlCharset, EveryCreateTableAndOnlyThose) {
  EXPECT_EQ(withUtf8mb4("CREATE TABLE a (x INT);CREATE INDEX a_x ON a (x);CREATE TABLE b (y INT);"),
            "CREATE TABLE a (x INT) DEFAULT CHARSET=utf8mb4;CREATE INDEX a_x ON a (x);"
            "CREATE TABLE b (y INT) DEFAULT CHARSET=utf8mb4;");
  EXPECT_EQ(withUtf8mb4("CREATE TABLE c (z INT)"), "CREATE TABLE c (z INT) DEFAULT CHARSET=utf8mb4");
}

}  // namespace
}  // namespace hub::cms::content
