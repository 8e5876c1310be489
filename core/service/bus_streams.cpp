// core/service/bus_streams.cpp
//
// Streams over the bus: one reply channel per client, one pending slot per request id.
#include "core/service/bus_streams.h"

#include <random>
#include <thread>

#include "core/log/log.h"

namespace hub::service {
namespace {

const std::shared_ptr<spdlog::logger>& logger() {
  static const auto log = hub::log::get("streams.client");
  return log;
}

std::string randomHex(int n) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) out += hex[rng() & 15];
  return out;
}

}  // namespace

nlohmann::json streamInfoToJson(const StreamInfo& s) {
  return {{"name", s.name},
          {"title", s.title},
          {"key", s.key},
          {"ingest_url", s.ingestUrl},
          {"restream_targets", s.restreamTargets},
          {"live", s.live},
          {"held", s.held}};
}

StreamInfo streamInfoFromJson(const nlohmann::json& j) {
  StreamInfo s;
  s.name = j.value("name", "");
  s.title = j.value("title", "");
  s.key = j.value("key", "");
  s.ingestUrl = j.value("ingest_url", "");
  if (auto it = j.find("restream_targets"); it != j.end() && it->is_array())
    for (const auto& t : *it)
      if (t.is_string()) s.restreamTargets.push_back(t.get<std::string>());
  s.live = j.value("live", false);
  s.held = j.value("held", false);
  return s;
}

nlohmann::json streamHealthToJson(const StreamHealth& h) {
  return {
      {"at_ms", h.atMs},     {"live", h.live},       {"bitrate_in", h.bitrateIn},
      {"fps", h.fps},        {"viewers", h.viewers}, {"dropped_frames", h.droppedFrames},
      {"width", h.width},    {"height", h.height},   {"keyframe_interval_seconds", h.keyframeIntervalSeconds},
      {"details", h.details}};
}

StreamHealth streamHealthFromJson(const nlohmann::json& j) {
  StreamHealth h;
  h.atMs = j.value("at_ms", std::int64_t{0});
  h.live = j.value("live", false);
  h.bitrateIn = j.value("bitrate_in", std::int64_t{0});
  h.fps = j.value("fps", 0.0);
  h.viewers = j.value("viewers", std::int64_t{0});
  h.droppedFrames = j.value("dropped_frames", std::int64_t{0});
  h.width = j.value("width", 0);
  h.height = j.value("height", 0);
  h.keyframeIntervalSeconds = j.value("keyframe_interval_seconds", 0.0);
  h.details = j.value("details", "");
  return h;
}

nlohmann::json streamPlaybackToJson(const StreamPlayback& p) {
  return {{"stream", p.stream},
          {"session", p.session},
          {"started_at_ms", p.startedAtMs},
          {"updated_at_ms", p.updatedAtMs},
          {"plays", p.plays},
          {"watch_ms", p.watchMs},
          {"peak_viewers", p.peakViewers},
          {"replay", p.replay}};
}

StreamPlayback streamPlaybackFromJson(const nlohmann::json& j) {
  StreamPlayback p;
  p.stream = j.value("stream", "");
  p.session = j.value("session", "");
  p.startedAtMs = j.value("started_at_ms", std::int64_t{0});
  p.updatedAtMs = j.value("updated_at_ms", std::int64_t{0});
  p.plays = j.value("plays", std::int64_t{0});
  p.watchMs = j.value("watch_ms", std::int64_t{0});
  p.peakViewers = j.value("peak_viewers", std::int64_t{0});
  p.replay = j.value("replay", false);
  return p;
}

BusStreams::BusStreams(bus::Bus& bus, std::chrono::milliseconds timeout)
    : bus_(bus),
      timeout_(timeout),
      replyChannel_(std::string(kStreamRequestsTopic) + ".reply." + randomHex(16)) {
  replies_ =
      bus_.subscribe(replyChannel_, [this](std::string_view, std::string_view payload) { onReply(payload); });
}

BusStreams::~BusStreams() { replies_.reset(); }

void BusStreams::onReply(std::string_view payload) {
  auto j = nlohmann::json::parse(payload, nullptr, false);
  if (!j.is_object() || !j.contains("id") || !j["id"].is_string()) {
    logger()->warn("streams reply without an id dropped ({} bytes)", payload.size());
    return;
  }
  std::lock_guard lock(mu_);
  auto it = pending_.find(j["id"].get<std::string>());
  if (it == pending_.end() || it->second) return;  // late (timed out) or a second answer
  it->second = std::move(j);
  answered_.notify_all();
}

Result<nlohmann::json> BusStreams::call(const std::string& op, nlohmann::json args) {
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  // On Redis the reply channel is live only once the server confirmed it (again after a
  // reconnect): a request sent before could lose its answer.
  while (!replies_.confirmed()) {
    if (std::chrono::steady_clock::now() >= deadline)
      return makeError("streams.unavailable", "the bus has not confirmed the reply channel");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const std::string id = randomHex(24);
  {
    std::lock_guard lock(mu_);
    pending_.emplace(id, std::nullopt);
  }
  nlohmann::json request = {{"id", id}, {"reply_to", replyChannel_}, {"op", op}, {"args", std::move(args)}};
  if (auto st = bus_.publish(kStreamRequestsTopic, request.dump()); !st) {
    std::lock_guard lock(mu_);
    pending_.erase(id);
    return makeError("streams.unavailable", "stream request not sent: " + st.error().message);
  }
  std::unique_lock lock(mu_);
  bool got = answered_.wait_until(lock, deadline, [&] { return pending_[id].has_value(); });
  auto reply = std::move(pending_[id]);
  pending_.erase(id);
  lock.unlock();
  if (!got || !reply) {
    logger()->warn("[op={}] [request={}] no media node answered within {} ms", op, id, timeout_.count());
    return makeError("streams.timeout", "no media node answered the " + op + " request");
  }
  try {
    if (!reply->value("ok", false)) {
      const auto& e = (*reply)["error"];
      std::string code = e.is_object() ? e.value("code", "streams.failed") : "streams.failed";
      std::string message = e.is_object() ? e.value("message", "") : "";
      return makeError(code, message);
    }
  } catch (const nlohmann::json::exception&) {
    return makeError("streams.bad_reply", "the media node's answer has fields of the wrong type");
  }
  return reply->contains("stream") ? (*reply)["stream"] : nlohmann::json::object();
}

Result<StreamInfo> BusStreams::callForStream(const std::string& op, nlohmann::json args) {
  auto r = call(op, std::move(args));
  if (!r) return r.error();
  try {
    return streamInfoFromJson(*r);
  } catch (const nlohmann::json::exception&) {
    return makeError("streams.bad_reply", "the media node's stream has fields of the wrong type");
  }
}

Result<StreamInfo> BusStreams::create(const std::string& name, const std::string& title) {
  return callForStream("create", {{"name", name}, {"title", title}});
}

Result<StreamInfo> BusStreams::get(const std::string& name) { return callForStream("get", {{"name", name}}); }

Result<StreamInfo> BusStreams::rotateKey(const std::string& name) {
  return callForStream("rotate_key", {{"name", name}});
}

Result<StreamInfo> BusStreams::setRestreamTargets(const std::string& name,
                                                  const std::vector<std::string>& targets) {
  return callForStream("set_restream_targets", {{"name", name}, {"targets", targets}});
}

Result<StreamInfo> BusStreams::setHeld(const std::string& name, bool held) {
  return callForStream("set_held", {{"name", name}, {"held", held}});
}

Status BusStreams::setSchedule(const std::string& name, const StreamSchedule& schedule) {
  auto r = call("set_schedule", {{"name", name},
                                 {"title", schedule.title},
                                 {"starts_at", schedule.startsAt},
                                 {"ends_at", schedule.endsAt},
                                 {"poster_url", schedule.posterUrl}});
  if (!r) return r.error();
  return {};
}

Result<std::vector<StreamHealth>> BusStreams::health(const std::string& name, std::int64_t sinceMs,
                                                     int limit) {
  auto r = call("health", {{"name", name}, {"since_ms", sinceMs}, {"limit", limit}});
  if (!r) return r.error();
  std::vector<StreamHealth> out;
  try {
    if (auto it = r->find("samples"); it != r->end() && it->is_array())
      for (const auto& s : *it) out.push_back(streamHealthFromJson(s));
  } catch (const nlohmann::json::exception&) {
    return makeError("streams.bad_reply", "the media node's health samples have fields of the wrong type");
  }
  return out;
}

Result<std::vector<StreamPlayback>> BusStreams::playback(const std::vector<std::string>& names) {
  if (names.empty()) return std::vector<StreamPlayback>{};
  auto r = call("playback", {{"names", names}});
  if (!r) return r.error();
  std::vector<StreamPlayback> out;
  try {
    if (auto it = r->find("sessions"); it != r->end() && it->is_array())
      for (const auto& s : *it) out.push_back(streamPlaybackFromJson(s));
  } catch (const nlohmann::json::exception&) {
    return makeError("streams.bad_reply", "the media node's playback sessions have fields of the wrong type");
  }
  return out;
}

}  // namespace hub::service
