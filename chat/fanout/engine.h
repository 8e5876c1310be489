// chat/fanout/engine.h
//
// The fan-out engine: what carries chat events between the nodes of a room. One interface, two
// engines: memory (one process: memory_engine.h) and Redis (many nodes on one Redis). The chat
// service talks only to this interface; the contract tests in tests/engine_contract.h run
// against both.
//
// What an engine does for a room:
// - publishMessage(): takes the next integer id of the room (increasing across all nodes),
//   builds the event text as `prefix + decimal(id) + suffix`, appends it to the room's capped
//   history and delivers it to every node subscribed to the room, all in one atomic step (Redis:
//   one Lua script), so ids, history and delivery order agree on every node.
// - publishEvent(): a room event that is not a message (deleted tombstone, muted, system notice
//   without id, ...): delivered to every subscribed node, not kept in history, id 0.
// - subscribe()/unsubscribe(): whether THIS node receives the room's events. A node subscribes
//   once per room however many of its connections are in it (the service counts them); each
//   event reaches Handlers::onFrame once per node, as one shared buffer to queue on every local
//   connection of the room.
// - retract(): a moderator deleted message N: its text in the history is replaced by the
//   tombstone (so `since` and join history never hand the text out again) and the tombstone is
//   delivered like publishEvent(), in one atomic step.
// - history(): the messages after id N, for `join since`, and whether the gap was recoverable;
//   recent(): the last N messages, for a join without `since`.
// - likesTick(): adds this node's aggregated likes per room (one delta per room per tick) and
//   answers the merged totals of all nodes for the rooms asked about.
// - viewersTick(): stores this node's viewer count per room (expiring after viewersTtl unless
//   reported again) and answers the sums over all nodes.
//
// Threading rules (every engine):
// - Every method may be called from any thread, also from inside a handler or a done callback.
//   None blocks on the network: work is queued to the engine's own thread.
// - Handlers and done callbacks run on the engine's own thread, one at a time, never inside the
//   call that caused them and never while the engine holds a lock they could need. They must be
//   short (queue and return): they hold up every room of the node.
// - onFrame is called in id order for a room's messages (publishMessage order within a room as
//   the engine accepted them, across all nodes). After a reconnect events may have been missed:
//   onResubscribed() is then called once all rooms are subscribed again, and the service asks
//   history() for what its connections missed (ids tell duplicates apart).
// - Every done callback is called exactly once: work queued before stop() is finished or failed
//   with "chat.engine_closed" by the time stop() returns; a call made after stop() (or before
//   start()) fails at once, inside the call, with "chat.engine_closed". After stop() returns no
//   handler runs any more.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/result.h"

namespace hub::chat::fanout {

// One serialized event (JSON text of docs/chat-protocol.md), shared by every connection that
// queues it. Never modified once built.
using Frame = std::shared_ptr<const std::string>;

enum class EngineState {
  Connected,     // events flow (memory: always)
  Reconnecting,  // the engine lost its server; publishes fail with "chat.engine_unavailable"
};

// The text of a message event around its id: the engine writes prefix + id + suffix. Built by
// the service with the protocol encoder, so engines never parse or build JSON.
struct MessageTemplate {
  std::string prefix;  // e.g. {"type":"message","room":"gala","id":
  std::string suffix;  // e.g. ,"user":{...},"text":"hi","ts":1800000000000}
};

struct Published {
  std::uint64_t id = 0;  // the id the engine gave the message
  Frame frame;           // the text as delivered and stored in history
};

struct History {
  std::uint64_t lastId = 0;  // the room's last message id (0: none yet)
  // True when every message after `since` is in `events`; false when some of them already
  // left the capped history (or `since` is beyond lastId, e.g. after the server lost its data):
  // `events` then holds what is left.
  bool recovered = true;
  // Messages with id > since, oldest first, consecutive: events[i] has the id
  // lastId - events.size() + 1 + i.
  std::vector<Frame> events;
};

struct RoomCount {
  std::string room;
  std::uint64_t count = 0;
  bool operator==(const RoomCount&) const = default;
};

struct EngineOptions {
  std::size_t historySize = 100;                // messages kept per room
  std::chrono::milliseconds viewersTtl{15000};  // a node's viewer count expires after this
  std::size_t maxPending = 65536;               // queued calls; past it "chat.engine_overloaded"
};

class Engine {
 public:
  struct Handlers {
    // An event of a subscribed room: id > 0 for messages, 0 for other room events.
    std::function<void(const std::string& room, std::uint64_t id, const Frame& frame)> onFrame;
    std::function<void(EngineState)> onState;  // every change of state()
    std::function<void()> onResubscribed;      // after a reconnect, all rooms subscribed again
  };

  template <class T>
  using Done = std::function<void(Result<T>)>;

  virtual ~Engine() = default;
  Engine() = default;
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Installs the handlers (each may be empty) and starts the engine's thread; call once, before
  // anything else. Errors: "chat.engine_start".
  virtual Status start(Handlers handlers) = 0;
  // Stops the thread; pending done callbacks get "chat.engine_closed". Idempotent; the
  // destructor calls it.
  virtual void stop() = 0;

  // See the header comment. Errors: "chat.engine_unavailable", "chat.engine_overloaded",
  // "chat.engine_closed", "chat.engine_failed" (the server refused the script).
  virtual void publishMessage(std::string room, MessageTemplate text, Done<Published> done) = 0;
  // Fire and forget; an error means it was not accepted (same codes).
  virtual Status publishEvent(std::string room, Frame frame) = 0;
  // Fire and forget, like publishEvent(): replaces message `id` in the room's history by
  // `tombstone` (when it is still there; history() then returns the tombstone at that id) and
  // delivers `tombstone` to every subscribed node as a room event (id 0).
  virtual Status retract(std::string room, std::uint64_t id, Frame tombstone) = 0;

  // Idempotent. `done` (may be empty) is called once the subscription is in place (Redis: the
  // server confirmed it): every event published after that reaches onFrame.
  virtual void subscribe(std::string room, std::function<void(Status)> done) = 0;
  virtual void unsubscribe(std::string room) = 0;

  // Messages after `since`; without `since` only lastId (events empty, recovered true).
  virtual void history(std::string room, std::optional<std::uint64_t> since, Done<History> done) = 0;
  // The last `count` messages still in the history (fewer when the room has fewer), recovered
  // true; count 0 is history(room, nullopt).
  virtual void recent(std::string room, std::size_t count, Done<History> done) = 0;

  // Adds `deltas` (this node's likes since its last tick, one entry per room) to the rooms'
  // totals and answers the totals of `rooms` after that, in the order asked.
  virtual void likesTick(std::vector<RoomCount> deltas, std::vector<std::string> rooms,
                         Done<std::vector<RoomCount>> done) = 0;

  // Stores this node's viewer counts (a count of 0 removes the node's entry at once) and
  // answers the sums over all nodes whose entry has not expired, in the order given.
  virtual void viewersTick(std::vector<RoomCount> local, Done<std::vector<RoomCount>> done) = 0;

  virtual EngineState state() const = 0;
  virtual std::string_view name() const = 0;  // "memory" or "redis"
};

}  // namespace hub::chat::fanout
