// The --class-mix of `scoville bench`: parsing and the per-request draw.
#include "loadgen/class_mix.h"

#include <map>
#include <string>

#include <doctest/doctest.h>

namespace scoville::loadgen {
namespace {

std::string problem_with(const std::string& text) {
  const Result<ClassMix> mix = ClassMix::parse(text);
  REQUIRE_FALSE(mix.has_value());
  return mix.error().message;
}

std::map<std::string, int> draw_counts(const ClassMix& mix, int draws, std::uint64_t seed) {
  simulator::Random random(seed);
  std::map<std::string, int> counts;
  for (int i = 0; i < draws; ++i) ++counts[mix.sample(random)];
  return counts;
}

TEST_CASE("weights become shares that add up to one") {
  const Result<ClassMix> mix = ClassMix::parse("standard=2, efficient=1,low_latency=1");
  REQUIRE(mix.has_value());
  REQUIRE(mix->entries().size() == 3);
  CHECK(mix->entries()[0].name == "standard");
  CHECK(mix->entries()[0].share == doctest::Approx(0.5));
  CHECK(mix->entries()[1].share == doctest::Approx(0.25));
  CHECK(mix->entries()[2].name == "low_latency");
}

TEST_CASE("draws follow the shares") {
  const Result<ClassMix> mix = ClassMix::parse("standard=0.5,efficient=0.3,low_latency=0.2");
  REQUIRE(mix.has_value());
  constexpr int kDraws = 100'000;
  const std::map<std::string, int> counts = draw_counts(*mix, kDraws, 7);

  // Binomial standard deviations are at most 0.16% here; 1% is over six of them.
  CHECK(counts.at("standard") / double{kDraws} == doctest::Approx(0.5).epsilon(0.02));
  CHECK(counts.at("efficient") / double{kDraws} == doctest::Approx(0.3).epsilon(0.03));
  CHECK(counts.at("low_latency") / double{kDraws} == doctest::Approx(0.2).epsilon(0.05));
}

TEST_CASE("a class of weight zero is never drawn") {
  const Result<ClassMix> mix = ClassMix::parse("standard=1,efficient=0");
  REQUIRE(mix.has_value());
  const std::map<std::string, int> counts = draw_counts(*mix, 10'000, 3);
  CHECK(counts.size() == 1);
  CHECK(counts.count("efficient") == 0);
}

TEST_CASE("the same seed draws the same classes") {
  const Result<ClassMix> mix = ClassMix::parse("a=1,b=1,c=1");
  REQUIRE(mix.has_value());
  simulator::Random first(11);
  simulator::Random second(11);
  for (int i = 0; i < 100; ++i) CHECK(mix->sample(first) == mix->sample(second));
}

TEST_CASE("an empty mix draws no class and leaves the generator alone") {
  const ClassMix mix;
  simulator::Random used(5);
  simulator::Random untouched(5);
  CHECK(mix.sample(used).empty());
  CHECK(used.next_u64() == untouched.next_u64());
}

TEST_CASE("bad mixes are refused naming the entry") {
  CHECK(problem_with("standard").starts_with("expected CLASS=WEIGHT"));
  CHECK(problem_with("standard=0.5,").starts_with("expected CLASS=WEIGHT"));
  CHECK(problem_with("standard=x") == "standard: weight must be a number >= 0, got \"x\"");
  CHECK(problem_with("standard=-1").starts_with("standard: weight must be"));
  CHECK(problem_with("standard=inf").starts_with("standard: weight must be"));
  CHECK(problem_with("=1").starts_with("class \"\" must be a non-empty name"));
  CHECK(problem_with("low latency=1").starts_with("class \"low latency\""));
  CHECK(problem_with("a=1,a=2") == "class \"a\" is given twice");
  CHECK(problem_with("a=0,b=0") == "needs at least one weight > 0");
}

}  // namespace
}  // namespace scoville::loadgen
