#pragma once

#include <cstdint>
#include <vector>

namespace scoville::simulator {

// A histogram of positive durations in log-linear buckets (128 per power of two, so each is
// under 0.8% wide) from about 1 microsecond to 12 days: constant memory however many values
// it holds, percentiles within 0.4%, and a bucket found from the float's bits, without a
// logarithm, because the simulator adds a value per sequence per step.
class LatencyHistogram {
 public:
  LatencyHistogram();

  // Adds `count` observations of `seconds`.
  void add(double seconds, std::uint64_t count = 1);
  void merge(const LatencyHistogram& other);

  std::uint64_t count() const { return count_; }
  double mean_seconds() const {
    return count_ == 0 ? 0.0 : sum_seconds_ / static_cast<double>(count_);
  }
  double max_seconds() const { return max_seconds_; }

  // The value below which a share `quantile` (0..1) of observations fall; 0 when empty.
  double percentile(double quantile) const;

  // Fraction of observations at or below `seconds` (for CDF charts).
  double fraction_at_or_below(double seconds) const;

 private:
  static std::size_t bucket_of(double seconds);
  static double bucket_value(std::size_t bucket);

  std::vector<std::uint64_t> buckets_;
  std::uint64_t count_ = 0;
  double sum_seconds_ = 0.0;
  double max_seconds_ = 0.0;
};

}  // namespace scoville::simulator
