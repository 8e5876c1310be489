// core/service/bus_streams.h
//
// The Streams implementation every service gets: request/reply over the bus. A request is
// published on kStreamRequestsTopic as {"id", "reply_to", "op", "args"}; the media service
// (media/service/streams_responder.h) answers on the requester's own reply channel with
// {"id", "ok": true, "stream": {...}} or {"id", "ok": false, "error": {"code", "message"}}.
// With several media nodes each one sees the request and the one that claims its id in SQL
// answers, so a non-idempotent call (rotate the key) runs once. A call without an answer
// within `timeout` fails with "streams.timeout" (the bus is at most once: retry if you must).
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/bus/bus.h"
#include "core/service/streams.h"

namespace hub::service {

inline constexpr const char* kStreamRequestsTopic = "media.streams.rpc";

// The JSON of a StreamInfo in replies, and back.
nlohmann::json streamInfoToJson(const StreamInfo& s);
StreamInfo streamInfoFromJson(const nlohmann::json& j);
nlohmann::json streamHealthToJson(const StreamHealth& h);
StreamHealth streamHealthFromJson(const nlohmann::json& j);
nlohmann::json streamPlaybackToJson(const StreamPlayback& p);
StreamPlayback streamPlaybackFromJson(const nlohmann::json& j);

class BusStreams final : public Streams {
 public:
  explicit BusStreams(bus::Bus& bus, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ~BusStreams() override;
  BusStreams(const BusStreams&) = delete;
  BusStreams& operator=(const BusStreams&) = delete;

  Result<StreamInfo> create(const std::string& name, const std::string& title) override;
  Result<StreamInfo> get(const std::string& name) override;
  Result<StreamInfo> rotateKey(const std::string& name) override;
  Result<StreamInfo> setRestreamTargets(const std::string& name,
                                        const std::vector<std::string>& targets) override;
  Result<StreamInfo> setHeld(const std::string& name, bool held) override;
  Status setSchedule(const std::string& name, const StreamSchedule& schedule) override;
  // Op "health": the reply's "stream" is {"samples": [...]}.
  Result<std::vector<StreamHealth>> health(const std::string& name, std::int64_t sinceMs, int limit) override;
  // Op "playback" with {"names": [...]}: the reply's "stream" is {"sessions": [...]}.
  Result<std::vector<StreamPlayback>> playback(const std::vector<std::string>& names) override;

 private:
  // Sends one request and waits for its answer: the reply's "stream" object, or its error.
  Result<nlohmann::json> call(const std::string& op, nlohmann::json args);
  Result<StreamInfo> callForStream(const std::string& op, nlohmann::json args);
  void onReply(std::string_view payload);

  bus::Bus& bus_;
  const std::chrono::milliseconds timeout_;
  const std::string replyChannel_;
  std::mutex mu_;
  std::condition_variable answered_;
  std::map<std::string, std::optional<nlohmann::json>> pending_;  // id -> reply once it came
  bus::Subscription replies_;
};

}  // namespace hub::service
