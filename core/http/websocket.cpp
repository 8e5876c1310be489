// core/http/websocket.cpp
//
// The application side of a WebSocket: queueing and close requests, handed to the loop thread
// through the mailbox.
#include "core/http/websocket.h"

#include <algorithm>

#include "core/http/mailbox.h"

namespace hub::http {

WsConnection::WsConnection(std::shared_ptr<Mailbox> mailbox, std::uint64_t connId, Request upgrade,
                           std::size_t maxQueued, std::size_t maxQueuedBytes, int overflowCloseCode,
                           std::chrono::microseconds defaultHold)
    : maxQueued_(maxQueued),
      maxQueuedBytes_(maxQueuedBytes),
      overflowCloseCode_(overflowCloseCode),
      defaultHold_(defaultHold),
      mailbox_(std::move(mailbox)),
      connId_(connId),
      upgrade_(std::move(upgrade)) {}

bool WsConnection::send(Buffer message, bool binary) {
  if (!open() || !message) return false;
  const auto due = WsSendBatch::dueFor(defaultHold_);
  bool accepted = true;
  std::int64_t wakeBy = 0;  // 0: the loop already owes this connection a write by then
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
      dueUs_.store(kWriteAtOnce, std::memory_order_relaxed);
      overflowed_.store(true, std::memory_order_release);
      accepted = false;
      wakeBy = kWriteAtOnce;
    } else {
      if (queue_.empty()) {
        heldSinceUs_.store(due.sinceUs, std::memory_order_relaxed);
        dueUs_.store(wakeBy = due.dueUs, std::memory_order_relaxed);
      } else if (due.dueUs < dueUs_.load(std::memory_order_relaxed)) {  // nearer than the loop knows
        dueUs_.store(wakeBy = due.dueUs, std::memory_order_relaxed);
      }
      queuedBytes_ += message->size();
      queue_.push_back(Outgoing{std::move(message), binary});
    }
  }
  if (wakeBy) wake(wakeBy);
  return accepted;
}

void WsConnection::close(int code, std::string reason) {
  {
    std::lock_guard lock(mu_);
    if (closeCode_ || !open()) return;
    closeCode_ = code;
    closeReason_ = std::move(reason);
    closing_.store(true, std::memory_order_release);
    dueUs_.store(kWriteAtOnce, std::memory_order_relaxed);
  }
  wake(kWriteAtOnce);
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
  dueUs_.store(more ? kWriteAtOnce : 0, std::memory_order_relaxed);  // the rest goes on WRITEABLE
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
  dueUs_.store(more ? kWriteAtOnce : 0, std::memory_order_relaxed);  // the rest goes on WRITEABLE
  return true;
}

WsConnection::Hold WsConnection::hold() const {
  return Hold{dueUs_.load(std::memory_order_relaxed), heldSinceUs_.load(std::memory_order_relaxed)};
}

std::size_t WsConnection::queuedBytes() const {
  std::lock_guard lock(mu_);
  return queuedBytes_;
}

std::pair<int, std::string> WsConnection::closeRequest() {
  std::lock_guard lock(mu_);
  return {closeCode_, closeReason_};
}

void WsConnection::wake(std::int64_t dueUs) {
  if (auto* batch = WsSendBatch::current()) return batch->add(mailbox_, connId_, dueUs);
  Mailbox::Item item{Mailbox::Item::Kind::WsWake, connId_, 0, -1, {}};
  item.dueUs = dueUs;
  (void)mailbox_->post(std::move(item));
}

std::int64_t steadyNowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

namespace {
thread_local WsSendBatch* tCurrentBatch = nullptr;
thread_local std::int64_t tHoldUs = -1;  // WsSendBatch::setHold; below 0: the route's
thread_local std::int64_t tStartUs = 0;  // when the batch's first setHold was made
}  // namespace

WsSendBatch::WsSendBatch() : outer_(tCurrentBatch), outerHoldUs_(tHoldUs), outerStartUs_(tStartUs) {
  if (outer_) return;
  tCurrentBatch = this;
  tStartUs = 0;
}

WsSendBatch::~WsSendBatch() {
  tHoldUs = outerHoldUs_;
  tStartUs = outerStartUs_;
  if (outer_) return;
  tCurrentBatch = nullptr;
  for (auto& w : wakes_) w.mailbox->postWakes(std::move(w.ids), w.dueUs);
}

WsSendBatch* WsSendBatch::current() { return tCurrentBatch; }

void WsSendBatch::setHold(std::chrono::microseconds hold) {
  tHoldUs = std::max<std::int64_t>(hold.count(), 0);
  if (!tStartUs) tStartUs = steadyNowUs();
}

WsSendBatch::Due WsSendBatch::dueFor(std::chrono::microseconds fallback) {
  if (tHoldUs >= 0) return tHoldUs > 0 ? Due{tStartUs + tHoldUs, tStartUs} : Due{kWriteAtOnce, 0};
  if (fallback.count() <= 0) return Due{kWriteAtOnce, 0};
  const auto now = steadyNowUs();
  return Due{now + fallback.count(), now};
}

void WsSendBatch::add(const std::shared_ptr<Mailbox>& mailbox, std::uint64_t connId, std::int64_t dueUs) {
  if (last_ >= wakes_.size() || wakes_[last_].mailbox != mailbox || wakes_[last_].dueUs != dueUs) {
    last_ = 0;
    while (last_ < wakes_.size() && (wakes_[last_].mailbox != mailbox || wakes_[last_].dueUs != dueUs))
      ++last_;
    if (last_ == wakes_.size()) wakes_.push_back(Wakes{mailbox, dueUs, {}});
  }
  wakes_[last_].ids.push_back(connId);
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
