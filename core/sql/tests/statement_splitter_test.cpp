// core/sql/tests/statement_splitter_test.cpp
//
// Splitting migration scripts: a ';' inside quotes, comments or trigger bodies is not a cut.
#include <gtest/gtest.h>

#include "core/sql/statement_splitter.h"

namespace hub::sql {
namespace {

using V = std::vector<std::string>;

TEST(StatementSplitter, SplitsOnSemicolonsAndTrims) {
  EXPECT_EQ(splitStatements("CREATE TABLE a (x INT);\n  CREATE TABLE b (y INT) ;\n"),
            (V{"CREATE TABLE a (x INT)", "CREATE TABLE b (y INT)"}));
  EXPECT_EQ(splitStatements("SELECT 1"), (V{"SELECT 1"}));
}

TEST(StatementSplitter, DropsEmptyAndCommentOnlyPieces) {
  EXPECT_EQ(splitStatements(";;  -- just a comment\n; /* block */ ;"), V{});
  EXPECT_EQ(splitStatements("-- head\nSELECT 1; -- tail"), (V{"-- head\nSELECT 1"}));
}

TEST(StatementSplitter, IgnoresSemicolonsInQuotesAndComments) {
  EXPECT_EQ(splitStatements("INSERT INTO t VALUES ('a;b', \"c;d\", `e;f`); SELECT 2"),
            (V{"INSERT INTO t VALUES ('a;b', \"c;d\", `e;f`)", "SELECT 2"}));
  EXPECT_EQ(splitStatements("INSERT INTO t VALUES ('it''s;', 'x\\';y'); SELECT 3"),
            (V{"INSERT INTO t VALUES ('it''s;', 'x\\';y')", "SELECT 3"}));
  EXPECT_EQ(splitStatements("SELECT 1 /* a; b */; # c; d\nSELECT 2 -- e; f\n"),
            (V{"SELECT 1 /* a; b */", "# c; d\nSELECT 2 -- e; f"}));
}

TEST(StatementSplitter, KeepsTriggerBodiesWhole) {
  std::string trig =
      "CREATE TRIGGER t_ai AFTER INSERT ON t BEGIN "
      "UPDATE c SET n = n + 1; "
      "UPDATE d SET m = CASE WHEN m > 1 THEN 0 ELSE m END; "
      "END";
  EXPECT_EQ(splitStatements("CREATE TABLE t (x INT); " + trig + "; SELECT 1"),
            (V{"CREATE TABLE t (x INT)", trig, "SELECT 1"}));
}

TEST(StatementSplitter, HandlesMysqlEndIfAndEndCase) {
  std::string proc =
      "CREATE PROCEDURE p() BEGIN "
      "IF 1 THEN SELECT 1; END IF; "
      "CASE WHEN 1 THEN SELECT 2; END CASE; "
      "END";
  EXPECT_EQ(splitStatements(proc + "; SELECT 9"), (V{proc, "SELECT 9"}));
}

TEST(StatementSplitter, BeginOutsideCompoundStatementsIsAStatement) {
  EXPECT_EQ(splitStatements("BEGIN; INSERT INTO t VALUES (1); COMMIT"),
            (V{"BEGIN", "INSERT INTO t VALUES (1)", "COMMIT"}));
}

TEST(StatementSplitter, FirstKeywordSkipsCommentsAndParentheses) {
  EXPECT_EQ(firstKeyword("  -- x\n /* y */ insert into t"), "INSERT");
  EXPECT_EQ(firstKeyword("(select 1)"), "SELECT");
  EXPECT_EQ(firstKeyword("  "), "");
}

}  // namespace
}  // namespace hub::sql
