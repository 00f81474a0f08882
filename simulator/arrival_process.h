#pragma once

#include "simulator/random.h"
#include "simulator/workload_spec.h"

namespace scoville::simulator {

// The arrival times of an online workload, one at a time, from t = 0.
//
// Poisson arrivals have exponential gaps of mean 1 / rate. Gamma arrivals form a renewal
// process with Gamma(1 / cv^2) gaps of mean 1 / rate, so cv sets the burstiness (cv 1 is
// Poisson-like, larger is burstier, smaller more regular).
//
// A diurnal curve, rate(t) = rate x (1 + amplitude x sin(2 pi (t - phase) / period)), is applied
//  - to Poisson arrivals by thinning: candidates come at the peak rate rate x (1 + amplitude)
//    and each is kept with probability rate(t) / peak rate, which yields exactly the
//    non-homogeneous Poisson process of that rate;
//  - to gamma arrivals by time rescaling: the gamma process runs in an "operational" time
//    W(t) = integral of rate(s) / rate over [0, t], and each arrival is mapped back to real
//    time by inverting W. Thinning would wash out the burstiness (a thinned renewal process
//    tends to Poisson), whereas rescaling keeps the cv the spec asks for at every point of the
//    curve while the local rate follows rate(t).
class ArrivalProcess {
 public:
  // `spec` must have rate_per_second > 0, a cv > 0 for gamma and a valid diurnal curve.
  ArrivalProcess(const ArrivalSpec& spec, Random random);

  // The next arrival time in seconds; never decreases.
  double next_arrival_seconds();

 private:
  double gap_seconds();
  double rate_factor(double t_seconds) const;
  double operational_seconds(double t_seconds) const;
  double real_seconds(double operational, double not_before_seconds,
                      double not_before_operational) const;

  ArrivalSpec::Kind kind_;
  double rate_per_second_;
  double gamma_shape_ = 1.0;
  double gamma_scale_seconds_ = 1.0;
  bool diurnal_ = false;
  double amplitude_ = 0.0;
  double angular_frequency_ = 0.0;  // 2 pi / period, radians per second
  double phase_seconds_ = 0.0;
  Random random_;
  double now_seconds_ = 0.0;
  double operational_now_ = 0.0;  // W(now_seconds_) for rescaled gamma arrivals
};

}  // namespace scoville::simulator
