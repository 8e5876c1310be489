// core/bus/mailbox.cpp
//
// A mutex-guarded deque: bus traffic is small messages, and the consumer takes the whole queue
// at once, so the lock is held only for a swap or a push.
#include "core/bus/mailbox.h"

namespace hub::bus {

bool Mailbox::pushLocked(Op op) {
  if (closed_) return false;
  bool wasEmpty = queue_.empty();
  queue_.push_back(std::move(op));
  if (wasEmpty) {
    if (wake_) wake_();
    cv_.notify_one();
  }
  return true;
}

Status Mailbox::publish(std::string_view channel, std::string_view payload) {
  std::lock_guard lock(mu_);
  if (closed_) return makeError("bus.closed", "bus is shutting down");
  if (pending_ >= maxPending_)
    return makeError("bus.overloaded", std::to_string(pending_) + " messages pending");
  ++pending_;
  pushLocked(Op{Op::Kind::Publish, std::string(channel), std::string(payload), nullptr, {}});
  return {};
}

bool Mailbox::post(Op op) {
  std::lock_guard lock(mu_);
  return pushLocked(std::move(op));
}

void Mailbox::release(std::shared_ptr<detail::SubscriptionState> state) {
  std::string channel = state->channel;
  post(Op{Op::Kind::Unsubscribe, std::move(channel), {}, std::move(state), {}});
}

std::deque<Op> Mailbox::take() {
  std::deque<Op> out;
  std::lock_guard lock(mu_);
  out.swap(queue_);
  return out;
}

std::deque<Op> Mailbox::waitTake() {
  std::deque<Op> out;
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return closed_ || !queue_.empty(); });
  out.swap(queue_);
  return out;
}

void Mailbox::close() {
  std::lock_guard lock(mu_);
  if (closed_) return;
  closed_ = true;
  if (wake_) wake_();
  cv_.notify_all();
}

bool Mailbox::closed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

void Mailbox::publishDone(std::size_t n) {
  std::lock_guard lock(mu_);
  pending_ = n > pending_ ? 0 : pending_ - n;
}

std::size_t Mailbox::pending() const {
  std::lock_guard lock(mu_);
  return pending_;
}

}  // namespace hub::bus
