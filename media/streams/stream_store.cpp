// media/streams/stream_store.cpp
#include "media/streams/stream_store.h"

#include <random>

#include "core/sql/change_feed.h"
#include "core/sql/errors.h"

namespace hub::media::streams {
namespace {

constexpr const char* kColumns =
    "SELECT name, stream_key, title, passthrough_only, ladder, restream_targets, held, created_at FROM "
    "media_streams";

std::string isoTime(std::chrono::system_clock::time_point t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Error notFound(const std::string& name) { return makeError("media.not_found", "no stream named " + name); }

Stream fromRow(const sql::Row& r) {
  Stream s;
  s.name = r.getString("name");
  s.key = r.getString("stream_key");
  s.title = r.getString("title");
  s.passthroughOnly = r.getInt("passthrough_only") != 0;
  auto ladder = nlohmann::json::parse(r.getString("ladder"), nullptr, false);
  if (auto l = ladderFromJson(ladder); l) s.ladder = *l;
  auto targets = nlohmann::json::parse(r.getString("restream_targets"), nullptr, false);
  if (targets.is_array())
    for (const auto& t : targets)
      if (t.is_string()) s.restreamTargets.push_back(t.get<std::string>());
  s.held = r.getInt("held") != 0;
  s.createdAt = r.getString("created_at");
  return s;
}

}  // namespace

std::vector<sql::Migration> StreamStore::migrations() {
  sql::Migration streams = sql::Migration::portable("media", 1, "create media_streams",
                                                    "CREATE TABLE media_streams ("
                                                    " name VARCHAR(64) NOT NULL PRIMARY KEY,"
                                                    " stream_key VARCHAR(64) NOT NULL UNIQUE,"
                                                    " title VARCHAR(255) NOT NULL,"
                                                    " passthrough_only INTEGER NOT NULL,"
                                                    " ladder TEXT NOT NULL,"
                                                    " restream_targets TEXT NOT NULL,"
                                                    " created_at VARCHAR(32) NOT NULL)");
  sql::Migration health;
  health.component = "media";
  health.version = 2;
  health.name = "create media_stream_health";
  const char* columns =
      " stream VARCHAR(64) NOT NULL,"
      " sampled_at BIGINT NOT NULL,"
      " live INTEGER NOT NULL,"
      " bitrate_in BIGINT NOT NULL,"
      " fps DOUBLE PRECISION NOT NULL,"
      " viewers BIGINT NOT NULL,"
      " dropped_frames BIGINT NOT NULL,"
      " width INTEGER NOT NULL,"
      " height INTEGER NOT NULL,"
      " details TEXT NOT NULL)";
  health.sqlite = std::string("CREATE TABLE media_stream_health (id INTEGER PRIMARY KEY AUTOINCREMENT,") +
                  columns +
                  "; CREATE INDEX media_stream_health_by_stream ON media_stream_health (stream, sampled_at)";
  health.mysql = std::string("CREATE TABLE media_stream_health (id BIGINT AUTO_INCREMENT PRIMARY KEY,") +
                 columns +
                 "; CREATE INDEX media_stream_health_by_stream ON media_stream_health (stream, sampled_at)";
  // One row per announcement on the bus topic "media.streams": with several media nodes on
  // one database, the node whose INSERT wins announces, the others stay quiet.
  sql::Migration announcements = sql::Migration::portable("media", 3, "create media_announcements",
                                                          "CREATE TABLE media_announcements ("
                                                          " name VARCHAR(64) NOT NULL,"
                                                          " event VARCHAR(16) NOT NULL,"
                                                          " created_at VARCHAR(32) NOT NULL,"
                                                          " announced_at BIGINT NOT NULL,"
                                                          " PRIMARY KEY (name, event, created_at))");
  // The CMS's live events: what the public listing shows as upcoming.
  sql::Migration schedules = sql::Migration::portable("media", 4, "create media_stream_schedules",
                                                      "CREATE TABLE media_stream_schedules ("
                                                      " name VARCHAR(64) NOT NULL PRIMARY KEY,"
                                                      " title VARCHAR(255) NOT NULL,"
                                                      " starts_at BIGINT NOT NULL,"
                                                      " ends_at BIGINT NOT NULL,"
                                                      " poster_url VARCHAR(1024) NOT NULL)");
  // Plays and watch time per live session (media/hls/playback_sessions.h), grown in batches.
  sql::Migration playback = sql::Migration::portable("media", 5, "create media_playback",
                                                     "CREATE TABLE media_playback ("
                                                     " stream VARCHAR(64) NOT NULL,"
                                                     " live_session VARCHAR(32) NOT NULL,"
                                                     " started_at BIGINT NOT NULL,"
                                                     " updated_at BIGINT NOT NULL,"
                                                     " plays BIGINT NOT NULL,"
                                                     " watch_ms BIGINT NOT NULL,"
                                                     " peak_viewers BIGINT NOT NULL,"
                                                     " PRIMARY KEY (stream, live_session))");
  // The same for replays: one row per recording (media/record/replay_views.h).
  sql::Migration replays = sql::Migration::portable("media", 6, "create media_replay_playback",
                                                    "CREATE TABLE media_replay_playback ("
                                                    " recording VARCHAR(64) NOT NULL PRIMARY KEY,"
                                                    " stream VARCHAR(64) NOT NULL,"
                                                    " started_at BIGINT NOT NULL,"
                                                    " updated_at BIGINT NOT NULL,"
                                                    " plays BIGINT NOT NULL,"
                                                    " watch_ms BIGINT NOT NULL,"
                                                    " peak_viewers BIGINT NOT NULL);"
                                                    "CREATE INDEX media_replay_playback_stream ON "
                                                    "media_replay_playback (stream)");
  // A held stream plays only for its room's moderators (a rehearsal before the doors open).
  sql::Migration held =
      sql::Migration::portable("media", 7, "media_streams.held",
                               "ALTER TABLE media_streams ADD COLUMN held INTEGER NOT NULL DEFAULT 0");
  return {streams, health, announcements, schedules, playback, replays, held};
}

std::string newStreamKey() {
  std::random_device rd;
  static const char* hex = "0123456789abcdef";
  std::string key;
  for (int i = 0; i < 4; ++i) {
    std::uint32_t v = rd();
    for (int j = 0; j < 8; ++j, v >>= 4) key += hex[v & 15];
  }
  return key;
}

bool validStreamName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  return true;
}

Result<std::vector<Rung>> ladderFromJson(const nlohmann::json& j) {
  if (!j.is_array()) return makeError("media.bad_request", "ladder must be an array");
  if (j.size() > 8) return makeError("media.bad_request", "at most 8 ladder rungs");
  std::vector<Rung> out;
  for (const auto& item : j) {
    if (!item.is_object() || !item.contains("height") || !item["height"].is_number_integer() ||
        !item.contains("bitrate") || !item["bitrate"].is_number_integer())
      return makeError("media.bad_request", "each rung needs integer height and bitrate");
    Rung r;
    r.height = item["height"].get<int>();
    r.bitrate = item["bitrate"].get<std::int64_t>();
    r.name = item.contains("name") && item["name"].is_string() ? item["name"].get<std::string>()
                                                               : std::to_string(r.height) + "p";
    if (r.height < 144 || r.height > 2160)
      return makeError("media.bad_request", "rung height must be 144..2160");
    if (r.bitrate < 100'000 || r.bitrate > 50'000'000)
      return makeError("media.bad_request", "rung bitrate must be 100000..50000000 bits/s");
    if (!validStreamName(r.name) || r.name == "source")
      return makeError("media.bad_request", "rung name must be a-z 0-9 - _ and not \"source\"");
    out.push_back(r);
  }
  return out;
}

nlohmann::json ladderToJson(const std::vector<Rung>& ladder) {
  auto j = nlohmann::json::array();
  for (const auto& r : ladder) j.push_back({{"name", r.name}, {"height", r.height}, {"bitrate", r.bitrate}});
  return j;
}

Status checkRestreamTargets(const std::vector<std::string>& targets) {
  if (targets.size() > 16) return makeError("media.bad_request", "at most 16 restream targets");
  for (const auto& t : targets)
    if ((t.rfind("rtmp://", 0) != 0 && t.rfind("rtmps://", 0) != 0) || t.size() > 2048 || t.size() < 10)
      return makeError("media.bad_request", "restream targets must be rtmp:// or rtmps:// URLs");
  return {};
}

Result<Stream> StreamStore::create(const std::string& name, const std::string& title) {
  if (!validStreamName(name))
    return makeError("media.bad_name", "stream names are 1 to 64 of a-z, 0-9, '-' and '_'");
  if (title.size() > 255) return makeError("media.bad_request", "title longer than 255 bytes");
  Stream s;
  s.name = name;
  s.key = newStreamKey();
  s.title = title.empty() ? name : title;
  s.createdAt = isoTime(clock_.wall());
  Status st = db_.transaction([&](sql::Transaction& tx) -> Status {
    auto existing = tx.query("SELECT name FROM media_streams WHERE name = ?", {name});
    if (!existing) return existing.error();
    if (!existing->empty()) return makeError("media.stream_exists", "a stream named " + name + " exists");
    auto ins = tx.exec(
        "INSERT INTO media_streams (name, stream_key, title, passthrough_only, ladder, restream_targets, "
        "created_at) VALUES (?, ?, ?, 0, '[]', '[]', ?)",
        {s.name, s.key, s.title, s.createdAt});
    if (!ins) return ins.error();
    return sql::bumpChange(tx, kChangeTopic);
  });
  if (!st) return st.error();
  return s;
}

Result<std::vector<Stream>> StreamStore::list() {
  auto rows = db_.query(std::string(kColumns) + " ORDER BY name");
  if (!rows) return rows.error();
  std::vector<Stream> out;
  for (const auto& r : *rows) out.push_back(fromRow(r));
  return out;
}

Result<Stream> StreamStore::get(const std::string& name) {
  auto rows = db_.query(std::string(kColumns) + " WHERE name = ?", {name});
  if (!rows) return rows.error();
  if (rows->empty()) return notFound(name);
  return fromRow((*rows)[0]);
}

Status StreamStore::remove(const std::string& name) {
  return db_.transaction([&](sql::Transaction& tx) -> Status {
    auto del = tx.exec("DELETE FROM media_streams WHERE name = ?", {name});
    if (!del) return del.error();
    if (del->affected == 0) return notFound(name);
    if (auto sched = tx.exec("DELETE FROM media_stream_schedules WHERE name = ?", {name}); !sched)
      return sched.error();
    return sql::bumpChange(tx, kChangeTopic);
  });
}

Result<Stream> StreamStore::update(const std::string& name, const std::string& statement,
                                   sql::Params params) {
  params.push_back(name);
  Status st = db_.transaction([&](sql::Transaction& tx) -> Status {
    auto up = tx.exec(statement, params);
    if (!up) return up.error();
    if (up->affected == 0) {
      auto exists = tx.query("SELECT name FROM media_streams WHERE name = ?", {name});
      if (!exists) return exists.error();
      if (exists->empty()) return notFound(name);
    }
    return sql::bumpChange(tx, kChangeTopic);
  });
  if (!st) return st.error();
  return get(name);
}

Result<Stream> StreamStore::rotateKey(const std::string& name) {
  return update(name, "UPDATE media_streams SET stream_key = ? WHERE name = ?", {newStreamKey()});
}

Result<Stream> StreamStore::setTitle(const std::string& name, const std::string& title) {
  if (title.empty() || title.size() > 255)
    return makeError("media.bad_request", "title must be 1 to 255 bytes");
  return update(name, "UPDATE media_streams SET title = ? WHERE name = ?", {title});
}

Result<Stream> StreamStore::setLadder(const std::string& name, bool passthroughOnly,
                                      const std::vector<Rung>& ladder) {
  return update(name, "UPDATE media_streams SET passthrough_only = ?, ladder = ? WHERE name = ?",
                {passthroughOnly ? 1 : 0, ladderToJson(ladder).dump()});
}

Result<Stream> StreamStore::setRestreamTargets(const std::string& name,
                                               const std::vector<std::string>& targets) {
  if (auto st = checkRestreamTargets(targets); !st) return st.error();
  return update(name, "UPDATE media_streams SET restream_targets = ? WHERE name = ?",
                {nlohmann::json(targets).dump()});
}

Result<Stream> StreamStore::setHeld(const std::string& name, bool held) {
  return update(name, "UPDATE media_streams SET held = ? WHERE name = ?", {held ? 1 : 0});
}

Status StreamStore::setSchedule(const Schedule& schedule) {
  if (schedule.startsAt != 0 && schedule.endsAt <= schedule.startsAt)
    return makeError("media.bad_request", "a schedule ends after it starts");
  if (schedule.title.size() > 255 || schedule.posterUrl.size() > 1024)
    return makeError("media.bad_request", "schedule title or poster URL too long");
  return db_.transaction([&](sql::Transaction& tx) -> Status {
    auto exists = tx.query("SELECT name FROM media_streams WHERE name = ?", {schedule.name});
    if (!exists) return exists.error();
    if (exists->empty()) return notFound(schedule.name);
    auto del = tx.exec("DELETE FROM media_stream_schedules WHERE name = ?", {schedule.name});
    if (!del) return del.error();
    if (schedule.startsAt != 0) {
      auto ins = tx.exec(
          "INSERT INTO media_stream_schedules (name, title, starts_at, ends_at, poster_url) VALUES (?, ?, ?, "
          "?, ?)",
          {schedule.name, schedule.title, schedule.startsAt, schedule.endsAt, schedule.posterUrl});
      if (!ins) return ins.error();
    }
    return sql::bumpChange(tx, kChangeTopic);
  });
}

Result<std::vector<Schedule>> StreamStore::schedules() {
  auto rows = db_.query(
      "SELECT name, title, starts_at, ends_at, poster_url FROM media_stream_schedules ORDER BY starts_at");
  if (!rows) return rows.error();
  std::vector<Schedule> out;
  for (const auto& r : *rows)
    out.push_back(Schedule{r.getString("name"), r.getString("title"), r.getInt("starts_at"),
                           r.getInt("ends_at"), r.getString("poster_url")});
  return out;
}

Result<bool> StreamStore::claimAnnouncement(const std::string& event, const Stream& s) {
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(clock_.wall().time_since_epoch()).count();
  auto ins =
      db_.exec("INSERT INTO media_announcements (name, event, created_at, announced_at) VALUES (?, ?, ?, ?)",
               {s.name, event, s.createdAt, static_cast<std::int64_t>(now)});
  if (ins) return true;
  if (ins.error().code == sql::errc::kConstraint) return false;
  return ins.error();
}

Status StreamStore::pruneAnnouncements(std::chrono::system_clock::time_point before) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(before.time_since_epoch()).count();
  auto del =
      db_.exec("DELETE FROM media_announcements WHERE announced_at < ?", {static_cast<std::int64_t>(ms)});
  if (!del) return del.error();
  return {};
}

Status StreamStore::recordHealth(const std::vector<HealthSample>& samples) {
  if (samples.empty()) return {};
  return db_.transaction([&](sql::Transaction& tx) -> Status {
    for (const auto& s : samples) {
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(s.at.time_since_epoch()).count();
      auto ins = tx.exec(
          "INSERT INTO media_stream_health (stream, sampled_at, live, bitrate_in, fps, viewers, "
          "dropped_frames, "
          "width, height, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          {s.stream, ms, s.live ? 1 : 0, s.bitrateIn, s.fps, s.viewers, s.droppedFrames, s.width, s.height,
           s.details});
      if (!ins) return ins.error();
    }
    return Status{};
  });
}

Result<std::vector<HealthSample>> StreamStore::health(const std::string& stream, int limit,
                                                      std::int64_t sinceMs) {
  auto rows = db_.query(
      "SELECT stream, sampled_at, live, bitrate_in, fps, viewers, dropped_frames, width, height, details "
      "FROM media_stream_health WHERE stream = ? AND sampled_at >= ? ORDER BY sampled_at DESC, id DESC LIMIT "
      "?",
      {stream, sinceMs, limit});
  if (!rows) return rows.error();
  std::vector<HealthSample> out;
  for (const auto& r : *rows) {
    HealthSample s;
    s.stream = r.getString("stream");
    s.at = std::chrono::system_clock::time_point(std::chrono::milliseconds(r.getInt("sampled_at")));
    s.live = r.getInt("live") != 0;
    s.bitrateIn = r.getInt("bitrate_in");
    s.fps = r.getDouble("fps");
    s.viewers = r.getInt("viewers");
    s.droppedFrames = r.getInt("dropped_frames");
    s.width = static_cast<int>(r.getInt("width"));
    s.height = static_cast<int>(r.getInt("height"));
    s.details = r.getString("details");
    out.push_back(std::move(s));
  }
  return out;
}

namespace {

// Grows one figures row per key (live session, or recording): plays and watch time add up, the
// peak is the larger one.
std::string playbackUpsert(bool mysql, const std::string& table, const std::string& key,
                           const std::string& columns) {
  std::string marks;
  for (char c : columns)
    if (c == ',') marks += "?, ";
  return "INSERT INTO " + table + " (" + columns + ") VALUES (" + marks + "?)" +
         (mysql ? " ON DUPLICATE KEY UPDATE updated_at = VALUES(updated_at), plays = plays + VALUES(plays), "
                  "watch_ms = watch_ms + VALUES(watch_ms), peak_viewers = GREATEST(peak_viewers, "
                  "VALUES(peak_viewers))"
                : " ON CONFLICT (" + key +
                      ") DO UPDATE SET updated_at = excluded.updated_at, plays = plays + excluded.plays, "
                      "watch_ms = watch_ms + excluded.watch_ms, peak_viewers = MAX(peak_viewers, "
                      "excluded.peak_viewers)");
}

}  // namespace

Status StreamStore::recordPlayback(const std::vector<PlaybackRow>& growth) {
  if (growth.empty()) return {};
  const bool mysql = db_.backend() == "mysql";
  const std::string live =
      playbackUpsert(mysql, "media_playback", "stream, live_session",
                     "stream, live_session, started_at, updated_at, plays, watch_ms, peak_viewers");
  const std::string replay =
      playbackUpsert(mysql, "media_replay_playback", "recording",
                     "recording, stream, started_at, updated_at, plays, watch_ms, peak_viewers");
  return db_.transaction([&](sql::Transaction& tx) -> Status {
    for (const auto& g : growth) {
      auto ins = g.replay ? tx.exec(replay, {g.session, g.stream, g.startedAtMs, g.updatedAtMs, g.plays,
                                             g.watchMs, g.peakViewers})
                          : tx.exec(live, {g.stream, g.session, g.startedAtMs, g.updatedAtMs, g.plays,
                                           g.watchMs, g.peakViewers});
      if (!ins) return ins.error();
    }
    return Status{};
  });
}

Result<std::vector<PlaybackRow>> StreamStore::playback(const std::vector<std::string>& streams) {
  if (streams.empty()) return std::vector<PlaybackRow>{};
  if (streams.size() > 500) return makeError("media.bad_request", "at most 500 streams at once");
  std::string marks;
  sql::Params params;
  for (const auto& s : streams) {
    marks += marks.empty() ? "?" : ", ?";
    params.emplace_back(s);
  }
  std::vector<PlaybackRow> out;
  for (bool replay : {false, true}) {
    auto rows = db_.query(std::string("SELECT stream, ") + (replay ? "recording" : "live_session") +
                              " AS session, started_at, updated_at, plays, watch_ms, peak_viewers FROM " +
                              (replay ? "media_replay_playback" : "media_playback") + " WHERE stream IN (" +
                              marks + ") ORDER BY started_at, stream, session",
                          params);
    if (!rows) return rows.error();
    for (const auto& r : *rows)
      out.push_back(PlaybackRow{r.getString("stream"), r.getString("session"), r.getInt("started_at"),
                                r.getInt("updated_at"), r.getInt("plays"), r.getInt("watch_ms"),
                                r.getInt("peak_viewers"), replay});
  }
  return out;
}

}  // namespace hub::media::streams
