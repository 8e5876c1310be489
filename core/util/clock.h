// core/util/clock.h
//
// Time comes from a Clock that tests can replace: anything that schedules, expires or
// rate-limits takes a const Clock&, so tests advance a FakeClock instead of sleeping.
#pragma once

#include <atomic>
#include <chrono>

namespace hub {

class Clock {
 public:
  using Steady = std::chrono::steady_clock::time_point;
  using Wall = std::chrono::system_clock::time_point;
  virtual ~Clock() = default;
  virtual Steady steady() const = 0;  // for durations and timeouts
  virtual Wall wall() const = 0;      // for timestamps people see (UTC)
};

class SystemClock final : public Clock {
 public:
  Steady steady() const override { return std::chrono::steady_clock::now(); }
  Wall wall() const override { return std::chrono::system_clock::now(); }
  static const SystemClock& instance() {
    static const SystemClock clock;
    return clock;
  }
};

// Starts at a fixed instant and moves only when told to; safe to read from any thread.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(Wall start = Wall(std::chrono::seconds(1'800'000'000))) : wallStart_(start) {}
  Steady steady() const override { return Steady(offset()); }
  Wall wall() const override { return wallStart_ + offset(); }
  void advance(std::chrono::nanoseconds d) { offsetNs_ += d.count(); }

 private:
  std::chrono::nanoseconds offset() const { return std::chrono::nanoseconds(offsetNs_.load()); }
  Wall wallStart_;
  std::atomic<long long> offsetNs_{0};
};

}  // namespace hub
