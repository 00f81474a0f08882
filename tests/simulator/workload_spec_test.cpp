#include "simulator/workload_spec.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/simulator/workload_test_support.h"

namespace scoville::simulator {
namespace {

using testing::has_line;
using testing::workload_problems;

WorkloadSpec parsed(const std::string& text) {
  config::Issues issues;
  WorkloadSpec spec = parse_workload_spec(nlohmann::json::parse(text), "workload", issues);
  CHECK_MESSAGE(issues.empty(), issues.to_string());
  return spec;
}

TEST_CASE("a full synthetic workload is read into its spec") {
  const WorkloadSpec spec = parsed(R"({
    "mode": "online",
    "requests": 5000,
    "duration_seconds": 3600,
    "arrival": {"process": "gamma", "rate_per_second": 12.5, "cv": 2,
                "diurnal": {"amplitude": 0.4, "period_seconds": 600, "phase_seconds": 30}},
    "input_tokens": {"distribution": "lognormal", "mean": 1200, "sigma": 0.8, "max": 8000},
    "output_tokens": {"distribution": "empirical", "values": [[100, 2], [400, 1]]},
    "class_mix": {"standard": 0.7, "low_latency": 0.3},
    "prefix_groups": [{"share": 0.25, "prefix_tokens": 800, "groups": 4}]
  })");
  CHECK(!spec.offline);
  CHECK(spec.requests == 5000);
  CHECK(spec.duration_seconds == 3600.0);
  CHECK(spec.arrival.kind == ArrivalSpec::Kind::kGamma);
  CHECK(spec.arrival.rate_per_second == 12.5);
  CHECK(spec.arrival.cv == 2.0);
  REQUIRE(spec.arrival.diurnal.has_value());
  CHECK(spec.arrival.diurnal->amplitude == 0.4);
  CHECK(spec.arrival.diurnal->period_seconds == 600.0);
  CHECK(spec.arrival.diurnal->phase_seconds == 30.0);
  CHECK(spec.input_tokens.kind == LengthDistribution::Kind::kLognormal);
  CHECK(spec.input_tokens.mean_tokens == 1200.0);
  CHECK(spec.input_tokens.sigma == 0.8);
  CHECK(spec.input_tokens.min_tokens == 1.0);
  CHECK(spec.input_tokens.max_tokens == 8000.0);
  CHECK(spec.output_tokens.kind == LengthDistribution::Kind::kEmpirical);
  CHECK(spec.output_tokens.empirical.size() == 2);
  REQUIRE(spec.class_mix.size() == 2);
  CHECK(spec.class_mix[0] == std::pair<std::string, double>("low_latency", 0.3));
  REQUIRE(spec.prefix_groups.size() == 1);
  CHECK(spec.prefix_groups[0].prefix_tokens == 800);
  CHECK(spec.prefix_groups[0].groups == 4);
  CHECK(!spec.trace_path.has_value());
}

TEST_CASE("a bare number is a fixed length and every distribution has its object form") {
  const WorkloadSpec spec = parsed(R"({"mode": "offline", "requests": 10, "input_tokens": 1000,
    "output_tokens": {"distribution": "zipf", "exponent": 1.2, "min": 1, "max": 4096}})");
  CHECK(spec.offline);
  CHECK(spec.input_tokens.kind == LengthDistribution::Kind::kFixed);
  CHECK(spec.input_tokens.fixed_tokens == 1000.0);
  CHECK(spec.output_tokens.kind == LengthDistribution::Kind::kZipf);
  CHECK(spec.output_tokens.zipf_exponent == 1.2);
  CHECK(spec.output_tokens.max_tokens == 4096.0);
  CHECK(parsed(R"({"mode": "offline", "requests": 1, "input_tokens": {"distribution": "fixed",
    "tokens": 7}, "output_tokens": {"distribution": "uniform", "min": 2, "max": 9}})")
            .output_tokens.max_tokens == 9.0);
}

TEST_CASE("a trace workload needs no stop condition") {
  const WorkloadSpec spec =
      parsed(R"({"trace": "traces/chat.csv", "class_mix": {"efficient": 1}})");
  CHECK(spec.trace_path == "traces/chat.csv");
}

TEST_CASE("a zero rate is reported with its JSON path") {
  CHECK(has_line(workload_problems(R"({"requests": 10, "input_tokens": 1, "output_tokens": 1,
    "arrival": {"rate_per_second": 0}})"),
                 "workload.arrival.rate_per_second: must be > 0, got 0"));
}

TEST_CASE("unknown keys are rejected at every level with a suggestion") {
  const auto lines = workload_problems(R"({"requests": 10, "output_tokens": 1, "input_token": 5,
    "arrival": {"rate_per_second": 1, "proces": "gamma",
                "diurnal": {"amplitude": 0.5, "period": 10}},
    "prefix_groups": [{"share": 0.1, "prefix_tokens": 5, "group": 2}]})");
  CHECK(has_line(lines, "workload.input_token: unknown key (did you mean \"input_tokens\"?)"));
  CHECK(has_line(lines, "workload.arrival.proces: unknown key (did you mean \"process\"?)"));
  CHECK(has_line(lines, "workload.arrival.diurnal.period: unknown key"));
  CHECK(has_line(lines, "workload.prefix_groups[0].group: unknown key (did you mean \"groups\"?)"));
  CHECK(has_line(lines, "workload.input_tokens: is required (or give a trace)"));
}

TEST_CASE("an online workload needs an arrival process and a stop condition") {
  const auto lines = workload_problems(R"({"input_tokens": 1, "output_tokens": 1})");
  CHECK(has_line(lines, "workload.arrival: is required for an online workload (or give a trace)"));
  CHECK(has_line(lines, "workload: must give requests, duration_seconds or both"));
  CHECK(lines.size() == 2);
}

TEST_CASE("an offline workload needs a count and takes no arrival or duration") {
  const auto lines = workload_problems(R"({"mode": "offline", "input_tokens": 1,
    "output_tokens": 1, "duration_seconds": 5, "arrival": {"rate_per_second": 1}})");
  CHECK(has_line(lines,
                 "workload.arrival: does not apply offline, where every request arrives at t = 0"));
  CHECK(has_line(lines,
                 "workload.duration_seconds: does not apply offline, where every request "
                 "arrives at t = 0"));
  CHECK(has_line(lines, "workload.requests: is required offline (or give a trace)"));
}

TEST_CASE("a trace cannot be combined with arrivals or lengths") {
  const auto lines = workload_problems(R"({"trace": "t.csv", "arrival": {"rate_per_second": 1},
    "input_tokens": 5})");
  CHECK(has_line(lines,
                 "workload.arrival: cannot be combined with a trace, which gives arrival "
                 "times and token counts"));
  CHECK(has_line(lines,
                 "workload.input_tokens: cannot be combined with a trace, which gives "
                 "arrival times and token counts"));
  CHECK(lines.size() == 2);
}

TEST_CASE("field values are checked against their ranges and types") {
  const auto lines = workload_problems(R"({"mode": "batch", "requests": 2.5,
    "duration_seconds": -1, "input_tokens": 0, "output_tokens": "long", "trace": "",
    "arrival": {"process": "poisson", "rate_per_second": 1, "cv": 2,
                "diurnal": {"amplitude": 1.5}}})");
  CHECK(has_line(lines, "workload.mode: unknown value \"batch\"; expected one of online, offline"));
  CHECK(has_line(lines, "workload.requests: must be an integer >= 1, got 2.5"));
  CHECK(has_line(lines, "workload.duration_seconds: must be > 0, got -1"));
  CHECK(has_line(lines, "workload.input_tokens: must be >= 1, got 0"));
  CHECK(has_line(lines,
                 "workload.output_tokens: must be a token count or an object with a "
                 "\"distribution\", got a string"));
  CHECK(has_line(lines, "workload.trace: must name a .csv, .jsonl or .json file"));
  CHECK(has_line(lines,
                 "workload.arrival.cv: applies to the gamma process only; add "
                 "\"process\": \"gamma\""));
  CHECK(has_line(lines,
                 "workload.arrival.diurnal.amplitude: must be a number between 0 and 1, "
                 "got 1.5"));
}

TEST_CASE("a gamma process needs its cv") {
  CHECK(has_line(workload_problems(R"({"requests": 1, "input_tokens": 1, "output_tokens": 1,
    "arrival": {"process": "gamma", "rate_per_second": 1}})"),
                 "workload.arrival.cv: is required"));
}

TEST_CASE("length objects are checked for their distribution's keys and ranges") {
  const auto lines = workload_problems(R"({"mode": "offline", "requests": 1,
    "input_tokens": {"distribution": "lognorm", "mean": 5},
    "output_tokens": {"distribution": "uniform", "min": 50, "max": 10, "mean": 3}})");
  CHECK(has_line(lines,
                 "workload.input_tokens.distribution: unknown value \"lognorm\" (did you "
                 "mean \"lognormal\"?); expected one of fixed, uniform, lognormal, zipf, "
                 "empirical"));
  CHECK(has_line(lines,
                 "workload.output_tokens.mean: does not apply to a uniform distribution "
                 "(it takes min, max)"));

  const auto ranges = workload_problems(R"({"mode": "offline", "requests": 1,
    "input_tokens": {"distribution": "uniform", "min": 50, "max": 10},
    "output_tokens": {"distribution": "lognormal", "mean": 100, "sigma": -1, "mxa": 4}})");
  CHECK(has_line(ranges, "workload.input_tokens.max: must be >= min (50), got 10"));
  CHECK(has_line(ranges, "workload.output_tokens.mxa: unknown key (did you mean \"max\"?)"));

  const auto sigma = workload_problems(R"({"mode": "offline", "requests": 1, "input_tokens": 1,
    "output_tokens": {"distribution": "lognormal", "mean": 100, "sigma": -1}})");
  CHECK(has_line(sigma, "workload.output_tokens.sigma: must be >= 0, got -1"));

  const auto missing = workload_problems(R"({"mode": "offline", "requests": 1,
    "input_tokens": {"distribution": "zipf", "min": 1, "max": 10},
    "output_tokens": {"mean": 4}})");
  CHECK(has_line(missing, "workload.input_tokens.exponent: is required"));
  CHECK(has_line(missing, "workload.output_tokens.distribution: is required"));
}

TEST_CASE("empirical values are pairs of a token count and a weight") {
  const auto lines = workload_problems(R"({"mode": "offline", "requests": 1, "input_tokens": 1,
    "output_tokens": {"distribution": "empirical", "values": [[10, 1], [0, 2], [5], "x"]}})");
  CHECK(has_line(lines, "workload.output_tokens.values[1]: tokens must be >= 1, got 0"));
  CHECK(has_line(lines, "workload.output_tokens.values[2]: must be [tokens, weight], got [5]"));
  CHECK(has_line(lines, "workload.output_tokens.values[3]: must be [tokens, weight], got \"x\""));

  const auto weights = workload_problems(R"({"mode": "offline", "requests": 1, "input_tokens": 1,
    "output_tokens": {"distribution": "empirical", "values": [[10, 0], [20, -1]]}})");
  CHECK(has_line(weights, "workload.output_tokens.values[1]: weight must be >= 0, got -1"));
}

TEST_CASE("the class mix needs non-negative weights and one above zero") {
  const auto lines = workload_problems(R"({"trace": "t.csv", "class_mix": {"standard": -1}})");
  CHECK(has_line(lines, "workload.class_mix.standard: must be >= 0, got -1"));
  CHECK(has_line(workload_problems(R"({"trace": "t.csv", "class_mix": {"standard": 0}})"),
                 "workload.class_mix: needs at least one class with a weight > 0"));
  CHECK(has_line(workload_problems(R"({"trace": "t.csv", "class_mix": {}})"),
                 "workload.class_mix: needs at least one class with a weight > 0"));
  CHECK(has_line(workload_problems(R"({"trace": "t.csv", "class_mix": ["standard"]})"),
                 "workload.class_mix: must be an object of class weights, such as "
                 "{\"standard\": 0.7, \"low_latency\": 0.3}, got an array"));
}

TEST_CASE("prefix group shares may not sum above 1") {
  const auto lines = workload_problems(R"({"trace": "t.csv", "prefix_groups": [
    {"share": 0.6, "prefix_tokens": 10}, {"share": 0.5, "prefix_tokens": 10},
    {"share": 1.5, "prefix_tokens": 0, "groups": 0}]})");
  CHECK(has_line(lines, "workload.prefix_groups: shares sum to 1.1, must be <= 1"));
  CHECK(has_line(lines,
                 "workload.prefix_groups[2].share: must be a number between 0 and 1, got 1.5"));
  CHECK(has_line(lines,
                 "workload.prefix_groups[2].prefix_tokens: must be an integer between 1 "
                 "and 1000000000, got 0"));
  CHECK(has_line(lines,
                 "workload.prefix_groups[2].groups: must be an integer between 1 and "
                 "1000000000, got 0"));
}

TEST_CASE("a workload that is not an object says so") {
  CHECK(has_line(workload_problems("[]"), "workload: must be an object, got an array"));
}

}  // namespace
}  // namespace scoville::simulator
