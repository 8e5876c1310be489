// core/bus/memory_bus.h
//
// The in-process engine (`memory://`), for the one-machine shape and for tests. Publishers queue
// into a Mailbox; one dispatch thread delivers, so handlers see the same threading rules as
// with Redis: never on the publisher's thread, never concurrently, never under a bus lock.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/bus/bus.h"
#include "core/bus/bus_metrics.h"
#include "core/bus/mailbox.h"

namespace hub::bus {

class MemoryBus final : public Bus {
 public:
  explicit MemoryBus(const Options& options);
  ~MemoryBus() override;  // delivers what is queued, then joins the dispatch thread

  Status publish(std::string_view channel, std::string_view payload) override;
  Subscription subscribe(std::string channel, Handler handler) override;
  bool ready() const override { return true; }
  std::string_view engine() const override { return "memory"; }

 private:
  using Subscribers = std::vector<std::shared_ptr<detail::SubscriptionState>>;
  void run();
  void handle(Op& op);

  BusMetrics metrics_;
  std::shared_ptr<Mailbox> mailbox_;
  std::map<std::string, Subscribers, std::less<>> channels_;  // dispatch thread only
  std::thread thread_;
};

}  // namespace hub::bus
