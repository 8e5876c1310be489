// chat/moderation/rate_limiter.cpp
//
// Texts and rooms are remembered by 64-bit hash only: enough to spot a repeat, and a user's
// state stays a few dozen bytes however long their messages are.
#include "chat/moderation/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>

namespace hub::chat::moderation {

namespace {

std::uint64_t hashOf(std::string_view s) { return std::hash<std::string_view>{}(s); }

long long secondsUp(std::chrono::nanoseconds d) { return std::chrono::ceil<std::chrono::seconds>(d).count(); }

std::chrono::milliseconds millisUp(std::chrono::nanoseconds d) {
  return std::chrono::ceil<std::chrono::milliseconds>(d);
}

}  // namespace

RateLimiter::RateLimiter(const Clock& clock, RateLimits limits) : clock_(clock), limits_(limits) {
  // A user is idle once forgetting them changes nothing: bucket full again and every window over.
  const double fillSeconds = limits_.perSecond > 0 ? limits_.burst / limits_.perSecond : 0;
  idleAfter_ = std::max(
      {std::chrono::nanoseconds(
           std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(fillSeconds))),
       std::chrono::nanoseconds(limits_.duplicateWindow), std::chrono::nanoseconds(limits_.maxSlowMode)});
}

void RateLimiter::refill(UserState& s, Clock::Steady now) const {
  const double elapsed = std::chrono::duration<double>(now - s.refilledAt).count();
  if (elapsed > 0) s.tokens = std::min(limits_.burst, s.tokens + elapsed * limits_.perSecond);
  s.refilledAt = now;
}

bool RateLimiter::idle(const UserState& s, Clock::Steady now) const { return now - s.lastSeen >= idleAfter_; }

void RateLimiter::sweepShard(Shard& shard, Clock::Steady now) {
  std::erase_if(shard.users, [&](const auto& kv) { return idle(kv.second, now); });
}

RateLimiter::UserState& RateLimiter::stateOf(Shard& shard, std::uint64_t user, Clock::Steady now) {
  if (auto it = shard.users.find(user); it != shard.users.end()) {
    refill(it->second, now);
    it->second.lastSeen = now;
    return it->second;
  }
  const std::size_t perShard = std::max<std::size_t>(1, limits_.maxUsers / kShards);
  if (shard.users.size() >= perShard) {
    sweepShard(shard, now);
    if (shard.users.size() >= perShard) {
      // Everyone is active: drop the one seen longest ago. Rare, so a scan is fine.
      auto oldest = std::min_element(
          shard.users.begin(), shard.users.end(),
          [](const auto& a, const auto& b) { return a.second.lastSeen < b.second.lastSeen; });
      shard.users.erase(oldest);
    }
  }
  return shard.users.emplace(user, UserState{limits_.burst, now, now, {}, {}}).first->second;
}

Verdict RateLimiter::admit(std::uint64_t user, std::string_view room, std::string_view text,
                           std::chrono::seconds slowMode) {
  const auto now = clock_.steady();
  Shard& shard = shardOf(user);
  std::lock_guard lock(shard.mutex);
  UserState& s = stateOf(shard, user, now);

  const std::uint64_t roomHash = hashOf(room);
  auto roomIt =
      std::find_if(s.rooms.begin(), s.rooms.end(), [&](const RoomSent& r) { return r.roomHash == roomHash; });
  const auto slow = std::min<std::chrono::nanoseconds>(slowMode, limits_.maxSlowMode);
  if (slow.count() > 0 && roomIt != s.rooms.end() && now - roomIt->at < slow) {
    const auto wait = slow - (now - roomIt->at);
    return Verdict{"chat.slow_mode",
                   "slow mode: one message every " + std::to_string(slowMode.count()) +
                       " s in this room, wait " + std::to_string(secondsUp(wait)) + " s",
                   millisUp(wait)};
  }

  const std::uint64_t textHash = hashOf(text);
  for (const TextSent& t : s.texts)
    if (t.textHash == textHash && now - t.at < limits_.duplicateWindow)
      return Verdict{
          "chat.duplicate",
          "the same message was sent less than " + std::to_string(limits_.duplicateWindow.count()) + " s ago",
          millisUp(limits_.duplicateWindow - (now - t.at))};

  if (s.tokens < 1) {
    const double seconds = limits_.perSecond > 0 ? (1 - s.tokens) / limits_.perSecond : 0;
    const std::chrono::milliseconds wait(static_cast<long long>(std::ceil(seconds * 1000 - 1e-6)));
    return Verdict{"chat.rate_limited", "sending too fast, wait " + std::to_string(secondsUp(wait)) + " s",
                   wait};
  }
  s.tokens -= 1;

  if (roomIt != s.rooms.end()) s.rooms.erase(roomIt);
  if (s.rooms.size() >= limits_.roomsPerUser) s.rooms.erase(s.rooms.begin());
  s.rooms.push_back(RoomSent{roomHash, now});
  if (limits_.duplicateHistory > 0) {
    if (s.texts.size() >= limits_.duplicateHistory) s.texts.erase(s.texts.begin());
    s.texts.push_back(TextSent{textHash, now});
  }
  return {};
}

bool RateLimiter::tryTake(std::uint64_t key) {
  const auto now = clock_.steady();
  Shard& shard = shardOf(key);
  std::lock_guard lock(shard.mutex);
  UserState& s = stateOf(shard, key, now);
  if (s.tokens < 1) return false;
  s.tokens -= 1;
  return true;
}

void RateLimiter::sweep() {
  const auto now = clock_.steady();
  for (Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    sweepShard(shard, now);
  }
}

std::size_t RateLimiter::trackedUsers() const {
  std::size_t n = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    n += shard.users.size();
  }
  return n;
}

}  // namespace hub::chat::moderation
