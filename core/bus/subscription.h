// core/bus/subscription.h
//
// The handle a subscriber holds: while it lives, its handler gets the channel's messages; when
// it dies (or reset() is called) delivery stops. Safe to destroy from any thread, inside its own
// handler, and after the Bus that made it is gone.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace hub::bus {

// Called on the bus thread; the views are valid only during the call.
using Handler = std::function<void(std::string_view channel, std::string_view payload)>;

namespace detail {

struct SubscriptionState;

// What an engine offers its subscriptions: a way to say "forget me" from any thread.
class SubscriptionOwner {
 public:
  virtual ~SubscriptionOwner() = default;
  virtual void release(std::shared_ptr<SubscriptionState> state) = 0;
};

// Shared by the handle and the engine's channel table. The engine calls deliver() on its own
// thread only (deliveryThread), which lets reset() tell "inside a handler" from "elsewhere".
struct SubscriptionState {
  SubscriptionState(std::string ch, Handler h, std::thread::id thread, std::weak_ptr<SubscriptionOwner> o,
                    std::function<void()> onConfirm = {})
      : channel(std::move(ch)),
        handler(std::move(h)),
        onConfirmed(std::move(onConfirm)),
        deliveryThread(thread),
        owner(std::move(o)) {}

  // Runs the handler unless reset; never lets an exception escape (we may be inside hiredis).
  void deliver(std::string_view ch, std::string_view payload);
  // Marks the subscription confirmed and, when it was not, runs onConfirmed (same rules as
  // deliver: on the bus thread, never after reset).
  void confirm();
  // Stops delivery; from a foreign thread waits for a running handler call to return.
  void deactivate();

  const std::string channel;
  const Handler handler;
  const std::function<void()> onConfirmed;  // may be empty
  const std::thread::id deliveryThread;
  const std::weak_ptr<SubscriptionOwner> owner;
  std::atomic<bool> active{true};
  std::atomic<bool> confirmed{false};  // the engine receives this channel right now

 private:
  std::mutex callMu_;  // held while the handler runs
};

}  // namespace detail

class Subscription {
 public:
  Subscription() = default;
  explicit Subscription(std::shared_ptr<detail::SubscriptionState> state) : state_(std::move(state)) {}
  ~Subscription() { reset(); }
  Subscription(Subscription&& other) noexcept = default;
  Subscription& operator=(Subscription&& other) noexcept;
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

  // Unsubscribes now; idempotent.
  void reset();
  // Not reset yet (the bus may still be gone).
  bool active() const { return state_ && state_->active.load(); }
  // The engine is subscribed to the channel right now: a message published from here on is
  // delivered. Memory: at once. Redis: once the server acknowledged SUBSCRIBE (false again while
  // reconnecting, true again after the automatic resubscribe).
  bool confirmed() const { return state_ && state_->active.load() && state_->confirmed.load(); }
  const std::string& channel() const;

 private:
  std::shared_ptr<detail::SubscriptionState> state_;
};

}  // namespace hub::bus
