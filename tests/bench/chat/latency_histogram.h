// tests/bench/chat/latency_histogram.h
//
// Send-to-receive latencies without keeping every sample (10,000 clients x 200 msg/s is two
// million a second): 10 us buckets below 10 ms, 1 ms buckets up to two minutes.
#pragma once

#include <cstdint>
#include <vector>

namespace hub::bench {

class LatencyHistogram {
 public:
  LatencyHistogram() : buckets_(kFine + kCoarse + 1, 0) {}

  void add(std::int64_t micros) {
    if (micros < 0) micros = 0;
    std::size_t b = micros < 10'000 ? static_cast<std::size_t>(micros / 10)
                                    : kFine + static_cast<std::size_t>((micros - 10'000) / 1000);
    buckets_[b < buckets_.size() ? b : buckets_.size() - 1]++;
    count_++;
    if (micros > max_) max_ = micros;
  }
  void merge(const LatencyHistogram& o) {
    for (std::size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += o.buckets_[i];
    count_ += o.count_;
    if (o.max_ > max_) max_ = o.max_;
  }
  double quantileMs(double q) const {
    if (count_ == 0) return 0;
    const auto want = static_cast<std::uint64_t>(q * static_cast<double>(count_ - 1)) + 1;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
      seen += buckets_[i];
      if (seen >= want)
        return i < kFine ? (static_cast<double>(i) + 1) * 0.01 : 10.0 + static_cast<double>(i - kFine + 1);
    }
    return maxMs();
  }
  double maxMs() const { return static_cast<double>(max_) / 1000.0; }
  std::uint64_t count() const { return count_; }

 private:
  static constexpr std::size_t kFine = 1000;      // 0..10 ms in 10 us steps
  static constexpr std::size_t kCoarse = 120000;  // 10 ms..~2 min in 1 ms steps
  std::vector<std::uint64_t> buckets_;
  std::uint64_t count_ = 0;
  std::int64_t max_ = 0;
};

}  // namespace hub::bench
