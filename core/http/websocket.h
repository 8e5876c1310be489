// core/http/websocket.h
//
// WebSocket endpoints. A WsConnection is the handle the application keeps for one client: it
// outlives the lws connection (shared_ptr), so send() and close() are safe from any thread at
// any time; after the client is gone they simply return false. Outgoing messages are shared
// immutable buffers (one serialized chat event queued on thousands of connections) and wait in
// a per-connection queue bounded in messages and (optionally) bytes; a client too slow to drain
// it is closed (1008 unless the route says otherwise, chat uses 4008) rather than let memory
// grow.
//
// Handlers run on the loop thread that owns the connection and must not block.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/http/request.h"
#include "core/http/send_ring.h"

namespace hub::http {

class Mailbox;

struct WsOptions {
  std::vector<std::string> allowedOrigins;  // exact Origin values or "*"; empty refuses browsers
  bool allowMissingOrigin = true;           // non-browser clients send no Origin
  std::size_t maxMessageBytes = 64 * 1024;  // reassembled message; above it: close 1009
  std::size_t maxQueuedMessages = 1024;     // outgoing, per connection
  std::size_t maxQueuedBytes = 0;           // outgoing bytes per connection; 0: no byte limit
  int overflowCloseCode = 1008;             // sent to a client whose queue overflowed (chat: 4008)
  // Connections from one client address at once, counted from the handshake on (before the
  // 101 goes out) until the socket is gone, over every loop; 0: no cap. One above it completes
  // the handshake, is closed at once with perPeerCloseCode and never reaches the handlers.
  std::size_t maxPerPeer = 0;
  int perPeerCloseCode = 1008;  // chat: 4029
  // When several text messages wait in a connection's queue and each is one JSON value, send
  // them as one frame holding a JSON array of them (up to packMaxBytes): one write instead of
  // many. The protocol must say clients accept arrays (chat does). A single message goes alone.
  bool packJsonArrays = false;
  std::size_t packMaxBytes = 32 * 1024;
  // How long a connection's loop may hold a newly queued message to gather what follows it into
  // the same write (with packJsonArrays: the same frame). 0: written at once. Each connection
  // keeps its own deadline (its first held message's), so no message waits longer than this.
  // Adds up to this much latency and saves one send() per message it gathers.
  std::chrono::milliseconds coalesce{0};
};

// The per-address counts of one WebSocket route (lws has no per-peer limit of its own).
class PeerCounter {
 public:
  // Counts one more connection from `peer`; false, and nothing counted, when `limit` are open.
  bool acquire(const std::string& peer, std::size_t limit);
  void release(const std::string& peer);

 private:
  std::mutex mu_;
  std::unordered_map<std::string, std::size_t> counts_;
};

class WsConnection {
 public:
  using Buffer = std::shared_ptr<const std::string>;

  // defaultHold: the route's WsOptions::coalesce, for sends outside a WsSendBatch with a hold.
  WsConnection(std::shared_ptr<Mailbox> mailbox, std::uint64_t connId, Request upgrade, std::size_t maxQueued,
               std::size_t maxQueuedBytes = 0, int overflowCloseCode = 1008,
               std::chrono::microseconds defaultHold = {});

  // Queues a message; false when the connection is closed or its queue is full, in messages or
  // in bytes (the connection is then closed with WsOptions::overflowCloseCode). Any thread.
  bool send(Buffer message, bool binary = false);
  bool send(std::string_view text) { return send(std::make_shared<const std::string>(text)); }
  // Asks the loop to close with `code` (1000 normal, 1001 going away, 1008 policy). Any thread.
  void close(int code = 1000, std::string reason = {});

  bool open() const { return open_.load(std::memory_order_acquire); }
  // True once send() closed the connection because its queue overflowed.
  bool overflowed() const { return overflowed_.load(std::memory_order_acquire); }
  std::size_t queuedBytes() const;
  std::uint64_t id() const { return connId_; }
  // The upgrade request: path, query, headers, peer.
  const Request& request() const { return upgrade_; }

  // Loop side (the server), not for applications.
  struct Outgoing {
    Buffer data;
    bool binary = false;
  };
  bool popOutgoing(Outgoing& out, bool& more);
  // Pops the first message and then, while they are text like it and the total stays within
  // maxBytes, the ones after it (all of them into `out`, which is cleared first). One lock.
  bool popTextBatch(std::vector<Outgoing>& out, std::size_t maxBytes, bool& more);
  std::pair<int, std::string> closeRequest();
  // When the loop owes this connection a write (steady clock, microseconds; kWriteAtOnce: now,
  // 0: nothing queued) and since when its oldest held message waits. The loop's coalescing
  // timer writes a connection only once its own deadline has come (a later hold of it has an
  // entry of its own). No lock.
  struct Hold {
    std::int64_t dueUs = 0;
    std::int64_t sinceUs = 0;
  };
  Hold hold() const;
  // True once close() (or an overflow) asked the loop to close; no lock.
  bool closeRequested() const { return closing_.load(std::memory_order_acquire); }
  void markClosed() { open_.store(false, std::memory_order_release); }
  // Starts fetching what send(), hold() and the pops touch into this core's cache: a walk over
  // thousands of connections calls it a few ahead. A hint; no effect on behaviour.
  void prefetch() const {
    __builtin_prefetch(&mu_, 1);
    __builtin_prefetch(&queue_, 1);
  }

 private:
  // Tells the loop to write by dueUs (kWriteAtOnce: a close, or no hold).
  void wake(std::int64_t dueUs);

  // What send() on the sender's core and the loop's pops on its own touch for every message,
  // together at the front: two or three cache lines to pass between the cores, not five.
  alignas(64) mutable std::mutex mu_;
  // See hold(); written under mu_, read by the loop without it (a stale value only makes it
  // skip a connection another entry of its own will bring, or write one a moment early).
  std::atomic<std::int64_t> dueUs_{0};
  std::atomic<std::int64_t> heldSinceUs_{0};
  std::atomic<bool> open_{true};
  std::atomic<bool> overflowed_{false};
  std::atomic<bool> closing_{false};
  int closeCode_ = 0;            // guarded by mu_
  std::size_t queuedBytes_ = 0;  // guarded by mu_
  SendRing<Outgoing, 2> queue_;  // guarded by mu_

  std::size_t maxQueued_;
  std::size_t maxQueuedBytes_;
  int overflowCloseCode_;
  std::chrono::microseconds defaultHold_;
  std::shared_ptr<Mailbox> mailbox_;
  std::uint64_t connId_;
  std::string closeReason_;
  Request upgrade_;
};

// How many connections ahead a walk over thousands of them calls WsConnection::prefetch (the
// room's fan-out, the write pass): far enough for the fetch to land before its turn.
inline constexpr std::size_t kWsPrefetchAhead = 8;

// A deadline that has always passed: written at once (a close, or a send with no hold).
inline constexpr std::int64_t kWriteAtOnce = 1;
// The steady clock in microseconds: the deadlines of held writes.
std::int64_t steadyNowUs();

// Gathers the wake-ups of the sends made on this thread while it lives and posts them when it
// ends: one mailbox lock and one loop wake-up per loop and deadline, however many connections
// were sent to. For fan-out (one event queued on thousands of connections): without it each
// loop may wake up and poll while the sender is still queueing, several times per event. Nests;
// the outermost one posts. Thread-local, so it never delays another thread's sends.
class WsSendBatch {
 public:
  WsSendBatch();
  ~WsSendBatch();
  WsSendBatch(const WsSendBatch&) = delete;
  WsSendBatch& operator=(const WsSendBatch&) = delete;

  // The batch open on this thread, if any (WsConnection::send uses it).
  static WsSendBatch* current();
  // The loop behind `mailbox` must write connection connId by dueUs.
  void add(const std::shared_ptr<Mailbox>& mailbox, std::uint64_t connId, std::int64_t dueUs);
  // From now until this batch ends, a message sent on this thread may wait up to `hold` in its
  // loop to leave with what is queued after it (instead of the route's WsOptions::coalesce; 0:
  // written at once). Counted from this batch's first setHold, so the sends of one batch with
  // the same hold share one deadline (and one mailbox item per loop). Adaptive coalescing: the
  // sender knows how busy the room is, and may give each member its own hold.
  void setHold(std::chrono::microseconds hold);

  struct Due {
    std::int64_t dueUs;    // kWriteAtOnce when not held
    std::int64_t sinceUs;  // when the hold began
  };
  // The deadline of a message sent on this thread now: the open batch's hold, else `fallback`.
  static Due dueFor(std::chrono::microseconds fallback);

 private:
  struct Wakes {
    std::shared_ptr<Mailbox> mailbox;
    std::int64_t dueUs;
    std::vector<std::uint64_t> ids;
  };
  WsSendBatch* outer_;
  std::int64_t outerHoldUs_;
  std::int64_t outerStartUs_;
  std::vector<Wakes> wakes_;
  std::size_t last_ = 0;  // the entry add() used last: a room's walk mostly repeats it
};

struct WsHandlers {
  std::function<void(const std::shared_ptr<WsConnection>&)> onOpen;
  std::function<void(const std::shared_ptr<WsConnection>&, std::string_view message, bool binary)> onMessage;
  // After the connection closed, whoever closed it; `code` is the close status seen (1006 when
  // the peer vanished without a close frame).
  std::function<void(const std::shared_ptr<WsConnection>&, int code)> onClose;
};

struct WsRoute {
  std::string path;
  WsHandlers handlers;
  WsOptions options;
  std::shared_ptr<PeerCounter> peers = std::make_shared<PeerCounter>();

  bool originAllowed(std::string_view origin) const;
};

}  // namespace hub::http
