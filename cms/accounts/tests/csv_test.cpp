// cms/accounts/tests/csv_test.cpp
//
// CSV in and out: quotes, line ends, BOM, bad input with line numbers, formula defusing.
#include <gtest/gtest.h>

#include "cms/accounts/csv.h"

namespace hub::cms::accounts {
namespace {

TEST(Csv, ParsesQuotesAndLineEnds) {
  auto rows = parseCsv(
      "\xEF\xBB\xBFplatform,name\r\nweibo,\"省总工会, 官方\"\n\nwechat_oa,\"say \"\"hi\"\"\nthere\"\n");
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].fields, (std::vector<std::string>{"platform", "name"}));
  EXPECT_EQ((*rows)[1].fields[1], "省总工会, 官方");
  EXPECT_EQ((*rows)[1].line, 2u);
  EXPECT_EQ((*rows)[2].fields[1], "say \"hi\"\nthere");
  EXPECT_EQ((*rows)[2].line, 4u);
}

TEST(Csv, EmptyFieldsKept) {
  auto rows = parseCsv("a,,c\n,,\n");
  ASSERT_TRUE(rows);
  EXPECT_EQ((*rows)[0].fields, (std::vector<std::string>{"a", "", "c"}));
  EXPECT_EQ((*rows)[1].fields.size(), 3u);
}

TEST(Csv, BadQuotesNameTheLine) {
  auto r = parseCsv("a,b\nc,\"open\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "csv.bad");
  EXPECT_NE(r.error().message.find("line 2"), std::string::npos);
  EXPECT_FALSE(parseCsv("\"x\"y,z"));
}

TEST(Csv, WriterQuotesAndDefusesFormulas) {
  EXPECT_EQ(csvLine({"a", "b,c", "d\"e"}), "a,\"b,c\",\"d\"\"e\"\r\n");
  EXPECT_EQ(csvField("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
  auto back = parseCsv(csvLine({"x,y", "line\nbreak"}));
  ASSERT_TRUE(back);
  EXPECT_EQ((*back)[0].fields, (std::vector<std::string>{"x,y", "line\nbreak"}));
}

}  // namespace
}  // namespace hub::cms::accounts
