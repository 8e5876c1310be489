// cms/challenge/tests/ranking_contract_test.cpp
//
// What every ranking engine must do (the Redis engine joins this suite): order by score, ties by
// the smaller id, 1-based ranks, top-N pages, neighbours around an id, adds and sets, clearing;
// and, over random updates, exactly the order a plain sort of the same scores gives.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <random>

#include <unistd.h>

#include "cms/challenge/memory_ranking.h"
#include "cms/challenge/redis_ranking.h"
#include "tests/support/fixtures.h"

namespace hub::cms::challenge {
namespace {

using Factory = std::function<std::unique_ptr<Ranking>()>;

class RankingContract : public ::testing::TestWithParam<std::pair<std::string, Factory>> {
 protected:
  void SetUp() override { r_ = GetParam().second(); }
  Ranking& r() { return *r_; }
  std::vector<RankEntry> top(std::int64_t offset, std::int64_t count) {
    auto t = r().top("b", offset, count);
    EXPECT_TRUE(t) << t.error().message;
    return t ? *t : std::vector<RankEntry>{};
  }

 private:
  std::unique_ptr<Ranking> r_;
};

TEST_P(RankingContract, OrdersByScoreThenId) {
  ASSERT_TRUE(r().set("b", 5, 300));
  ASSERT_TRUE(r().set("b", 2, 500));
  ASSERT_TRUE(r().set("b", 9, 300));
  ASSERT_TRUE(r().set("b", 1, 100));
  EXPECT_EQ(top(0, 10), (std::vector<RankEntry>{{2, 500, 1}, {5, 300, 2}, {9, 300, 3}, {1, 100, 4}}));
  EXPECT_EQ(top(1, 2), (std::vector<RankEntry>{{5, 300, 2}, {9, 300, 3}}));
  EXPECT_TRUE(top(4, 10).empty());
  EXPECT_TRUE(top(0, 0).empty());
  auto nine = r().rankOf("b", 9);
  ASSERT_TRUE(nine && *nine);
  EXPECT_EQ(**nine, (RankEntry{9, 300, 3}));
  auto nobody = r().rankOf("b", 42);
  ASSERT_TRUE(nobody);
  EXPECT_FALSE(*nobody);
  EXPECT_EQ(*r().size("b"), 4);
  EXPECT_EQ(*r().size("other"), 0);
  EXPECT_TRUE(r().top("other", 0, 10)->empty());
}

TEST_P(RankingContract, AddsAndSetsMoveAnEntry) {
  ASSERT_TRUE(r().set("b", 1, 10));
  ASSERT_TRUE(r().set("b", 2, 20));
  auto s = r().add("b", 1, 15);
  ASSERT_TRUE(s);
  EXPECT_EQ(*s, 25);
  EXPECT_EQ(r().rankOf("b", 1)->value().rank, 1);
  EXPECT_EQ(*r().add("b", 3, 7), 7) << "a new id starts from 0";
  ASSERT_TRUE(r().set("b", 1, 5));
  EXPECT_EQ(top(0, 3), (std::vector<RankEntry>{{2, 20, 1}, {3, 7, 2}, {1, 5, 3}}));
  EXPECT_EQ(*r().size("b"), 3) << "moving does not duplicate";
  ASSERT_TRUE(r().clear("b"));
  EXPECT_EQ(*r().size("b"), 0);
  EXPECT_FALSE(*r().rankOf("b", 1));
}

TEST_P(RankingContract, AddManyAppliesEveryIncrementAcrossBoards) {
  ASSERT_TRUE(r().set("b", 1, 10));
  ASSERT_TRUE(r().addMany({{"b", 1, 5}, {"b", 2, 30}, {"c", 1, 4}, {"b", 1, -2}, {"c", 3, 0}}));
  EXPECT_EQ(top(0, 3), (std::vector<RankEntry>{{2, 30, 1}, {1, 13, 2}}));
  auto c = r().top("c", 0, 10);
  ASSERT_TRUE(c);
  EXPECT_EQ(*c, (std::vector<RankEntry>{{1, 4, 1}, {3, 0, 2}}))
      << "an increment of 0 puts a new id on the board";
  EXPECT_TRUE(r().addMany({}));
}

TEST_P(RankingContract, SetManyAndScoresOfAcrossBoards) {
  ASSERT_TRUE(r().set("b", 1, 10));
  ASSERT_TRUE(r().setMany({{"b", 1, 7}, {"b", 2, 30}, {"c", 1, -4}, {"c", 3, 0}}));
  EXPECT_EQ(top(0, 3), (std::vector<RankEntry>{{2, 30, 1}, {1, 7, 2}})) << "a set replaces the score";
  auto scores = r().scoresOf({{"c", 3, 0}, {"b", 2, 0}, {"b", 9, 0}, {"c", 1, 0}, {"nothing", 1, 0}});
  ASSERT_TRUE(scores);
  EXPECT_EQ(*scores, (std::vector<std::optional<std::int64_t>>{0, 30, std::nullopt, -4, std::nullopt}))
      << "in the order asked, nullopt for an id not on the board";
  EXPECT_TRUE(r().setMany({}));
  auto none = r().scoresOf({});
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST_P(RankingContract, NeighboursAroundAnId) {
  for (std::int64_t id = 1; id <= 10; ++id) ASSERT_TRUE(r().set("b", id, 1000 - id * 10));
  auto mid = r().around("b", 5, 2, 2);
  ASSERT_TRUE(mid);
  ASSERT_EQ(mid->size(), 5u);
  EXPECT_EQ(mid->front(), (RankEntry{3, 970, 3}));
  EXPECT_EQ((*mid)[2], (RankEntry{5, 950, 5}));
  EXPECT_EQ(mid->back(), (RankEntry{7, 930, 7}));
  auto first = r().around("b", 1, 3, 1);
  ASSERT_EQ(first->size(), 2u) << "nothing above the top";
  EXPECT_EQ(first->front().rank, 1);
  auto last = r().around("b", 10, 1, 5);
  ASSERT_EQ(last->size(), 2u) << "nothing below the last";
  EXPECT_EQ(last->back(), (RankEntry{10, 900, 10}));
  EXPECT_TRUE(r().around("b", 99, 2, 2)->empty());
}

TEST_P(RankingContract, MatchesASortOfTheSameScoresAfterRandomUpdates) {
  std::mt19937_64 rng(7);
  std::map<std::int64_t, std::int64_t> truth;
  for (int i = 0; i < 20000; ++i) {
    const auto id = static_cast<std::int64_t>(rng() % 2000) + 1;
    const auto v = static_cast<std::int64_t>(rng() % 5000);  // many ties
    if (rng() % 2) {
      ASSERT_TRUE(r().set("b", id, v));
      truth[id] = v;
    } else {
      ASSERT_EQ(*r().add("b", id, v), truth[id] + v);
      truth[id] += v;
    }
  }
  std::vector<std::pair<std::int64_t, std::int64_t>> sorted;  // (-score, id)
  for (auto [id, score] : truth) sorted.emplace_back(-score, id);
  std::sort(sorted.begin(), sorted.end());
  auto all = top(0, 100000);
  ASSERT_EQ(all.size(), sorted.size());
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    ASSERT_EQ(all[i].id, sorted[i].second) << "rank " << i + 1;
    ASSERT_EQ(all[i].score, -sorted[i].first);
    ASSERT_EQ(all[i].rank, static_cast<std::int64_t>(i) + 1);
  }
  for (std::size_t i = 0; i < sorted.size(); i += 97)
    EXPECT_EQ(r().rankOf("b", sorted[i].second)->value().rank, static_cast<std::int64_t>(i) + 1);
}

// Each Redis test gets its own key prefix: runs and tests never see each other's boards.
std::unique_ptr<Ranking> redisRanking() {
  static int n = 0;
  auto endpoint = bus::RedisEndpoint::parse(test::redisUrl());
  EXPECT_TRUE(endpoint) << endpoint.error().message;
  const std::string prefix = "test:rank:" + std::to_string(::getpid()) + ":" + std::to_string(++n) + ":";
  return std::make_unique<RedisRanking>(endpoint ? *endpoint : bus::RedisEndpoint{}, prefix);
}

std::unique_ptr<Ranking> memoryRanking() { return std::make_unique<MemoryRanking>(); }

INSTANTIATE_TEST_SUITE_P(Engines, RankingContract,
                         ::testing::Values(std::make_pair(std::string("memory"), Factory(memoryRanking)),
                                           std::make_pair(std::string("redis"), Factory(redisRanking))),
                         [](const auto& p) { return p.param.first; });

}  // namespace
}  // namespace hub::cms::challenge
