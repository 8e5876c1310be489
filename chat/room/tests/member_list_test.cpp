// chat/room/tests/member_list_test.cpp
//
// The flat member list: every member is found by its key and walked once, whatever the order of
// joins, rejoins and leaves (removal fills the hole with the last member).
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>

#include "chat/room/member_list.h"

namespace hub::chat::room {
namespace {

std::map<int, std::string> walk(const MemberList<int, std::string>& list) {
  std::map<int, std::string> seen;
  for (const auto& [key, value] : list) EXPECT_TRUE(seen.emplace(key, value).second) << key;
  return seen;
}

TEST(MemberList, PutFindsReplacesAndErasesFromAnyPlace) {
  MemberList<int, std::string> list;
  list.put(1, "a");
  list.put(2, "b");
  list.put(3, "c");
  list.put(2, "b2");  // a rejoin replaces, it does not add
  EXPECT_EQ(list.size(), 3u);
  ASSERT_NE(list.find(2), nullptr);
  EXPECT_EQ(*list.find(2), "b2");

  EXPECT_TRUE(list.erase(1));  // the first: the last moves into its place
  EXPECT_FALSE(list.erase(1));
  EXPECT_EQ(list.find(1), nullptr);
  ASSERT_NE(list.find(3), nullptr);
  EXPECT_EQ(*list.find(3), "c");
  EXPECT_EQ(walk(list), (std::map<int, std::string>{{2, "b2"}, {3, "c"}}));

  EXPECT_TRUE(list.erase(3));  // the last
  EXPECT_TRUE(list.erase(2));
  EXPECT_TRUE(list.empty());
  EXPECT_EQ(list.find(2), nullptr);
}

TEST(MemberList, AgreesWithAMapThroughRandomJoinsAndLeaves) {
  MemberList<int, std::string> list;
  std::map<int, std::string> expected;
  std::mt19937 rng(7);
  for (int step = 0; step < 20000; ++step) {
    const int key = static_cast<int>(rng() % 500);
    if (rng() % 3 == 0) {
      EXPECT_EQ(list.erase(key), expected.erase(key) == 1) << "step " << step;
    } else {
      const std::string value = std::to_string(step);
      list.put(key, value);
      expected[key] = value;
    }
    if (step % 997 == 0) {
      ASSERT_EQ(walk(list), expected) << "step " << step;
      for (const auto& [k, v] : expected) {
        ASSERT_NE(list.find(k), nullptr) << k;
        EXPECT_EQ(*list.find(k), v);
      }
    }
  }
  EXPECT_EQ(list.size(), expected.size());
  EXPECT_EQ(walk(list), expected);
}

}  // namespace
}  // namespace hub::chat::room
