// chat/room/room_store.h
//
// The rooms and the moderation state (bans, mutes, slow mode, the action log) in SQL, with an
// in-memory copy every node reads on its loop threads without blocking. Writes go to SQL (on a
// worker thread), bump a change-feed topic and reload; every other node reloads when the change
// watcher sees the topic move, so all nodes agree within one poll (250 ms).
//
// Tables (migrations()): chat_rooms, chat_bans, chat_mutes, chat_moderation_log.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

#include "core/sql/database.h"
#include "core/sql/migration.h"
#include "core/util/clock.h"
#include "core/util/result.h"

namespace hub::chat::room {

inline constexpr const char* kRoomsTopic = "chat.rooms";
inline constexpr const char* kModerationTopic = "chat.moderation";

struct RoomInfo {
  std::string name;
  std::string title;
  int slowModeSeconds = 0;
  std::int64_t createdAt = 0;  // ms since the epoch
  std::string origin;          // "api" or "stream"
};

struct ModerationEntry {
  std::int64_t id = 0;
  std::string room;
  std::string action;  // delete, mute, unmute, ban, unban, slow_mode, notice
  std::int64_t targetUser = 0;
  std::int64_t messageId = 0;
  std::int64_t until = 0;  // ms, for mutes
  std::int64_t seconds = 0;
  std::string moderator;
  std::int64_t at = 0;  // ms
};

class RoomStore {
 public:
  RoomStore(sql::Database& db, const Clock& clock);

  static std::vector<sql::Migration> migrations();

  // Blocking: worker threads (or start-up) only.
  Status reloadRooms();
  Status reloadModeration();
  // Errors: "room.exists" (409), "room.bad_name".
  Result<RoomInfo> create(const std::string& name, const std::string& title, const std::string& origin);
  // Creates the room of a stream unless it exists. Idempotent.
  Status ensure(const std::string& name, const std::string& origin);
  // False when there was no such room.
  Result<bool> remove(const std::string& name);
  Status setSlowMode(const std::string& room, int seconds);
  Status setBan(const std::string& room, std::int64_t user, bool banned);
  Status setMute(const std::string& room, std::int64_t user, std::int64_t untilMs);
  Status log(const ModerationEntry& entry);
  Result<std::vector<ModerationEntry>> logOf(const std::string& room, int limit);

  // Non-blocking, any thread: the cached state.
  std::optional<RoomInfo> find(const std::string& name) const;
  std::vector<RoomInfo> list() const;
  bool banned(const std::string& room, std::int64_t user) const;
  std::int64_t mutedUntil(const std::string& room, std::int64_t user) const;  // ms, 0: not muted
  std::vector<std::pair<std::string, std::int64_t>> bans() const;

 private:
  std::int64_t nowMs() const;

  sql::Database& db_;
  const Clock& clock_;
  mutable std::shared_mutex mu_;
  std::map<std::string, RoomInfo> rooms_;
  std::set<std::pair<std::string, std::int64_t>> bans_;
  std::map<std::pair<std::string, std::int64_t>, std::int64_t> mutes_;
};

}  // namespace hub::chat::room
