// chat/room/room_hub.h
//
// The rooms of this node: which local sessions are in which room, and the delivery of the
// engine's frames to them. A room is subscribed on the engine while it has local members.
//
// Joining is done without a gap or a duplicate: the member is added first (its live frames are
// buffered), then the engine's history answers `since` (without `since`: the last `joinHistory`
// messages, or just the last id when that is 0); the hub then sends
// `joined`, the replayed messages and the buffered frames newer than the history, and from then
// on live frames go straight to the connection. Each member remembers the last message id it got,
// so a frame that arrives twice (history and live, or after a resync) is sent once.
//
// Threading: join/leave from loop threads, deliver/resync from the engine's thread, broadcast and
// counts from the ticker. One mutex; the work under it is queueing shared buffers.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "chat/fanout/engine.h"
#include "chat/room/coalesce_window.h"
#include "chat/room/member_list.h"
#include "chat/ws/session.h"
#include "core/util/clock.h"

namespace hub::chat::room {

struct HubCounters {
  std::function<void(std::size_t)> delivered;  // frames queued on connections
};

class RoomHub {
 public:
  // `coalesce`: hold each engine event in the members' loops as CoalesceWindow says (adaptive
  // coalescing); without it the WebSocket route's own setting applies.
  RoomHub(fanout::Engine& engine, HubCounters counters, std::size_t joinHistory = 0,
          std::optional<CoalesceRule> coalesce = std::nullopt, const Clock& clock = SystemClock::instance());

  void join(const std::shared_ptr<ws::Session>& session, const std::string& room,
            std::optional<std::uint64_t> since);
  void leave(const ws::Session& session, const std::string& room);

  // Engine side.
  void deliver(const std::string& room, std::uint64_t id, const fanout::Frame& frame);
  // After the engine reconnected: sends every member what it missed (from history).
  void resync();

  // A frame for the local members of a room only (likes, viewers): not through the engine.
  void broadcast(const std::string& room, const fanout::Frame& frame);
  // Calls fn for every ready member of `room` (e.g. to close banned users).
  void forEachMember(const std::string& room, const std::function<void(ws::Session&)>& fn);

  // Rooms with local members and how many, for viewers and stats.
  std::vector<fanout::RoomCount> localCounts() const;
  std::size_t members(const std::string& room) const;

 private:
  struct Member {
    std::shared_ptr<ws::Session> session;
    http::WsConnection* conn = nullptr;  // session->conn, read without a hop through the session
    bool ready = false;
    std::uint64_t lastSent = 0;
    std::vector<std::pair<std::uint64_t, fanout::Frame>> buffered;  // while not ready
  };
  struct Room {
    MemberList<const ws::Session*, Member> members;
    bool confirmed = false;                      // the engine confirmed the subscription
    std::vector<std::function<void()>> waiting;  // history requests until then
    CoalesceWindow window;
  };

  void fetchHistory(const std::shared_ptr<ws::Session>& session, const std::string& room,
                    std::optional<std::uint64_t> since);
  void onHistory(const ws::Session* session, const std::string& room, std::optional<std::uint64_t> since,
                 Result<fanout::History> history);
  void send(Member& m, const fanout::Frame& frame);  // under mu_

  fanout::Engine& engine_;
  HubCounters counters_;
  const std::size_t joinHistory_;
  const std::optional<CoalesceRule> coalesce_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::map<std::string, Room> rooms_;
};

}  // namespace hub::chat::room
