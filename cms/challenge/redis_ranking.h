// cms/challenge/redis_ranking.h
//
// The ranking engine on Redis sorted sets, for hubs whose bus is Redis: every node sees the same
// boards. Blocking hiredis connections with timeouts (a small pool; workers call it, never an
// event loop); a connection that fails is dropped and the next call opens a new one. Board
// "c7:ind:total" is key "<prefix>c7:ind:total". Members are ids written as the zero-padded
// 19-digit INT64_MAX - id, so ZREVRANGE's order for equal scores (members in descending byte
// order) puts the smaller id first, as MemoryRanking does. Scores are exact up to 2^53.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cms/challenge/ranking.h"
#include "core/bus/redis_connection.h"

struct redisContext;

namespace hub::cms::challenge {

class RedisRanking final : public Ranking {
 public:
  RedisRanking(bus::RedisEndpoint endpoint, std::string prefix,
               std::chrono::milliseconds timeout = std::chrono::milliseconds(2000), std::size_t maxIdle = 8);
  ~RedisRanking() override;

  Status set(const std::string& board, std::int64_t id, std::int64_t score) override;
  Result<std::int64_t> add(const std::string& board, std::int64_t id, std::int64_t delta) override;
  Status addMany(const std::vector<Increment>& increments) override;  // one pipelined round trip
  Status setMany(const std::vector<BoardScore>& scores) override;     // one pipelined round trip
  Result<std::vector<std::optional<std::int64_t>>> scoresOf(const std::vector<BoardScore>& at) override;
  Result<std::optional<RankEntry>> rankOf(const std::string& board, std::int64_t id) override;
  Result<std::vector<RankEntry>> top(const std::string& board, std::int64_t offset,
                                     std::int64_t count) override;
  Result<std::vector<RankEntry>> around(const std::string& board, std::int64_t id, std::int64_t before,
                                        std::int64_t after) override;
  Result<std::int64_t> size(const std::string& board) override;
  Status clear(const std::string& board) override;

 private:
  class Lease;
  Result<redisContext*> acquire();
  void release(redisContext* c, bool healthy);
  // Every command in one pipelined round trip (nothing sent when there are none).
  Status sendAll(const std::vector<std::vector<std::string>>& commands);
  Result<std::vector<RankEntry>> range(redisContext* c, const std::string& key, std::int64_t from,
                                       std::int64_t to);

  const bus::RedisEndpoint endpoint_;
  const std::string prefix_;
  const std::chrono::milliseconds timeout_;
  const std::size_t maxIdle_;
  std::mutex mu_;
  std::vector<redisContext*> idle_;
};

}  // namespace hub::cms::challenge
