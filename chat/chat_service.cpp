// chat/chat_service.cpp
//
// The chat service's start/stop and WebSocket sessions; its periodic work is in chat/chat_ticker.cpp,
// moderation actions in chat/chat_moderation.cpp, the word filter in chat/chat_words.cpp, the HTTP
// API in chat/api/chat_api.cpp, rooms in chat/room/.
#include "chat/chat_service.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <random>

#include "chat/api/chat_api.h"
#include "chat/fanout/memory_engine.h"
#include "chat/fanout/redis_engine.h"
#include "chat/protocol/event_encoder.h"
#include "core/bus/bus.h"
#include "core/http/server.h"
#include "core/log/log.h"
#include "core/loop/thread_name.h"
#include "core/loop/worker_pool.h"
#include "core/sql/change_watcher.h"

namespace hub::chat {
namespace {

const std::shared_ptr<spdlog::logger>& logger() {
  static const auto log = hub::log::get("chat.ws");
  return log;
}

constexpr std::size_t kMaxRoomsPerSession = 16;
constexpr int kCloseBanned = 4003;
constexpr int kCloseSlowConsumer = 4008;
constexpr int kCloseTooManyConnections = 4029;

// "https://live.example.org:8443/x" -> "https://live.example.org:8443"
std::string originOf(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  auto slash = url.find('/', scheme + 3);
  return slash == std::string::npos ? url : url.substr(0, slash);
}

std::string randomNodeId() {
  std::random_device rd;
  static const char* hex = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 16; ++i) id += hex[rd() & 15];
  return id;
}

}  // namespace

Result<std::unique_ptr<fanout::Engine>> openEngine(const std::string& busUrl,
                                                   const fanout::EngineOptions& options, const Clock& clock) {
  if (busUrl.empty() || busUrl.rfind("memory://", 0) == 0) {
    return std::unique_ptr<fanout::Engine>(fanout::MemoryEngine::standalone(options, clock));
  }
  if (busUrl.rfind("redis://", 0) == 0) {
    return std::unique_ptr<fanout::Engine>(std::make_unique<fanout::RedisEngine>(busUrl, options));
  }
  return makeError("chat.engine", "chat: no fan-out engine for bus URL " + busUrl);
}

ChatService::ChatService() : nodeId_(randomNodeId()) {}

ChatService::~ChatService() { stop(); }

std::int64_t ChatService::nowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(context_->clock.wall().time_since_epoch())
      .count();
}

std::vector<sql::Migration> ChatService::migrations() const {
  auto all = room::RoomStore::migrations();
  for (auto& m : service::wordListMigrations()) all.push_back(std::move(m));
  return all;
}

Status ChatService::start(service::Context& context) {
  context_ = &context;
  cfg_ = context.config.chat;
  limits_.maxTextCodePoints = static_cast<std::size_t>(cfg_.maxTextCodePoints);
  limits_.maxFrameBytes = std::max<std::size_t>(4096, limits_.maxTextCodePoints * 6 + 512);
  welcomeLimits_ = protocol::Limits{static_cast<std::uint32_t>(cfg_.maxTextCodePoints),
                                    static_cast<std::uint32_t>(cfg_.likesPerSecond),
                                    static_cast<std::uint32_t>(kMaxRoomsPerSession)};

  auto& m = context.metrics;
  connections_ = &m.gauge("hub_chat_connections", "chat WebSocket connections open on this node");
  messagesIn_ = &m.counter("hub_chat_messages_in_total", "chat messages accepted from clients");
  messagesOut_ = &m.counter("hub_chat_messages_out_total", "chat frames queued to connections");
  slowConsumers_ = &m.counter("hub_chat_slow_consumers_total", "connections closed 4008 for not reading");
  filterHits_ = &m.counter("hub_chat_filter_hits_total", "words matched by the chat word filter");
  refused_ = &m.counter("hub_chat_refused_total", "chat commands refused with an error event or close");
  engineUp_ = &m.gauge("hub_chat_engine_up", "1 while the chat fan-out engine is connected");
  publishLatency_ = &m.histogram("hub_chat_fanout_seconds",
                                 "from a send accepted to the engine's answer (ids, history, delivery)",
                                 metrics::latencyBuckets());

  if (auto st = reloadFilter(); !st) return st.error().wrap("chat word lists");
  moderation::RateLimits rl;
  rl.burst = cfg_.rateBurst;
  rl.perSecond = cfg_.ratePerMinute / 60.0;
  limiter_ = std::make_unique<moderation::RateLimiter>(context.clock, rl);
  moderation::RateLimits tl;
  tl.burst = cfg_.guestTokensPerMinute;
  tl.perSecond = cfg_.guestTokensPerMinute / 60.0;
  tokenLimiter_ = std::make_unique<moderation::RateLimiter>(context.clock, tl);

  store_ = std::make_unique<room::RoomStore>(context.db, context.clock);
  if (auto st = store_->reloadRooms(); !st) return st.error().wrap("chat");
  if (auto st = store_->reloadModeration(); !st) return st.error().wrap("chat");

  fanout::EngineOptions eo;
  eo.historySize = static_cast<std::size_t>(cfg_.history);
  eo.viewersTtl = std::chrono::milliseconds(std::max(cfg_.viewersIntervalMs * 3, 5000));
  auto engine = openEngine(context.config.bus.url, eo, context.clock);
  if (!engine) return engine.error();
  engine_ = std::move(*engine);

  room::HubCounters counters;
  counters.delivered = [this](std::size_t n) { messagesOut_->inc(static_cast<double>(n)); };
  std::optional<room::CoalesceRule> coalesce;
  if (cfg_.coalesceMs < 0)
    coalesce = room::CoalesceRule{std::chrono::milliseconds(cfg_.coalesceMaxMs),
                                  static_cast<std::size_t>(cfg_.coalesceMinMembers)};
  hub_ = std::make_unique<room::RoomHub>(*engine_, counters, static_cast<std::size_t>(cfg_.joinHistory),
                                         coalesce, context.clock);

  fanout::Engine::Handlers h;
  h.onFrame = [this](const std::string& room, std::uint64_t id, const fanout::Frame& frame) {
    hub_->deliver(room, id, frame);
  };
  h.onState = [this](fanout::EngineState s) {
    engineUp_->set(s == fanout::EngineState::Connected ? 1 : 0);
    logger()->warn("fan-out engine {}", s == fanout::EngineState::Connected ? "connected" : "reconnecting");
  };
  h.onResubscribed = [this] { hub_->resync(); };
  if (auto st = engine_->start(std::move(h)); !st) return st.error().wrap("chat");
  engineUp_->set(engine_->state() == fanout::EngineState::Connected ? 1 : 0);
  context.readiness.add("chat", [this, alive = alive_]() -> std::string {
    if (!alive->load()) return "chat service stopped";
    if (engine_->state() == fanout::EngineState::Connected) return {};
    return "chat fan-out engine (" + std::string(engine_->name()) + ") not connected";
  });

  http::WsHandlers wh;
  wh.onOpen = [this](const std::shared_ptr<http::WsConnection>& c) { onOpen(c); };
  wh.onMessage = [this](const std::shared_ptr<http::WsConnection>& c, std::string_view text, bool binary) {
    onMessage(c, text, binary);
  };
  wh.onClose = [this](const std::shared_ptr<http::WsConnection>& c, int code) { onClose(c, code); };
  http::WsOptions wo;
  wo.allowedOrigins =
      cfg_.origins.empty() ? std::vector<std::string>{originOf(context.config.http.publicUrl)} : cfg_.origins;
  wo.allowMissingOrigin = true;
  wo.maxMessageBytes = limits_.maxFrameBytes;
  wo.maxQueuedMessages = 1 << 20;
  wo.maxQueuedBytes = static_cast<std::size_t>(cfg_.queueBytes);
  wo.overflowCloseCode = kCloseSlowConsumer;
  wo.maxPerPeer = static_cast<std::size_t>(cfg_.maxConnectionsPerIp);
  wo.perPeerCloseCode = kCloseTooManyConnections;
  wo.packJsonArrays = true;  // docs/chat-protocol.md: clients accept a JSON array of events
  wo.coalesce = std::chrono::milliseconds(std::max(cfg_.coalesceMs, 0));  // auto: RoomHub holds per event
  context.http.addWebSocket("/ws", std::move(wh), std::move(wo));

  api::addChatApi(*this);

  context.changes.onChange(service::kWordListsTopic, [this, alive = alive_](std::string_view, std::int64_t) {
    if (!alive->load()) return;
    (void)context_->workers.submit([this, alive] {
      if (!alive->load()) return;
      if (auto st = reloadFilter(); !st) logger()->warn("word lists not reloaded: {}", st.error().message);
    });
  });
  context.changes.onChange(room::kRoomsTopic, [this, alive = alive_](std::string_view, std::int64_t) {
    if (!alive->load()) return;
    (void)context_->workers.submit([this, alive] {
      if (!alive->load()) return;
      if (auto st = store_->reloadRooms(); !st) logger()->warn("reload rooms: {}", st.error().message);
    });
  });
  context.changes.onChange(room::kModerationTopic, [this, alive = alive_](std::string_view, std::int64_t) {
    if (!alive->load()) return;
    (void)context_->workers.submit([this, alive] {
      if (!alive->load()) return;
      if (auto st = store_->reloadModeration(); !st) {
        logger()->warn("reload moderation: {}", st.error().message);
        return;
      }
      enforceBans();
    });
  });
  streams_ = context.bus.subscribe(
      "media.streams", [this](std::string_view, std::string_view payload) { onStreamEvent(payload); });

  ticker_ = hub::loop::namedThread("hub-chat-tick", [this] { tickerLoop(); });
  logger()->info("chat on /ws: engine {}, history {}, queue {} bytes, {} per address", engine_->name(),
                 cfg_.history, cfg_.queueBytes, cfg_.maxConnectionsPerIp);
  return {};
}

void ChatService::stop() {
  {
    std::lock_guard lock(tickerMu_);
    if (stopping_) return;
    stopping_ = true;
  }
  alive_->store(false);
  tickerWake_.notify_all();
  if (ticker_.joinable()) ticker_.join();
  streams_ = bus::Subscription();
  if (engine_) engine_->stop();
}

// --- WebSocket sessions ---------------------------------------------------------------------

void ChatService::onOpen(const std::shared_ptr<http::WsConnection>& conn) {
  // The per-address cap ([chat] max_connections_per_ip, close 4029) is applied by the HTTP
  // server before the handshake completes (WsOptions::maxPerPeer): refused ones never get here.
  {
    std::lock_guard lock(sessionsMu_);
    auto s = std::make_shared<ws::Session>(conn, context_->clock.steady(),
                                           static_cast<std::uint32_t>(cfg_.likesPerSecond));
    awaitingHello_.push_back(s);
    sessions_[conn.get()] = std::move(s);
  }
  connections_->inc();
}

void ChatService::onClose(const std::shared_ptr<http::WsConnection>& conn, int code) {
  std::shared_ptr<ws::Session> s;
  {
    std::lock_guard lock(sessionsMu_);
    auto it = sessions_.find(conn.get());
    if (it == sessions_.end()) return;
    s = std::move(it->second);
    sessions_.erase(it);
  }
  connections_->dec();
  for (const auto& room : s->rooms) hub_->leave(*s, room);
  if (conn->overflowed()) {
    slowConsumers_->inc();
    logger()->info("[conn={} peer={}] slow consumer closed with {}", conn->id(), s->peer(),
                   kCloseSlowConsumer);
  }
  logger()->debug("[conn={} user={}] closed {}", conn->id(), s->user.id, code);
}

void ChatService::sendError(ws::Session& s, protocol::ErrorEvent e) {
  refused_->inc();
  s.conn->send(protocol::encodeShared(e));
}

void ChatService::onMessage(const std::shared_ptr<http::WsConnection>& conn, std::string_view text,
                            bool binary) {
  std::shared_ptr<ws::Session> s;
  {
    std::lock_guard lock(sessionsMu_);
    auto it = sessions_.find(conn.get());
    if (it == sessions_.end()) return;
    s = it->second;
  }
  if (binary) return sendError(*s, {"chat.bad_request", "binary frames are not part of the protocol"});
  auto cmd = protocol::decodeCommand(text, limits_);
  if (!cmd) {
    const auto& e = cmd.error();
    if (e.code == "chat.frame_too_large") {
      refused_->inc();
      return conn->close(1009, "frame too large");
    }
    if (e.code == "chat.bad_utf8") {
      refused_->inc();
      logger()->info("[conn={} peer={}] invalid UTF-8: closing 1007", conn->id(), s->peer());
      return conn->close(1007, "invalid UTF-8");
    }
    protocol::ErrorEvent error{e.code, e.message};
    if (e.code == "chat.too_long") error.limit = static_cast<std::int64_t>(limits_.maxTextCodePoints);
    return sendError(*s, std::move(error));
  }
  if (!s->authenticated.load() && !std::holds_alternative<protocol::Hello>(*cmd)) {
    return sendError(*s, {"auth.invalid", "send hello with a token first"});
  }
  std::visit([&](auto& c) { handle(s, c); }, *cmd);
}

void ChatService::handle(const std::shared_ptr<ws::Session>& s, protocol::Hello& cmd) {
  if (s->authenticated.load()) return sendError(*s, {"chat.bad_request", "hello was already sent"});
  auto claims = auth::verifyToken(cmd.token, context_->authSecret, context_->clock);
  if (!claims) {
    logger()->info("[conn={} peer={}] hello refused: {}", s->id(), s->peer(), claims.error().message);
    return sendError(*s, {"auth.invalid", claims.error().message});
  }
  s->claims = *claims;
  s->user = protocol::UserInfo{claims->userId, claims->name, std::string(auth::roleName(claims->role))};
  s->authenticated.store(true);
  s->conn->send(protocol::encodeShared(protocol::Welcome{s->user, welcomeLimits_}));
}

void ChatService::handle(const std::shared_ptr<ws::Session>& s, protocol::Join& cmd) {
  if (!store_->find(cmd.room)) return sendError(*s, {"room.not_found", "no room " + cmd.room, cmd.room});
  if (store_->banned(cmd.room, s->claims.userId)) {
    logger()->info("[conn={} user={} room={}] banned user tried to join", s->id(), s->user.id, cmd.room);
    return s->conn->close(kCloseBanned, "banned from this room");
  }
  if (s->rooms.count(cmd.room)) {
    hub_->leave(*s, cmd.room);  // a second join re-syncs from `since`
  } else if (s->rooms.size() >= kMaxRoomsPerSession) {
    return sendError(*s, {"chat.bad_request", "too many rooms on one connection", cmd.room});
  }
  s->rooms.insert(cmd.room);
  hub_->join(s, cmd.room, cmd.since);
}

void ChatService::handle(const std::shared_ptr<ws::Session>& s, protocol::Leave& cmd) {
  if (s->rooms.erase(cmd.room)) hub_->leave(*s, cmd.room);
}

void ChatService::handle(const std::shared_ptr<ws::Session>& s, protocol::Send& cmd) {
  if (s->claims.role == auth::Role::Guest)
    return sendError(*s, {"chat.forbidden", "guests cannot send messages", cmd.room});
  if (!s->rooms.count(cmd.room)) return sendError(*s, {"chat.forbidden", "join the room first", cmd.room});
  if (store_->banned(cmd.room, s->claims.userId))
    return s->conn->close(kCloseBanned, "banned from this room");
  if (auto until = store_->mutedUntil(cmd.room, s->claims.userId)) {
    protocol::ErrorEvent error{"chat.muted", "muted until " + std::to_string(until), cmd.room};
    error.until = until;
    return sendError(*s, std::move(error));
  }
  std::string text = std::move(cmd.text);
  if (auto filter = filter_.load()) {
    auto v = filter->apply(text);
    if (v.hits) filterHits_->inc(static_cast<double>(v.hits));
    if (v.blocked) {
      logger()->info("[conn={} user={} room={}] message blocked by list {}", s->id(), s->user.id, cmd.room,
                     v.blockedList);
      return sendError(*s, {"chat.filtered", "the message contains words that are not allowed", cmd.room});
    }
    text = std::move(v.text);
  }
  auto room = store_->find(cmd.room);
  const auto slow = std::chrono::seconds(room ? room->slowModeSeconds : 0);
  // A room-bound moderator token is a plain user in other rooms (docs/chat-protocol.md).
  const auth::Role role = auth::roleInRoom(s->claims, cmd.room);
  if (role != auth::Role::Moderator && role != auth::Role::Admin) {
    if (auto v = limiter_->admit(static_cast<std::uint64_t>(s->claims.userId), cmd.room, text, slow); !v) {
      protocol::ErrorEvent error{std::move(v.code), std::move(v.message), cmd.room};
      error.retryAfterMs = v.retryAfter.count();
      return sendError(*s, std::move(error));
    }
  }
  messagesIn_->inc();
  {
    std::lock_guard lock(statsMu_);
    ++sentCount_[cmd.room];
  }
  protocol::UserInfo sender = s->user;
  if (role != s->claims.role) sender.role = std::string(auth::roleName(role));
  auto full = protocol::encodeEvent(protocol::Message{cmd.room, 0, std::move(sender), text, nowMs()});
  const std::string marker = ",\"id\":0,";
  const auto at = full.find(marker);
  fanout::MessageTemplate tmpl{full.substr(0, at + 6), full.substr(at + 7)};
  const auto started = std::chrono::steady_clock::now();
  std::weak_ptr<ws::Session> weak = s;
  engine_->publishMessage(
      cmd.room, std::move(tmpl), [this, weak, started, room = cmd.room](Result<fanout::Published> r) {
        publishLatency_->observe(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        if (r) return;
        if (auto live = weak.lock())
          sendError(*live, {"chat.unavailable", "message not sent: " + r.error().message, room});
      });
}

void ChatService::handle(const std::shared_ptr<ws::Session>& s, protocol::Like& cmd) {
  if (!s->rooms.count(cmd.room)) return sendError(*s, {"chat.forbidden", "join the room first", cmd.room});
  auto n = s->likeBudget.take(cmd.count, context_->clock.steady());
  if (n) likes_.add(cmd.room, n);
}

void ChatService::handle(const std::shared_ptr<ws::Session>& s, protocol::Ping&) {
  static const auto pong = protocol::encodeShared(protocol::Pong{});
  s->conn->send(pong);
}

void ChatService::handle(const std::shared_ptr<ws::Session>& s, protocol::Moderate& cmd) {
  const char* action = protocol::actionName(cmd.action);
  const auth::Role role = auth::roleInRoom(s->claims, cmd.room);
  if (role != auth::Role::Moderator && role != auth::Role::Admin) {
    logger()->info("[conn={} user={} room={}] {} refused: not a moderator{}", s->id(), s->user.id, cmd.room,
                   action, s->claims.room.empty() ? "" : " of this room");
    return sendError(*s, {"chat.forbidden",
                          std::string(action) + (s->claims.room.empty() ? " needs a moderator"
                                                                        : " needs a moderator of this room"),
                          cmd.room});
  }
  std::weak_ptr<ws::Session> weak = s;
  auto queued = context_->workers.submit([this, alive = alive_, weak, cmd, name = s->user.name] {
    if (!alive->load()) return;
    auto st = moderate(cmd, name);
    auto live = weak.lock();
    if (!live) return;
    if (!st) return sendError(*live, {st.error().code, st.error().message, cmd.room});
    live->conn->send(protocol::encodeShared(protocol::Moderated{cmd.room, protocol::actionName(cmd.action)}));
  });
  if (!queued) sendError(*s, {"chat.unavailable", "server busy, try again", cmd.room});
}

void ChatService::enforceBans() {
  for (const auto& [room, user] : store_->bans()) {
    hub_->forEachMember(room, [&, r = room, u = user](ws::Session& s) {
      if (s.claims.userId != u) return;
      logger()->info("[conn={} user={} room={}] banned: closing {}", s.id(), u, r, kCloseBanned);
      s.conn->close(kCloseBanned, "banned from this room");
    });
  }
}

bool ChatService::takeGuestToken(const std::string& peer) {
  return tokenLimiter_->tryTake(std::hash<std::string>{}(peer));
}

RoomStats ChatService::stats(const std::string& room) {
  RoomStats st;
  st.connections = hub_->members(room);
  std::lock_guard lock(statsMu_);
  if (auto it = sentRate_.find(room); it != sentRate_.end()) st.messagesPerSecond = it->second;
  if (auto it = likeTotals_.find(room); it != likeTotals_.end()) st.likes = it->second;
  if (auto it = viewerSums_.find(room); it != viewerSums_.end()) st.viewers = it->second;
  return st;
}

void ChatService::onStreamEvent(std::string_view payload) {
  auto j = nlohmann::json::parse(payload, nullptr, false);
  if (!j.is_object() || !j.contains("event") || !j.contains("name") || !j["name"].is_string() ||
      !j["event"].is_string()) {
    logger()->warn("media.streams: ignoring a malformed event");
    return;
  }
  std::string event = j["event"], name = j["name"];
  (void)context_->workers.submit([this, alive = alive_, event, name] {
    if (!alive->load()) return;
    if (event == "created") {
      if (auto st = store_->ensure(name, "stream"); !st)
        logger()->warn("[room={}] {}", name, st.error().message);
    } else if (event == "deleted") {
      if (auto r = store_->remove(name); !r) logger()->warn("[room={}] {}", name, r.error().message);
    }
  });
}

}  // namespace hub::chat
