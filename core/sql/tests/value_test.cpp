// core/sql/tests/value_test.cpp
//
// Value conversions and Row lookups, which hide the backends' type differences.
#include <gtest/gtest.h>

#include <optional>

#include "core/sql/rows.h"

namespace hub::sql {
namespace {

TEST(SqlValue, ConstructsFromNaturalLiterals) {
  Params p{42,
           7u,
           2.5,
           "text",
           std::string("s"),
           nullptr,
           Blob{"\x01\x00"},
           true,
           std::optional<int>{},
           std::optional<int>{5}};
  EXPECT_EQ(p[0].kind(), Value::Kind::Int);
  EXPECT_EQ(p[1].toInt(), 7);
  EXPECT_EQ(p[2].kind(), Value::Kind::Double);
  EXPECT_EQ(p[3].kind(), Value::Kind::Text);
  EXPECT_TRUE(p[5].isNull());
  EXPECT_EQ(p[6].kind(), Value::Kind::Blob);
  EXPECT_EQ(p[7].toInt(), 1);
  EXPECT_TRUE(p[8].isNull());
  EXPECT_EQ(p[9].toInt(), 5);
}

TEST(SqlValue, ConvertsBetweenKinds) {
  EXPECT_EQ(Value("12").toInt(), 12);
  EXPECT_EQ(Value("12.75").toInt(), 12);  // a MySQL DECIMAL arrives as text
  EXPECT_DOUBLE_EQ(Value("12.75").toDouble(), 12.75);
  EXPECT_DOUBLE_EQ(Value(3).toDouble(), 3.0);
  EXPECT_EQ(Value(3.9).toInt(), 3);
  EXPECT_EQ(Value(-5).toString(), "-5");
  EXPECT_EQ(Value(0.5).toString(), "0.5");
  EXPECT_EQ(Value("abc").toInt(), 0);
  EXPECT_EQ(Value().toString(), "");
}

TEST(SqlRow, LooksUpColumnsByNameCaseInsensitively) {
  auto cols = std::make_shared<const Columns>(Columns{"id", "Name"});
  Row row(cols, {Value(1), Value("名字")});
  EXPECT_EQ(row.getInt("id"), 1);
  EXPECT_EQ(row.getString("name"), "名字");
  EXPECT_TRUE(row.has("NAME"));
  EXPECT_FALSE(row.has("missing"));
  EXPECT_TRUE(row.isNull("missing"));
  EXPECT_TRUE(row.at(9).isNull());
}

}  // namespace
}  // namespace hub::sql
