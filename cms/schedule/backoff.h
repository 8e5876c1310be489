// cms/schedule/backoff.h
//
// When to try a retryable publish again: exponential backoff with "equal jitter", so the
// accounts of one failing platform do not all come back in the same second. The random part is
// passed in (0..1) so tests are exact.
#pragma once

#include <chrono>

namespace hub::cms::schedule {

struct BackoffPolicy {
  std::chrono::milliseconds base{2000};
  std::chrono::milliseconds max{300000};
  int maxAttempts = 5;  // sends in all; after the last retryable failure the post fails
};

// Delay before attempt `attempt + 1` after `attempt` failed (attempt >= 1):
// d = min(max, base * 2^(attempt-1)); result = d/2 + d/2 * unit, unit in [0, 1].
std::chrono::milliseconds backoffDelay(const BackoffPolicy& p, int attempt, double unit);

// A unit from a thread-local generator, for production callers.
double jitterUnit();

}  // namespace hub::cms::schedule
