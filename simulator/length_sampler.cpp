#include "simulator/length_sampler.h"

#include <algorithm>
#include <cmath>

#include "simulator/length_distribution.h"

namespace scoville::simulator {
namespace {

// expm1(t) / t and log1p(t) / t, with their limit 1 at t = 0.
double expm1_ratio(double t) {
  if (std::abs(t) < 1e-8) {
    return 1.0 + t / 2.0 + t * t / 6.0;
  }
  return std::expm1(t) / t;
}

double log1p_ratio(double t) {
  if (std::abs(t) < 1e-8) {
    return 1.0 - t / 2.0 + t * t / 3.0;
  }
  return std::log1p(t) / t;
}

double zipf_weight(double exponent, double tokens) {
  return std::exp(-exponent * std::log(tokens));
}

}  // namespace

// (x^(1-s) - 1) / (1-s), written as log(x) * expm1((1-s) log x) / ((1-s) log x).
double zipf_area(double exponent, double x) {
  const double log_x = std::log(x);
  return log_x * expm1_ratio((1.0 - exponent) * log_x);
}

double zipf_area_inverse(double exponent, double area) {
  return std::exp(area * log1p_ratio((1.0 - exponent) * area));
}

LengthSampler::LengthSampler(const LengthDistribution& distribution)
    : kind_(distribution.kind),
      low_tokens_(std::clamp(std::ceil(distribution.min_tokens), 1.0, kMaxTokensPerRequest)),
      high_tokens_(
          std::clamp(std::floor(distribution.max_tokens), low_tokens_, kMaxTokensPerRequest)) {
  // std::clamp keeps NaN, which the comparisons below would turn into an endless Zipf loop.
  if (std::isnan(low_tokens_) || std::isnan(high_tokens_)) {
    low_tokens_ = 1.0;
    high_tokens_ = 1.0;
  }

  switch (kind_) {
    case LengthDistribution::Kind::kFixed:
      fixed_tokens_ = distribution.fixed_tokens;
      break;
    case LengthDistribution::Kind::kUniform:
      break;
    case LengthDistribution::Kind::kLognormal:
      // A lognormal's mean is exp(mu + sigma^2 / 2); the spec gives the mean.
      lognormal_sigma_ = distribution.sigma;
      lognormal_mu_ =
          std::log(distribution.mean_tokens) - 0.5 * lognormal_sigma_ * lognormal_sigma_;
      break;
    case LengthDistribution::Kind::kZipf:
      zipf_exponent_ = distribution.zipf_exponent;
      zipf_low_area_ =
          zipf_area(zipf_exponent_, low_tokens_ + 0.5) - zipf_weight(zipf_exponent_, low_tokens_);
      zipf_high_area_ = zipf_area(zipf_exponent_, high_tokens_ + 0.5);
      break;
    case LengthDistribution::Kind::kEmpirical: {
      double total = 0.0;
      for (const auto& [tokens, weight] : distribution.empirical) {
        if (!(weight > 0.0) || !std::isfinite(weight)) {
          continue;
        }
        total += weight;
        empirical_tokens_.push_back(tokens);
        empirical_cumulative_weights_.push_back(total);
      }
      break;
    }
  }

  // A distribution that breaks its rules (check_length_distribution says which) draws its
  // lower bound rather than hang or read out of bounds.
  const bool valid = [&] {
    switch (kind_) {
      case LengthDistribution::Kind::kLognormal:
        return std::isfinite(lognormal_mu_) && std::isfinite(lognormal_sigma_) &&
               lognormal_sigma_ >= 0.0;
      case LengthDistribution::Kind::kZipf:
        return std::isfinite(zipf_exponent_) && zipf_exponent_ > 0.0;
      case LengthDistribution::Kind::kEmpirical:
        return !empirical_tokens_.empty();
      default:
        return true;
    }
  }();
  if (!valid) {
    kind_ = LengthDistribution::Kind::kFixed;
    fixed_tokens_ = low_tokens_;
  }
}

std::int32_t LengthSampler::clamp_tokens(double tokens) const {
  // Written so that NaN falls to the lower bound.
  if (!(tokens >= low_tokens_)) {
    return static_cast<std::int32_t>(low_tokens_);
  }
  if (tokens >= high_tokens_) {
    return static_cast<std::int32_t>(high_tokens_);
  }
  return static_cast<std::int32_t>(std::round(tokens));
}

std::int32_t LengthSampler::sample(Random& random) const {
  switch (kind_) {
    case LengthDistribution::Kind::kFixed:
      return clamp_tokens(fixed_tokens_);
    case LengthDistribution::Kind::kUniform: {
      const double span = high_tokens_ - low_tokens_ + 1.0;
      return clamp_tokens(low_tokens_ + std::floor(random.uniform() * span));
    }
    case LengthDistribution::Kind::kLognormal:
      return clamp_tokens(std::exp(random.normal(lognormal_mu_, lognormal_sigma_)));
    case LengthDistribution::Kind::kZipf:
      return sample_zipf(random);
    case LengthDistribution::Kind::kEmpirical: {
      const double target = random.uniform() * empirical_cumulative_weights_.back();
      const auto it = std::upper_bound(empirical_cumulative_weights_.begin(),
                                       empirical_cumulative_weights_.end(), target);
      const auto index = std::min<std::size_t>(
          static_cast<std::size_t>(it - empirical_cumulative_weights_.begin()),
          empirical_tokens_.size() - 1);
      return clamp_tokens(empirical_tokens_[index]);
    }
  }
  return clamp_tokens(low_tokens_);
}

// Rejection-inversion (Hoermann and Derflinger, 1996). Integer k owns the slice
// [H(k - 1/2), H(k + 1/2)] of the area under h(x) = x^-s; since h is convex that slice is at
// least h(k) wide, and accepting only its top h(k) gives k a probability proportional to k^-s.
// Starting the range at H(low + 1/2) - h(low) makes the lowest count always accepted. Each
// draw costs O(1) whatever the width of [low, high].
std::int32_t LengthSampler::sample_zipf(Random& random) const {
  while (true) {
    const double area = zipf_low_area_ + random.uniform() * (zipf_high_area_ - zipf_low_area_);
    const double x = zipf_area_inverse(zipf_exponent_, area);
    const double k = std::clamp(std::round(x), low_tokens_, high_tokens_);
    if (k == low_tokens_ ||
        area >= zipf_area(zipf_exponent_, k + 0.5) - zipf_weight(zipf_exponent_, k)) {
      return static_cast<std::int32_t>(k);
    }
  }
}

}  // namespace scoville::simulator
