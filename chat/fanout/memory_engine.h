// chat/fanout/memory_engine.h
//
// The fan-out engine for one process (`[bus] url = "memory://"`). A MemoryBackend plays the
// part Redis plays for many nodes: room ids, capped histories, likes totals and per-node viewer
// counts behind one mutex. Every MemoryEngine attached to the same backend is a "node", which is
// how the contract tests check cross-node behaviour without a server.
//
// Each MemoryEngine owns one thread that runs its handlers and done callbacks in order (the
// threading rules of engine.h). The backend posts to those threads while holding its mutex, so
// every node sees a room's events in the same order as the ids.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "chat/fanout/engine.h"
#include "core/util/clock.h"

namespace hub::chat::fanout {

class MemoryEngine;

class MemoryBackend {
 public:
  MemoryBackend(EngineOptions options, const Clock& clock);

 private:
  friend class MemoryEngine;
  struct Room {
    std::uint64_t lastId = 0;
    std::deque<Frame> history;  // ids lastId - history.size() + 1 .. lastId
    std::unordered_set<MemoryEngine*> subscribers;
    std::uint64_t likes = 0;
    struct NodeCount {
      std::uint64_t count = 0;
      Clock::Steady expires;
    };
    std::unordered_map<std::uint64_t, NodeCount> viewers;  // by node id
  };

  EngineOptions options_;
  const Clock& clock_;
  std::mutex mutex_;
  std::unordered_map<std::string, Room> rooms_;
  std::uint64_t nextNode_ = 1;
};

class MemoryEngine final : public Engine {
 public:
  explicit MemoryEngine(std::shared_ptr<MemoryBackend> backend);
  // A node with a backend of its own: the one-machine shape.
  static std::unique_ptr<MemoryEngine> standalone(EngineOptions options = {},
                                                  const Clock& clock = SystemClock::instance());
  ~MemoryEngine() override;

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
  EngineState state() const override { return EngineState::Connected; }
  std::string_view name() const override { return "memory"; }

 private:
  // Queues `task` on this node's thread; false when stopped or past maxPending.
  bool post(std::function<void()> task, bool bounded = true);
  Status admit();  // the error a call gets when it cannot be queued
  // Runs done(result) on this node's thread; inline with "chat.engine_closed" when stop() won.
  template <class T>
  void reply(std::function<void(Result<T>)> done, Result<T> result) {
    auto shared = std::make_shared<std::pair<std::function<void(Result<T>)>, Result<T>>>(std::move(done),
                                                                                         std::move(result));
    if (!post([shared] { shared->first(std::move(shared->second)); }, false)) {
      shared->first(makeError("chat.engine_closed", "fan-out engine stopped"));
    }
  }
  void run();

  std::shared_ptr<MemoryBackend> backend_;
  std::uint64_t node_;
  Handlers handlers_;
  std::mutex queueMutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  bool started_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace hub::chat::fanout
