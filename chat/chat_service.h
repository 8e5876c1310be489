// chat/chat_service.h
//
// The chat service: WebSocket sessions at /ws (hello, join/leave/send/like/ping), rooms and
// moderation in SQL, the fan-out engine between nodes, the likes and viewers ticks, and the HTTP
// API (chat/api/chat_api.h). Registered for the roles "" (all-in-one) and "chat".
//
// Threads: WebSocket handlers on the HTTP loops; engine callbacks on the engine's thread; SQL
// on the worker pool; one ticker thread of its own for likes, viewers and the hello deadline.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

#include "chat/fanout/engine.h"
#include "chat/likes/like_aggregator.h"
#include "chat/moderation/rate_limiter.h"
#include "chat/moderation/word_filter.h"
#include "chat/protocol/command.h"
#include "chat/protocol/command_decoder.h"
#include "chat/room/room_hub.h"
#include "chat/room/room_store.h"
#include "chat/ws/session.h"
#include "core/bus/subscription.h"
#include "core/metrics/registry.h"
#include "core/service/service.h"
#include "core/service/word_lists.h"

namespace hub::chat {

// Opens the engine `[bus] url` names. Error "chat.engine" for an engine this build lacks.
Result<std::unique_ptr<fanout::Engine>> openEngine(const std::string& busUrl,
                                                   const fanout::EngineOptions& options, const Clock& clock);

struct RoomStats {
  std::size_t connections = 0;   // on this node
  double messagesPerSecond = 0;  // published from this node, last 5 s
  std::uint64_t likes = 0;       // total, all nodes
  std::uint64_t viewers = 0;     // all nodes
};

class ChatService final : public service::Service {
 public:
  ChatService();
  ~ChatService() override;

  std::string_view name() const override { return "chat"; }
  std::vector<sql::Migration> migrations() const override;
  Status start(service::Context& context) override;
  void stop() override;

  // For the HTTP API (chat/api). Blocking ones run on worker threads.
  room::RoomStore& store() { return *store_; }
  const config::Config& config() const { return context_->config; }
  service::Context& context() { return *context_; }
  RoomStats stats(const std::string& room);
  // Publishes a system notice (a message from user 0 "system") through the engine.
  void notice(const std::string& room, const std::string& text,
              std::function<void(Result<std::uint64_t>)> done);
  // A moderation action from /ws or the HTTP API: checks the room ("room.not_found") and the
  // values ("chat.bad_request": delete needs an id > 0, mute 0..365 days, slow mode 0..600 s),
  // then does it through the functions below. Blocking (SQL): call it on a worker.
  Status moderate(const protocol::Moderate& action, const std::string& moderator);
  // The stored word lists (core/service/word_lists.h) and their replacement, for the HTTP API;
  // a replacement is logged in chat_moderation_log (room "*", action "words"). Blocking.
  Result<std::vector<service::StoredWordList>> wordLists();
  Status replaceWordLists(std::vector<service::StoredWordList> lists, const std::string& by);
  // Per client address token bucket for POST /api/v1/chat/token.
  bool takeGuestToken(const std::string& peer);

 private:
  // Moderation actions, logged in chat_moderation_log. Blocking.
  Status deleteMessage(const std::string& room, std::uint64_t id, const std::string& moderator);
  Status mute(const std::string& room, std::int64_t user, std::int64_t seconds, const std::string& moderator);
  Status ban(const std::string& room, std::int64_t user, bool banned, const std::string& moderator);
  Status slowMode(const std::string& room, int seconds, const std::string& moderator);
  void onOpen(const std::shared_ptr<http::WsConnection>& conn);
  void onMessage(const std::shared_ptr<http::WsConnection>& conn, std::string_view text, bool binary);
  void onClose(const std::shared_ptr<http::WsConnection>& conn, int code);
  void handle(const std::shared_ptr<ws::Session>& s, protocol::Hello& cmd);
  void handle(const std::shared_ptr<ws::Session>& s, protocol::Join& cmd);
  void handle(const std::shared_ptr<ws::Session>& s, protocol::Leave& cmd);
  void handle(const std::shared_ptr<ws::Session>& s, protocol::Send& cmd);
  void handle(const std::shared_ptr<ws::Session>& s, protocol::Like& cmd);
  void handle(const std::shared_ptr<ws::Session>& s, protocol::Ping& cmd);
  void handle(const std::shared_ptr<ws::Session>& s, protocol::Moderate& cmd);
  void sendError(ws::Session& s, protocol::ErrorEvent e);
  void enforceBans();
  void onStreamEvent(std::string_view payload);
  void tickerLoop();
  void likesTick();
  void viewersTick();
  void sweep();
  // Under statsMu_, from sweep(): the activity to announce now (core/service/chat_activity.h),
  // "" when none is due.
  std::string takeActivity();
  std::string activityJson(std::int64_t minute) const;
  std::int64_t nowMs() const;
  // Builds the filter from the configured files and the stored lists and swaps it in; the old
  // filter stays when that fails. Blocking: start-up and worker threads.
  Status reloadFilter();

  service::Context* context_ = nullptr;
  config::Chat cfg_;
  protocol::DecodeLimits limits_;
  protocol::Limits welcomeLimits_;  // what `welcome` tells each client
  std::unique_ptr<fanout::Engine> engine_;
  std::unique_ptr<room::RoomStore> store_;
  std::unique_ptr<room::RoomHub> hub_;
  // Read by every send on the loops, replaced whole by reloadFilter() (null: no words).
  std::atomic<std::shared_ptr<const moderation::WordFilter>> filter_;
  std::mutex filterMu_;  // one reload at a time, so an older read never swaps in over a newer
  std::unique_ptr<moderation::RateLimiter> limiter_;
  std::unique_ptr<moderation::RateLimiter> tokenLimiter_;
  likes::LikeAggregator likes_;
  bus::Subscription streams_;

  std::mutex sessionsMu_;
  // By connection: connection ids are only unique within one HTTP loop.
  std::unordered_map<const http::WsConnection*, std::shared_ptr<ws::Session>> sessions_;
  // The sessions in the order they opened, until the hello sweep finds them welcomed, gone or
  // late: a sweep looks at the ones opened in the last hello timeout, not at every connection.
  std::deque<std::weak_ptr<ws::Session>> awaitingHello_;

  std::mutex statsMu_;  // the maps below
  std::map<std::string, std::uint64_t> likeTotals_;
  std::map<std::string, std::uint64_t> viewerSums_;
  std::map<std::string, std::uint64_t> sentCount_;  // messages published per room since last sweep
  std::map<std::string, double> sentRate_;
  std::map<std::string, std::uint64_t> lastLocal_;       // ticker thread: local viewers last reported
  std::map<std::string, std::uint64_t> minuteMessages_;  // sent through this node in activityMinute_
  std::int64_t activityMinute_ = 0;
  int activityTicks_ = 0;
  const std::string nodeId_;  // tells this node's activity from other chat nodes'

  // Cleared by stop(): change-feed callbacks and worker tasks that outlive the service check it.
  std::shared_ptr<std::atomic<bool>> alive_ = std::make_shared<std::atomic<bool>>(true);
  std::thread ticker_;
  std::mutex tickerMu_;
  std::condition_variable tickerWake_;
  bool stopping_ = false;

  metrics::Gauge* connections_ = nullptr;
  metrics::Counter* messagesIn_ = nullptr;
  metrics::Counter* messagesOut_ = nullptr;
  metrics::Counter* slowConsumers_ = nullptr;
  metrics::Counter* filterHits_ = nullptr;
  metrics::Counter* refused_ = nullptr;
  metrics::Gauge* engineUp_ = nullptr;
  metrics::Histogram* publishLatency_ = nullptr;
};

}  // namespace hub::chat
