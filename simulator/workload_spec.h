#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/issues.h"
#include "config/result.h"
#include "simulator/random.h"
#include "simulator/workload_request.h"

namespace scoville::simulator {

// A distribution of token counts (prompt or output lengths).
struct LengthDistribution {
  enum class Kind { kFixed, kUniform, kLognormal, kZipf, kEmpirical };

  Kind kind = Kind::kFixed;
  double fixed_tokens = 0.0;  // kFixed
  double min_tokens = 1.0;    // kUniform bounds; for the others, samples are clamped to them
  double max_tokens = 1e9;
  double mean_tokens = 0.0;    // kLognormal: the distribution's mean (not its median)
  double sigma = 0.0;          // kLognormal: standard deviation of the underlying normal
  double zipf_exponent = 1.0;  // kZipf over the integers [min_tokens, max_tokens]
  std::vector<std::pair<std::int32_t, double>> empirical;  // kEmpirical: (tokens, weight)

  // A sample, at least 1 token, clamped to [min_tokens, max_tokens].
  std::int32_t sample(Random& random) const;
  // The expected value (before clamping for kLognormal).
  double expected_tokens() const;
};

// When requests arrive.
struct ArrivalSpec {
  enum class Kind { kPoisson, kGamma };

  Kind kind = Kind::kPoisson;
  double rate_per_second = 0.0;  // mean rate
  double cv = 1.0;  // kGamma: coefficient of variation of inter-arrival times (burstiness)

  // A daily (or any period) swing of the rate: rate(t) = rate x (1 + amplitude x
  // sin(2 pi (t - phase) / period)).
  struct Diurnal {
    double amplitude = 0.0;  // 0..1
    double period_seconds = 86400.0;
    double phase_seconds = 0.0;
  };
  std::optional<Diurnal> diurnal;
};

// A share of requests whose prompts start with one of `groups` shared prefixes.
struct PrefixGroupSpec {
  double share = 0.0;              // of all requests, 0..1
  std::int32_t prefix_tokens = 0;  // shared tokens at the start of the prompt
  std::int32_t groups = 1;         // distinct prefixes, chosen uniformly
};

// A workload: synthetic (arrivals, lengths, class mix, shared prefixes) or a trace file.
struct WorkloadSpec {
  bool offline = false;  // every request arrives at t = 0, as throughput benchmarks do
  ArrivalSpec arrival;
  std::optional<std::int64_t> requests;    // stop after this many requests...
  std::optional<double> duration_seconds;  // ...or after this much simulated time of arrivals
  LengthDistribution input_tokens;
  LengthDistribution output_tokens;
  std::vector<std::pair<std::string, double>> class_mix;  // class name and weight
  std::vector<PrefixGroupSpec> prefix_groups;
  std::optional<std::string> trace_path;  // CSV or JSONL; replaces the synthetic parts
};

// Parses a command-line length: "1000", "uniform:100:2000", "lognormal:MEAN:SIGMA",
// "zipf:EXPONENT:MIN:MAX" or "empirical:FILE" (a CSV of tokens,weight lines).
Result<LengthDistribution> parse_length_distribution(std::string_view text);

// Reads the "workload" object of a simulation file at `path`; problems go to `issues`.
WorkloadSpec parse_workload_spec(const nlohmann::json& value, const std::string& path,
                                 config::Issues& issues);

// A source of the workload's requests. `class_names` maps class_mix and trace class names to
// the indices requests carry; an unknown name is an error naming it.
Result<std::unique_ptr<RequestSource>> make_request_source(
    const WorkloadSpec& spec, const std::vector<std::string>& class_names, std::uint64_t seed);

}  // namespace scoville::simulator
