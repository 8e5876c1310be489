// core/bus/memory_bus.cpp
//
// Dispatch loop of the memory engine. The channel table is touched only by the dispatch thread,
// and changes to it arrive as mailbox requests, never during a delivery: a handler that
// subscribes or unsubscribes cannot invalidate the list being walked.
#include "core/bus/memory_bus.h"

#include <algorithm>

#include "core/loop/thread_name.h"

namespace hub::bus {

MemoryBus::MemoryBus(const Options& options)
    : metrics_(options.metrics, "memory"), mailbox_(std::make_shared<Mailbox>(options.maxPending, nullptr)) {
  metrics_.up().set(1);
  thread_ = hub::loop::namedThread("hub-bus", [this] { run(); });
}

MemoryBus::~MemoryBus() {
  mailbox_->close();
  if (thread_.joinable()) thread_.join();
  metrics_.up().set(0);
}

Status MemoryBus::publish(std::string_view channel, std::string_view payload) {
  auto status = mailbox_->publish(channel, payload);
  if (!status) metrics_.dropped().inc();
  return status;
}

Subscription MemoryBus::subscribe(std::string channel, Handler handler) {
  auto state =
      std::make_shared<detail::SubscriptionState>(std::move(channel), std::move(handler), thread_.get_id(),
                                                  std::weak_ptr<detail::SubscriptionOwner>(mailbox_));
  // Confirmed at once: the request is ahead of any publish made after this call in the FIFO.
  state->confirmed.store(true);
  if (!mailbox_->post(Op{Op::Kind::Subscribe, state->channel, {}, state, {}})) state->active.store(false);
  return Subscription(std::move(state));
}

void MemoryBus::run() {
  for (;;) {
    auto ops = mailbox_->waitTake();
    if (ops.empty()) return;  // closed and drained
    for (auto& op : ops) handle(op);
  }
}

void MemoryBus::handle(Op& op) {
  switch (op.kind) {
    case Op::Kind::Publish: {
      metrics_.published().inc();
      auto it = channels_.find(op.channel);
      if (it != channels_.end()) {
        // Index loop: a Subscribe request for this channel cannot land mid-walk (see above).
        const Subscribers& subs = it->second;
        for (std::size_t i = 0; i < subs.size(); ++i) {
          auto keep = subs[i];  // the handler may drop the last outside reference
          keep->deliver(op.channel, op.payload);
        }
        metrics_.received().inc();
      }
      mailbox_->publishDone();
      break;
    }
    case Op::Kind::Subscribe:
      channels_[op.channel].push_back(op.sub);
      break;
    case Op::Kind::Unsubscribe: {
      auto it = channels_.find(op.channel);
      if (it == channels_.end()) break;
      auto& subs = it->second;
      subs.erase(std::remove(subs.begin(), subs.end(), op.sub), subs.end());
      if (subs.empty()) channels_.erase(it);
      break;
    }
    case Op::Kind::Call:
      if (op.call) op.call();
      break;
  }
}

}  // namespace hub::bus
