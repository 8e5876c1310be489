// cms/challenge/batch_stages.h
//
// Where a step batch's wall time goes (issue 7): the batcher marks the end of each stage and the
// time since the previous mark goes to hub_challenge_step_batch_stage_seconds{stage=...}. The
// stages in order: gather (waiting for more requests after the first), read (challenges, keys and
// members, before the transaction), begin (a pooled connection and BEGIN), lock (the participants'
// SELECT ... FOR UPDATE), apply (the reports applied in memory), days, participants and answers
// (one multi-row statement each; the answers carry the audit rows), commit, feed (the boards),
// answer (the replies handed to the HTTP loops), settle (average and rate, about once a second).
// read, begin, lock, days, participants, answers and commit wait on SQL; apply and answer are the hub's CPU;
// feed waits on Redis (or runs the in-memory boards). A few clock reads per batch.
#pragma once

#include <array>
#include <chrono>

#include "core/metrics/registry.h"

namespace hub::cms::challenge {

enum class Stage {
  Gather,
  Read,
  Begin,
  Lock,
  Apply,
  Days,
  Participants,
  Answers,
  Commit,
  Feed,
  Answer,
  Settle
};

class BatchStages {
 public:
  explicit BatchStages(metrics::Registry& r);
  // Starts the clock (before the first stage).
  void start() { last_ = std::chrono::steady_clock::now(); }
  // The stage that ends now: the time since the previous mark (or start()).
  void mark(Stage s);

 private:
  static constexpr std::size_t kStages = static_cast<std::size_t>(Stage::Settle) + 1;
  std::array<metrics::Histogram*, kStages> seconds_{};
  std::chrono::steady_clock::time_point last_;
};

}  // namespace hub::cms::challenge
