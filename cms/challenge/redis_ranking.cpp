// cms/challenge/redis_ranking.cpp
//
// ZADD / ZINCRBY / ZREVRANK + ZSCORE / ZREVRANGE WITHSCORES / ZCARD / UNLINK over pooled blocking
// hiredis connections.
#include "cms/challenge/redis_ranking.h"

#include <hiredis/hiredis.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace hub::cms::challenge {
namespace {

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

std::string member(std::int64_t id) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%019lld", static_cast<long long>(kMax - id));
  return buf;
}

std::optional<std::int64_t> idOf(const char* s, std::size_t n) {
  long long v = 0;
  auto [p, ec] = std::from_chars(s, s + n, v);
  if (ec != std::errc() || p != s + n) return std::nullopt;
  return kMax - v;
}

std::optional<std::int64_t> scoreOf(const char* s, std::size_t n) {
  std::string text(s, n);
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(v)) return std::nullopt;
  return std::llround(v);
}

Error replyError(const char* what, const std::string& detail) {
  return makeError("ranking.redis", std::string(what) + ": " + detail);
}

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

}  // namespace

// A pooled connection for one call; a call that saw an I/O error marks it broken.
class RedisRanking::Lease {
 public:
  Lease(RedisRanking& owner, redisContext* c) : owner_(owner), c_(c) {}
  ~Lease() { owner_.release(c_, !broken_); }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  // Sends every command, then reads every reply: one round trip. The first error is returned.
  Status pipeline(const std::vector<std::vector<std::string>>& commands) {
    auto replies = pipelineReplies(commands);
    if (!replies) return replies.error();
    return {};
  }

  // The same, keeping the replies (in the order of `commands`); an error reply is an Error.
  Result<std::vector<Reply>> pipelineReplies(const std::vector<std::vector<std::string>>& commands) {
    for (const auto& argv : commands) {
      std::vector<const char*> ptrs;
      std::vector<std::size_t> lens;
      for (const auto& a : argv) {
        ptrs.push_back(a.data());
        lens.push_back(a.size());
      }
      if (redisAppendCommandArgv(c_, static_cast<int>(argv.size()), ptrs.data(), lens.data()) != REDIS_OK) {
        broken_ = true;
        return replyError(argv[0].c_str(), c_->errstr[0] ? c_->errstr : "append failed");
      }
    }
    std::optional<Error> first;
    std::vector<Reply> replies;
    replies.reserve(commands.size());
    for (const auto& argv : commands) {
      void* raw = nullptr;
      if (redisGetReply(c_, &raw) != REDIS_OK || !raw) {
        broken_ = true;
        return replyError(argv[0].c_str(), c_->errstr[0] ? c_->errstr : "no reply");
      }
      replies.emplace_back(static_cast<redisReply*>(raw));
      if (replies.back()->type == REDIS_REPLY_ERROR && !first)
        first = replyError(argv[0].c_str(), std::string(replies.back()->str, replies.back()->len));
    }
    if (first) return *first;
    return replies;
  }

  // Sends argv and reads one reply; an error reply or I/O failure becomes an Error.
  Result<Reply> call(const std::vector<std::string>& argv) {
    std::vector<const char*> ptrs;
    std::vector<std::size_t> lens;
    for (const auto& a : argv) {
      ptrs.push_back(a.data());
      lens.push_back(a.size());
    }
    auto* raw = static_cast<redisReply*>(
        redisCommandArgv(c_, static_cast<int>(argv.size()), ptrs.data(), lens.data()));
    if (!raw) {
      broken_ = true;
      return replyError(argv[0].c_str(), c_->errstr[0] ? c_->errstr : "no reply");
    }
    Reply r(raw);
    if (r->type == REDIS_REPLY_ERROR) return replyError(argv[0].c_str(), std::string(r->str, r->len));
    return r;
  }

 private:
  RedisRanking& owner_;
  redisContext* c_;
  bool broken_ = false;
};

RedisRanking::RedisRanking(bus::RedisEndpoint endpoint, std::string prefix, std::chrono::milliseconds timeout,
                           std::size_t maxIdle)
    : endpoint_(std::move(endpoint)), prefix_(std::move(prefix)), timeout_(timeout), maxIdle_(maxIdle) {}

RedisRanking::~RedisRanking() {
  for (auto* c : idle_) redisFree(c);
}

Result<redisContext*> RedisRanking::acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      auto* c = idle_.back();
      idle_.pop_back();
      return c;
    }
  }
  timeval tv{};
  tv.tv_sec = static_cast<long>(timeout_.count() / 1000);
  tv.tv_usec = static_cast<long>((timeout_.count() % 1000) * 1000);
  redisContext* c = redisConnectWithTimeout(endpoint_.host.c_str(), endpoint_.port, tv);
  if (!c || c->err) {
    std::string why = c ? c->errstr : "out of memory";
    if (c) redisFree(c);
    return makeError("ranking.redis", "connect " + endpoint_.url() + ": " + why);
  }
  redisSetTimeout(c, tv);
  if (endpoint_.db != 0) {
    Reply r(static_cast<redisReply*>(redisCommand(c, "SELECT %d", endpoint_.db)));
    if (!r || r->type == REDIS_REPLY_ERROR) {
      redisFree(c);
      return makeError("ranking.redis", "SELECT " + std::to_string(endpoint_.db) + " failed");
    }
  }
  return c;
}

void RedisRanking::release(redisContext* c, bool healthy) {
  if (healthy && !c->err) {
    std::lock_guard lock(mu_);
    if (idle_.size() < maxIdle_) {
      idle_.push_back(c);
      return;
    }
  }
  redisFree(c);
}

Status RedisRanking::set(const std::string& board, std::int64_t id, std::int64_t score) {
  auto c = acquire();
  if (!c) return c.error();
  Lease lease(*this, *c);
  auto r = lease.call({"ZADD", prefix_ + board, std::to_string(score), member(id)});
  if (!r) return r.error();
  return {};
}

Result<std::int64_t> RedisRanking::add(const std::string& board, std::int64_t id, std::int64_t delta) {
  auto c = acquire();
  if (!c) return c.error();
  Lease lease(*this, *c);
  auto r = lease.call({"ZINCRBY", prefix_ + board, std::to_string(delta), member(id)});
  if (!r) return r.error();
  auto s = (*r)->type == REDIS_REPLY_STRING ? scoreOf((*r)->str, (*r)->len) : std::nullopt;
  if (!s) return replyError("ZINCRBY", "not a score");
  return *s;
}

Status RedisRanking::sendAll(const std::vector<std::vector<std::string>>& commands) {
  if (commands.empty()) return {};
  auto c = acquire();
  if (!c) return c.error();
  Lease lease(*this, *c);
  return lease.pipeline(commands);
}

Status RedisRanking::addMany(const std::vector<Increment>& increments) {
  std::vector<std::vector<std::string>> commands;
  commands.reserve(increments.size());
  for (const auto& i : increments)
    commands.push_back({"ZINCRBY", prefix_ + i.board, std::to_string(i.delta), member(i.id)});
  return sendAll(commands);
}

Status RedisRanking::setMany(const std::vector<BoardScore>& scores) {
  std::vector<std::vector<std::string>> commands;
  commands.reserve(scores.size());
  for (const auto& s : scores)
    commands.push_back({"ZADD", prefix_ + s.board, std::to_string(s.score), member(s.id)});
  return sendAll(commands);
}

Result<std::vector<std::optional<std::int64_t>>> RedisRanking::scoresOf(const std::vector<BoardScore>& at) {
  std::vector<std::optional<std::int64_t>> out;
  if (at.empty()) return out;
  auto c = acquire();
  if (!c) return c.error();
  Lease lease(*this, *c);
  std::vector<std::vector<std::string>> commands;
  commands.reserve(at.size());
  for (const auto& a : at) commands.push_back({"ZSCORE", prefix_ + a.board, member(a.id)});
  auto replies = lease.pipelineReplies(commands);
  if (!replies) return replies.error();
  out.reserve(at.size());
  for (const auto& r : *replies) {
    if (r->type == REDIS_REPLY_NIL) {
      out.emplace_back();
      continue;
    }
    auto s = r->type == REDIS_REPLY_STRING ? scoreOf(r->str, r->len) : std::nullopt;
    if (!s) return replyError("ZSCORE", "not a score");
    out.push_back(*s);
  }
  return out;
}

Result<std::optional<RankEntry>> RedisRanking::rankOf(const std::string& board, std::int64_t id) {
  auto c = acquire();
  if (!c) return c.error();
  Lease lease(*this, *c);
  const std::string key = prefix_ + board;
  auto rank = lease.call({"ZREVRANK", key, member(id)});
  if (!rank) return rank.error();
  if ((*rank)->type == REDIS_REPLY_NIL) return std::optional<RankEntry>();
  auto score = lease.call({"ZSCORE", key, member(id)});
  if (!score) return score.error();
  if ((*score)->type == REDIS_REPLY_NIL) return std::optional<RankEntry>();  // removed in between
  auto s = scoreOf((*score)->str, (*score)->len);
  if ((*rank)->type != REDIS_REPLY_INTEGER || !s) return replyError("ZREVRANK", "unexpected reply");
  return std::optional<RankEntry>(RankEntry{id, *s, (*rank)->integer + 1});
}

Result<std::vector<RankEntry>> RedisRanking::range(redisContext* c, const std::string& key, std::int64_t from,
                                                   std::int64_t to) {
  Lease lease(*this, c);
  auto r = lease.call({"ZREVRANGE", key, std::to_string(from), std::to_string(to), "WITHSCORES"});
  if (!r) return r.error();
  std::vector<RankEntry> out;
  if ((*r)->type != REDIS_REPLY_ARRAY || (*r)->elements % 2 != 0)
    return replyError("ZREVRANGE", "unexpected reply");
  for (std::size_t i = 0; i + 1 < (*r)->elements; i += 2) {
    const redisReply* m = (*r)->element[i];
    const redisReply* s = (*r)->element[i + 1];
    auto id = idOf(m->str, m->len);
    auto score = scoreOf(s->str, s->len);
    if (!id || !score) return replyError("ZREVRANGE", "a member that is not ours in " + key);
    out.push_back(RankEntry{*id, *score, from + static_cast<std::int64_t>(i / 2) + 1});
  }
  return out;
}

Result<std::vector<RankEntry>> RedisRanking::top(const std::string& board, std::int64_t offset,
                                                 std::int64_t count) {
  if (count <= 0) return std::vector<RankEntry>();
  if (offset < 0) offset = 0;
  auto c = acquire();
  if (!c) return c.error();
  return range(*c, prefix_ + board, offset, offset + count - 1);
}

Result<std::vector<RankEntry>> RedisRanking::around(const std::string& board, std::int64_t id,
                                                    std::int64_t before, std::int64_t after) {
  auto place = rankOf(board, id);
  if (!place) return place.error();
  if (!*place) return std::vector<RankEntry>();
  const std::int64_t pos = (*place)->rank - 1;
  const std::int64_t from = pos - before < 0 ? 0 : pos - before;
  auto c = acquire();
  if (!c) return c.error();
  return range(*c, prefix_ + board, from, pos + after);
}

Result<std::int64_t> RedisRanking::size(const std::string& board) {
  auto c = acquire();
  if (!c) return c.error();
  Lease lease(*this, *c);
  auto r = lease.call({"ZCARD", prefix_ + board});
  if (!r) return r.error();
  return static_cast<std::int64_t>((*r)->integer);
}

Status RedisRanking::clear(const std::string& board) {
  auto c = acquire();
  if (!c) return c.error();
  Lease lease(*this, *c);
  auto r = lease.call({"UNLINK", prefix_ + board});
  if (!r) return r.error();
  return {};
}

}  // namespace hub::cms::challenge
