// chat/api/chat_api.cpp
//
// HTTP handlers of the chat API. SQL runs on the worker pool (routeAsync), never on a loop.
#include "chat/api/chat_api.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "chat/chat_service.h"
#include "core/auth/token.h"
#include "core/http/bearer_auth.h"
#include "core/http/json_body.h"
#include "core/http/server.h"
#include "core/log/log.h"
#include "core/loop/worker_pool.h"
#include "core/service/word_lists.h"

namespace hub::chat::api {
namespace {

using http::Request;
using http::Responder;
using http::Response;
using nlohmann::json;

const std::shared_ptr<spdlog::logger>& logger() {
  static const auto log = hub::log::get("chat.api");
  return log;
}

json roomJson(const room::RoomInfo& r) {
  return {{"name", r.name},
          {"title", r.title},
          {"slow_mode", r.slowModeSeconds},
          {"origin", r.origin},
          {"created_at", r.createdAt}};
}

Response errorFor(const Error& e) {
  if (e.code == "room.exists") return Response::error(409, e.code, e.message);
  if (e.code == "room.bad_name") return Response::error(400, e.code, e.message);
  if (e.code == "room.not_found") return Response::error(404, e.code, e.message);
  if (e.code == "chat.bad_request") return Response::error(400, e.code, e.message);
  if (e.code == "words.invalid") return Response::error(400, e.code, e.message);
  if (e.code.rfind("chat.engine", 0) == 0) return Response::error(503, e.code, e.message);
  logger()->warn("chat api: {}", e.message);
  return Response::error(500, "internal", "internal error");
}

}  // namespace

void addChatApi(ChatService& svc) {
  auto& server = svc.context().http;
  const std::string adminToken = svc.config().admin.token;
  auto& workers = svc.context().workers;

  // Runs `fn` on a worker once the admin token checked out; fn returns the response.
  auto adminAsync = [&svc, &workers, adminToken](std::function<Response(const Request&)> fn) {
    return [&workers, adminToken, fn = std::move(fn)](Request req, Responder res) {
      if (auto refusal = http::checkBearer(req, adminToken)) return res.send(std::move(*refusal));
      auto st = workers.submit([fn, req = std::move(req), res] { res.send(fn(req)); });
      if (!st) res.send(Response::error(503, "busy", "server busy, try again"));
    };
  };

  server.post("/api/v1/chat/token", [&svc](const Request& req) {
    if (!svc.takeGuestToken(req.peer)) {
      const int perMinute = svc.config().chat.guestTokensPerMinute;
      return Response::error(429, "chat.rate_limited", "too many guest tokens from this address")
          .header("Retry-After", std::to_string(std::max(1, 60 / perMinute)));
    }
    auto claims = auth::guestClaims(svc.context().clock, svc.config().chat.guestTokenTtlSeconds);
    json body = {{"token", auth::signToken(claims, svc.context().authSecret)},
                 {"user", {{"id", claims.userId}, {"name", claims.name}, {"role", "guest"}}},
                 {"expires", claims.expires}};
    return Response::json(200, body);
  });

  server.routeAsync(http::Method::Get, "/api/v1/rooms", adminAsync([&svc](const Request&) {
                      json rooms = json::array();
                      for (const auto& r : svc.store().list()) rooms.push_back(roomJson(r));
                      return Response::json(200, {{"rooms", rooms}});
                    }));

  server.routeAsync(http::Method::Post, "/api/v1/rooms", adminAsync([&svc](const Request& req) {
                      auto body = http::parseJsonBody(req);
                      if (!body) return http::badJson(body.error());
                      if (!body->is_object() || !body->contains("name") || !(*body)["name"].is_string())
                        return Response::error(400, "room.bad_name", "body needs {\"name\": \"...\"}");
                      std::string title = body->value("title", std::string());
                      auto r = svc.store().create((*body)["name"], title, "api");
                      if (!r) return errorFor(r.error());
                      return Response::json(201, roomJson(*r));
                    }));

  server.routeAsync(http::Method::Get, "/api/v1/rooms/:name", adminAsync([&svc](const Request& req) {
                      auto r = svc.store().find(std::string(req.param("name")));
                      if (!r) return Response::error(404, "room.not_found", "no such room");
                      auto j = roomJson(*r);
                      auto st = svc.stats(r->name);
                      j["stats"] = {{"connections", st.connections},
                                    {"messages_per_second", st.messagesPerSecond},
                                    {"likes", st.likes},
                                    {"viewers", st.viewers}};
                      return Response::json(200, j);
                    }));

  server.routeAsync(http::Method::Delete, "/api/v1/rooms/:name", adminAsync([&svc](const Request& req) {
                      auto r = svc.store().remove(std::string(req.param("name")));
                      if (!r) return errorFor(r.error());
                      if (!*r) return Response::error(404, "room.not_found", "no such room");
                      return Response::noContent();
                    }));

  server.routeAsync(http::Method::Get, "/api/v1/rooms/:name/stats", adminAsync([&svc](const Request& req) {
                      std::string name(req.param("name"));
                      if (!svc.store().find(name))
                        return Response::error(404, "room.not_found", "no such room");
                      auto st = svc.stats(name);
                      return Response::json(200, {{"room", name},
                                                  {"connections", st.connections},
                                                  {"messages_per_second", st.messagesPerSecond},
                                                  {"likes", st.likes},
                                                  {"viewers", st.viewers}});
                    }));

  server.routeAsync(
      http::Method::Post, "/api/v1/rooms/:name/notice", [&svc, adminToken](Request req, Responder res) {
        if (auto refusal = http::checkBearer(req, adminToken)) return res.send(std::move(*refusal));
        std::string name(req.param("name"));
        if (!svc.store().find(name)) return res.send(Response::error(404, "room.not_found", "no such room"));
        auto body = http::parseJsonBody(req);
        if (!body) return res.send(http::badJson(body.error()));
        if (!body->is_object() || !body->contains("text") || !(*body)["text"].is_string() ||
            (*body)["text"].get<std::string>().empty())
          return res.send(Response::error(400, "chat.bad_request", "body needs {\"text\": \"...\"}"));
        svc.notice(name, (*body)["text"], [res](Result<std::uint64_t> id) {
          if (!id) return res.send(errorFor(id.error()));
          res.send(Response::json(202, {{"id", *id}}));
        });
      });

  server.routeAsync(
      http::Method::Post, "/api/v1/rooms/:name/moderation", adminAsync([&svc](const Request& req) {
        std::string name(req.param("name"));
        if (!svc.store().find(name)) return Response::error(404, "room.not_found", "no such room");
        auto body = http::parseJsonBody(req);
        if (!body) return http::badJson(body.error());
        if (!body->is_object() || !body->contains("action") || !(*body)["action"].is_string())
          return Response::error(400, "chat.bad_request", "body needs {\"action\": ...}");
        const std::string action = (*body)["action"];
        const std::string moderator = body->value("moderator", std::string("admin"));
        auto number = [&](const char* key) -> std::optional<std::int64_t> {
          if (!body->contains(key) || !(*body)[key].is_number_integer()) return std::nullopt;
          return (*body)[key].get<std::int64_t>();
        };
        // The same values as the /ws ops; ChatService::moderate() checks the ranges.
        protocol::Moderate m;
        m.room = name;
        if (action == "delete") {
          auto id = number("message_id");
          if (!id || *id <= 0) return Response::error(400, "chat.bad_request", "delete needs message_id");
          m.action = protocol::ModerationAction::Delete;
          m.messageId = static_cast<std::uint64_t>(*id);
        } else if (action == "mute" || action == "unmute" || action == "ban" || action == "unban") {
          auto user = number("user_id");
          auto seconds = action == "mute" ? number("seconds") : std::optional<std::int64_t>(0);
          if (!user || !seconds)
            return Response::error(400, "chat.bad_request", action + " needs user_id (and seconds)");
          m.action = action == "mute"     ? protocol::ModerationAction::Mute
                     : action == "unmute" ? protocol::ModerationAction::Unmute
                     : action == "ban"    ? protocol::ModerationAction::Ban
                                          : protocol::ModerationAction::Unban;
          m.userId = *user;
          m.seconds = *seconds;
        } else if (action == "slow_mode") {
          auto seconds = number("seconds");
          if (!seconds) return Response::error(400, "chat.bad_request", "slow_mode needs seconds");
          m.action = protocol::ModerationAction::SlowMode;
          m.seconds = *seconds;
        } else {
          return Response::error(400, "chat.bad_request", "unknown action " + action);
        }
        if (auto st = svc.moderate(m, moderator); !st) return errorFor(st.error());
        return Response::json(200, {{"ok", true}});
      }));

  // The same as {"action":"delete"}, for clients that delete by URL.
  server.routeAsync(
      http::Method::Delete, "/api/v1/rooms/:name/messages/:id", adminAsync([&svc](const Request& req) {
        std::string name(req.param("name"));
        if (!svc.store().find(name)) return Response::error(404, "room.not_found", "no such room");
        std::uint64_t id = 0;
        auto text = req.param("id");
        auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
        if (ec != std::errc() || p != text.data() + text.size() || id == 0)
          return Response::error(400, "chat.bad_request", "message id must be a positive integer");
        protocol::Moderate m;
        m.action = protocol::ModerationAction::Delete;
        m.room = name;
        m.messageId = id;
        if (auto st = svc.moderate(m, "admin"); !st) return errorFor(st.error());
        return Response::noContent();
      }));

  server.routeAsync(http::Method::Get, "/api/v1/rooms/:name/moderation",
                    adminAsync([&svc](const Request& req) {
                      std::string name(req.param("name"));
                      auto entries = svc.store().logOf(name, 200);
                      if (!entries) return errorFor(entries.error());
                      json out = json::array();
                      for (const auto& e : *entries) {
                        out.push_back({{"id", e.id},
                                       {"action", e.action},
                                       {"user_id", e.targetUser},
                                       {"message_id", e.messageId},
                                       {"until", e.until},
                                       {"seconds", e.seconds},
                                       {"moderator", e.moderator},
                                       {"at", e.at}});
                      }
                      return Response::json(200, {{"room", name}, {"entries", out}});
                    }));

  // The sensitive-word lists (core/service/word_lists.h): read, and replace as a whole.
  server.routeAsync(http::Method::Get, "/api/v1/chat/words", adminAsync([&svc](const Request&) {
                      auto lists = svc.wordLists();
                      if (!lists) return errorFor(lists.error());
                      return Response::json(200, json::parse(service::wordListsToJson(*lists)));
                    }));

  server.routeAsync(http::Method::Put, "/api/v1/chat/words", adminAsync([&svc](const Request& req) {
                      auto lists = service::wordListsFromJson(req.body);
                      if (!lists) return errorFor(lists.error());
                      if (auto st = svc.replaceWordLists(std::move(*lists), "admin"); !st)
                        return errorFor(st.error());
                      auto stored = svc.wordLists();
                      if (!stored) return errorFor(stored.error());
                      return Response::json(200, json::parse(service::wordListsToJson(*stored)));
                    }));
}

}  // namespace hub::chat::api
