// cms/schedule/backoff.cpp
#include "cms/schedule/backoff.h"

#include <algorithm>
#include <random>

namespace hub::cms::schedule {

std::chrono::milliseconds backoffDelay(const BackoffPolicy& p, int attempt, double unit) {
  attempt = std::max(attempt, 1);
  unit = std::clamp(unit, 0.0, 1.0);
  long long d = p.base.count();
  for (int i = 1; i < attempt && d < p.max.count(); ++i) d *= 2;
  d = std::min<long long>(d, p.max.count());
  return std::chrono::milliseconds(d / 2 + static_cast<long long>(static_cast<double>(d / 2) * unit));
}

double jitterUnit() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

}  // namespace hub::cms::schedule
