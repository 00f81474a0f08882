#include "simulator/arrival_process.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numbers>

namespace scoville::simulator {

ArrivalProcess::ArrivalProcess(const ArrivalSpec& spec, Random random)
    : kind_(spec.kind), rate_per_second_(spec.rate_per_second), random_(random) {
  assert(rate_per_second_ > 0.0);
  if (kind_ == ArrivalSpec::Kind::kGamma) {
    assert(spec.cv > 0.0);
    // Shape k and scale theta with k theta = 1 / rate and sqrt(k) theta / (k theta) = cv.
    gamma_shape_ = 1.0 / (spec.cv * spec.cv);
    gamma_scale_seconds_ = spec.cv * spec.cv / rate_per_second_;
  }
  if (spec.diurnal && spec.diurnal->amplitude > 0.0) {
    assert(spec.diurnal->amplitude <= 1.0 && spec.diurnal->period_seconds > 0.0);
    diurnal_ = true;
    amplitude_ = spec.diurnal->amplitude;
    angular_frequency_ = 2.0 * std::numbers::pi / spec.diurnal->period_seconds;
    phase_seconds_ = spec.diurnal->phase_seconds;
  }
}

double ArrivalProcess::gap_seconds() {
  if (kind_ == ArrivalSpec::Kind::kGamma) {
    return random_.gamma(gamma_shape_, gamma_scale_seconds_);
  }
  return random_.exponential(rate_per_second_);
}

double ArrivalProcess::rate_factor(double t_seconds) const {
  return 1.0 + amplitude_ * std::sin(angular_frequency_ * (t_seconds - phase_seconds_));
}

// W(t) = t + (amplitude / omega) (cos(omega (0 - phase)) - cos(omega (t - phase))).
double ArrivalProcess::operational_seconds(double t_seconds) const {
  return t_seconds + amplitude_ / angular_frequency_ *
                         (std::cos(angular_frequency_ * -phase_seconds_) -
                          std::cos(angular_frequency_ * (t_seconds - phase_seconds_)));
}

// Solves W(t) = operational for t >= not_before_seconds, where W(not_before_seconds) is
// not_before_operational. W is non-decreasing (its slope is rate_factor >= 0) and stays within
// amplitude x period / pi of t, which brackets the root. The first guess steps from the previous
// arrival along the local slope, so Newton usually converges in one or two iterations;
// bisection takes over wherever a step would leave the bracket (near a trough of a curve with
// amplitude 1 the slope reaches 0).
double ArrivalProcess::real_seconds(double operational, double not_before_seconds,
                                    double not_before_operational) const {
  const double reach = 2.0 * amplitude_ / angular_frequency_;
  double low = std::max(not_before_seconds, operational - reach);
  double high = std::max(low, operational + reach);
  const double start_slope = rate_factor(not_before_seconds);
  double t = start_slope > 0.0
                 ? not_before_seconds + (operational - not_before_operational) / start_slope
                 : operational;
  t = std::clamp(t, low, high);

  constexpr int kMaxIterations = 200;
  const double tolerance = 1e-12 * std::max(1.0, std::abs(operational));
  for (int i = 0; i < kMaxIterations; ++i) {
    const double error = operational_seconds(t) - operational;
    if (std::abs(error) <= tolerance || high - low <= tolerance) {
      break;
    }
    (error < 0.0 ? low : high) = t;

    const double slope = rate_factor(t);
    const double newton = slope > 0.0 ? t - error / slope : low - 1.0;
    t = newton > low && newton < high ? newton : 0.5 * (low + high);
  }
  return std::max(t, not_before_seconds);
}

double ArrivalProcess::next_arrival_seconds() {
  if (!diurnal_) {
    now_seconds_ += gap_seconds();
    return now_seconds_;
  }

  if (kind_ == ArrivalSpec::Kind::kGamma) {
    const double previous_operational = operational_now_;
    operational_now_ += gap_seconds();
    now_seconds_ = real_seconds(operational_now_, now_seconds_, previous_operational);
    return now_seconds_;
  }

  // Thinning: candidates at the peak rate, each kept with probability rate(t) / peak.
  const double peak_factor = 1.0 + amplitude_;
  while (true) {
    now_seconds_ += random_.exponential(rate_per_second_ * peak_factor);
    if (random_.uniform() * peak_factor < rate_factor(now_seconds_)) {
      return now_seconds_;
    }
  }
}

}  // namespace scoville::simulator
