// media/service/streams_responder.cpp
#include "media/service/streams_responder.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "core/log/log.h"
#include "core/loop/worker_pool.h"
#include "core/metrics/registry.h"
#include "core/service/bus_streams.h"
#include "core/sql/thread_scope.h"

namespace hub::media::service {
namespace {

const auto& logger() {
  static const auto log = hub::log::get("media.streams_rpc");
  return log;
}

std::optional<sql::ThreadScope>& threadScope() {
  static thread_local std::optional<sql::ThreadScope> scope;
  return scope;
}

std::string nameArg(const nlohmann::json& args) {
  auto it = args.find("name");
  return it != args.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// args[key] as a list of strings; error "media.bad_request" naming the key otherwise.
Result<std::vector<std::string>> stringsArg(const nlohmann::json& args, const std::string& key) {
  if (!args.contains(key) || !args[key].is_array())
    return makeError("media.bad_request", key + " must be an array of strings");
  std::vector<std::string> out;
  for (const auto& v : args[key]) {
    if (!v.is_string()) return makeError("media.bad_request", key + " must be strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace

StreamsResponder::StreamsResponder(bus::Bus& bus, streams::StreamStore& store, metrics::Registry& metrics,
                                   StreamsResponderHooks hooks)
    : bus_(bus),
      worker_(std::make_unique<loop::WorkerPool>(
          loop::WorkerPoolOptions{.threads = 1,
                                  .maxQueue = 1000,
                                  .name = "hub-streams-rpc",
                                  .onThreadStart = [](std::size_t) { threadScope().emplace(); },
                                  .onThreadExit = [](std::size_t) { threadScope().reset(); }})),
      store_(store),
      requests_(&metrics.counter("hub_media_stream_requests_total", "Stream requests answered over the bus")),
      rejected_(
          &metrics.counter("hub_media_stream_requests_rejected_total", "Malformed stream requests dropped")),
      hooks_(std::move(hooks)) {}

StreamsResponder::~StreamsResponder() { stop(); }

void StreamsResponder::start() {
  sub_ = bus_.subscribe(hub::service::kStreamRequestsTopic,
                        [this, alive = alive_](std::string_view, std::string_view payload) {
                          auto j = nlohmann::json::parse(payload, nullptr, false);
                          if (!j.is_object() || !j.contains("id") || !j["id"].is_string() ||
                              !j.contains("reply_to") || !j["reply_to"].is_string() || !j.contains("op") ||
                              !j["op"].is_string() || j["id"].get<std::string>().size() > 64 ||
                              j["reply_to"].get<std::string>().rfind(
                                  std::string(hub::service::kStreamRequestsTopic) + ".reply.", 0) != 0) {
                            rejected_->inc();
                            logger()->warn("malformed stream request dropped ({} bytes)", payload.size());
                            return;
                          }
                          auto queued = worker_->submit([this, alive, j = std::move(j)] {
                            if (alive->load()) handle(j);
                          });
                          if (!queued)
                            logger()->warn("stream request not queued: {}", queued.error().message);
                        });
}

void StreamsResponder::stop() {
  alive_->store(false);
  sub_.reset();
  worker_->shutdown();
}

void StreamsResponder::handle(const nlohmann::json& request) {
  const std::string id = request["id"];
  const std::string op = request["op"];
  // Every media node sharing the database sees the request: the first claim answers it.
  streams::Stream claim;
  claim.name = id;
  claim.createdAt = "rpc";
  auto claimed = store_.claimAnnouncement("rpc", claim);
  if (claimed && !*claimed) return;
  if (!claimed)
    logger()->warn("[request={}] claiming the request failed: {} (answering anyway)", id,
                   claimed.error().message);
  const auto& args =
      request.contains("args") && request["args"].is_object() ? request["args"] : nlohmann::json::object();
  Result<nlohmann::json> result = makeError("media.bad_request", "bad arguments");
  try {
    result = run(op, args);
  } catch (const nlohmann::json::exception&) {
    result = makeError("media.bad_request", "an argument of " + op + " has the wrong type");
  }
  nlohmann::json reply = {{"id", id}, {"ok", result.ok()}};
  if (result) {
    reply["stream"] = std::move(*result);
  } else {
    reply["error"] = {{"code", result.error().code}, {"message", result.error().message}};
    logger()->info("[request={}] [op={}] [stream={}] refused: {}", id, op, nameArg(args),
                   result.error().code);
  }
  requests_->inc();
  if (auto st = bus_.publish(request["reply_to"].get<std::string>(), reply.dump()); !st)
    logger()->warn("[request={}] reply not sent: {}", id, st.error().message);
}

nlohmann::json StreamsResponder::toJson(const streams::Stream& s) const {
  hub::service::StreamInfo info;
  info.name = s.name;
  info.title = s.title;
  info.key = s.key;
  info.ingestUrl = hooks_.ingestUrl;
  info.restreamTargets = s.restreamTargets;
  info.live = hooks_.live && hooks_.live(s.name);
  info.held = s.held;
  return hub::service::streamInfoToJson(info);
}

Result<nlohmann::json> StreamsResponder::run(const std::string& op, const nlohmann::json& args) {
  const std::string name = nameArg(args);
  auto done = [&](Result<streams::Stream> r, bool wrote) -> Result<nlohmann::json> {
    if (!r) return r.error();
    if (wrote && hooks_.changed) hooks_.changed();
    return toJson(*r);
  };
  if (op == "get") return done(store_.get(name), false);
  if (op == "create") {
    auto title = args.contains("title") && args["title"].is_string() ? args["title"].get<std::string>() : "";
    return done(store_.create(name, title), true);
  }
  if (op == "rotate_key") return done(store_.rotateKey(name), true);
  if (op == "set_restream_targets") {
    auto targets = stringsArg(args, "targets");
    if (!targets) return targets.error();
    return done(store_.setRestreamTargets(name, *targets), true);
  }
  if (op == "set_held") {
    auto held = args.find("held");
    if (held == args.end() || !held->is_boolean())
      return makeError("media.bad_request", "set_held needs held");
    return done(store_.setHeld(name, held->get<bool>()), true);
  }
  if (op == "set_schedule") {
    streams::Schedule s;
    s.name = name;
    s.title = args.value("title", "");
    s.startsAt = args.value("starts_at", std::int64_t{0});
    s.endsAt = args.value("ends_at", std::int64_t{0});
    s.posterUrl = args.value("poster_url", "");
    if (auto st = store_.setSchedule(s); !st) return st.error();
    if (hooks_.changed) hooks_.changed();
    return nlohmann::json::object();
  }
  if (op == "health") {
    const auto since = args.value("since_ms", std::int64_t{0});
    const int limit = std::clamp(args.value("limit", 720), 1, 10000);
    if (auto s = store_.get(name); !s) return s.error();
    auto samples = store_.health(name, limit, since);
    if (!samples) return samples.error();
    auto arr = nlohmann::json::array();
    // Oldest first; the key-frame interval from the stored status.
    for (auto it = samples->rbegin(); it != samples->rend(); ++it) {
      hub::service::StreamHealth h;
      h.atMs = std::chrono::duration_cast<std::chrono::milliseconds>(it->at.time_since_epoch()).count();
      h.live = it->live;
      h.bitrateIn = it->bitrateIn;
      h.fps = it->fps;
      h.viewers = it->viewers;
      h.droppedFrames = it->droppedFrames;
      h.width = it->width;
      h.height = it->height;
      auto details = nlohmann::json::parse(it->details, nullptr, false);
      if (details.is_object() && details.contains("video") && details["video"].is_object())
        h.keyframeIntervalSeconds = details["video"].value("keyframe_interval_seconds", 0.0);
      h.details = it->details;
      arr.push_back(hub::service::streamHealthToJson(h));
    }
    return nlohmann::json{{"samples", arr}};
  }
  if (op == "playback") {
    auto names = stringsArg(args, "names");
    if (!names) return names.error();
    auto rows = store_.playback(*names);
    if (!rows) return rows.error();
    auto arr = nlohmann::json::array();
    for (const auto& r : *rows)
      arr.push_back(hub::service::streamPlaybackToJson(hub::service::StreamPlayback{
          r.stream, r.session, r.startedAtMs, r.updatedAtMs, r.plays, r.watchMs, r.peakViewers, r.replay}));
    return nlohmann::json{{"sessions", arr}};
  }
  return makeError("media.bad_request", "unknown stream request " + op);
}

}  // namespace hub::media::service
