// cms/auth/login_limiter.h
//
// Sign-in attempts per key (a client address, a username): a token bucket of `perMinute`
// attempts refilled evenly over a minute. In memory per node; a multi-node deployment gets
// a node's share each. Thread-safe; time from the injected Clock.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/util/clock.h"

namespace hub::cms::auth {

class LoginLimiter {
 public:
  LoginLimiter(const Clock& clock, int perMinute) : clock_(clock), perMinute_(perMinute) {}

  // 0 when `cost` attempts are allowed now (and taken); else the seconds until they are.
  // `cost` is at most perMinute().
  int take(const std::string& key, int cost = 1);
  int perMinute() const { return perMinute_; }
  // Drops buckets that are full again (call now and then).
  void sweep();

 private:
  struct Bucket {
    double tokens = 0;
    Clock::Steady at;
  };
  void refill(Bucket& b, Clock::Steady now) const;

  const Clock& clock_;
  const int perMinute_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace hub::cms::auth
