#include "simulator/random.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "tests/simulator/workload_test_support.h"

namespace scoville::simulator {
namespace {

using testing::moments_of;

constexpr int kSamples = 200'000;

std::vector<std::uint64_t> words_of(Random random, int count) {
  std::vector<std::uint64_t> words;
  for (int i = 0; i < count; ++i) {
    words.push_back(random.next_u64());
  }
  return words;
}

template <typename Draw>
std::vector<double> samples_of(std::uint64_t seed, Draw draw) {
  Random random(seed);
  std::vector<double> values;
  values.reserve(kSamples);
  for (int i = 0; i < kSamples; ++i) {
    values.push_back(draw(random));
  }
  return values;
}

TEST_CASE("the generator is xoshiro256** seeded through splitmix64") {
  // Reference values from an independent implementation of the published algorithms.
  Random random(42);
  CHECK(random.next_u64() == 0x15780b2e0c2ec716ULL);
  CHECK(random.next_u64() == 0x6104d9866d113a7eULL);
  CHECK(random.next_u64() == 0xae17533239e499a1ULL);
  CHECK(Random(0).next_u64() == 0x99ec5f36cb75f2b4ULL);
}

TEST_CASE("the same seed gives the same sequence") {
  CHECK(words_of(Random(2024), 1000) == words_of(Random(2024), 1000));
}

TEST_CASE("different seeds give different sequences") {
  const std::vector<std::uint64_t> a = words_of(Random(1), 1000);
  const std::vector<std::uint64_t> b = words_of(Random(2), 1000);
  CHECK(std::count(a.begin(), a.end(), b.front()) == 0);
  CHECK(a != b);
}

TEST_CASE("a copy continues the sequence exactly as the original does") {
  Random original(5);
  original.next_u64();
  (void)original.normal(0.0, 1.0);
  Random copy = original;
  CHECK(words_of(copy, 100) == words_of(original, 100));
}

TEST_CASE("forked streams differ from each other and from their parent") {
  Random parent(99);
  const std::vector<std::uint64_t> first = words_of(parent.fork(1), 1000);
  const std::vector<std::uint64_t> second = words_of(parent.fork(2), 1000);
  const std::vector<std::uint64_t> own = words_of(parent, 1000);
  CHECK(first != second);
  CHECK(first != own);
  CHECK(second != own);
  CHECK(std::count(first.begin(), first.end(), second.front()) == 0);
}

TEST_CASE("forking is deterministic and does not advance the parent") {
  Random parent(99);
  const std::vector<std::uint64_t> untouched = words_of(parent, 10);

  Random forked_parent(99);
  const std::vector<std::uint64_t> once = words_of(forked_parent.fork(3), 50);
  (void)forked_parent.fork(4);
  CHECK(words_of(forked_parent.fork(3), 50) == once);
  CHECK(words_of(forked_parent, 10) == untouched);

  // A fork depends on the parent's current state, not only on its seed.
  Random advanced(99);
  advanced.next_u64();
  CHECK(words_of(advanced.fork(3), 50) != once);
}

TEST_CASE("uniform draws stay in [0, 1) and uniform_positive in (0, 1]") {
  Random random(11);
  double low = 1.0;
  double high = 0.0;
  double positive_low = 1.0;
  double positive_high = 0.0;
  double sum = 0.0;
  for (int i = 0; i < kSamples; ++i) {
    const double u = random.uniform();
    low = std::min(low, u);
    high = std::max(high, u);
    sum += u;
    const double p = random.uniform_positive();
    positive_low = std::min(positive_low, p);
    positive_high = std::max(positive_high, p);
  }
  CHECK(low >= 0.0);
  CHECK(high < 1.0);
  CHECK(positive_low > 0.0);
  CHECK(positive_high <= 1.0);
  CHECK(sum / kSamples == doctest::Approx(0.5).epsilon(0.005));
}

TEST_CASE("exponential samples have mean and variance 1 / rate and 1 / rate^2") {
  const auto moments = moments_of(samples_of(3, [](Random& r) { return r.exponential(2.0); }));
  CHECK(moments.mean == doctest::Approx(0.5).epsilon(0.01));
  CHECK(moments.variance == doctest::Approx(0.25).epsilon(0.03));
}

TEST_CASE("normal samples have the requested mean and standard deviation") {
  const auto values = samples_of(4, [](Random& r) { return r.normal(3.0, 2.0); });
  const auto moments = moments_of(values);
  CHECK(moments.mean == doctest::Approx(3.0).epsilon(0.01));
  CHECK(moments.variance == doctest::Approx(4.0).epsilon(0.02));
  // About 68.3% within one standard deviation: a uniform or a triangle would miss this.
  const auto within =
      std::count_if(values.begin(), values.end(), [](double x) { return std::abs(x - 3.0) < 2.0; });
  CHECK(static_cast<double>(within) / kSamples == doctest::Approx(0.6827).epsilon(0.01));
}

TEST_CASE("gamma samples with cv 2 (shape below 1) have the requested mean and cv") {
  // Shape 1 / cv^2 = 0.25 and scale 4: mean 1, variance 4.
  const auto moments = moments_of(samples_of(5, [](Random& r) { return r.gamma(0.25, 4.0); }));
  CHECK(moments.mean == doctest::Approx(1.0).epsilon(0.02));
  CHECK(moments.variance == doctest::Approx(4.0).epsilon(0.06));
  CHECK(moments.cv == doctest::Approx(2.0).epsilon(0.03));
}

TEST_CASE("gamma samples with cv 0.5 have the requested mean and cv") {
  // Shape 4 and scale 0.25: mean 1, variance 0.25.
  const auto moments = moments_of(samples_of(6, [](Random& r) { return r.gamma(4.0, 0.25); }));
  CHECK(moments.mean == doctest::Approx(1.0).epsilon(0.01));
  CHECK(moments.variance == doctest::Approx(0.25).epsilon(0.02));
  CHECK(moments.cv == doctest::Approx(0.5).epsilon(0.01));
}

TEST_CASE("gamma samples with shape exactly 1 are exponential") {
  const auto moments = moments_of(samples_of(8, [](Random& r) { return r.gamma(1.0, 3.0); }));
  CHECK(moments.mean == doctest::Approx(3.0).epsilon(0.015));
  CHECK(moments.cv == doctest::Approx(1.0).epsilon(0.015));
}

}  // namespace
}  // namespace scoville::simulator
