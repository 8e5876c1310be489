// core/bus/tests/bus_test_util.h
//
// Helpers for bus tests: a thread-safe message collector, bounded waits (poll with a deadline,
// never a fixed sleep) and channel names that cannot collide with other tests on a shared Redis.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/bus/bus.h"

namespace hub::bus::test {

using namespace std::chrono_literals;

inline bool waitUntil(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// A channel name unique to this test run and test case.
inline std::string uniqueChannel(const std::string& name) {
  static std::atomic<unsigned> seq{0};
  static const unsigned run = std::random_device{}();
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string test = info ? info->name() : "none";
  return "test." + std::to_string(run) + "." + std::to_string(seq++) + "." + test + "." + name;
}

struct Message {
  std::string channel;
  std::string payload;
  bool operator==(const Message&) const = default;
};

class Collector {
 public:
  Handler handler() {
    return [this](std::string_view channel, std::string_view payload) {
      std::lock_guard lock(mu_);
      messages_.push_back({std::string(channel), std::string(payload)});
      cv_.notify_all();
    };
  }
  bool waitFor(std::size_t n, std::chrono::milliseconds timeout = 5s) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return messages_.size() >= n; });
  }
  std::vector<Message> messages() const {
    std::lock_guard lock(mu_);
    return messages_;
  }
  std::vector<std::string> payloads() const {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const auto& m : messages_) out.push_back(m.payload);
    return out;
  }
  std::size_t size() const {
    std::lock_guard lock(mu_);
    return messages_.size();
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Message> messages_;
};

}  // namespace hub::bus::test
