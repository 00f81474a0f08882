#include "simulator/arrival_process.h"

#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "tests/simulator/workload_test_support.h"

namespace scoville::simulator {
namespace {

// Arrival times up to `horizon_seconds`.
std::vector<double> arrivals_until(const ArrivalSpec& spec, double horizon_seconds,
                                   std::uint64_t seed = 3) {
  ArrivalProcess process(spec, Random(seed));
  std::vector<double> times;
  for (double t = process.next_arrival_seconds(); t <= horizon_seconds;
       t = process.next_arrival_seconds()) {
    times.push_back(t);
  }
  return times;
}

std::vector<double> gaps_of(const std::vector<double>& times) {
  std::vector<double> gaps;
  double previous = 0.0;
  for (const double t : times) {
    gaps.push_back(t - previous);
    previous = t;
  }
  return gaps;
}

bool non_decreasing(const std::vector<double>& times) {
  for (std::size_t i = 1; i < times.size(); ++i) {
    if (times[i] < times[i - 1]) {
      return false;
    }
  }
  return true;
}

// Arrivals whose time falls in the first half of each period (where sin > 0 with phase 0)
// and in the second half.
std::pair<double, double> peak_and_trough(const std::vector<double>& times, double period) {
  double peak = 0.0;
  double trough = 0.0;
  for (const double t : times) {
    (std::fmod(t, period) < period / 2.0 ? peak : trough) += 1.0;
  }
  return {peak, trough};
}

ArrivalSpec poisson(double rate) { return ArrivalSpec{.rate_per_second = rate}; }

ArrivalSpec gamma(double rate, double cv) {
  return ArrivalSpec{.kind = ArrivalSpec::Kind::kGamma, .rate_per_second = rate, .cv = cv};
}

// With amplitude a, the first half of a period carries (1/2 + a/pi) of the arrivals and the
// second (1/2 - a/pi).
double expected_peak_ratio(double amplitude) {
  return (0.5 + amplitude / std::numbers::pi) / (0.5 - amplitude / std::numbers::pi);
}

TEST_CASE("Poisson arrivals over a long window number about rate x time") {
  const auto times = arrivals_until(poisson(50.0), 2000.0);
  // 100000 expected, standard deviation about 316.
  CHECK(static_cast<double>(times.size()) == doctest::Approx(100000.0).epsilon(0.015));
  CHECK(non_decreasing(times));
  CHECK(testing::moments_of(gaps_of(times)).cv == doctest::Approx(1.0).epsilon(0.02));
}

TEST_CASE("gamma arrivals have the requested burstiness and mean rate") {
  for (const double cv : {2.0, 0.5}) {
    CAPTURE(cv);
    const auto times = arrivals_until(gamma(20.0, cv), 10000.0);
    const auto gaps = testing::moments_of(gaps_of(times));
    CHECK(gaps.mean == doctest::Approx(1.0 / 20.0).epsilon(0.02));
    CHECK(gaps.cv == doctest::Approx(cv).epsilon(0.04));
    CHECK(non_decreasing(times));
  }
}

TEST_CASE("a diurnal Poisson rate brings more arrivals in the peak half-period than the trough") {
  ArrivalSpec spec = poisson(10.0);
  spec.diurnal = ArrivalSpec::Diurnal{.amplitude = 0.8, .period_seconds = 100.0};
  const auto times = arrivals_until(spec, 20000.0);
  const auto [peak, trough] = peak_and_trough(times, 100.0);
  CHECK(peak / trough == doctest::Approx(expected_peak_ratio(0.8)).epsilon(0.05));
  // The curve averages to 1 over a period, so the mean rate is unchanged.
  CHECK(static_cast<double>(times.size()) == doctest::Approx(200000.0).epsilon(0.015));
  CHECK(non_decreasing(times));
}

TEST_CASE("the diurnal phase moves the peak") {
  ArrivalSpec spec = poisson(10.0);
  spec.diurnal =
      ArrivalSpec::Diurnal{.amplitude = 0.8, .period_seconds = 100.0, .phase_seconds = 50.0};
  const auto [peak, trough] = peak_and_trough(arrivals_until(spec, 20000.0), 100.0);
  CHECK(trough / peak == doctest::Approx(expected_peak_ratio(0.8)).epsilon(0.05));
}

TEST_CASE("a diurnal gamma rate follows the curve and keeps the burstiness") {
  ArrivalSpec spec = gamma(10.0, 2.0);
  // A long period against the gaps, so that the local cv is measurable within a window.
  spec.diurnal = ArrivalSpec::Diurnal{.amplitude = 0.6, .period_seconds = 4000.0};
  const auto times = arrivals_until(spec, 200000.0);
  const auto [peak, trough] = peak_and_trough(times, 4000.0);
  CHECK(peak / trough == doctest::Approx(expected_peak_ratio(0.6)).epsilon(0.05));
  CHECK(static_cast<double>(times.size()) == doctest::Approx(2000000.0).epsilon(0.02));
  CHECK(non_decreasing(times));

  // Near the peak (t mod period around period / 4) the rate is about rate x 1.6 and the gaps
  // keep cv 2; thinning would have pulled the cv toward 1.
  std::vector<double> peak_gaps;
  for (std::size_t i = 1; i < times.size(); ++i) {
    const double phase = std::fmod(times[i], 4000.0);
    if (phase > 900.0 && phase < 1100.0 && std::fmod(times[i - 1], 4000.0) > 900.0) {
      peak_gaps.push_back(times[i] - times[i - 1]);
    }
  }
  const auto moments = testing::moments_of(peak_gaps);
  CHECK(moments.cv == doctest::Approx(2.0).epsilon(0.06));
  CHECK(1.0 / moments.mean == doctest::Approx(16.0).epsilon(0.05));
}

TEST_CASE("a full-amplitude diurnal curve still produces ordered arrivals") {
  ArrivalSpec spec = gamma(5.0, 0.5);
  spec.diurnal = ArrivalSpec::Diurnal{.amplitude = 1.0, .period_seconds = 60.0};
  const auto times = arrivals_until(spec, 6000.0);
  CHECK(non_decreasing(times));
  CHECK(static_cast<double>(times.size()) == doctest::Approx(30000.0).epsilon(0.02));
}

TEST_CASE("the same seed gives the same arrival times") {
  CHECK(arrivals_until(gamma(5.0, 3.0), 100.0, 9) == arrivals_until(gamma(5.0, 3.0), 100.0, 9));
  CHECK(arrivals_until(gamma(5.0, 3.0), 100.0, 9) != arrivals_until(gamma(5.0, 3.0), 100.0, 10));
}

}  // namespace
}  // namespace scoville::simulator
