// cms/analytics/live_analytics.cpp
#include "cms/analytics/live_analytics.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "cms/analytics/analytics_range.h"
#include "cms/api/routes.h"
#include "cms/api/time.h"
#include "cms/auth/access.h"
#include "cms/live/live_activity.h"
#include "cms/live/live_store.h"
#include "cms/org/org_tree.h"
#include "core/log/log.h"
#include "core/sql/marks.h"

namespace hub::cms::analytics {
namespace {

const std::shared_ptr<spdlog::logger>& logger() {
  static const auto log = hub::log::get("cms.analytics");
  return log;
}

constexpr int kMaxEvents = 500;     // media's playback request takes at most 500 streams
constexpr int kMaxSamples = 10000;  // health samples read for one event's viewers over time
constexpr std::int64_t kMinuteMs = 60000;
constexpr std::int64_t kLeadMs = 30 * kMinuteMs;

struct Figures {
  // Plays and watch time of the live sessions; those of the replays apart.
  std::int64_t peakViewers = 0, plays = 0, watchMs = 0, replayPlays = 0, replayWatchMs = 0, likes = 0,
               messages = 0;
  void add(const service::StreamPlayback& p) {
    if (p.replay) {
      replayPlays += p.plays;
      replayWatchMs += p.watchMs;
      return;
    }
    peakViewers = std::max(peakViewers, p.peakViewers);
    plays += p.plays;
    watchMs += p.watchMs;
  }
  void add(const Figures& f) {
    peakViewers = std::max(peakViewers, f.peakViewers);
    plays += f.plays;
    watchMs += f.watchMs;
    replayPlays += f.replayPlays;
    replayWatchMs += f.replayWatchMs;
    likes += f.likes;
    messages += f.messages;
  }
  void into(Json& j) const {
    j["peak_viewers"] = peakViewers;
    j["plays"] = plays;
    j["watch_ms"] = watchMs;
    j["replay_plays"] = replayPlays;
    j["replay_watch_ms"] = replayWatchMs;
    j["likes"] = likes;
    j["messages"] = messages;
  }
};

ApiError mediaError(const Error& e) {
  logger()->warn("live analytics: the media service call failed: {} ({})", e.code, e.message);
  if (e.code == "streams.timeout" || e.code == "streams.unavailable")
    return ApiError{503, "live.media_unavailable", "the media service did not answer; try again", {}, {}};
  return ApiError{502, "live.media_error", "the media service refused: " + e.code, {}, {}};
}

Json eventJson(const live::LiveEvent& e) {
  return {{"event_id", e.id},
          {"title", e.title},
          {"org_id", e.orgId},
          {"stream", e.streamName},
          {"state", e.state},
          {"starts_at", formatTime(e.startsAt)},
          {"ends_at", formatTime(e.endsAt)}};
}

// Figures per stream name: media's playback sessions and the stored chat activity.
Result<std::map<std::string, Figures>> figuresOf(CmsContext& ctx, const std::vector<std::string>& streams,
                                                 std::vector<service::StreamPlayback>* sessions,
                                                 std::optional<ApiError>& refusal) {
  std::map<std::string, Figures> out;
  if (streams.empty()) return out;
  for (const auto& s : streams) out[s];
  auto playback = ctx.base.streams.playback(streams);
  if (!playback) {
    refusal = mediaError(playback.error());
    return out;
  }
  for (const auto& p : *playback) {
    auto it = out.find(p.stream);
    if (it == out.end()) continue;
    it->second.add(p);
  }
  if (sessions) *sessions = std::move(*playback);
  // A room's likes are its running total (the largest any node announced); messages add up.
  sql::Params params;
  for (const auto& s : streams) params.emplace_back(s);
  auto chat = ctx.base.db.query(
      "SELECT room, SUM(messages) AS messages, MAX(likes_total) AS likes FROM cms_live_chat_minutes WHERE "
      "room IN (" +
          sql::marks(params.size()) + ") GROUP BY room",
      params);
  if (!chat) return chat.error();
  for (const auto& r : *chat) {
    auto it = out.find(r.getString("room"));
    if (it == out.end()) continue;
    it->second.likes = r.getInt("likes");
    it->second.messages = r.getInt("messages");
  }
  return out;
}

Reply list(CmsContext& ctx, CmsRequest& req) {
  AnalyticsRange range;
  if (auto invalid = readRange(ctx, req, range)) return *invalid;
  auto filter = ctx.access.pathFilter(req.actor, auth::Access::anyRole());
  std::string where = "(" + filter.sql + ") AND e.starts_at >= ? AND e.starts_at < ?";
  sql::Params p = filter.params;
  p.emplace_back(range.from);
  p.emplace_back(range.to);
  if (range.org) {
    if (!ctx.orgs.get(*range.org) || !ctx.access.canSee(req.actor, *range.org))
      return ApiError::notFound("organisation");
    where += " AND o.path LIKE ?";
    p.emplace_back(ctx.orgs.pathOf(*range.org) + "%");
  }
  auto events = live::listEvents(ctx.base.db, where, p, kMaxEvents);
  if (!events) return events.error();
  std::vector<std::string> streams;
  for (const auto& e : *events) streams.push_back(e.streamName);
  std::optional<ApiError> refusal;
  auto figures = figuresOf(ctx, streams, nullptr, refusal);
  if (!figures) return figures.error();
  if (refusal) return *refusal;
  Json rows = Json::array();
  Figures total;
  for (const auto& e : *events) {
    const auto& f = (*figures)[e.streamName];
    Json j = eventJson(e);
    f.into(j);
    rows.push_back(std::move(j));
    total.add(f);
  }
  Json totals = Json::object();
  total.into(totals);
  return Json{{"events", rows}, {"totals", totals}, {"truncated", events->size() >= kMaxEvents}};
}

Reply detail(CmsContext& ctx, CmsRequest& req) {
  auto id = req.idParam("id");
  if (!id) return ApiError::notFound("live event");
  auto e = live::getEvent(ctx.base.db, *id);
  if (!e) return e.error();
  if (!*e || !ctx.access.canSee(req.actor, (*e)->orgId)) return ApiError::notFound("live event");
  const auto& event = **e;
  std::vector<service::StreamPlayback> sessions;
  std::optional<ApiError> refusal;
  auto figures = figuresOf(ctx, {event.streamName}, &sessions, refusal);
  if (!figures) return figures.error();
  if (refusal) return *refusal;
  // From half an hour before the earlier of the scheduled start and the first live session (a
  // rehearsal): the audience chats before the picture starts.
  std::int64_t sinceMs = event.startsAt * 1000;
  for (const auto& s : sessions)
    if (!s.replay) sinceMs = std::min(sinceMs, s.startedAtMs);
  sinceMs -= kLeadMs;
  auto samples = ctx.base.streams.health(event.streamName, sinceMs, kMaxSamples);
  if (!samples) return mediaError(samples.error());
  std::map<std::int64_t, std::int64_t> perMinute;  // minute -> most viewers in a sample
  for (const auto& s : *samples) {
    auto& v = perMinute[s.atMs / kMinuteMs * kMinuteMs];
    v = std::max(v, s.viewers);
  }
  Json viewers = Json::array();
  for (const auto& [minute, n] : perMinute) viewers.push_back({{"minute_ms", minute}, {"viewers", n}});
  auto minutes = live::chatMinutes(ctx.base.db, event.streamName, sinceMs);
  if (!minutes) return minutes.error();
  Json chat = Json::array();
  for (const auto& m : *minutes)
    chat.push_back({{"minute_ms", m.minuteMs}, {"messages", m.messages}, {"likes", m.likes}});
  Json liveSessions = Json::array(), replays = Json::array();
  for (const auto& s : sessions)
    (s.replay ? replays : liveSessions)
        .push_back({{s.replay ? "recording" : "session", s.session},
                    {"started_at_ms", s.startedAtMs},
                    {"updated_at_ms", s.updatedAtMs},
                    {"plays", s.plays},
                    {"watch_ms", s.watchMs},
                    {"peak_viewers", s.peakViewers}});
  Json j = eventJson(event);
  (*figures)[event.streamName].into(j);
  j["sessions"] = liveSessions;
  j["replays"] = replays;
  j["viewers"] = viewers;
  j["chat"] = chat;
  return j;
}

}  // namespace

void addLiveRoutes(CmsContext& ctx) {
  addRoute(ctx, http::Method::Get, "/api/v1/analytics/live-events", Guard::Signed,
           [&ctx](CmsRequest& req) -> Reply { return list(ctx, req); });
  addRoute(ctx, http::Method::Get, "/api/v1/analytics/live-events/:id", Guard::Signed,
           [&ctx](CmsRequest& req) -> Reply { return detail(ctx, req); });
}

}  // namespace hub::cms::analytics
