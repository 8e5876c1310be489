// cms/challenge/ranking.h
//
// Leaderboards behind one interface (issue 7): a board is a named ordering of ids (members or
// organisations) by score, highest first, ties by the smaller id first; ranks are 1-based
// positions in that order. Engines: MemoryRanking (order statistics, one machine) and a Redis
// engine (sorted sets, when the bus is Redis). SQL stays the source of truth: a board can be
// cleared and rebuilt from it at any time. Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/util/result.h"

namespace hub::cms::challenge {

struct RankEntry {
  std::int64_t id = 0;
  std::int64_t score = 0;
  std::int64_t rank = 0;  // 1 = top
  bool operator==(const RankEntry&) const = default;
};

// One increment of a batch (addMany).
struct Increment {
  std::string board;
  std::int64_t id = 0;
  std::int64_t delta = 0;
};

// A score of one id on one board (setMany; scoresOf reads it).
struct BoardScore {
  std::string board;
  std::int64_t id = 0;
  std::int64_t score = 0;
};

class Ranking {
 public:
  virtual ~Ranking() = default;
  // Sets `id`'s score on `board` (adding it when new).
  virtual Status set(const std::string& board, std::int64_t id, std::int64_t score) = 0;
  // Adds `delta` to `id`'s score (from 0 when new); the new score.
  virtual Result<std::int64_t> add(const std::string& board, std::int64_t id, std::int64_t delta) = 0;
  // Applies every increment (an engine may send them at once: Redis pipelines them).
  virtual Status addMany(const std::vector<Increment>& increments) {
    for (const auto& i : increments)
      if (auto r = add(i.board, i.id, i.delta); !r) return r.error();
    return {};
  }
  // Sets every score (an engine may send them at once: Redis pipelines them).
  virtual Status setMany(const std::vector<BoardScore>& scores) {
    for (const auto& s : scores)
      if (auto st = set(s.board, s.id, s.score); !st) return st;
    return {};
  }
  // The score of each (board, id) of `at` (its `score` unused), nullopt when the id is not on the
  // board; in the order of `at` (Redis: one pipelined round trip).
  virtual Result<std::vector<std::optional<std::int64_t>>> scoresOf(const std::vector<BoardScore>& at) {
    std::vector<std::optional<std::int64_t>> out;
    out.reserve(at.size());
    for (const auto& a : at) {
      auto r = rankOf(a.board, a.id);
      if (!r) return r.error();
      out.push_back(*r ? std::optional<std::int64_t>((*r)->score) : std::nullopt);
    }
    return out;
  }
  // `id`'s place, or nullopt when it is not on the board.
  virtual Result<std::optional<RankEntry>> rankOf(const std::string& board, std::int64_t id) = 0;
  // `count` entries from rank `offset` + 1.
  virtual Result<std::vector<RankEntry>> top(const std::string& board, std::int64_t offset,
                                             std::int64_t count) = 0;
  // `id` with up to `before` entries above it and `after` below; empty when it is not on the board.
  virtual Result<std::vector<RankEntry>> around(const std::string& board, std::int64_t id,
                                                std::int64_t before, std::int64_t after) = 0;
  virtual Result<std::int64_t> size(const std::string& board) = 0;
  virtual Status clear(const std::string& board) = 0;
};

}  // namespace hub::cms::challenge
