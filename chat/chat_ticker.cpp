// chat/chat_ticker.cpp
//
// The chat service's periodic work, on its ticker thread: the likes tick (each node's deltas
// merged into one likes event per room), the viewers tick (counts summed across nodes), and
// once a second the sweep: connections without a hello in time closed with 4001, the rate
// limiters trimmed, each room's message rate and the minute's activity announced on the bus.
#include "chat/chat_service.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "chat/protocol/event_encoder.h"
#include "core/bus/bus.h"
#include "core/log/log.h"
#include "core/service/chat_activity.h"

namespace hub::chat {
namespace {

using namespace std::chrono_literals;

const std::shared_ptr<spdlog::logger>& logger() {
  static const auto log = hub::log::get("chat.ws");
  return log;
}

constexpr int kCloseNoHello = 4001;

}  // namespace

void ChatService::tickerLoop() {
  using Clock = std::chrono::steady_clock;
  auto nextLikes = Clock::now();
  auto nextViewers = Clock::now();
  auto nextSweep = Clock::now();
  const auto likesEvery = std::chrono::milliseconds(cfg_.likesIntervalMs);
  const auto viewersEvery = std::chrono::milliseconds(cfg_.viewersIntervalMs);
  std::unique_lock lock(tickerMu_);
  while (!stopping_) {
    auto next = std::min({nextLikes, nextViewers, nextSweep});
    tickerWake_.wait_until(lock, next, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    auto now = Clock::now();
    if (now >= nextLikes) {
      likesTick();
      nextLikes = now + likesEvery;
    }
    if (now >= nextViewers) {
      viewersTick();
      nextViewers = now + viewersEvery;
    }
    if (now >= nextSweep) {
      sweep();
      nextSweep = now + 1s;
    }
    lock.lock();
  }
}

void ChatService::likesTick() {
  std::vector<fanout::RoomCount> deltas;
  for (auto& d : likes_.drain()) deltas.push_back({std::move(d.room), d.delta});
  std::vector<std::string> rooms;
  for (auto& c : hub_->localCounts()) rooms.push_back(std::move(c.room));
  if (deltas.empty() && rooms.empty()) return;
  engine_->likesTick(
      std::move(deltas), std::move(rooms), [this](Result<std::vector<fanout::RoomCount>> totals) {
        if (!totals) return;
        for (const auto& t : *totals) {
          std::uint64_t prev = 0;
          bool known = false;
          {
            std::lock_guard lock(statsMu_);
            auto [it, fresh] = likeTotals_.try_emplace(t.room, t.count);
            known = !fresh;
            prev = it->second;
            it->second = t.count;
          }
          if (known ? t.count == prev : t.count == 0) continue;
          hub_->broadcast(
              t.room, protocol::encodeShared(protocol::Likes{t.room, t.count, known ? t.count - prev : 0}));
        }
      });
}

void ChatService::viewersTick() {
  std::vector<fanout::RoomCount> local = hub_->localCounts();
  std::map<std::string, std::uint64_t> now;
  for (const auto& c : local) now[c.room] = c.count;
  for (const auto& [room, count] : lastLocal_)
    if (!now.count(room)) local.push_back({room, 0});  // its last viewer left: drop our entry
  lastLocal_ = std::move(now);
  if (local.empty()) return;
  engine_->viewersTick(std::move(local), [this](Result<std::vector<fanout::RoomCount>> sums) {
    if (!sums) return;
    for (const auto& s : *sums) {
      if (hub_->members(s.room) == 0) continue;
      {
        std::lock_guard lock(statsMu_);
        auto [it, fresh] = viewerSums_.try_emplace(s.room, s.count);
        if (!fresh && it->second == s.count) continue;
        it->second = s.count;
      }
      hub_->broadcast(s.room, protocol::encodeShared(protocol::Viewers{s.room, s.count}));
    }
  });
}

void ChatService::sweep() {
  const auto now = context_->clock.steady();
  const auto timeout = std::chrono::seconds(cfg_.helloTimeoutSeconds);
  std::vector<std::shared_ptr<ws::Session>> late;
  {
    std::lock_guard lock(sessionsMu_);
    while (!awaitingHello_.empty()) {  // oldest first: the first one not yet late ends the walk
      auto s = awaitingHello_.front().lock();
      if (s && !s->authenticated.load()) {
        if (now - s->opened < timeout) break;
        late.push_back(std::move(s));
      }
      awaitingHello_.pop_front();
    }
  }
  for (auto& s : late) {
    logger()->info("[conn={} peer={}] no hello within {} s: closing {}", s->id(), s->peer(),
                   cfg_.helloTimeoutSeconds, kCloseNoHello);
    s->conn->close(kCloseNoHello, "no hello in time");
  }
  limiter_->sweep();
  tokenLimiter_->sweep();
  std::string activity;
  {
    std::lock_guard lock(statsMu_);
    for (auto& [room, rate] : sentRate_) rate *= 0.8;  // decays when quiet: about a 5 s window
    for (auto& [room, n] : sentCount_) sentRate_[room] += 0.2 * static_cast<double>(n);
    activity = takeActivity();
    sentCount_.clear();
  }
  if (!activity.empty())
    if (auto st = context_->bus.publish(service::kChatActivityTopic, activity); !st)
      logger()->warn("room activity not announced: {}", st.error().message);
}

std::string ChatService::takeActivity() {
  const std::int64_t minute = nowMs() / 60000 * 60000;
  std::string out;
  if (activityMinute_ != 0 && minute != activityMinute_) {  // the minute is over: its final counts
    out = activityJson(activityMinute_);
    minuteMessages_.clear();
    activityTicks_ = 0;
  }
  activityMinute_ = minute;
  for (auto& [room, n] : sentCount_) minuteMessages_[room] += n;
  if (out.empty() && ++activityTicks_ % 5 == 0) out = activityJson(minute);
  return out;
}

std::string ChatService::activityJson(std::int64_t minute) const {
  auto rooms = nlohmann::json::array();
  auto likesOf = [this](const std::string& room) {
    auto it = likeTotals_.find(room);
    return it == likeTotals_.end() ? std::uint64_t{0} : it->second;
  };
  for (const auto& [room, n] : minuteMessages_)
    rooms.push_back({{"room", room}, {"messages", n}, {"likes_total", likesOf(room)}});
  for (const auto& [room, total] : likeTotals_)
    if (!minuteMessages_.count(room) && total > 0)
      rooms.push_back({{"room", room}, {"messages", 0}, {"likes_total", total}});
  if (rooms.empty()) return "";
  return nlohmann::json{{"node", nodeId_}, {"minute_ms", minute}, {"rooms", rooms}}.dump();
}

}  // namespace hub::chat
