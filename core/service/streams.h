// core/service/streams.h
//
// How a service other than media (the CMS's live events) drives media streams without touching
// media's tables: create a stream, read it, rotate its key, set its restream targets and its
// schedule (shown as "upcoming" in media's public listing), read its health history and who watched it. Core
// defines the interface; the implementation every service gets through service::Context is BusStreams
// (bus_streams.h), which asks the media service over the bus, so it works the same when media runs on another
// node. Calls block (up to the client's timeout): call them on a worker, never on a loop.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/util/result.h"

namespace hub::service {

struct StreamInfo {
  std::string name;
  std::string title;
  std::string key;        // the secret publish key: show it to hosts only, never log it
  std::string ingestUrl;  // the RTMP server URL publishers use with the key ("rtmp://host:1935/live")
  std::vector<std::string> restreamTargets;
  bool live = false;  // a publisher is connected (on the answering media node)
  bool held = false;  // plays only for preview tokens (moderators of its room) until released
};

// What media lists as upcoming until the stream goes live: times in UTC epoch seconds.
struct StreamSchedule {
  std::string title;
  std::int64_t startsAt = 0;
  std::int64_t endsAt = 0;
  std::string posterUrl;  // "" = the stream's own thumbnail
};

// One stored health sample of a stream (media samples every [media] health_interval_seconds):
// `details` is media's whole status of the stream at that time (JSON text: video with
// keyframe_interval_seconds, restream targets and their states, renditions, ...).
struct StreamHealth {
  std::int64_t atMs = 0;  // UTC, ms since the epoch
  bool live = false;
  std::int64_t bitrateIn = 0;  // bits/s
  double fps = 0;
  std::int64_t viewers = 0;
  std::int64_t droppedFrames = 0;
  int width = 0, height = 0;
  double keyframeIntervalSeconds = 0;
  std::string details;
};

// Who watched one live session of a stream (media counts a playback session per player from
// its first request until 30 s without one; peak: the most viewers at once at a health round).
struct StreamPlayback {
  std::string stream;
  std::string session;           // media's tag of the live session
  std::int64_t startedAtMs = 0;  // UTC ms: when the live session began
  std::int64_t updatedAtMs = 0;  // the last time its figures grew
  std::int64_t plays = 0;        // playback sessions started
  std::int64_t watchMs = 0;      // their summed durations
  std::int64_t peakViewers = 0;
  // A replay's figures: `session` is then the recording's id and startedAtMs its start.
  bool replay = false;
};

// Stream events announced on the bus topic kStreamEventsTopic ("media.streams") as JSON
// {"event": E, "name": stream, ...}: "created", "deleted" (once per change across media nodes),
// "live" and "ended" (a publisher connected / left, from the node that has it), and "recorded"
// (with "recording" id and "state" "ready" or "failed", once a recording is finished).
inline constexpr const char* kStreamEventsTopic = "media.streams";

class Streams {
 public:
  virtual ~Streams() = default;
  // Errors: media.bad_name, media.stream_exists, media.not_found, media.bad_request,
  // streams.timeout (no media node answered), streams.unavailable (the bus refused), and the
  // media node's sql.* errors.
  virtual Result<StreamInfo> create(const std::string& name, const std::string& title) = 0;
  virtual Result<StreamInfo> get(const std::string& name) = 0;
  virtual Result<StreamInfo> rotateKey(const std::string& name) = 0;
  virtual Result<StreamInfo> setRestreamTargets(const std::string& name,
                                                const std::vector<std::string>& targets) = 0;
  // Holds the stream (only its room's moderators may watch, a rehearsal) or releases it.
  virtual Result<StreamInfo> setHeld(const std::string& name, bool held) = 0;
  // Stores (or with startsAt 0 clears) what the public listing shows while the stream is not live.
  virtual Status setSchedule(const std::string& name, const StreamSchedule& schedule) = 0;
  // The stored health samples taken at or after `sinceMs`, oldest first, at most `limit` (the
  // newest ones when there are more).
  virtual Result<std::vector<StreamHealth>> health(const std::string& name, std::int64_t sinceMs,
                                                   int limit) = 0;
  // The live sessions of these streams (at most 500 names; unknown names have none), oldest
  // first.
  virtual Result<std::vector<StreamPlayback>> playback(const std::vector<std::string>& names) = 0;
};

}  // namespace hub::service
