// cms/challenge/batch_stages.cpp
#include "cms/challenge/batch_stages.h"

namespace hub::cms::challenge {

BatchStages::BatchStages(metrics::Registry& r) {
  static const char* const names[kStages] = {"gather",       "read",    "begin",  "lock", "apply",  "days",
                                             "participants", "answers", "commit", "feed", "answer", "settle"};
  // From 10 µs: most stages of a batch take well under a millisecond.
  const std::vector<double> bounds = {0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001,
                                      0.0025,  0.005,    0.01,    0.025,  0.05,    0.1,    1};
  for (std::size_t i = 0; i < kStages; ++i)
    seconds_[i] =
        &r.histogram("hub_challenge_step_batch_stage_seconds",
                     "Wall time of each stage of a step submission batch", bounds, {{"stage", names[i]}});
  start();
}

void BatchStages::mark(Stage s) {
  const auto now = std::chrono::steady_clock::now();
  seconds_[static_cast<std::size_t>(s)]->observe(std::chrono::duration<double>(now - last_).count());
  last_ = now;
}

}  // namespace hub::cms::challenge
