#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <vector>

#include "simulator/length_distribution.h"
#include "simulator/workload_spec.h"
#include "tests/simulator/workload_test_support.h"

namespace scoville::simulator {
namespace {

using testing::generate;
using testing::source_error;

LengthDistribution fixed(double tokens) {
  return LengthDistribution{.kind = LengthDistribution::Kind::kFixed, .fixed_tokens = tokens};
}

LengthDistribution uniform(double low, double high) {
  return LengthDistribution{
      .kind = LengthDistribution::Kind::kUniform, .min_tokens = low, .max_tokens = high};
}

WorkloadSpec online(double rate_per_second, std::int64_t requests) {
  WorkloadSpec spec;
  spec.arrival.rate_per_second = rate_per_second;
  spec.requests = requests;
  spec.input_tokens = uniform(100, 2000);
  spec.output_tokens = uniform(10, 500);
  return spec;
}

double share_of(const std::vector<WorkloadRequest>& requests, auto predicate) {
  return static_cast<double>(std::count_if(requests.begin(), requests.end(), predicate)) /
         static_cast<double>(requests.size());
}

bool same_requests(const std::vector<WorkloadRequest>& a, const std::vector<WorkloadRequest>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const WorkloadRequest& x, const WorkloadRequest& y) {
                      return x.arrival_seconds == y.arrival_seconds &&
                             x.input_tokens == y.input_tokens &&
                             x.output_tokens == y.output_tokens && x.class_index == y.class_index &&
                             x.prefix_group == y.prefix_group && x.prefix_tokens == y.prefix_tokens;
                    });
}

TEST_CASE("an offline workload puts exactly N requests at t = 0") {
  WorkloadSpec spec;
  spec.offline = true;
  spec.requests = 2000;
  spec.input_tokens = fixed(1000);
  spec.output_tokens = fixed(1000);
  const auto requests = generate(spec);
  CHECK(requests.size() == 2000);
  CHECK(std::all_of(requests.begin(), requests.end(), [](const WorkloadRequest& r) {
    return r.arrival_seconds == 0.0 && r.input_tokens == 1000 && r.output_tokens == 1000 &&
           r.class_index == 0 && r.prefix_group == -1;
  }));
}

TEST_CASE("an online workload stops after its request count") {
  const auto requests = generate(online(100.0, 5000));
  CHECK(requests.size() == 5000);
  CHECK(std::is_sorted(requests.begin(), requests.end(),
                       [](const WorkloadRequest& a, const WorkloadRequest& b) {
                         return a.arrival_seconds < b.arrival_seconds;
                       }));
  CHECK(requests.back().arrival_seconds == doctest::Approx(50.0).epsilon(0.05));
}

TEST_CASE("an online workload stops at its duration") {
  WorkloadSpec spec = online(20.0, 1);
  spec.requests.reset();
  spec.duration_seconds = 500.0;
  const auto requests = generate(spec);
  // 10000 expected, standard deviation 100.
  CHECK(static_cast<double>(requests.size()) == doctest::Approx(10000.0).epsilon(0.04));
  CHECK(requests.back().arrival_seconds <= 500.0);
  CHECK(requests.back().arrival_seconds > 499.0);
}

TEST_CASE("with both a count and a duration the workload stops at whichever comes first") {
  WorkloadSpec spec = online(20.0, 100);
  spec.duration_seconds = 500.0;
  CHECK(generate(spec).size() == 100);
  spec.requests = 1'000'000;
  spec.duration_seconds = 10.0;
  CHECK(generate(spec).size() < 400);
}

TEST_CASE("an exhausted source keeps returning nothing") {
  Result<std::unique_ptr<RequestSource>> source =
      make_request_source(online(10.0, 3), testing::test_classes(), 1);
  REQUIRE(source.has_value());
  CHECK(testing::drain(**source).size() == 3);
  CHECK(!(*source)->next().has_value());
  CHECK(!(*source)->next().has_value());
}

TEST_CASE("request classes follow the class mix") {
  WorkloadSpec spec = online(100.0, 100000);
  spec.class_mix = {{"standard", 0.7}, {"low_latency", 0.3}};
  const auto requests = generate(spec);
  CHECK(share_of(requests, [](const auto& r) { return r.class_index == 0; }) ==
        doctest::Approx(0.7).epsilon(0.01));
  CHECK(share_of(requests, [](const auto& r) { return r.class_index == 2; }) ==
        doctest::Approx(0.3).epsilon(0.02));
  CHECK(share_of(requests, [](const auto& r) { return r.class_index == 1; }) == 0.0);
}

TEST_CASE("an unknown class in the mix is an error with a suggestion") {
  WorkloadSpec spec = online(10.0, 10);
  spec.class_mix = {{"low_latncy", 1.0}};
  CHECK(source_error(spec) ==
        "class_mix: unknown compute class \"low_latncy\" (did you mean \"low_latency\"?); the "
        "simulation has standard, efficient, low_latency");
}

TEST_CASE("prefix groups take their share of requests and number their groups apart") {
  WorkloadSpec spec = online(100.0, 100000);
  spec.input_tokens = fixed(2000);
  spec.prefix_groups = {{.share = 0.3, .prefix_tokens = 500, .groups = 8},
                        {.share = 0.2, .prefix_tokens = 1000, .groups = 2}};
  const auto requests = generate(spec);

  CHECK(share_of(requests, [](const auto& r) { return r.prefix_group >= 0; }) ==
        doctest::Approx(0.5).epsilon(0.02));
  CHECK(share_of(requests, [](const auto& r) {
          return r.prefix_group >= 0 && r.prefix_group < 8;
        }) == doctest::Approx(0.3).epsilon(0.03));
  std::set<std::int32_t> groups;
  for (const WorkloadRequest& request : requests) {
    if (request.prefix_group < 0) {
      CHECK(request.prefix_tokens == 0);
      continue;
    }
    groups.insert(request.prefix_group);
    CHECK(request.prefix_tokens == (request.prefix_group < 8 ? 500 : 1000));
  }
  CHECK(groups == std::set<std::int32_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
}

TEST_CASE("a prefix longer than the prompt is clamped to leave one token of its own") {
  WorkloadSpec spec = online(100.0, 1000);
  spec.input_tokens = uniform(1, 300);
  spec.prefix_groups = {{.share = 1.0, .prefix_tokens = 200, .groups = 1}};
  for (const WorkloadRequest& request : generate(spec)) {
    if (request.input_tokens == 1) {
      CHECK(request.prefix_group == -1);
      continue;
    }
    CHECK(request.prefix_group == 0);
    CHECK(request.prefix_tokens == std::min(200, request.input_tokens - 1));
  }
}

TEST_CASE("the same seed gives the same workload and another seed a different one") {
  WorkloadSpec spec = online(50.0, 2000);
  spec.arrival.kind = ArrivalSpec::Kind::kGamma;
  spec.arrival.cv = 2.0;
  spec.class_mix = {{"standard", 1.0}, {"efficient", 1.0}};
  spec.prefix_groups = {{.share = 0.5, .prefix_tokens = 50, .groups = 4}};
  CHECK(same_requests(generate(spec, 11), generate(spec, 11)));
  CHECK(!same_requests(generate(spec, 11), generate(spec, 12)));
}

TEST_CASE("changing one part of a workload leaves the others' draws unchanged") {
  WorkloadSpec spec = online(50.0, 2000);
  const auto before = generate(spec);
  spec.output_tokens = LengthDistribution{
      .kind = LengthDistribution::Kind::kLognormal, .mean_tokens = 300.0, .sigma = 1.0};
  const auto after = generate(spec);
  REQUIRE(before.size() == after.size());
  bool outputs_differ = false;
  for (std::size_t i = 0; i < before.size(); ++i) {
    CHECK(before[i].arrival_seconds == after[i].arrival_seconds);
    CHECK(before[i].input_tokens == after[i].input_tokens);
    outputs_differ = outputs_differ || before[i].output_tokens != after[i].output_tokens;
  }
  CHECK(outputs_differ);
}

TEST_CASE("a code-built spec that cannot run is an error, not a hang") {
  CHECK(source_error(online(0.0, 10)) == "arrival.rate_per_second: must be > 0, got 0");
  WorkloadSpec endless = online(10.0, 10);
  endless.requests.reset();
  CHECK(source_error(endless) == "an online workload needs requests, duration_seconds or both");
  WorkloadSpec offline = online(10.0, 10);
  offline.offline = true;
  offline.requests.reset();
  CHECK(source_error(offline) == "requests: is required offline");
  WorkloadSpec bursty = online(10.0, 10);
  bursty.arrival.kind = ArrivalSpec::Kind::kGamma;
  bursty.arrival.cv = 0.0;
  CHECK(source_error(bursty) == "arrival.cv: must be > 0, got 0");
  WorkloadSpec lengths = online(10.0, 10);
  lengths.input_tokens = uniform(300, 100);
  CHECK(source_error(lengths) == "input_tokens: uniform: max must be >= min (300), got 100");
  WorkloadSpec mix = online(10.0, 10);
  mix.class_mix = {{"standard", 0.0}};
  CHECK(source_error(mix) == "class_mix: needs at least one weight > 0");
  WorkloadSpec shares = online(10.0, 10);
  shares.prefix_groups = {{.share = 0.7, .prefix_tokens = 5}, {.share = 0.6, .prefix_tokens = 5}};
  CHECK(source_error(shares) == "prefix_groups: shares sum to 1.3, must be <= 1");
}

}  // namespace
}  // namespace scoville::simulator
