// cms/auth/login_limiter.cpp
//
// Token buckets for sign-in attempts.
#include "cms/auth/login_limiter.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace hub::cms::auth {

void LoginLimiter::refill(Bucket& b, Clock::Steady now) const {
  const double seconds = std::chrono::duration<double>(now - b.at).count();
  b.tokens = std::min<double>(perMinute_, b.tokens + seconds * perMinute_ / 60.0);
  b.at = now;
}

int LoginLimiter::take(const std::string& key, int cost) {
  const auto now = clock_.steady();
  std::lock_guard lock(mu_);
  if (buckets_.size() > 100000) buckets_.clear();  // a flood of distinct keys: start over
  auto [it, fresh] = buckets_.try_emplace(key, Bucket{static_cast<double>(perMinute_), now});
  Bucket& b = it->second;
  if (!fresh) refill(b, now);
  if (b.tokens >= cost) {
    b.tokens -= cost;
    return 0;
  }
  const double wait = (cost - b.tokens) * 60.0 / perMinute_;
  return std::max(1, static_cast<int>(std::ceil(wait)));
}

void LoginLimiter::sweep() {
  const auto now = clock_.steady();
  std::lock_guard lock(mu_);
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    refill(it->second, now);
    it = it->second.tokens >= perMinute_ ? buckets_.erase(it) : std::next(it);
  }
}

}  // namespace hub::cms::auth
