// chat/fanout/redis_engine.h
//
// The fan-out engine for many chat nodes on one Redis (`[bus] url = "redis://..."`). It rides
// on core/bus's RedisBus (its own instance: two hiredis connections on one libuv loop thread,
// PING watchdog, reconnect with backoff, resubscribe), so the engine's thread is that loop
// thread: handlers and done callbacks run there. What must agree across nodes is done in Lua
// scripts (redis_scripts.h): the message id, the history append and the PUBLISH in one step.
//
// Reconnects: when the bus loses Redis the state turns Reconnecting; once the bus is back and
// every room of this node is subscribed again, the engine raises each room's id to the highest
// id this node saw (in case Redis came back empty), reports Connected, then onResubscribed().
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "chat/fanout/engine.h"
#include "core/bus/bus.h"
#include "core/bus/redis_reply.h"

namespace hub::bus {
class RedisBus;
}

namespace hub::chat::fanout {

class RedisEngine final : public Engine {
 public:
  // `url` is "redis://host[:port][/db]"; nothing connects before start().
  RedisEngine(std::string url, EngineOptions options, bus::Options busOptions = {},
              std::string keyPrefix = "hub:chat:");
  ~RedisEngine() override;

  Status start(Handlers handlers) override;
  void stop() override;
  void publishMessage(std::string room, MessageTemplate text, Done<Published> done) override;
  Status publishEvent(std::string room, Frame frame) override;
  Status retract(std::string room, std::uint64_t id, Frame tombstone) override;
  void subscribe(std::string room, std::function<void(Status)> done) override;
  void unsubscribe(std::string room) override;
  void history(std::string room, std::optional<std::uint64_t> since, Done<History> done) override;
  void recent(std::string room, std::size_t count, Done<History> done) override;
  void likesTick(std::vector<RoomCount> deltas, std::vector<std::string> rooms,
                 Done<std::vector<RoomCount>> done) override;
  void viewersTick(std::vector<RoomCount> local, Done<std::vector<RoomCount>> done) override;
  EngineState state() const override { return state_.load(); }
  std::string_view name() const override { return "redis"; }

  const std::string& nodeId() const { return node_; }

 private:
  struct Room {
    bus::Subscription sub;
    bool confirmed = false;
    std::uint64_t maxSeen = 0;  // highest message id this node saw or published in the room
    std::vector<std::function<void(Status)>> waiting;  // subscribe() calls not yet confirmed
  };
  using Reply = Result<bus::RedisReply>;

  std::string key(const std::string& room, const char* what) const;
  std::string channel(const std::string& room) const { return prefix_ + "room:" + room; }
  // Sends an EVAL; `done` runs on the loop thread with the reply or an engine error code.
  void eval(const char* script, std::vector<std::string> keys, std::vector<std::string> args,
            std::function<void(Reply)> done);
  // history() and recent(): `since` empty for none.
  void historyQuery(std::string room, std::string since, std::size_t count, Done<History> done);
  bool admit();  // counts a queued call; false past maxPending
  Error mapError(const Error& e) const;
  // Runs fn(status) on the loop thread, never inside the call (inline "closed" once stopped).
  void later(std::function<void(Status)> fn, Status status);
  template <class T>
  void failLater(Done<T> done, Error error);

  void onPayload(const std::string& room, std::string_view payload);
  void onConfirmed(const std::string& room);
  void onReady(bool up);
  void tryFinishResync();
  void setState(EngineState s);

  const std::string url_;
  const EngineOptions options_;
  const bus::Options busOptions_;
  const std::string prefix_;
  const std::string node_;
  Handlers handlers_;
  std::unique_ptr<bus::RedisBus> bus_;
  std::atomic<EngineState> state_{EngineState::Reconnecting};
  std::atomic<bool> started_{false};
  std::atomic<bool> stopped_{false};
  std::atomic<std::size_t> pending_{0};

  std::mutex mu_;  // guards everything below; never held while a Subscription is reset
  std::unordered_map<std::string, Room> rooms_;
  std::condition_variable firstReady_;
  bool busReady_ = false;
  bool everConnected_ = false;
  bool resyncPending_ = false;
  bool seeding_ = false;
};

}  // namespace hub::chat::fanout
