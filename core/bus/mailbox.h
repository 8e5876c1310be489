// core/bus/mailbox.h
//
// The one way into a bus thread: a FIFO of requests (publish, subscribe, unsubscribe, command)
// filled from any thread and emptied by the bus thread. FIFO order is what keeps "subscribe,
// then publish" and per-channel publish order true. Publishes are counted until the engine
// calls publishDone(), which bounds memory when the consumer falls behind.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/bus/subscription.h"
#include "core/util/result.h"

namespace hub::bus {

struct Op {
  enum class Kind { Publish, Subscribe, Unsubscribe, Call };
  Kind kind;
  std::string channel;
  std::string payload;
  std::shared_ptr<detail::SubscriptionState> sub;  // Subscribe, Unsubscribe
  std::function<void()> call;                      // Call: runs on the bus thread
};

class Mailbox final : public detail::SubscriptionOwner {
 public:
  // wake is called (under the mailbox lock, so never after close() returns) when the queue
  // turns non-empty; may be empty when the consumer uses waitTake().
  Mailbox(std::size_t maxPending, std::function<void()> wake)
      : maxPending_(maxPending), wake_(std::move(wake)) {}

  Status publish(std::string_view channel, std::string_view payload);
  bool post(Op op);  // false once closed
  void release(std::shared_ptr<detail::SubscriptionState> state) override;

  std::deque<Op> take();      // whatever is queued, without waiting
  std::deque<Op> waitTake();  // waits for work; empty result means closed and drained
  void close();               // refuses new work and wakes the consumer one last time
  bool closed() const;

  void publishDone(std::size_t n = 1);
  std::size_t pending() const;

 private:
  bool pushLocked(Op op);

  const std::size_t maxPending_;
  const std::function<void()> wake_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Op> queue_;
  std::size_t pending_ = 0;  // publishes accepted and not yet done
  bool closed_ = false;
};

}  // namespace hub::bus
