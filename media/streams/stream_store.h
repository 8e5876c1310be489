// media/streams/stream_store.h
//
// The streams hosts publish to, in SQL (migrations component "media"): a name (URL-safe, also
// the playback path), a secret publish key, a title, and per-stream settings (passthrough only,
// the transcoding ladder, restream targets). Every write bumps the change-feed topic
// "media.streams", so a running hub notices writes the CLI makes. Also stores the health samples
// the media service takes every few seconds. All calls block: run them on a worker pool.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/sql/database.h"
#include "core/sql/migration.h"
#include "core/util/clock.h"
#include "core/util/result.h"

namespace hub::media::streams {

inline constexpr const char* kChangeTopic = "media.streams";

// One rung of the transcoding ladder ("720p", 720, 2'500'000).
struct Rung {
  std::string name;
  int height = 0;
  std::int64_t bitrate = 0;  // bits/s
  bool operator==(const Rung&) const = default;
};

struct Stream {
  std::string name;
  std::string key;  // secret: shown to admins, never logged
  std::string title;
  bool passthroughOnly = false;
  std::vector<Rung> ladder;  // empty: the configured default ladder
  std::vector<std::string> restreamTargets;
  // Held: the stream plays only for moderators of its room (a preview token) and is left out of
  // the public listing, until it is released (the CMS's "start" of a live event).
  bool held = false;
  std::string createdAt;  // UTC, ISO 8601
};

// What the public listing shows as upcoming while the stream is not live (set by the CMS's live
// events through core's Streams interface). Times in UTC epoch seconds.
struct Schedule {
  std::string name;
  std::string title;
  std::int64_t startsAt = 0;
  std::int64_t endsAt = 0;
  std::string posterUrl;
};

struct HealthSample {
  std::string stream;
  std::chrono::system_clock::time_point at;
  bool live = false;
  std::int64_t bitrateIn = 0;  // bits/s
  double fps = 0;
  std::int64_t viewers = 0;
  std::int64_t droppedFrames = 0;
  int width = 0, height = 0;
  std::string details;  // the whole status as JSON
};

// Who watched one live session of a stream (media_playback, one row per stream and session,
// grown in batches): plays, watch time, the most viewers seen at once.
struct PlaybackRow {
  std::string stream;
  std::string session;           // the live session's tag
  std::int64_t startedAtMs = 0;  // UTC ms
  std::int64_t updatedAtMs = 0;  // the last batch that grew it
  std::int64_t plays = 0;        // playback sessions started
  std::int64_t watchMs = 0;      // their summed durations
  std::int64_t peakViewers = 0;  // at a batch
  // A replay's (media_replay_playback): `session` is the recording's id, startedAtMs its start.
  bool replay = false;
};

class StreamStore {
 public:
  StreamStore(sql::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  static std::vector<sql::Migration> migrations();

  // Errors: media.bad_name (not 1-64 of a-z 0-9 - _), media.bad_request, media.stream_exists,
  // media.not_found, and sql.* from the database.
  Result<Stream> create(const std::string& name, const std::string& title);
  Result<std::vector<Stream>> list();
  Result<Stream> get(const std::string& name);
  Status remove(const std::string& name);
  Result<Stream> rotateKey(const std::string& name);
  Result<Stream> setTitle(const std::string& name, const std::string& title);
  Result<Stream> setLadder(const std::string& name, bool passthroughOnly, const std::vector<Rung>& ladder);
  Result<Stream> setRestreamTargets(const std::string& name, const std::vector<std::string>& targets);
  Result<Stream> setHeld(const std::string& name, bool held);

  // Stores the stream's schedule (startsAt 0: removes it). Errors: media.not_found,
  // media.bad_request (end not after start, a field too long).
  Status setSchedule(const Schedule& schedule);
  Result<std::vector<Schedule>> schedules();

  // Claims the right to announce `event` ("created", "deleted") of this incarnation of `s`
  // (name and created_at) on the bus: true for the first caller across every node sharing the
  // database, false for the rest.
  Result<bool> claimAnnouncement(const std::string& event, const Stream& s);
  // Forgets claims older than `before`.
  Status pruneAnnouncements(std::chrono::system_clock::time_point before);

  Status recordHealth(const std::vector<HealthSample>& samples);
  // The newest samples of a stream taken at or after `sinceMs`, newest first.
  Result<std::vector<HealthSample>> health(const std::string& stream, int limit, std::int64_t sinceMs = 0);

  // Adds each row's plays and watch time to its stream and session's (a replay's to its
  // recording's; created when missing), keeps the larger peak; one transaction. `updatedAtMs`
  // is taken from the rows.
  Status recordPlayback(const std::vector<PlaybackRow>& growth);
  // The live sessions of these streams (at most 500 names), oldest first, then their replays.
  Result<std::vector<PlaybackRow>> playback(const std::vector<std::string>& streams);

 private:
  Result<Stream> update(const std::string& name, const std::string& sql, sql::Params params);

  sql::Database& db_;
  const Clock& clock_;
};

// A fresh random publish key: 32 hex digits.
std::string newStreamKey();
bool validStreamName(const std::string& name);
// Checks and reads a ladder given as JSON [{"name":"720p","height":720,"bitrate":2500000}, ...].
Result<std::vector<Rung>> ladderFromJson(const nlohmann::json& j);
nlohmann::json ladderToJson(const std::vector<Rung>& ladder);
// rtmp:// or rtmps:// URLs only, at most 16.
Status checkRestreamTargets(const std::vector<std::string>& targets);

}  // namespace hub::media::streams
