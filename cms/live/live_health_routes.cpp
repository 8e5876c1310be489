// cms/live/live_health_routes.cpp
//
// The studio's control room for one live event (see live_health_routes.h). Who: the event's
// hosts' and moderators' roles, editors and admins of its organisation (a grant on it or
// above); someone who sees the organisation with another role gets 403, anyone else 404.
// Media is reached through core's Streams interface (over the bus, outside any transaction).
#include "cms/live/live_health_routes.h"

#include <algorithm>
#include <string>

#include "cms/api/routes.h"
#include "cms/api/time.h"
#include "cms/audit/audit_log.h"
#include "cms/auth/access.h"
#include "cms/auth/auth_routes.h"
#include "cms/live/live_activity.h"
#include "cms/live/live_store.h"
#include "core/log/log.h"

namespace hub::cms::live {
namespace {

using auth::Role;

const std::shared_ptr<spdlog::logger>& logger() {
  static const auto log = hub::log::get("cms.live");
  return log;
}

constexpr std::int64_t kDefaultWindowMs = 3600 * 1000;  // an hour of history unless told
constexpr int kMaxSamples = 2000;

// The event when the actor may work in its control room; else the error to answer.
Result<LiveEvent> controlRoomEvent(CmsContext& ctx, CmsRequest& req, std::optional<ApiError>& refusal) {
  auto id = req.idParam("id");
  if (!id) {
    refusal = ApiError::notFound("live event");
    return LiveEvent{};
  }
  auto e = getEvent(ctx.base.db, *id);
  if (!e) return e.error();
  if (!*e || !ctx.access.canSee(req.actor, (*e)->orgId)) {
    refusal = ApiError::notFound("live event");
    return LiveEvent{};
  }
  if (!ctx.access.can(req.actor, {Role::Host, Role::Moderator, Role::Editor}, (*e)->orgId))
    refusal = ApiError::forbidden();
  return std::move(**e);
}

// The event of a host's broadcast control (end, hold, start): the control room's checks, then
// Host on its organisation (403) and not ended yet (409).
Result<LiveEvent> broadcastEvent(CmsContext& ctx, CmsRequest& req, std::optional<ApiError>& refusal) {
  auto e = controlRoomEvent(ctx, req, refusal);
  if (!e || refusal) return e;
  if (!ctx.access.can(req.actor, {Role::Host}, e->orgId))
    refusal = ApiError::forbidden();
  else if (e->state != kLive && e->state != kScheduled)
    refusal = ApiError{409, "live.not_live", "the event has already ended", {}, {}};
  return e;
}

ApiError mediaError(const Error& e, std::int64_t eventId) {
  logger()->warn("[event={}] control room stream call failed: {} ({})", eventId, e.code, e.message);
  if (e.code == "streams.timeout" || e.code == "streams.unavailable")
    return ApiError{503, "live.media_unavailable", "the media service did not answer; try again", {}, {}};
  return ApiError{502, "live.media_error", "the media service refused: " + e.code, {}, {}};
}

// "rtmp://host:1935/app/secret" -> "rtmp://host:1935/app/…": a platform's push URL ends with
// its stream key, which the control room never shows.
std::string maskTarget(const std::string& url) {
  auto slash = url.rfind('/');
  auto scheme = url.find("://");
  if (slash == std::string::npos || scheme == std::string::npos || slash <= scheme + 2) return "rtmp://…";
  return url.substr(0, slash + 1) + "…";
}

// The restream targets of the event with their states in the newest sample (media lists them
// in the order the CMS set them: the event's account ids, sorted).
Json restreamOf(const LiveEvent& e, const std::vector<service::StreamHealth>& samples) {
  Json states = Json::array();
  if (!samples.empty()) {
    auto details = Json::parse(samples.back().details, nullptr, false);
    if (details.is_object() && details.contains("restream") && details["restream"].is_array())
      states = details["restream"];
  }
  Json out = Json::array();
  for (std::size_t i = 0; i < e.restreamAccountIds.size(); ++i) {
    Json t = {{"account_id", e.restreamAccountIds[i]}, {"state", "idle"}, {"last_error", ""}, {"target", ""}};
    if (i < states.size() && states[i].is_object()) {
      const auto& s = states[i];
      t["state"] = s.value("state", "idle");
      t["last_error"] = s.value("last_error", "");
      t["target"] = maskTarget(s.value("target", ""));
      t["bytes_sent"] = s.value("bytes_sent", std::int64_t{0});
      t["connects"] = s.value("connects", std::int64_t{0});
      t["failures"] = s.value("failures", std::int64_t{0});
    }
    out.push_back(std::move(t));
  }
  return out;
}

void addHealth(CmsContext& ctx) {
  addRoute(ctx, http::Method::Get, "/api/v1/live-events/:id/health", Guard::Signed,
           [&ctx](CmsRequest& req) -> Reply {
             std::optional<ApiError> refusal;
             auto e = controlRoomEvent(ctx, req, refusal);
             if (!e) return e.error();
             if (refusal) return *refusal;
             const std::int64_t nowMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                                            ctx.base.clock.wall().time_since_epoch())
                                            .count();
             auto since = req.intQuery("since", nowMs - kDefaultWindowMs, 0, nowMs + kDefaultWindowMs);
             if (!since) return ApiError::validation({{"since", "milliseconds since the Unix epoch"}});
             auto samples = ctx.base.streams.health(e->streamName, *since, kMaxSamples);
             if (!samples) return mediaError(samples.error(), e->id);
             Json arr = Json::array();
             for (const auto& s : *samples)
               arr.push_back({{"at_ms", s.atMs},
                              {"live", s.live},
                              {"bitrate_in", s.bitrateIn},
                              {"fps", s.fps},
                              {"keyframe_interval_seconds", s.keyframeIntervalSeconds},
                              {"viewers", s.viewers},
                              {"dropped_frames", s.droppedFrames},
                              {"width", s.width},
                              {"height", s.height}});
             auto minutes = chatMinutes(ctx.base.db, e->streamName, *since);
             if (!minutes) return minutes.error();
             Json chat = Json::array();
             for (const auto& m : *minutes)
               chat.push_back(Json{{"minute_ms", m.minuteMs}, {"messages", m.messages}, {"likes", m.likes}});
             return Json{{"event_id", e->id},  {"stream", e->streamName},
                         {"state", e->state},  {"live", !samples->empty() && samples->back().live},
                         {"since_ms", *since}, {"samples", arr},
                         {"chat", chat},       {"restream", restreamOf(*e, *samples)}};
           });
}

// Ends the broadcast: media rotates the key, which disconnects the publisher (an encoder that
// reconnects by itself is refused); the event moves to "ended" when media announces it.
void addEnd(CmsContext& ctx) {
  addRoute(ctx, http::Method::Post, "/api/v1/live-events/:id/end", Guard::Signed,
           [&ctx](CmsRequest& req) -> Reply {
             std::optional<ApiError> refusal;
             auto e = broadcastEvent(ctx, req, refusal);
             if (!e) return e.error();
             if (refusal) return *refusal;
             auto s = ctx.base.streams.rotateKey(e->streamName);
             if (!s) return mediaError(s.error(), e->id);
             Reply reply = inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
               if (auto st = ctx.audit.record(tx, req.actor, "live.end", "live_event", std::to_string(e->id),
                                              nullptr, Json{{"stream", e->streamName}});
                   !st)
                 return st.error();
               return Json{{"event_id", e->id}, {"ended", true}, {"was_live", s->live}};
             });
             logger()->info("[event={} stream={}] ended by user {} (key rotated)", e->id, e->streamName,
                            req.actor.userId);
             return reply;
           });
}

// Rehearsal and start: `hold` keeps the picture to the control room (media refuses everyone
// without a preview token: the event's chat token is one) and out of the public listing;
// `start` releases it to the audience. Hosts only; audited; 409 once the event has ended.
void addHoldAndStart(CmsContext& ctx) {
  for (const bool hold : {true, false}) {
    addRoute(ctx, http::Method::Post, hold ? "/api/v1/live-events/:id/hold" : "/api/v1/live-events/:id/start",
             Guard::Signed, [&ctx, hold](CmsRequest& req) -> Reply {
               std::optional<ApiError> refusal;
               auto e = broadcastEvent(ctx, req, refusal);
               if (!e) return e.error();
               if (refusal) return *refusal;
               auto s = ctx.base.streams.setHeld(e->streamName, hold);
               if (!s) return mediaError(s.error(), e->id);
               const char* action = hold ? "live.hold" : "live.start";
               Reply reply = inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
                 if (auto st = ctx.audit.record(tx, req.actor, action, "live_event", std::to_string(e->id),
                                                nullptr, Json{{"stream", e->streamName}});
                     !st)
                   return st.error();
                 return Json{{"event_id", e->id}, {"held", s->held}, {"live", s->live}};
               });
               logger()->info("[event={} stream={}] {} by user {}", e->id, e->streamName,
                              hold ? "held for a rehearsal" : "started for the audience", req.actor.userId);
               return reply;
             });
  }
}

// A chat token for the event's room: moderator for its hosts, moderators and admins.
void addChatToken(CmsContext& ctx) {
  addRoute(ctx, http::Method::Post, "/api/v1/live-events/:id/chat-token", Guard::Signed,
           [&ctx](CmsRequest& req) -> Reply {
             std::optional<ApiError> refusal;
             auto e = controlRoomEvent(ctx, req, refusal);
             if (!e) return e.error();
             if (refusal) return *refusal;
             const bool moderates = ctx.access.can(req.actor, {Role::Host, Role::Moderator}, e->orgId);
             // Bound to the event's room: a moderator of one gala moderates no other room.
             Json j = auth::chatTokenJson(ctx, req.actor,
                                          moderates ? hub::auth::Role::Moderator : hub::auth::Role::User,
                                          e->streamName);
             j["room"] = e->streamName;
             return Reply(std::move(j)).header("Cache-Control", "no-store");
           });
}

}  // namespace

void addControlRoomRoutes(CmsContext& ctx) {
  auto recorder = std::make_shared<ChatActivityRecorder>(ctx);
  recorder->start();
  ctx.onStop([recorder] { recorder->stop(); });
  addHealth(ctx);
  addEnd(ctx);
  addHoldAndStart(ctx);
  addChatToken(ctx);
}

}  // namespace hub::cms::live
