// tests/bench/chat/load_worker.h
//
// One epoll loop of the load generator, owning every T-th client (client i belongs to worker
// i % T). It connects its clients with a bounded number of handshakes in flight, sends its share
// of the messages and likes on an open-loop schedule (late ticks send the backlog, so a slow
// server cannot slow the offered load), and scans what arrives for benchmark messages and likes
// events. A client's receives move to the worker's io_uring once it is in the room (RecvRing:
// no epoll wake-up and no recv() per frame); epoll keeps the handshakes and full send buffers,
// and everything when io_uring is unavailable. Counters the main thread polls are atomics; the
// rest is read after the thread ended.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "tests/bench/chat/latency_histogram.h"
#include "tests/bench/chat/load_client.h"
#include "tests/bench/chat/recv_ring.h"

namespace hub::bench {

struct WorkerConfig {
  Flavor flavor = Flavor::Hub;
  std::vector<std::pair<std::string, int>> targets;  // clients are spread round-robin
  std::vector<std::string> tokens;                   // client i uses tokens[i % size]
  std::string path;
  std::string origin;
  std::string room = "bench";
  std::size_t clients = 0;
  std::size_t senders = 20;  // clients 0..senders-1 send messages
  double rate = 20;          // messages per second, all senders together
  double likesRate = 0;      // likes per second, all clients together
  unsigned likeBatch = 1;    // likes per like frame ("count")
  double duration = 10;
  std::size_t connectConcurrency = 256;  // handshakes in flight per worker
  bool uring = true;                     // receive through io_uring where the kernel can
};

struct Totals {
  std::uint64_t delivered = 0;
  std::uint64_t outOfOrder = 0;
  std::uint64_t likesSent = 0;
  std::uint64_t likeEvents = 0;
  std::uint64_t likeEventsMaxClient = 0;
  std::uint64_t likesTotalSeen = 0;
  std::uint64_t closed = 0;
  std::vector<std::string> closeReasons;  // the first few
  LatencyHistogram hist;
  // The same latencies cut at the message's "ts" (stamped by the server when it took the send,
  // in ms) and at the kernel's arrival time on the receiving socket: sender -> server (`in`),
  // server -> receiving socket (`server`: fan-out, any coalescing hold, the write, the kernel),
  // receiving socket -> parsed by the generator (`read`: the generator's own lag).
  LatencyHistogram histIn, histServer, histRead;
};

class LoadWorker final : public FrameSink {
 public:
  LoadWorker(const WorkerConfig& cfg, unsigned id, unsigned workers);
  ~LoadWorker() override;

  void run();  // on the worker's thread, until stop()
  void startSending(std::chrono::steady_clock::time_point t0);
  // Returns once no send of this worker is under way: the `sent` counted after it is final (a
  // message sent just after the count was read came on top of the expected deliveries).
  void stopSending() {
    std::lock_guard lock(sendMu_);
    sending_.store(false);
  }
  void stop() { running_.store(false); }
  void addTo(Totals& totals) const;

  void onText(std::size_t client, std::string_view text) override;

  std::atomic<std::uint64_t> ready_{0};
  std::atomic<std::uint64_t> closed_{0};
  std::atomic<std::uint64_t> sent_{0};
  std::atomic<std::uint64_t> delivered_{0};
  std::atomic<bool> uringUsed_{false};  // the receives went through io_uring

 private:
  void connectMore();
  void sendDue();
  void handle(std::size_t local, std::uint32_t events);
  void noteState(std::size_t local, LoadClient::State before);
  void watch(std::size_t local);
  void waitAndHandle();
  void onCompletion(const RecvRing::Completion& c);
  std::int64_t nowMicros() const;  // steady clock, the same epoch in every worker

  const WorkerConfig& cfg_;
  unsigned id_;
  unsigned workers_;
  int epoll_ = -1;
  std::vector<std::unique_ptr<LoadClient>> clients_;  // local index -> client
  std::vector<std::size_t> senders_;                  // local indexes of this worker's senders
  std::vector<bool> writeWatched_;
  std::vector<bool> viaRing_;  // [local] its receives go through ring_
  RecvRing ring_;
  std::size_t nextToStart_ = 0;
  std::size_t inFlight_ = 0;
  std::atomic<bool> running_{true};
  std::atomic<bool> sending_{false};
  std::mutex sendMu_;  // held by sendDue (the worker) and stopSending (the main thread)
  std::atomic<std::int64_t> t0Micros_{0};
  std::int64_t realMinusSteadyMicros_ = 0;  // CLOCK_REALTIME - nowMicros(), at construction
  double myRate_ = 0;
  double myLikeFrames_ = 0;
  std::uint64_t messagesSent_ = 0;
  std::uint64_t likeFramesSent_ = 0;
  std::size_t nextSender_ = 0;
  std::size_t nextLiker_ = 0;
  // Receive-side state, per local client.
  std::vector<std::vector<std::uint32_t>> lastSeq_;  // [local][sender] last seq seen
  std::vector<std::uint32_t> likeEvents_;
  std::vector<std::uint32_t> sendSeq_;  // [local] messages sent so far
  std::uint64_t outOfOrder_ = 0;
  std::uint64_t likesTotalSeen_ = 0;
  std::vector<std::string> closeReasons_;
  LatencyHistogram hist_, histIn_, histServer_, histRead_;
};

}  // namespace hub::bench
