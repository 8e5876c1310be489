// cms/challenge/step_batcher.h
//
// Group commit for step submissions (issue 7). Requests that passed the cheap checks (app
// credential, rate limit, Idempotency-Key, JSON) queue here; a thread (or a few) takes everything
// queued (up to a limit) and apply it in ONE transaction with multi-row statements: the prior
// answers of the keys (only after a batch met a key stored before: a new key, the common case,
// is found new by the answers' primary key at the insert), the members, the participants
// (locked), the days, the new days and totals, the stored answers carrying the audit rows. Only after the
// commit is each request answered, after the boards are fed in one engine call. Within a batch the reports
// apply in arrival order (two reports of one member see each other), and a key repeated in a batch is
// answered like a repeat after the first (replay, or 422 idempotency.conflict). When the
// batch's transaction fails (a lock conflict with another node, a key another node stored
// meanwhile), each request of it is applied alone, as before batching. With several threads,
// several batches are in flight at once, their participant rows locked in key order (the steps
// route runs one: on 2 cores more threads made smaller batches and cost more CPU per report,
// and with the batch route's full queue two threads were slower too). A batch takes at most
// 1,024 reports: one report per request rarely fills 256, the batch route fills any limit, and
// 1,024 carried more per second than 256 (docs/benchmarks.md, issue 7, session 16).
//
// Finishing: after the commit the batcher hands the batch to a finisher thread, which feeds the
// boards (Redis), then answers (a client reading the boards after its answer sees its report),
// and settles the average and rate boards about once a second; meanwhile the batcher gathers
// and writes the next batch, so the board feed's round trip and the replies overlap the next
// batch's SQL instead of following it. At most two finished batches wait: a batcher that finds
// two waits for the finisher.
//
// Gathering: a batch's answers go out together, so their clients' next requests come back
// together, within about a millisecond, while the queue holds only the requests that came in
// during that batch. A lone batcher thread that finds fewer queued than its last batch held
// waits up to kGather for that many (never longer, never for more than maxBatch): batches stay
// whole instead of splitting into halves that alternate, each paying the round trips of a batch.
// With the finisher, the clients of a committed batch come back only after its answers: the wait
// lasts until the finisher has answered what it holds, then up to kGather. When the queue already
// holds that many (steady arrivals: it filled during the last batch), or the last batch held one,
// it does not wait. Requests wake a waiting batcher only when they
// bring the queue to what it waits for, never while it is busy.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cms/challenge/batch_stages.h"
#include "cms/challenge/challenge_module.h"
#include "core/metrics/registry.h"

namespace hub::cms::challenge {

struct Submission {
  App app;
  std::string key;   // Idempotency-Key
  std::string hash;  // of the challenge id and the body
  std::int64_t challengeId = 0;
  Json body;
  std::string peer;
  std::function<void(Reply)> done;  // called once, from the batcher's thread
};

class StepBatcher {
 public:
  StepBatcher(Module& m, unsigned threads, std::size_t maxBatch = 1024);
  ~StepBatcher();  // stop()
  StepBatcher(const StepBatcher&) = delete;
  StepBatcher& operator=(const StepBatcher&) = delete;

  // Queues `s`; after stop() it is answered 503 at once.
  void submit(Submission s);
  // Answers what is queued, then joins the thread. Idempotent.
  void stop();

 private:
  void run();
  // `checkKeys`: read the prior answers of the batch's keys first. Without it the batch is
  // applied as if every key were new, and the answers' primary key (app, key) refuses a key
  // stored before: the transaction rolls back and the batch is applied again with its keys read.
  void process(std::vector<Submission>& batch, bool checkKeys, BatchStages& stages);
  // A committed batch, fed and answered by the finisher thread.
  struct Finished;
  void finish(std::unique_ptr<Finished> f);
  void runFinisher();

  Module& m_;
  const std::size_t maxBatch_;
  metrics::Counter& batches_;       // hub_challenge_step_batches_total
  metrics::Counter& reports_;       // hub_challenge_step_batch_reports_total (their sizes, summed)
  metrics::Counter& keyConflicts_;  // hub_challenge_step_batch_key_conflicts_total
  const BatchStages stages_;        // copied by each thread (its own clock)
  static constexpr std::chrono::microseconds kGather{2000};

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Submission> queue_;
  std::size_t waiting_ = 0;     // threads waiting in run()
  std::size_t wakeAt_ = 1;      // the queue's length that wakes them (more while gathering)
  std::size_t unanswered_ = 0;  // committed batches the finisher has not answered yet
  bool gather_ = false;         // one thread: it gathers
  bool stopping_ = false;
  std::chrono::steady_clock::time_point settled_;
  std::atomic<int> checkedBatches_{0};  // batches still to read their keys first, after a conflict
  std::vector<std::thread> threads_;

  std::mutex finMu_;
  std::condition_variable finCv_;      // the finisher: work or stop
  std::condition_variable finRoomCv_;  // a batcher: room in finished_
  std::deque<std::unique_ptr<Finished>> finished_;
  bool finStopping_ = false;
  std::thread finisher_;
};

}  // namespace hub::cms::challenge
