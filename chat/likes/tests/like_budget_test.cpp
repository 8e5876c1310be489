// chat/likes/tests/like_budget_test.cpp
//
// A client's likes are clamped to the per-second cap, and the cap renews each second.
#include "chat/likes/like_budget.h"

#include <gtest/gtest.h>

namespace hub::chat::likes {
namespace {

using std::chrono::milliseconds;

TEST(LikeBudget, ClampsLikesAboveThePerSecondCap) {
  FakeClock clock;
  LikeBudget budget(10);
  EXPECT_EQ(budget.take(4, clock.steady()), 4u);
  EXPECT_EQ(budget.take(100, clock.steady()), 6u);
  EXPECT_EQ(budget.take(1, clock.steady()), 0u);
}

TEST(LikeBudget, RenewsEachSecond) {
  FakeClock clock;
  LikeBudget budget(10);
  EXPECT_EQ(budget.take(10, clock.steady()), 10u);
  clock.advance(milliseconds(999));
  EXPECT_EQ(budget.take(1, clock.steady()), 0u);
  clock.advance(milliseconds(1));
  EXPECT_EQ(budget.take(3, clock.steady()), 3u);
}

}  // namespace
}  // namespace hub::chat::likes
