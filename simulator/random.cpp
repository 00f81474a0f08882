#include "simulator/random.h"

#include <bit>
#include <cassert>
#include <cmath>
#include <numbers>

namespace scoville::simulator {
namespace {

constexpr std::uint64_t kGoldenGamma = 0x9e3779b97f4a7c15ULL;

// One step of splitmix64: advances `state` and returns a well-mixed output. Its outputs are all
// distinct over a period of 2^64, so four consecutive ones are never all zero, which is the one
// state xoshiro256** must not start from.
std::uint64_t splitmix64(std::uint64_t& state) {
  state += kGoldenGamma;
  std::uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// 2^-53: maps the top 53 bits of a word onto the doubles of [0, 1) with equal spacing.
constexpr double kUnitPerUlp = 1.0 / 9007199254740992.0;

}  // namespace

Random::Random(std::uint64_t seed) {
  std::uint64_t mixer = seed;
  for (std::uint64_t& word : state_) {
    word = splitmix64(mixer);
  }
}

std::uint64_t Random::next_u64() {
  const std::uint64_t result = std::rotl(state_[1] * 5, 7) * 9;
  const std::uint64_t shifted = state_[1] << 17;

  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= shifted;
  state_[3] = std::rotl(state_[3], 45);
  return result;
}

double Random::uniform() { return static_cast<double>(next_u64() >> 11) * kUnitPerUlp; }

double Random::uniform_positive() {
  return static_cast<double>((next_u64() >> 11) + 1) * kUnitPerUlp;
}

double Random::exponential(double rate) {
  assert(rate > 0.0);
  return -std::log(uniform_positive()) / rate;
}

// Box-Muller, keeping only the cosine branch: caching the sine branch would make a copy or a
// fork depend on whether an odd number of normals had been drawn, for a saving nobody needs.
double Random::normal(double mean, double stddev) {
  const double radius = std::sqrt(-2.0 * std::log(uniform_positive()));
  const double angle = 2.0 * std::numbers::pi * uniform();
  return mean + stddev * radius * std::cos(angle);
}

double Random::gamma(double shape, double scale) {
  assert(shape > 0.0 && scale > 0.0);

  // Marsaglia and Tsang need shape >= 1; for a smaller shape, a Gamma(shape + 1) sample times
  // U^(1/shape) has the Gamma(shape) distribution.
  if (shape < 1.0) {
    const double boost = std::pow(uniform_positive(), 1.0 / shape);
    return gamma(shape + 1.0, scale) * boost;
  }

  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  while (true) {
    const double x = normal(0.0, 1.0);
    double v = 1.0 + c * x;
    if (v <= 0.0) {
      continue;
    }
    v = v * v * v;

    const double u = uniform_positive();
    const double x_squared = x * x;
    // The squeeze accepts most candidates without a logarithm.
    if (u < 1.0 - 0.0331 * x_squared * x_squared ||
        std::log(u) < 0.5 * x_squared + d * (1.0 - v + std::log(v))) {
      return d * v * scale;
    }
  }
}

// The child's seed hashes the parent's whole state together with the stream id, so forking
// does not advance the parent: fork(3) gives the same child however many other streams were
// forked first, and adding a stream never shifts the numbers of the others. Each absorbing step
// is a bijection of the running digest, so two stream ids never give the same child.
Random Random::fork(std::uint64_t stream) {
  std::uint64_t digest = stream;
  for (const std::uint64_t word : state_) {
    std::uint64_t absorbed = digest ^ word;
    digest = splitmix64(absorbed);
  }
  return Random(digest);
}

}  // namespace scoville::simulator
