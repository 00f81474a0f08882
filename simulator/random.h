#pragma once

#include <cstdint>

namespace scoville::simulator {

// A small, fast, seedable generator (xoshiro256** seeded through splitmix64) with its own
// sampling routines, so that a seed reproduces a run bit for bit on any standard library.
class Random {
 public:
  explicit Random(std::uint64_t seed);

  std::uint64_t next_u64();
  // Uniform in [0, 1).
  double uniform();
  // Uniform in (0, 1]: safe to take the logarithm of.
  double uniform_positive();
  double exponential(double rate);
  double normal(double mean, double stddev);
  // Gamma with the given shape and scale (Marsaglia and Tsang).
  double gamma(double shape, double scale);
  // An independent generator for a sub-stream (one per replica, one per workload part).
  Random fork(std::uint64_t stream);

 private:
  std::uint64_t state_[4];
};

}  // namespace scoville::simulator
