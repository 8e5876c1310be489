// cms/challenge/memory_ranking.cpp
//
// Boards as order-statistic trees of (-score, id).
#include "cms/challenge/memory_ranking.h"

#include <ext/pb_ds/assoc_container.hpp>
#include <ext/pb_ds/tree_policy.hpp>
#include <functional>
#include <utility>

namespace hub::cms::challenge {

namespace pb = __gnu_pbds;

struct MemoryRanking::Board {
  using Key = std::pair<std::int64_t, std::int64_t>;  // (-score, id): best first, ties by id
  pb::tree<Key, pb::null_type, std::less<Key>, pb::rb_tree_tag, pb::tree_order_statistics_node_update> order;
  std::unordered_map<std::int64_t, std::int64_t> scores;

  void put(std::int64_t id, std::int64_t score) {
    auto [it, fresh] = scores.try_emplace(id, score);
    if (!fresh) {
      order.erase(Key{-it->second, id});
      it->second = score;
    }
    order.insert(Key{-score, id});
  }
  std::vector<RankEntry> range(std::int64_t from, std::int64_t count) const {
    std::vector<RankEntry> out;
    if (from < 0) from = 0;
    const auto n = static_cast<std::int64_t>(order.size());
    if (count <= 0 || from >= n) return out;
    auto it = order.find_by_order(static_cast<std::size_t>(from));
    for (std::int64_t r = from; r < n && r < from + count; ++r, ++it)
      out.push_back(RankEntry{it->second, -it->first, r + 1});
    return out;
  }
};

MemoryRanking::MemoryRanking() = default;
MemoryRanking::~MemoryRanking() = default;

MemoryRanking::Board& MemoryRanking::boardFor(const std::string& name) {
  auto& b = boards_[name];
  if (!b) b = std::make_unique<Board>();
  return *b;
}

MemoryRanking::Board* MemoryRanking::find(const std::string& name) {
  auto it = boards_.find(name);
  return it == boards_.end() ? nullptr : it->second.get();
}

Status MemoryRanking::set(const std::string& board, std::int64_t id, std::int64_t score) {
  std::lock_guard lock(mu_);
  boardFor(board).put(id, score);
  return {};
}

Result<std::int64_t> MemoryRanking::add(const std::string& board, std::int64_t id, std::int64_t delta) {
  std::lock_guard lock(mu_);
  Board& b = boardFor(board);
  auto it = b.scores.find(id);
  const std::int64_t score = (it == b.scores.end() ? 0 : it->second) + delta;
  b.put(id, score);
  return score;
}

Result<std::optional<RankEntry>> MemoryRanking::rankOf(const std::string& board, std::int64_t id) {
  std::lock_guard lock(mu_);
  Board* b = find(board);
  if (!b) return std::optional<RankEntry>();
  auto it = b->scores.find(id);
  if (it == b->scores.end()) return std::optional<RankEntry>();
  const auto rank = static_cast<std::int64_t>(b->order.order_of_key(Board::Key{-it->second, id})) + 1;
  return std::optional<RankEntry>(RankEntry{id, it->second, rank});
}

Result<std::vector<RankEntry>> MemoryRanking::top(const std::string& board, std::int64_t offset,
                                                  std::int64_t count) {
  std::lock_guard lock(mu_);
  Board* b = find(board);
  if (!b) return std::vector<RankEntry>();
  return b->range(offset, count);
}

Result<std::vector<RankEntry>> MemoryRanking::around(const std::string& board, std::int64_t id,
                                                     std::int64_t before, std::int64_t after) {
  std::lock_guard lock(mu_);
  Board* b = find(board);
  if (!b) return std::vector<RankEntry>();
  auto it = b->scores.find(id);
  if (it == b->scores.end()) return std::vector<RankEntry>();
  const auto pos = static_cast<std::int64_t>(b->order.order_of_key(Board::Key{-it->second, id}));
  const std::int64_t from = pos - before < 0 ? 0 : pos - before;
  return b->range(from, pos - from + 1 + after);
}

Result<std::int64_t> MemoryRanking::size(const std::string& board) {
  std::lock_guard lock(mu_);
  Board* b = find(board);
  return b ? static_cast<std::int64_t>(b->scores.size()) : 0;
}

Status MemoryRanking::clear(const std::string& board) {
  std::lock_guard lock(mu_);
  boards_.erase(board);
  return {};
}

}  // namespace hub::cms::challenge
