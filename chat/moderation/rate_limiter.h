// chat/moderation/rate_limiter.h
//
// Decides whether a user may send one more message now, by three rules checked in this order:
//   slow mode   a room may allow one message per N seconds per user   -> chat.slow_mode
//   duplicates  the same user sending the same text again within a window -> chat.duplicate
//   rate        a token bucket per user: `burst` messages at once, refilled at `perSecond`
//                                                                     -> chat.rate_limited
// A refused message costs nothing, so a user who waits is served. The clock is injected (tests
// advance a FakeClock), and memory stays bounded: users idle long enough to have a full bucket
// and no window open are forgotten, and past `maxUsers` the least recently seen are dropped.
//
// Thread-safe: state is split into shards by user id, each behind its own mutex, so the threads
// of a chat node rarely wait for each other.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/util/clock.h"

namespace hub::chat::moderation {

struct RateLimits {
  double burst = 5;                                            // bucket capacity, in messages
  double perSecond = 1;                                        // refill rate
  std::chrono::seconds duplicateWindow{30};                    // same text again within this is refused
  std::size_t duplicateHistory = 4;                            // how many recent texts a user is compared to
  std::chrono::seconds maxSlowMode{std::chrono::minutes(10)};  // longest slow mode remembered
  std::size_t maxUsers = 200'000;                              // bound on remembered users
  std::size_t roomsPerUser = 8;                                // slow-mode entries remembered per user
};

// What admit() decided: true when admitted; else the error code, a message for people and how
// long until the same message would be admitted (what the client is told as retry_after_ms).
struct Verdict {
  std::string code;
  std::string message;
  std::chrono::milliseconds retryAfter{0};

  explicit operator bool() const { return code.empty(); }
};

class RateLimiter {
 public:
  explicit RateLimiter(const Clock& clock, RateLimits limits = {});

  // Checks one message of `user` to `room`; on success records it (takes a token, starts the
  // slow-mode and duplicate windows). `slowMode` is the room's setting, zero for none.
  [[nodiscard]] Verdict admit(std::uint64_t user, std::string_view room, std::string_view text,
                              std::chrono::seconds slowMode = std::chrono::seconds(0));

  // The bare token bucket, for actions without text (joins, token requests): takes one token.
  [[nodiscard]] bool tryTake(std::uint64_t key);

  // Forgets idle users; cheap enough to call once per second from a timer.
  void sweep();

  std::size_t trackedUsers() const;

 private:
  struct RoomSent {
    std::uint64_t roomHash;
    Clock::Steady at;
  };
  struct TextSent {
    std::uint64_t textHash;
    Clock::Steady at;
  };
  struct UserState {
    double tokens;
    Clock::Steady refilledAt;
    Clock::Steady lastSeen;
    std::vector<RoomSent> rooms;  // newest last
    std::vector<TextSent> texts;  // newest last
  };
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::uint64_t, UserState> users;
  };
  static constexpr std::size_t kShards = 16;

  Shard& shardOf(std::uint64_t user) { return shards_[(user * 0x9E3779B97F4A7C15ULL) >> 60]; }
  UserState& stateOf(Shard& shard, std::uint64_t user, Clock::Steady now);
  void refill(UserState& s, Clock::Steady now) const;
  bool idle(const UserState& s, Clock::Steady now) const;
  void sweepShard(Shard& shard, Clock::Steady now);

  const Clock& clock_;
  RateLimits limits_;
  std::chrono::nanoseconds idleAfter_;
  std::array<Shard, kShards> shards_;
};

}  // namespace hub::chat::moderation
