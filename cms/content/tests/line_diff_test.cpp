// cms/content/tests/line_diff_test.cpp
//
// Revision diffs: kept, removed and added lines in order.
#include <gtest/gtest.h>

#include "cms/content/line_diff.h"

namespace hub::cms::content {
namespace {

TEST(LineDiff, ChangedMiddleLine) {
  auto d = lineDiff("一\n二\n三", "一\n贰\n三");
  EXPECT_EQ(unifiedText(d), "  一\n- 二\n+ 贰\n  三\n");
}

TEST(LineDiff, InsertAndDelete) {
  EXPECT_EQ(unifiedText(lineDiff("a\nb\nc", "a\nc\nd")), "  a\n- b\n  c\n+ d\n");
  EXPECT_EQ(unifiedText(lineDiff("", "x\ny")), "+ x\n+ y\n");
  EXPECT_EQ(unifiedText(lineDiff("x", "")), "- x\n");
  EXPECT_TRUE(lineDiff("", "").empty());
}

TEST(LineDiff, IdenticalIsAllEqual) {
  for (const auto& l : lineDiff("p\nq", "p\nq")) EXPECT_EQ(l.op, DiffLine::Op::Equal);
  EXPECT_EQ(opName(DiffLine::Op::Insert), "insert");
}

TEST(LineDiff, MovedBlockKeepsTheLongestCommonRun) {
  auto d = lineDiff("a\nb\nc\nd\ne", "c\nd\ne\na\nb");
  std::size_t equal = 0;
  for (const auto& l : d) equal += l.op == DiffLine::Op::Equal;
  EXPECT_EQ(equal, 3u);
}

}  // namespace
}  // namespace hub::cms::content
