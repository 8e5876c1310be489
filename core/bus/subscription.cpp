// core/bus/subscription.cpp
//
// Unsubscribing without races: the handle flips `active` and asks the engine (if still alive) to
// drop the entry on its own thread; a handler that is running elsewhere is waited for, so the
// subscriber may free what its handler uses right after reset() returns.
#include "core/bus/subscription.h"

#include <exception>

#include "core/log/log.h"

namespace hub::bus {
namespace detail {

void SubscriptionState::deliver(std::string_view ch, std::string_view payload) {
  std::lock_guard lock(callMu_);
  if (!active.load()) return;
  try {
    handler(ch, payload);
  } catch (const std::exception& e) {
    log::get("core.bus")->error("[channel={}] handler threw: {}", channel, e.what());
  } catch (...) {
    log::get("core.bus")->error("[channel={}] handler threw a non-exception", channel);
  }
}

void SubscriptionState::confirm() {
  if (confirmed.exchange(true) || !onConfirmed) return;
  std::lock_guard lock(callMu_);
  if (!active.load()) return;
  try {
    onConfirmed();
  } catch (const std::exception& e) {
    log::get("core.bus")->error("[channel={}] confirm handler threw: {}", channel, e.what());
  } catch (...) {
    log::get("core.bus")->error("[channel={}] confirm handler threw a non-exception", channel);
  }
}

void SubscriptionState::deactivate() {
  if (std::this_thread::get_id() == deliveryThread) {
    // On the bus thread no other handler call can be running: deliveries are serial. Taking
    // callMu_ here would self-deadlock when a handler drops its own subscription.
    active.store(false);
    return;
  }
  std::lock_guard lock(callMu_);
  active.store(false);
}

}  // namespace detail

Subscription& Subscription::operator=(Subscription&& other) noexcept {
  if (this != &other) {
    reset();
    state_ = std::move(other.state_);
  }
  return *this;
}

void Subscription::reset() {
  auto state = std::move(state_);
  if (!state || !state->active.load()) return;
  state->deactivate();
  if (auto owner = state->owner.lock()) owner->release(std::move(state));
}

const std::string& Subscription::channel() const {
  static const std::string none;
  return state_ ? state_->channel : none;
}

}  // namespace hub::bus
