#include "simulator/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace scoville::simulator {
namespace {

constexpr int kSubBucketBits = 7;  // 128 buckets per power of two
constexpr int kMinExponent = -20;  // 2^-20 s, about 0.95 us
constexpr int kMaxExponent = 20;   // 2^20 s, about 12 days
constexpr std::size_t kBuckets = static_cast<std::size_t>(kMaxExponent - kMinExponent)
                                 << kSubBucketBits;

}  // namespace

LatencyHistogram::LatencyHistogram() : buckets_(kBuckets, 0) {}

std::size_t LatencyHistogram::bucket_of(double seconds) {
  if (!(seconds > std::ldexp(1.0, kMinExponent))) {
    return 0;
  }
  if (seconds >= std::ldexp(1.0, kMaxExponent)) {
    return kBuckets - 1;
  }
  // IEEE 754: the biased exponent picks the power of two, the top mantissa bits the bucket.
  const auto bits = std::bit_cast<std::uint64_t>(seconds);
  const auto exponent = static_cast<int>((bits >> 52) & 0x7ff) - 1023;
  const auto sub_bucket =
      static_cast<std::size_t>((bits >> (52 - kSubBucketBits)) & ((1u << kSubBucketBits) - 1));
  return (static_cast<std::size_t>(exponent - kMinExponent) << kSubBucketBits) + sub_bucket;
}

double LatencyHistogram::bucket_value(std::size_t bucket) {
  const int exponent = static_cast<int>(bucket >> kSubBucketBits) + kMinExponent;
  const double sub_bucket = static_cast<double>(bucket & ((1u << kSubBucketBits) - 1));
  // The middle of the bucket [2^e (1 + s/128), 2^e (1 + (s+1)/128)).
  return std::ldexp(1.0 + (sub_bucket + 0.5) / (1 << kSubBucketBits), exponent);
}

void LatencyHistogram::add(double seconds, std::uint64_t count) {
  if (count == 0) {
    return;
  }
  buckets_[bucket_of(seconds)] += count;
  count_ += count;
  sum_seconds_ += seconds * static_cast<double>(count);
  max_seconds_ = std::max(max_seconds_, seconds);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (std::size_t i = 0; i < kBuckets; ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  sum_seconds_ += other.sum_seconds_;
  max_seconds_ = std::max(max_seconds_, other.max_seconds_);
}

double LatencyHistogram::percentile(double quantile) const {
  if (count_ == 0) {
    return 0.0;
  }
  // The rank of the requested observation, 1-based, as nearest-rank percentiles define it.
  const double rank =
      std::max(1.0, std::ceil(std::clamp(quantile, 0.0, 1.0) * static_cast<double>(count_)));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    seen += buckets_[i];
    if (static_cast<double>(seen) >= rank) {
      return std::min(bucket_value(i), max_seconds_);
    }
  }
  return max_seconds_;
}

double LatencyHistogram::fraction_at_or_below(double seconds) const {
  if (count_ == 0) {
    return 0.0;
  }
  const std::size_t last = bucket_of(seconds);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i <= last; ++i) seen += buckets_[i];
  return static_cast<double>(seen) / static_cast<double>(count_);
}

}  // namespace scoville::simulator
