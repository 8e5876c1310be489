// cms/live/live_activity.cpp
//
// Chat activity per room and minute: stored by (room, minute, node), summed over nodes on read.
#include "cms/live/live_activity.h"

#include "cms/api/json.h"
#include "core/bus/bus.h"
#include "core/log/log.h"
#include "core/loop/worker_pool.h"
#include "core/service/chat_activity.h"
#include "core/sql/database.h"

namespace hub::cms::live {
namespace {

const std::shared_ptr<spdlog::logger>& logger() {
  static const auto log = hub::log::get("cms.live");
  return log;
}

constexpr std::int64_t kKeepMs = 7LL * 86400 * 1000;

}  // namespace

std::vector<sql::Migration> activityMigrations() {
  const std::string columns =
      "(room VARCHAR(64) NOT NULL, minute_ms BIGINT NOT NULL, node VARCHAR(32) NOT NULL, "
      "messages BIGINT NOT NULL, likes_total BIGINT NOT NULL, PRIMARY KEY (room, minute_ms, node))";
  return {sql::Migration::portable("cms.live_activity", 1, "create cms_live_chat_minutes",
                                   "CREATE TABLE cms_live_chat_minutes " + columns)};
}

Status recordChatActivity(sql::Executor& db, std::string_view payload, std::int64_t nowMs) {
  auto j = Json::parse(payload, nullptr, false);
  if (!j.is_object() || !j.contains("node") || !j["node"].is_string() || !j.contains("minute_ms") ||
      !j["minute_ms"].is_number_integer() || !j.contains("rooms") || !j["rooms"].is_array())
    return makeError("live.bad_activity", "not a chat activity announcement");
  const std::string node = j["node"].get<std::string>().substr(0, 32);
  const auto minute = j["minute_ms"].get<std::int64_t>();
  const bool mysql = db.backend() == "mysql";
  const std::string upsert =
      std::string(
          "INSERT INTO cms_live_chat_minutes (room, minute_ms, node, messages, likes_total) "
          "VALUES (?, ?, ?, ?, ?)") +
      // A node's counts for a minute only grow, and announcements are stored by a worker pool
      // (in any order): the larger count wins, so an older announcement stored late changes nothing.
      (mysql ? " ON DUPLICATE KEY UPDATE messages = GREATEST(messages, VALUES(messages)), "
               "likes_total = GREATEST(likes_total, VALUES(likes_total))"
             : " ON CONFLICT (room, minute_ms, node) DO UPDATE SET messages = MAX(messages, "
               "excluded.messages), "
               "likes_total = MAX(likes_total, excluded.likes_total)");
  for (const auto& r : j["rooms"]) {
    if (!r.is_object() || !r.contains("room") || !r["room"].is_string() ||
        r["room"].get<std::string>().size() > 64 || !r.value("messages", Json()).is_number_unsigned() ||
        !r.value("likes_total", Json()).is_number_unsigned())
      return makeError("live.bad_activity", "a room entry without room, messages or likes_total");
    auto st = db.exec(upsert, {r["room"].get<std::string>(), minute, node, r["messages"].get<std::int64_t>(),
                               r["likes_total"].get<std::int64_t>()});
    if (!st) return st.error();
  }
  if ((minute / 60000) % 60 == 0) {  // about hourly
    if (auto del = db.exec("DELETE FROM cms_live_chat_minutes WHERE minute_ms < ?", {nowMs - kKeepMs}); !del)
      return del.error();
  }
  return {};
}

Result<std::vector<ChatMinute>> chatMinutes(sql::Executor& db, const std::string& room,
                                            std::int64_t sinceMs) {
  // One minute before `since` too: the first minute's likes are its total's growth over it.
  auto rows = db.query(
      "SELECT minute_ms, SUM(messages) AS messages, MAX(likes_total) AS likes_total FROM "
      "cms_live_chat_minutes "
      "WHERE room = ? AND minute_ms >= ? GROUP BY minute_ms ORDER BY minute_ms",
      {room, sinceMs / 60000 * 60000 - 60000});
  if (!rows) return rows.error();
  std::vector<ChatMinute> out;
  std::int64_t prevTotal = -1;
  for (const auto& r : *rows) {
    const auto minute = r.getInt("minute_ms");
    const auto total = r.getInt("likes_total");
    if (minute >= sinceMs / 60000 * 60000)
      out.push_back(ChatMinute{minute, r.getInt("messages"),
                               prevTotal < 0 ? 0 : std::max<std::int64_t>(0, total - prevTotal)});
    prevTotal = std::max(prevTotal, total);
  }
  return out;
}

void ChatActivityRecorder::start() {
  sub_ = ctx_.base.bus.subscribe(
      service::kChatActivityTopic, [this, alive = alive_](std::string_view, std::string_view payload) {
        auto queued = ctx_.base.workers.submit([this, alive, text = std::string(payload)] {
          if (!alive->load()) return;
          const auto nowMs =
              std::chrono::duration_cast<std::chrono::milliseconds>(ctx_.base.clock.wall().time_since_epoch())
                  .count();
          if (auto st = recordChatActivity(ctx_.base.db, text, nowMs); !st)
            logger()->warn("chat activity not stored: {} ({})", st.error().message, st.error().code);
        });
        if (!queued) logger()->warn("chat activity dropped: {}", queued.error().message);
      });
}

void ChatActivityRecorder::stop() {
  alive_->store(false);
  sub_.reset();
}

}  // namespace hub::cms::live
