// core/http/websocket.cpp
//
// The application side of a WebSocket: queueing and close requests, handed to the loop thread
// through the mailbox.
#include "core/http/websocket.h"

#include <algorithm>

#include "core/http/mailbox.h"

namespace hub::http {

WsConnection::WsConnection(std::shared_ptr<Mailbox> mailbox, std::uint64_t connId, Request upgrade,
                           std::size_t maxQueued, std::size_t maxQueuedBytes, int overflowCloseCode)
    : mailbox_(std::move(mailbox)),
      connId_(connId),
      upgrade_(std::move(upgrade)),
      maxQueued_(maxQueued),
      maxQueuedBytes_(maxQueuedBytes),
      overflowCloseCode_(overflowCloseCode) {}

bool WsConnection::send(Buffer message, bool binary) {
  if (!open() || !message) return false;
  bool accepted = true, wake = false, urgent = false;
  {
    std::lock_guard lock(mu_);
    if (closeCode_) return false;
    if (queue_.size() >= maxQueued_ ||
        (maxQueuedBytes_ && queuedBytes_ + message->size() > maxQueuedBytes_)) {
      // A slow consumer: close it rather than let its queue grow without bound.
      closeCode_ = overflowCloseCode_;
      closeReason_ = "send queue full";
      closing_.store(true, std::memory_order_release);
      queue_.clear();
      queuedBytes_ = 0;
      overflowed_.store(true, std::memory_order_release);
      accepted = false;
      wake = true;
      urgent = true;
    } else {
      wake = queue_.empty();  // otherwise the loop already knows there is work
      queuedBytes_ += message->size();
      queue_.push_back(Outgoing{std::move(message), binary});
    }
  }
  if (wake) {
    this->wake(urgent);
  } else if (accepted) {
    if (auto* batch = WsSendBatch::current()) batch->nudge(mailbox_);
  }
  return accepted;
}

void WsConnection::close(int code, std::string reason) {
  {
    std::lock_guard lock(mu_);
    if (closeCode_ || !open()) return;
    closeCode_ = code;
    closeReason_ = std::move(reason);
    closing_.store(true, std::memory_order_release);
  }
  wake(true);
}

bool WsConnection::popOutgoing(Outgoing& out, bool& more) {
  std::lock_guard lock(mu_);
  if (queue_.empty()) {
    more = false;
    return false;
  }
  out = std::move(queue_.front());
  queue_.pop_front();
  queuedBytes_ -= out.data->size();
  more = !queue_.empty();
  return true;
}

bool WsConnection::popTextBatch(std::vector<Outgoing>& out, std::size_t maxBytes, bool& more) {
  out.clear();
  std::lock_guard lock(mu_);
  if (queue_.empty()) {
    more = false;
    return false;
  }
  std::size_t total = 0;
  do {
    const auto& next = queue_.front();
    if (!out.empty() && (next.binary || out.front().binary || total + next.data->size() + 1 > maxBytes))
      break;
    total += next.data->size() + 1;
    queuedBytes_ -= next.data->size();
    out.push_back(std::move(queue_.front()));
    queue_.pop_front();
  } while (!queue_.empty());
  more = !queue_.empty();
  return true;
}

std::size_t WsConnection::queuedBytes() const {
  std::lock_guard lock(mu_);
  return queuedBytes_;
}

std::pair<int, std::string> WsConnection::closeRequest() {
  std::lock_guard lock(mu_);
  return {closeCode_, closeReason_};
}

void WsConnection::wake(bool urgent) {
  if (auto* batch = WsSendBatch::current()) return batch->add(mailbox_, connId_, urgent);
  (void)mailbox_->post(Mailbox::Item{Mailbox::Item::Kind::WsWake, connId_, 0, -1, {}});
}

namespace {
thread_local WsSendBatch* tCurrentBatch = nullptr;
thread_local std::int64_t tHoldUs = -1;  // WsSendBatch::setHold; below 0: the route's
}  // namespace

WsSendBatch::WsSendBatch() : outer_(tCurrentBatch), outerHoldUs_(tHoldUs) {
  if (!outer_) tCurrentBatch = this;
}

WsSendBatch::~WsSendBatch() {
  tHoldUs = outerHoldUs_;
  if (outer_) return;
  tCurrentBatch = nullptr;
  for (auto& w : wakes_) w.mailbox->postWakes(std::move(w.ids), w.holdUs);
}

WsSendBatch* WsSendBatch::current() { return tCurrentBatch; }

void WsSendBatch::setHold(std::chrono::microseconds hold) {
  tHoldUs = std::max<std::int64_t>(hold.count(), 0);
}

WsSendBatch::Wakes& WsSendBatch::wakesFor(const std::shared_ptr<Mailbox>& mailbox, std::int64_t holdUs) {
  for (auto& w : wakes_)
    if (w.mailbox == mailbox && w.holdUs == holdUs) return w;
  return wakes_.emplace_back(Wakes{mailbox, holdUs, {}});
}

void WsSendBatch::add(const std::shared_ptr<Mailbox>& mailbox, std::uint64_t connId, bool urgent) {
  wakesFor(mailbox, urgent ? 0 : tHoldUs).ids.push_back(connId);
}

void WsSendBatch::nudge(const std::shared_ptr<Mailbox>& mailbox) {
  if (tHoldUs > 0) wakesFor(mailbox, tHoldUs);
}

bool PeerCounter::acquire(const std::string& peer, std::size_t limit) {
  std::lock_guard lock(mu_);
  auto& n = counts_[peer];
  if (n >= limit) {
    if (n == 0) counts_.erase(peer);
    return false;
  }
  ++n;
  return true;
}

void PeerCounter::release(const std::string& peer) {
  std::lock_guard lock(mu_);
  auto it = counts_.find(peer);
  if (it != counts_.end() && --it->second == 0) counts_.erase(it);
}

bool WsRoute::originAllowed(std::string_view origin) const {
  if (origin.empty()) return options.allowMissingOrigin;
  for (const auto& o : options.allowedOrigins)
    if (o == "*" || o == origin) return true;
  return false;
}

}  // namespace hub::http
