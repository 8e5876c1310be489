// core/bus/bus.h
//
// The publish/subscribe bus that carries chat events, likes and registry updates between the
// parts of the hub and, in the many-machines shape, between nodes. One interface, two engines:
// `memory://` (one process, the default) and `redis://host:port[/db]` (Redis pub/sub, shared by
// every node). Delivery is at most once: a message published while no connection to Redis exists
// is refused, one in flight when the connection drops is lost.
//
// Threading rules (both engines):
// - publish() and subscribe() may be called from any thread, including from a handler; they
//   never block on the network: they queue to the bus's own thread.
// - Handlers run on the bus's own thread, one at a time, never while the bus holds a lock the
//   handler could need. Messages of one channel reach each subscriber in publish order (for
//   publishers on different threads: in the order the bus accepted them).
// - A handler must not block for long (it holds up every other channel) and must not destroy
//   the Bus itself. It may publish, subscribe, and destroy any Subscription, its own included.
// - Destroying a Subscription from another thread waits for a running call of its handler to
//   return; after that the handler is never called again.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/bus/subscription.h"
#include "core/util/result.h"

namespace hub::metrics {
class Registry;
}

namespace hub::bus {

struct Options {
  metrics::Registry* metrics = nullptr;  // nullable: metrics are then kept but not exported
  // Redis only. Every pingInterval both connections are probed; no answer within pingTimeout
  // (or a TCP connect not done within connectTimeout) drops the connection and reconnects.
  std::chrono::milliseconds pingInterval{1000};
  std::chrono::milliseconds pingTimeout{3000};
  std::chrono::milliseconds connectTimeout{3000};
  std::chrono::milliseconds reconnectMin{100};  // first retry after a loss; doubles per failure
  std::chrono::milliseconds reconnectMax{5000};
  // Messages accepted by publish() but not yet delivered (memory) or acknowledged by Redis.
  // Past this, publish() returns "bus.overloaded" instead of queueing without bound.
  std::size_t maxPending = 65536;
};

class Bus {
 public:
  virtual ~Bus() = default;
  Bus() = default;
  Bus(const Bus&) = delete;
  Bus& operator=(const Bus&) = delete;

  // Queues the message. Errors: "bus.unavailable" (Redis not connected), "bus.overloaded"
  // (maxPending reached), "bus.closed". Ok means accepted, not delivered.
  virtual Status publish(std::string_view channel, std::string_view payload) = 0;

  // Calls handler for every message on `channel` from the moment the bus thread takes the
  // request (memory: before any message published after this call returns; Redis: once the
  // server confirmed it, see Subscription::confirmed()). Re-established after a reconnect.
  [[nodiscard]] virtual Subscription subscribe(std::string channel, Handler handler) = 0;

  // Memory: always. Redis: both connections (publish and subscribe) are up.
  virtual bool ready() const = 0;
  virtual std::string_view engine() const = 0;  // "memory" or "redis"
};

// Opens a bus from a URL: "memory://" (or empty) or "redis://host[:port][/db]". A Redis bus whose
// server is down still opens: it connects in the background and reports ready() once it can.
// Errors: "bus.bad_url", "bus.start".
Result<std::unique_ptr<Bus>> open(std::string_view url, const Options& options = {});

}  // namespace hub::bus
