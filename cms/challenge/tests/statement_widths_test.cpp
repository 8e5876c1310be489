// cms/challenge/tests/statement_widths_test.cpp
//
// The padded widths of the step submissions' statements: every count fits its width, and the
// widths up to a batch of 1,024 are few (each is a statement text a connection prepares once).
#include <gtest/gtest.h>

#include <set>

#include "cms/challenge/statement_widths.h"

namespace hub::cms::challenge {
namespace {

TEST(StatementWidths, PaddedWidthsAreFew) {
  EXPECT_EQ(paddedWidth(1), 1u);
  EXPECT_EQ(paddedWidth(3), 4u);
  EXPECT_EQ(paddedWidth(9), 16u);
  EXPECT_EQ(paddedWidth(32), 32u);
  EXPECT_EQ(paddedWidth(33), 64u);
  EXPECT_EQ(paddedWidth(134), 160u);
  EXPECT_EQ(paddedWidth(257), 320u);
  EXPECT_EQ(paddedWidth(1020), 1024u);
  std::set<std::size_t> texts;
  for (std::size_t n = 1; n <= 1024; ++n) {
    EXPECT_GE(paddedWidth(n), n);
    EXPECT_LT(paddedWidth(n), n < 32 ? 2 * n : n <= 256 ? n + 32 : n + 64);
    texts.insert(paddedWidth(n));
    if (n == 256) {
      EXPECT_EQ(texts.size(), 13u);
    }
  }
  EXPECT_EQ(texts.size(), 25u);
  EXPECT_EQ(placeholders(2, 3), "(?, ?, ?),(?, ?, ?)");
}

}  // namespace
}  // namespace hub::cms::challenge
