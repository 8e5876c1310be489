// media/service/streams_responder.h
//
// The media side of core's Streams interface (core/service/bus_streams.h): answers the stream
// requests other services (the CMS) publish on the bus topic "media.streams.rpc" from the
// stream store. Every media node sees each request; the one whose claim of the request id in
// SQL wins answers, so a key is rotated once. Requests are handled on a thread of the
// responder's own (not the shared worker pool, where the callers wait for these answers: in
// one process a pool full of waiting callers would starve the answers). A malformed request
// is logged (logger media.streams_rpc, no payload) and dropped.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/bus/bus.h"
#include "core/util/result.h"
#include "media/streams/stream_store.h"

namespace hub::loop {
class WorkerPool;
}
namespace hub::metrics {
class Counter;
class Registry;
}  // namespace hub::metrics

namespace hub::media::service {

struct StreamsResponderHooks {
  std::function<void()> changed;                 // after a write: reload the directory at once
  std::function<bool(const std::string&)> live;  // a publisher is connected here
  std::string ingestUrl;                         // the RTMP server URL shown with the key
};

class StreamsResponder {
 public:
  StreamsResponder(bus::Bus& bus, streams::StreamStore& store, metrics::Registry& metrics,
                   StreamsResponderHooks hooks);
  ~StreamsResponder();  // stop()
  void start();
  // No new requests are taken; the one being handled finishes first.
  void stop();

 private:
  void handle(const nlohmann::json& request);
  Result<nlohmann::json> run(const std::string& op, const nlohmann::json& args);
  nlohmann::json toJson(const streams::Stream& s) const;

  bus::Bus& bus_;
  std::unique_ptr<loop::WorkerPool> worker_;
  streams::StreamStore& store_;
  metrics::Counter* requests_;
  metrics::Counter* rejected_;
  StreamsResponderHooks hooks_;
  std::shared_ptr<std::atomic<bool>> alive_ = std::make_shared<std::atomic<bool>>(true);
  bus::Subscription sub_;
};

}  // namespace hub::media::service
