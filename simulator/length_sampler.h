#pragma once

#include <cstdint>
#include <vector>

#include "simulator/random.h"
#include "simulator/workload_spec.h"

namespace scoville::simulator {

// Draws token counts from a LengthDistribution with its tables built once: the cumulative
// weights of an empirical distribution, the constants of Zipf's rejection-inversion sampler.
// LengthDistribution::sample() builds one per call, so hot loops should hold a sampler.
class LengthSampler {
 public:
  // `distribution` should pass check_length_distribution(); one that does not draws its
  // lower bound, so that a bad spec can never hang a run.
  explicit LengthSampler(const LengthDistribution& distribution);

  // A sample in [min_tokens, max_tokens], at least 1.
  std::int32_t sample(Random& random) const;

 private:
  std::int32_t clamp_tokens(double tokens) const;
  std::int32_t sample_zipf(Random& random) const;

  LengthDistribution::Kind kind_;
  double low_tokens_;   // smallest allowed count, a whole number in [1, kMaxTokensPerRequest]
  double high_tokens_;  // largest allowed count, a whole number in [low_tokens_, that maximum]
  double fixed_tokens_ = 0.0;
  double lognormal_mu_ = 0.0;  // mean of the underlying normal
  double lognormal_sigma_ = 0.0;
  double zipf_exponent_ = 1.0;
  double zipf_low_area_ = 0.0;   // H(low + 1/2) - h(low), the bottom of the sampled range
  double zipf_high_area_ = 0.0;  // H(high + 1/2), its top
  std::vector<std::int32_t> empirical_tokens_;
  std::vector<double> empirical_cumulative_weights_;
};

// The integral of x^-exponent from 1 to x (the log for exponent 1), and its inverse, computed
// without cancellation near exponent 1. Zipf's sampler and its expected value share them.
double zipf_area(double exponent, double x);
double zipf_area_inverse(double exponent, double area);

}  // namespace scoville::simulator
