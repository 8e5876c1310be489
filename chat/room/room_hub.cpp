// chat/room/room_hub.cpp
//
// Local room membership and delivery; see room_hub.h for the join protocol.
#include "chat/room/room_hub.h"

#include <algorithm>

#include "chat/protocol/event_encoder.h"
#include "core/http/websocket.h"
#include "core/log/log.h"

namespace hub::chat::room {
namespace {

constexpr std::size_t kMaxBuffered = 1024;  // live frames held for a member waiting for history

const std::shared_ptr<spdlog::logger>& logger() {
  static const auto log = hub::log::get("chat.room");
  return log;
}

}  // namespace

RoomHub::RoomHub(fanout::Engine& engine, HubCounters counters, std::size_t joinHistory,
                 std::optional<CoalesceRule> coalesce, const Clock& clock)
    : engine_(engine),
      counters_(std::move(counters)),
      joinHistory_(joinHistory),
      coalesce_(coalesce),
      clock_(clock) {}

void RoomHub::send(Member& m, const fanout::Frame& frame) {
  // A refused frame means the connection is closing (its own close counts slow consumers).
  if (m.conn->send(frame) && counters_.delivered) counters_.delivered(1);
}

void RoomHub::join(const std::shared_ptr<ws::Session>& session, const std::string& room,
                   std::optional<std::uint64_t> since) {
  bool subscribe = false;
  {
    std::lock_guard lock(mu_);
    auto [it, fresh] = rooms_.try_emplace(room);
    subscribe = fresh;
    it->second.members.put(session.get(), Member{session, session->conn.get(), false, 0, {}});
    if (!fresh && !it->second.confirmed) {
      it->second.waiting.push_back([this, session, room, since] { fetchHistory(session, room, since); });
      return;
    }
  }
  if (!subscribe) return fetchHistory(session, room, since);
  engine_.subscribe(room, [this, session, room, since](Status st) {
    std::vector<std::function<void()>> waiting;
    {
      std::lock_guard lock(mu_);
      auto it = rooms_.find(room);
      if (it == rooms_.end()) return;
      if (!st) logger()->warn("[room={}] subscribe failed: {}", room, st.error().message);
      it->second.confirmed = true;
      waiting.swap(it->second.waiting);
    }
    fetchHistory(session, room, since);
    for (auto& w : waiting) w();
  });
}

void RoomHub::fetchHistory(const std::shared_ptr<ws::Session>& session, const std::string& room,
                           std::optional<std::uint64_t> since) {
  const ws::Session* key = session.get();
  auto done = [this, key, room, since](Result<fanout::History> h) {
    onHistory(key, room, since, std::move(h));
  };
  if (!since && joinHistory_ > 0) return engine_.recent(room, joinHistory_, std::move(done));
  engine_.history(room, since, std::move(done));
}

void RoomHub::onHistory(const ws::Session* key, const std::string& room, std::optional<std::uint64_t> since,
                        Result<fanout::History> history) {
  std::lock_guard lock(mu_);
  auto rit = rooms_.find(room);
  if (rit == rooms_.end()) return;
  Member* found = rit->second.members.find(key);
  if (!found) return;  // left meanwhile
  Member& m = *found;
  if (!history) {
    m.session->conn->send(protocol::encodeShared(
        protocol::ErrorEvent{"chat.unavailable", "room history unavailable, try again"}));
    logger()->warn("[room={} conn={}] join failed: {}", room, key->id(), history.error().message);
    rit->second.members.erase(key);
    return;
  }
  const auto& h = *history;
  send(m, protocol::encodeShared(protocol::Joined{room, h.lastId, h.recovered}));
  for (const auto& e : h.events) send(m, e);
  m.lastSent = h.lastId;
  (void)since;
  for (auto& [id, frame] : m.buffered) {
    if (id != 0 && id <= m.lastSent) continue;
    send(m, frame);
    if (id) m.lastSent = id;
  }
  m.buffered.clear();
  m.buffered.shrink_to_fit();
  m.ready = true;
}

void RoomHub::leave(const ws::Session& session, const std::string& room) {
  bool unsubscribe = false;
  {
    std::lock_guard lock(mu_);
    auto it = rooms_.find(room);
    if (it == rooms_.end()) return;
    it->second.members.erase(&session);
    if (it->second.members.empty()) {
      rooms_.erase(it);
      unsubscribe = true;
    }
  }
  if (unsubscribe) engine_.unsubscribe(room);
}

void RoomHub::deliver(const std::string& room, std::uint64_t id, const fanout::Frame& frame) {
  std::size_t queued = 0;
  http::WsSendBatch batch;  // one wake-up per loop for the whole room, after the lock
  {
    std::lock_guard lock(mu_);
    auto it = rooms_.find(room);
    if (it == rooms_.end()) return;
    EventHolds holds;
    if (coalesce_) holds = it->second.window.next(*coalesce_, clock_.steady(), it->second.members.size());
    auto& members = it->second.members;
    const std::size_t n = members.size();
    for (std::size_t i = 0; i < n; ++i) {
      // The connections are cold (their loops wrote them last): fetch a few ahead while this
      // one is queued, rather than wait for each in turn.
      if (i + http::kWsPrefetchAhead < n) members.at(i + http::kWsPrefetchAhead).second.conn->prefetch();
      auto& [key, m] = members.at(i);
      if (coalesce_) batch.setHold(holds.hold[holds.groupOf(reinterpret_cast<std::uintptr_t>(key))]);
      if (!m.ready) {
        if (m.buffered.size() < kMaxBuffered) m.buffered.emplace_back(id, frame);
        continue;
      }
      if (id != 0 && id <= m.lastSent) continue;  // already sent (history or a resync)
      // A refused frame means the connection is closing (its own close counts slow consumers).
      if (m.conn->send(frame)) ++queued;
      if (id) m.lastSent = id;
    }
  }
  if (queued && counters_.delivered) counters_.delivered(queued);  // once per frame, not per member
}

void RoomHub::resync() {
  std::vector<std::pair<std::string, std::uint64_t>> wanted;
  {
    std::lock_guard lock(mu_);
    for (auto& [name, r] : rooms_) {
      std::uint64_t oldest = UINT64_MAX;
      for (auto& [key, m] : r.members)
        if (m.ready) oldest = std::min(oldest, m.lastSent);
      if (oldest != UINT64_MAX) wanted.emplace_back(name, oldest);
    }
  }
  for (auto& [name, since] : wanted) {
    engine_.history(name, since, [this, room = name, since = since](Result<fanout::History> h) {
      if (!h) {
        logger()->warn("[room={}] resync failed: {}", room, h.error().message);
        return;
      }
      std::lock_guard lock(mu_);
      auto it = rooms_.find(room);
      if (it == rooms_.end()) return;
      const std::uint64_t first = h->lastId - h->events.size() + 1;
      for (auto& [key, m] : it->second.members) {
        if (!m.ready) continue;
        if (m.lastSent + 1 < first || m.lastSent > h->lastId) {
          // Part of what it missed is gone: tell it, like a join that could not recover.
          send(m, protocol::encodeShared(protocol::Joined{room, h->lastId, false}));
        }
        for (std::size_t i = 0; i < h->events.size(); ++i) {
          const std::uint64_t id = first + i;
          if (id <= m.lastSent) continue;
          send(m, h->events[i]);
          m.lastSent = id;
        }
        if (m.lastSent > h->lastId) m.lastSent = h->lastId;
      }
      logger()->info("[room={}] resynced after reconnect, last id {} (members from {})", room, h->lastId,
                     since);
    });
  }
}

void RoomHub::broadcast(const std::string& room, const fanout::Frame& frame) {
  http::WsSendBatch batch;  // declared first: posts after the lock is released
  std::lock_guard lock(mu_);
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return;
  for (auto& [key, m] : it->second.members)
    if (m.ready) send(m, frame);
}

void RoomHub::forEachMember(const std::string& room, const std::function<void(ws::Session&)>& fn) {
  std::vector<std::shared_ptr<ws::Session>> sessions;
  {
    std::lock_guard lock(mu_);
    auto it = rooms_.find(room);
    if (it == rooms_.end()) return;
    for (auto& [key, m] : it->second.members) sessions.push_back(m.session);
  }
  for (auto& s : sessions) fn(*s);
}

std::vector<fanout::RoomCount> RoomHub::localCounts() const {
  std::lock_guard lock(mu_);
  std::vector<fanout::RoomCount> out;
  for (const auto& [name, r] : rooms_) out.push_back({name, r.members.size()});
  return out;
}

std::size_t RoomHub::members(const std::string& room) const {
  std::lock_guard lock(mu_);
  auto it = rooms_.find(room);
  return it == rooms_.end() ? 0 : it->second.members.size();
}

}  // namespace hub::chat::room
