// cms/live/live_follower.cpp
#include "cms/live/live_follower.h"

#include "cms/api/routes.h"
#include "cms/api/time.h"
#include "cms/audit/audit_log.h"
#include "cms/live/live_store.h"
#include "core/bus/bus.h"
#include "core/log/log.h"
#include "core/loop/thread_name.h"
#include "core/loop/worker_pool.h"

namespace hub::cms::live {
namespace {

const std::shared_ptr<spdlog::logger>& logger() {
  static const auto log = hub::log::get("cms.live");
  return log;
}

// Who the audit log names for moves nobody made by hand.
const auth::Actor& systemActor() {
  static const auth::Actor a = [] {
    auth::Actor x;
    x.username = "system";
    x.displayName = "live events";
    return x;
  }();
  return a;
}

}  // namespace

void LiveFollower::start() {
  sub_ = ctx_.base.bus.subscribe(
      service::kStreamEventsTopic, [this, alive = alive_](std::string_view, std::string_view payload) {
        auto j = Json::parse(payload, nullptr, false);
        if (!j.is_object() || !j.contains("event") || !j["event"].is_string() || !j.contains("name") ||
            !j["name"].is_string())
          return;  // chat logs malformed announcements already
        std::string event = j["event"], name = j["name"];
        if (event != "live" && event != "ended" && event != "recorded") return;
        if (event == "recorded" && !(j.contains("state") && j["state"] == "ready")) return;
        std::string recording =
            j.contains("recording") && j["recording"].is_string() ? j["recording"].get<std::string>() : "";
        auto queued = ctx_.base.workers.submit([this, alive, event, name, recording] {
          if (alive->load()) apply(event, name, recording);
        });
        if (!queued) logger()->warn("[stream={}] {} not applied: {}", name, event, queued.error().message);
      });
  if (ctx_.base.config.cms.livePollSeconds > 0)
    poller_ = hub::loop::namedThread("hub-live-poll", [this] { pollLoop(); });
}

void LiveFollower::stop() {
  alive_->store(false);
  sub_.reset();
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (poller_.joinable()) poller_.join();
}

void LiveFollower::pollLoop() {
  const auto interval = std::chrono::seconds(ctx_.base.config.cms.livePollSeconds);
  auto next = ctx_.base.clock.steady();  // at start, then every interval
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (ctx_.base.clock.steady() >= next) {
      lock.unlock();
      catchUp();
      lock.lock();
      next = ctx_.base.clock.steady() + interval;
      continue;
    }
    cv_.wait_for(lock, std::chrono::milliseconds(250), [&] { return stopping_; });
  }
}

int LiveFollower::catchUp() {
  const auto now = nowSeconds(ctx_.base.clock);
  auto rows = ctx_.base.db.query(
      "SELECT id, stream_name, state FROM cms_live_events WHERE state = 'live' OR (state IN ('scheduled', "
      "'ended') AND starts_at <= ? AND ends_at >= ?) ORDER BY id",
      {now + 3600, now - 3600});
  if (!rows) {
    logger()->warn("catch-up poll: {}", rows.error().message);
    return 0;
  }
  int moved = 0;
  for (const auto& r : *rows) {
    if (!alive_->load()) break;
    const std::string stream = r.getString("stream_name"), state = r.getString("state");
    auto info = ctx_.base.streams.get(stream);
    if (!info) {
      logger()->warn("[event={} stream={}] catch-up poll: {}", r.getInt("id"), stream, info.error().message);
      continue;
    }
    std::string event;
    if (info->live && state != kLive) event = "live";
    if (!info->live && state == kLive) event = "ended";
    if (event.empty()) continue;
    logger()->info("[event={} stream={}] catch-up poll: media says {}, the event is {}", r.getInt("id"),
                   stream, event, state);
    apply(event, stream, "", "poll");
    ++moved;
  }
  return moved;
}

void LiveFollower::apply(const std::string& event, const std::string& stream, const std::string& recordingId,
                         std::string_view source) {
  const auto now = nowSeconds(ctx_.base.clock);
  bool movedLive = false;
  std::int64_t eventId = 0;
  Status st = ctx_.base.db.transaction([&](sql::Transaction& tx) -> Status {
    auto found = findByStream(tx, stream);
    if (!found) return found.error();
    if (!*found) return {};  // a stream no event owns
    const LiveEvent& e = **found;
    eventId = e.id;
    std::string to;
    if (event == "live" && (e.state == kScheduled || e.state == kEnded)) to = kLive;
    if (event == "ended" && e.state == kLive) to = kEnded;
    if (event == "recorded" && (e.state == kEnded || e.state == kLive) && !recordingId.empty())
      to = kReplayAvailable;
    if (to.empty()) return {};
    auto moved = moveState(tx, stream, {e.state}, to, now);
    if (!moved) return moved.error();
    if (!*moved) return {};  // another node moved it first
    Json before = {{"state", e.state}}, after = {{"state", to}, {"source", std::string(source)}};
    if (to == kReplayAvailable) {
      // The replay as a draft video item linking the recording, for review.
      auto content =
          createDraft(tx, ctx_.audit, systemActor(), e.orgId, "video", e.title + " 回放",
                      "[观看回放](/replay/" + recordingId + ")\n\n" + e.description, {"live", "replay"}, now);
      if (!content) return content.error();
      if (auto s = setReplay(tx, e.id, recordingId, *content, now); !s) return s;
      after["recording_id"] = recordingId;
      after["replay_content_id"] = *content;
    }
    if (auto s = ctx_.audit.record(tx, systemActor(), "live.state", "live_event", std::to_string(e.id),
                                   before, after);
        !s)
      return s;
    movedLive = to == kLive;
    logger()->info("[event={} stream={}] {} -> {}", e.id, stream, e.state, to);
    return {};
  });
  if (!st) {
    logger()->warn("[stream={}] applying {} failed: {}", stream, event, st.error().message);
    return;
  }
  // Started: no longer upcoming in media's public listing.
  if (movedLive)
    if (auto s = ctx_.base.streams.setSchedule(stream, service::StreamSchedule{}); !s)
      logger()->warn("[event={} stream={}] still listed as upcoming: {}", eventId, stream, s.error().message);
}

}  // namespace hub::cms::live
