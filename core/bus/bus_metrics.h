// core/bus/bus_metrics.h
//
// The bus's metrics, labelled by engine. Without a Registry the engine still counts into
// private instances, so code paths do not branch on "metrics enabled".
#pragma once

#include <string>

#include "core/metrics/registry.h"

namespace hub::bus {

class BusMetrics {
 public:
  BusMetrics(metrics::Registry* registry, const std::string& engine) {
    if (!registry) return;
    const metrics::Labels labels{{"engine", engine}};
    up_ = &registry->gauge("hub_bus_up", "1 when the bus can publish and receive", labels);
    published_ = &registry->counter("hub_bus_published_total", "Messages handed to the bus engine", labels);
    received_ = &registry->counter("hub_bus_received_total", "Messages delivered to this process", labels);
    dropped_ = &registry->counter("hub_bus_dropped_total",
                                  "Messages refused or lost (bus down, overloaded, connection lost)", labels);
    reconnects_ = &registry->counter("hub_bus_reconnects_total", "Connections re-established", labels);
  }
  BusMetrics(const BusMetrics&) = delete;
  BusMetrics& operator=(const BusMetrics&) = delete;

  metrics::Gauge& up() { return *up_; }
  metrics::Counter& published() { return *published_; }
  metrics::Counter& received() { return *received_; }
  metrics::Counter& dropped() { return *dropped_; }
  metrics::Counter& reconnects() { return *reconnects_; }

 private:
  metrics::Gauge ownUp_;
  metrics::Counter ownPublished_, ownReceived_, ownDropped_, ownReconnects_;
  metrics::Gauge* up_ = &ownUp_;
  metrics::Counter* published_ = &ownPublished_;
  metrics::Counter* received_ = &ownReceived_;
  metrics::Counter* dropped_ = &ownDropped_;
  metrics::Counter* reconnects_ = &ownReconnects_;
};

}  // namespace hub::bus
