// chat/room/room_store.cpp
//
// SQL for rooms and moderation; every write bumps its change topic, then reloads the cache.
#include "chat/room/room_store.h"

#include <chrono>
#include <mutex>

#include "chat/protocol/command_decoder.h"
#include "core/sql/change_feed.h"
#include "core/sql/errors.h"

namespace hub::chat::room {

RoomStore::RoomStore(sql::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

std::vector<sql::Migration> RoomStore::migrations() {
  sql::Migration rooms = sql::Migration::portable(
      "chat", 1, "chat rooms, bans and mutes",
      "CREATE TABLE chat_rooms (name VARCHAR(64) NOT NULL PRIMARY KEY, title VARCHAR(200) NOT NULL,"
      " slow_mode_seconds INTEGER NOT NULL DEFAULT 0, origin VARCHAR(16) NOT NULL,"
      " created_at BIGINT NOT NULL);"
      "CREATE TABLE chat_bans (room VARCHAR(64) NOT NULL, user_id BIGINT NOT NULL,"
      " created_at BIGINT NOT NULL, PRIMARY KEY (room, user_id));"
      "CREATE TABLE chat_mutes (room VARCHAR(64) NOT NULL, user_id BIGINT NOT NULL,"
      " until_ms BIGINT NOT NULL, PRIMARY KEY (room, user_id));");
  sql::Migration log;
  log.component = "chat";
  log.version = 2;
  log.name = "chat moderation log";
  const std::string columns =
      " room VARCHAR(64) NOT NULL, action VARCHAR(16) NOT NULL, target_user BIGINT NOT NULL,"
      " message_id BIGINT NOT NULL, until_ms BIGINT NOT NULL, seconds BIGINT NOT NULL,"
      " moderator VARCHAR(100) NOT NULL, created_at BIGINT NOT NULL);";
  log.sqlite = "CREATE TABLE chat_moderation_log (id INTEGER PRIMARY KEY AUTOINCREMENT," + columns +
               "CREATE INDEX chat_moderation_log_room ON chat_moderation_log (room, id);";
  log.mysql = "CREATE TABLE chat_moderation_log (id BIGINT AUTO_INCREMENT PRIMARY KEY," + columns +
              "CREATE INDEX chat_moderation_log_room ON chat_moderation_log (room, id);";
  return {rooms, log};
}

std::int64_t RoomStore::nowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.wall().time_since_epoch()).count();
}

Status RoomStore::reloadRooms() {
  auto rows = db_.query("SELECT name, title, slow_mode_seconds, origin, created_at FROM chat_rooms");
  if (!rows) return rows.error().wrap("chat rooms");
  std::map<std::string, RoomInfo> fresh;
  for (const auto& row : *rows) {
    RoomInfo r;
    r.name = row.getString("name");
    r.title = row.getString("title");
    r.slowModeSeconds = static_cast<int>(row.getInt("slow_mode_seconds"));
    r.origin = row.getString("origin");
    r.createdAt = row.getInt("created_at");
    fresh.emplace(r.name, std::move(r));
  }
  std::unique_lock lock(mu_);
  rooms_ = std::move(fresh);
  return {};
}

Status RoomStore::reloadModeration() {
  auto b = db_.query("SELECT room, user_id FROM chat_bans");
  if (!b) return b.error().wrap("chat bans");
  auto m = db_.query("SELECT room, user_id, until_ms FROM chat_mutes WHERE until_ms > ?", {nowMs()});
  if (!m) return m.error().wrap("chat mutes");
  std::set<std::pair<std::string, std::int64_t>> bans;
  for (const auto& row : *b) bans.emplace(row.getString("room"), row.getInt("user_id"));
  std::map<std::pair<std::string, std::int64_t>, std::int64_t> mutes;
  for (const auto& row : *m) mutes[{row.getString("room"), row.getInt("user_id")}] = row.getInt("until_ms");
  std::unique_lock lock(mu_);
  bans_ = std::move(bans);
  mutes_ = std::move(mutes);
  return {};
}

Result<RoomInfo> RoomStore::create(const std::string& name, const std::string& title,
                                   const std::string& origin) {
  if (!protocol::validRoomName(name)) {
    return makeError("room.bad_name", "room names are 1-64 of A-Z a-z 0-9 . _ -");
  }
  RoomInfo r{name, title.empty() ? name : title, 0, nowMs(), origin};
  auto ins = db_.exec(
      "INSERT INTO chat_rooms (name, title, slow_mode_seconds, origin, created_at) VALUES (?, ?, 0, ?, ?)",
      {r.name, r.title, r.origin, r.createdAt});
  if (!ins) {
    if (ins.error().code == sql::errc::kConstraint)
      return makeError("room.exists", "room " + name + " exists");
    return ins.error().wrap("create room");
  }
  if (auto st = sql::bumpChange(db_, kRoomsTopic); !st) return st.error();
  if (auto st = reloadRooms(); !st) return st.error();
  return r;
}

Status RoomStore::ensure(const std::string& name, const std::string& origin) {
  if (find(name)) return {};
  auto r = create(name, name, origin);
  if (!r && r.error().code != "room.exists") return r.error();
  return {};
}

Result<bool> RoomStore::remove(const std::string& name) {
  auto del = db_.exec("DELETE FROM chat_rooms WHERE name = ?", {name});
  if (!del) return del.error().wrap("delete room");
  if (auto st = sql::bumpChange(db_, kRoomsTopic); !st) return st.error();
  if (auto st = reloadRooms(); !st) return st.error();
  return del->affected > 0;
}

Status RoomStore::setSlowMode(const std::string& room, int seconds) {
  auto up = db_.exec("UPDATE chat_rooms SET slow_mode_seconds = ? WHERE name = ?", {seconds, room});
  if (!up) return up.error().wrap("slow mode");
  if (auto st = sql::bumpChange(db_, kRoomsTopic); !st) return st;
  return reloadRooms();
}

Status RoomStore::setBan(const std::string& room, std::int64_t user, bool banned) {
  auto del = db_.exec("DELETE FROM chat_bans WHERE room = ? AND user_id = ?", {room, user});
  if (!del) return del.error().wrap("ban");
  if (banned) {
    auto ins =
        db_.exec("INSERT INTO chat_bans (room, user_id, created_at) VALUES (?, ?, ?)", {room, user, nowMs()});
    if (!ins) return ins.error().wrap("ban");
  }
  if (auto st = sql::bumpChange(db_, kModerationTopic); !st) return st;
  return reloadModeration();
}

Status RoomStore::setMute(const std::string& room, std::int64_t user, std::int64_t untilMs) {
  auto del = db_.exec("DELETE FROM chat_mutes WHERE room = ? AND user_id = ?", {room, user});
  if (!del) return del.error().wrap("mute");
  if (untilMs > 0) {
    auto ins =
        db_.exec("INSERT INTO chat_mutes (room, user_id, until_ms) VALUES (?, ?, ?)", {room, user, untilMs});
    if (!ins) return ins.error().wrap("mute");
  }
  if (auto st = sql::bumpChange(db_, kModerationTopic); !st) return st;
  return reloadModeration();
}

Status RoomStore::log(const ModerationEntry& e) {
  auto ins = db_.exec(
      "INSERT INTO chat_moderation_log (room, action, target_user, message_id, until_ms, seconds, moderator,"
      " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {e.room, e.action, e.targetUser, e.messageId, e.until, e.seconds, e.moderator, nowMs()});
  if (!ins) return ins.error().wrap("moderation log");
  return {};
}

Result<std::vector<ModerationEntry>> RoomStore::logOf(const std::string& room, int limit) {
  auto rows = db_.query(
      "SELECT id, room, action, target_user, message_id, until_ms, seconds, moderator, created_at"
      " FROM chat_moderation_log WHERE room = ? ORDER BY id DESC LIMIT ?",
      {room, limit});
  if (!rows) return rows.error().wrap("moderation log");
  std::vector<ModerationEntry> out;
  for (const auto& row : *rows) {
    ModerationEntry e;
    e.id = row.getInt("id");
    e.room = row.getString("room");
    e.action = row.getString("action");
    e.targetUser = row.getInt("target_user");
    e.messageId = row.getInt("message_id");
    e.until = row.getInt("until_ms");
    e.seconds = row.getInt("seconds");
    e.moderator = row.getString("moderator");
    e.at = row.getInt("created_at");
    out.push_back(std::move(e));
  }
  return out;
}

std::optional<RoomInfo> RoomStore::find(const std::string& name) const {
  std::shared_lock lock(mu_);
  auto it = rooms_.find(name);
  if (it == rooms_.end()) return std::nullopt;
  return it->second;
}

std::vector<RoomInfo> RoomStore::list() const {
  std::shared_lock lock(mu_);
  std::vector<RoomInfo> out;
  for (const auto& [name, r] : rooms_) out.push_back(r);
  return out;
}

bool RoomStore::banned(const std::string& room, std::int64_t user) const {
  std::shared_lock lock(mu_);
  return bans_.count({room, user}) > 0;
}

std::int64_t RoomStore::mutedUntil(const std::string& room, std::int64_t user) const {
  std::shared_lock lock(mu_);
  auto it = mutes_.find({room, user});
  if (it == mutes_.end() || it->second <= nowMs()) return 0;
  return it->second;
}

std::vector<std::pair<std::string, std::int64_t>> RoomStore::bans() const {
  std::shared_lock lock(mu_);
  return {bans_.begin(), bans_.end()};
}

}  // namespace hub::chat::room
