// media/service/streams_routes.cpp
//
// The streams API. Admin routes (bearer `[admin] token`) run their SQL on the worker pool:
//   GET    /api/v1/streams                      list
//   POST   /api/v1/streams                      {"name", "title"?} -> 201 with key and URLs
//   GET    /api/v1/streams/:name                one stream with its live status
//   PATCH  /api/v1/streams/:name                {"title"}
//   DELETE /api/v1/streams/:name                204; its publisher is disconnected
//   POST   /api/v1/streams/:name/rotate-key     new key; the current publisher is disconnected
//   PUT    /api/v1/streams/:name/ladder         {"passthrough_only", "ladder": [rungs]}
//   PUT    /api/v1/streams/:name/restream       {"targets": ["rtmp://..."]}
//   PUT    /api/v1/streams/:name/held           {"held": true|false}
//   GET    /api/v1/streams/:name/health         stored health samples, newest first (?limit=)
// Public, from memory: GET /api/v1/public/streams (live streams: title, thumbnail, viewers; then
// upcoming ones: "live": false, "state": "upcoming", starts_at/ends_at in ms since the epoch). A
// held stream is not listed as live (it is upcoming when it has a schedule).
#include <charconv>

#include "core/http/bearer_auth.h"
#include "core/http/json_body.h"
#include "core/http/server.h"
#include "core/log/log.h"
#include "core/loop/worker_pool.h"
#include "media/service/media_service.h"

namespace hub::media::service {
namespace {

const auto& logger() {
  static const auto log = hub::log::get("media.api");
  return log;
}

http::Response errorResponse(const Error& e) {
  int status = 500;
  if (e.code == "media.not_found") status = 404;
  if (e.code == "media.stream_exists") status = 409;
  if (e.code == "media.bad_name" || e.code == "media.bad_request") status = 400;
  if (status == 500) {
    logger()->error("streams API: {} ({})", e.message, e.code);
    return http::Response::error(500, e.code, "internal error");
  }
  return http::Response::error(status, e.code, e.message);
}

}  // namespace

void MediaService::addRoutes(hub::service::Context& context) {
  auto& server = context.http;
  const std::string token = context.config.admin.token;

  auto streamJson = [this](const streams::Stream& s) {
    auto live = session(s.name);
    return nlohmann::json{{"name", s.name},
                          {"title", s.title},
                          {"key", s.key},
                          {"server_url", rtmpPublicUrl_},
                          {"publish_url", publishUrl(s)},
                          {"playback_url", playbackUrl(s.name)},
                          {"passthrough_only", s.passthroughOnly},
                          {"ladder", streams::ladderToJson(s.ladder)},
                          {"restream_targets", s.restreamTargets},
                          {"held", s.held},
                          {"created_at", s.createdAt},
                          {"live", live && live->live()}};
  };

  // Checks the token on the loop thread, then runs `fn` on a worker and sends what it returns.
  using Work = std::function<http::Response(const http::Request&)>;
  auto admin = [this, token](Work fn) -> http::AsyncHandler {
    return [this, token, fn = std::move(fn)](http::Request req, http::Responder done) {
      if (auto denied = http::checkBearer(req, token)) {
        done.send(std::move(*denied));
        return;
      }
      auto queued = context_->workers.submit([req = std::move(req), done, fn] { done.send(fn(req)); });
      if (!queued) done.send(http::Response::error(503, "hub.overloaded", "worker pool is full"));
    };
  };
  // After a write: the directory and the bus hear of it now, not at the next poll.
  auto reloaded = [this] {
    if (auto st = reload(); !st) logger()->warn("reloading streams failed: {}", st.error().message);
  };

  server.routeAsync(http::Method::Get, "/api/v1/streams", admin([this, streamJson](const http::Request&) {
                      auto list = store_->list();
                      if (!list) return errorResponse(list.error());
                      auto arr = nlohmann::json::array();
                      for (const auto& s : *list) arr.push_back(streamJson(s));
                      return http::Response::json(200, {{"streams", arr}});
                    }));

  server.routeAsync(
      http::Method::Post, "/api/v1/streams", admin([this, streamJson, reloaded](const http::Request& req) {
        auto body = http::parseJsonBody(req);
        if (!body) return http::badJson(body.error());
        if (!body->is_object() || !body->contains("name") || !(*body)["name"].is_string())
          return http::Response::error(400, "media.bad_request", "body needs a \"name\" string");
        std::string title;
        if (body->contains("title") && (*body)["title"].is_string())
          title = (*body)["title"].get<std::string>();
        auto created = store_->create((*body)["name"].get<std::string>(), title);
        if (!created) return errorResponse(created.error());
        reloaded();
        logger()->info("[stream={}] created through the API by {}", created->name, req.peer);
        return http::Response::json(201, streamJson(*created));
      }));

  server.routeAsync(http::Method::Get, "/api/v1/streams/:name",
                    admin([this, streamJson](const http::Request& req) {
                      auto s = store_->get(std::string(req.param("name")));
                      if (!s) return errorResponse(s.error());
                      auto j = streamJson(*s);
                      auto live = session(s->name);
                      j["status"] = live ? live->status() : nlohmann::json{{"live", false}};
                      return http::Response::json(200, j);
                    }));

  server.routeAsync(
      http::Method::Patch, "/api/v1/streams/:name",
      admin([this, streamJson, reloaded](const http::Request& req) {
        auto body = http::parseJsonBody(req);
        if (!body) return http::badJson(body.error());
        if (!body->is_object() || !body->contains("title") || !(*body)["title"].is_string())
          return http::Response::error(400, "media.bad_request", "body needs a \"title\" string");
        auto s = store_->setTitle(std::string(req.param("name")), (*body)["title"].get<std::string>());
        if (!s) return errorResponse(s.error());
        reloaded();
        return http::Response::json(200, streamJson(*s));
      }));

  server.routeAsync(http::Method::Delete, "/api/v1/streams/:name",
                    admin([this, reloaded](const http::Request& req) {
                      std::string name(req.param("name"));
                      if (auto st = store_->remove(name); !st) return errorResponse(st.error());
                      reloaded();
                      logger()->info("[stream={}] deleted through the API by {}", name, req.peer);
                      return http::Response::noContent();
                    }));

  server.routeAsync(http::Method::Post, "/api/v1/streams/:name/rotate-key",
                    admin([this, streamJson, reloaded](const http::Request& req) {
                      auto s = store_->rotateKey(std::string(req.param("name")));
                      if (!s) return errorResponse(s.error());
                      reloaded();
                      logger()->info("[stream={}] key rotated through the API by {}", s->name, req.peer);
                      return http::Response::json(200, streamJson(*s));
                    }));

  server.routeAsync(http::Method::Put, "/api/v1/streams/:name/ladder",
                    admin([this, streamJson, reloaded](const http::Request& req) {
                      auto body = http::parseJsonBody(req);
                      if (!body) return http::badJson(body.error());
                      if (!body->is_object())
                        return http::Response::error(400, "media.bad_request", "body must be an object");
                      bool passthrough = body->contains("passthrough_only") &&
                                         (*body)["passthrough_only"].is_boolean() &&
                                         (*body)["passthrough_only"].get<bool>();
                      std::vector<streams::Rung> ladder;
                      if (body->contains("ladder")) {
                        auto l = streams::ladderFromJson((*body)["ladder"]);
                        if (!l) return errorResponse(l.error());
                        ladder = *l;
                      }
                      auto s = store_->setLadder(std::string(req.param("name")), passthrough, ladder);
                      if (!s) return errorResponse(s.error());
                      reloaded();
                      return http::Response::json(200, streamJson(*s));
                    }));

  // Held until released: the public listing leaves a held stream out and only preview tokens
  // play it (MediaService::gate).
  server.routeAsync(http::Method::Put, "/api/v1/streams/:name/held",
                    admin([this, streamJson, reloaded](const http::Request& req) {
                      auto body = http::parseJsonBody(req);
                      if (!body) return http::badJson(body.error());
                      if (!body->is_object() || !body->contains("held") || !(*body)["held"].is_boolean())
                        return http::Response::error(400, "media.bad_request",
                                                     "body needs \"held\": true or false");
                      auto s = store_->setHeld(std::string(req.param("name")), (*body)["held"].get<bool>());
                      if (!s) return errorResponse(s.error());
                      reloaded();
                      return http::Response::json(200, streamJson(*s));
                    }));

  server.routeAsync(http::Method::Put, "/api/v1/streams/:name/restream",
                    admin([this, streamJson, reloaded](const http::Request& req) {
                      auto body = http::parseJsonBody(req);
                      if (!body) return http::badJson(body.error());
                      if (!body->is_object() || !body->contains("targets") || !(*body)["targets"].is_array())
                        return http::Response::error(400, "media.bad_request",
                                                     "body needs a \"targets\" array");
                      std::vector<std::string> targets;
                      for (const auto& t : (*body)["targets"]) {
                        if (!t.is_string())
                          return http::Response::error(400, "media.bad_request", "targets must be strings");
                        targets.push_back(t.get<std::string>());
                      }
                      auto s = store_->setRestreamTargets(std::string(req.param("name")), targets);
                      if (!s) return errorResponse(s.error());
                      reloaded();
                      return http::Response::json(200, streamJson(*s));
                    }));

  server.routeAsync(
      http::Method::Get, "/api/v1/streams/:name/health", admin([this](const http::Request& req) {
        int limit = 100;
        if (auto q = req.queryParam("limit")) {
          int v = 0;
          auto [p, ec] = std::from_chars(q->data(), q->data() + q->size(), v);
          if (ec != std::errc() || p != q->data() + q->size() || v < 1 || v > 10000)
            return http::Response::error(400, "media.bad_request", "limit must be 1..10000");
          limit = v;
        }
        std::string name(req.param("name"));
        if (auto s = store_->get(name); !s) return errorResponse(s.error());
        auto samples = store_->health(name, limit);
        if (!samples) return errorResponse(samples.error());
        auto arr = nlohmann::json::array();
        for (const auto& h : *samples)
          arr.push_back(
              {{"at_ms",
                std::chrono::duration_cast<std::chrono::milliseconds>(h.at.time_since_epoch()).count()},
               {"live", h.live},
               {"bitrate_in", h.bitrateIn},
               {"fps", h.fps},
               {"viewers", h.viewers},
               {"dropped_frames", h.droppedFrames},
               {"width", h.width},
               {"height", h.height}});
        return http::Response::json(200, {{"stream", name}, {"samples", arr}});
      }));

  http::RouteOptions publicOptions;
  if (!context.config.http.corsOrigins.empty()) {
    http::CorsOptions cors;
    cors.allowedOrigins = context.config.http.corsOrigins;
    publicOptions.cors = cors;
  }
  server.get(
      "/api/v1/public/streams",
      [this](const http::Request&) {
        auto arr = nlohmann::json::array();
        for (const auto& s : sessions()) {
          if (!s->live() || held(s->name())) continue;
          std::string title;
          {
            std::lock_guard lock(directoryMu_);
            auto it = byName_.find(s->name());
            if (it == byName_.end()) continue;
            title = it->second.title;
          }
          auto status = s->status();
          arr.push_back(
              {{"name", s->name()},
               {"title", title},
               {"playback_url", playbackUrl(s->name())},
               {"thumbnail_url", httpPublicUrl_ + "/live/" + s->name() + "/thumb.jpg"},
               {"viewers", status["viewers"]},
               {"renditions", status.contains("expected_renditions") ? status["expected_renditions"].size()
                                                                     : std::size_t{0}}});
        }
        // Upcoming: scheduled (the CMS's live events), not live now, not over yet.
        const auto nowSeconds =
            std::chrono::duration_cast<std::chrono::seconds>(context_->clock.wall().time_since_epoch())
                .count();
        std::vector<streams::Schedule> upcoming;
        {
          std::lock_guard lock(directoryMu_);
          for (const auto& [name, sched] : schedules_)
            if (sched.endsAt > nowSeconds && byName_.count(name)) upcoming.push_back(sched);
        }
        for (const auto& u : upcoming) {
          if (auto s = session(u.name); s && s->live() && !held(u.name)) continue;
          arr.push_back({{"name", u.name},
                         {"title", u.title},
                         {"live", false},
                         {"state", "upcoming"},
                         {"starts_at", u.startsAt * 1000},
                         {"ends_at", u.endsAt * 1000},
                         {"thumbnail_url", u.posterUrl}});
        }
        return http::Response::json(200, {{"streams", arr}}).header("Cache-Control", "public, max-age=2");
      },
      publicOptions);
}

}  // namespace hub::media::service
