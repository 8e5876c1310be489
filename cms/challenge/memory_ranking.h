// cms/challenge/memory_ranking.h
//
// The one-machine ranking engine: per board, a balanced tree with order statistics (libstdc++'s
// policy-based tree) keyed by (-score, id), so rank, top-N and neighbours are O(log n), plus a
// hash map from id to score. About 100 bytes per entry.
#pragma once

#include <memory>
#include <mutex>
#include <unordered_map>

#include "cms/challenge/ranking.h"

namespace hub::cms::challenge {

class MemoryRanking final : public Ranking {
 public:
  MemoryRanking();
  ~MemoryRanking() override;

  Status set(const std::string& board, std::int64_t id, std::int64_t score) override;
  Result<std::int64_t> add(const std::string& board, std::int64_t id, std::int64_t delta) override;
  Result<std::optional<RankEntry>> rankOf(const std::string& board, std::int64_t id) override;
  Result<std::vector<RankEntry>> top(const std::string& board, std::int64_t offset,
                                     std::int64_t count) override;
  Result<std::vector<RankEntry>> around(const std::string& board, std::int64_t id, std::int64_t before,
                                        std::int64_t after) override;
  Result<std::int64_t> size(const std::string& board) override;
  Status clear(const std::string& board) override;

 private:
  struct Board;
  Board& boardFor(const std::string& name);  // mu_ held
  Board* find(const std::string& name);      // mu_ held

  std::mutex mu_;
  std::unordered_map<std::string, std::unique_ptr<Board>> boards_;
};

}  // namespace hub::cms::challenge
