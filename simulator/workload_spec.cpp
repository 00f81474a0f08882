#include "simulator/workload_spec.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "config/bounds.h"
#include "config/object_reader.h"
#include "simulator/length_distribution.h"
#include "simulator/request_mix.h"
#include "simulator/synthetic_workload.h"
#include "simulator/trace_workload.h"

namespace scoville::simulator {
namespace {

using config::Bounds;
using config::format_number;
using config::ObjectReader;

ArrivalSpec::Diurnal parse_diurnal(const nlohmann::json& value, const std::string& path,
                                   config::Issues& issues) {
  ArrivalSpec::Diurnal diurnal;
  ObjectReader reader(value, path, issues);
  diurnal.amplitude = reader.required_number("amplitude", Bounds::share());
  diurnal.period_seconds =
      reader.number_or("period_seconds", Bounds::positive(), diurnal.period_seconds);
  diurnal.phase_seconds = reader.number_or("phase_seconds", Bounds::any(), 0.0);
  reader.reject_unknown_keys();
  return diurnal;
}

ArrivalSpec parse_arrival(const nlohmann::json& value, const std::string& path,
                          config::Issues& issues) {
  ArrivalSpec arrival;
  ObjectReader reader(value, path, issues);
  if (!reader.is_object()) {
    return arrival;
  }

  const std::optional<std::string> process =
      reader.optional_choice("process", {"poisson", "gamma"});
  arrival.kind = process == "gamma" ? ArrivalSpec::Kind::kGamma : ArrivalSpec::Kind::kPoisson;
  arrival.rate_per_second = reader.required_number("rate_per_second", Bounds::positive());
  if (arrival.kind == ArrivalSpec::Kind::kGamma) {
    arrival.cv = reader.required_number("cv", Bounds::positive());
  } else if (reader.has("cv")) {
    reader.accept("cv");
    if (!reader.has("process") || process) {
      reader.add_issue("cv", "applies to the gamma process only; add \"process\": \"gamma\"");
    }
  }
  if (const nlohmann::json* diurnal = reader.optional_child("diurnal")) {
    arrival.diurnal = parse_diurnal(*diurnal, reader.path_of("diurnal"), issues);
  }
  reader.reject_unknown_keys();
  return arrival;
}

std::vector<std::pair<std::string, double>> parse_class_mix(const nlohmann::json& value,
                                                            const std::string& path,
                                                            config::Issues& issues) {
  std::vector<std::pair<std::string, double>> mix;
  if (!value.is_object()) {
    issues.add(path,
               "must be an object of class weights, such as {\"standard\": 0.7, "
               "\"low_latency\": 0.3}, got " +
                   config::describe_type(value));
    return mix;
  }
  bool any_positive = false;
  bool all_valid = true;
  for (const auto& [name, weight] : value.items()) {
    const std::optional<double> read =
        config::read_number(weight, config::join_path(path, name), Bounds::non_negative(), issues);
    all_valid = all_valid && read.has_value();
    if (read) {
      mix.emplace_back(name, *read);
      any_positive = any_positive || *read > 0.0;
    }
  }
  if (all_valid && !any_positive) {
    issues.add(path, "needs at least one class with a weight > 0");
  }
  return mix;
}

PrefixGroupSpec parse_prefix_group(const nlohmann::json& value, const std::string& path,
                                   config::Issues& issues) {
  PrefixGroupSpec group;
  ObjectReader reader(value, path, issues);
  const Bounds count{.min = 1.0, .max = kMaxTokensPerRequest, .integer = true};
  group.share = reader.required_number("share", Bounds::share());
  group.prefix_tokens = static_cast<std::int32_t>(reader.required_number("prefix_tokens", count));
  group.groups = static_cast<std::int32_t>(reader.number_or("groups", count, 1.0));
  reader.reject_unknown_keys();
  return group;
}

// The rules of a spec built in code (the command line, tests), which did not pass through
// parse_workload_spec. Paths are relative to the workload object.
Result<void> check_workload_spec(const WorkloadSpec& spec) {
  auto fail = [](std::string_view field, std::string problem) {
    return make_error(fmt::format("{}: {}", field, problem));
  };
  if (spec.requests && *spec.requests < 1) {
    return fail("requests", "must be >= 1, got " + std::to_string(*spec.requests));
  }
  if (spec.duration_seconds &&
      !(std::isfinite(*spec.duration_seconds) && *spec.duration_seconds > 0.0)) {
    return fail("duration_seconds", "must be > 0, got " + format_number(*spec.duration_seconds));
  }
  if (spec.offline && spec.duration_seconds) {
    return fail("duration_seconds", "does not apply offline, where every request arrives at t = 0");
  }
  if (spec.trace_path) {
    return {};
  }
  if (spec.offline && !spec.requests) {
    return fail("requests", "is required offline");
  }
  if (!spec.offline && !spec.requests && !spec.duration_seconds) {
    return make_error("an online workload needs requests, duration_seconds or both");
  }

  if (!spec.offline) {
    const ArrivalSpec& arrival = spec.arrival;
    if (!(std::isfinite(arrival.rate_per_second) && arrival.rate_per_second > 0.0)) {
      return fail("arrival.rate_per_second",
                  "must be > 0, got " + format_number(arrival.rate_per_second));
    }
    if (arrival.kind == ArrivalSpec::Kind::kGamma &&
        !(std::isfinite(arrival.cv) && arrival.cv > 0.0)) {
      return fail("arrival.cv", "must be > 0, got " + format_number(arrival.cv));
    }
    if (arrival.diurnal) {
      const ArrivalSpec::Diurnal& diurnal = *arrival.diurnal;
      if (!Bounds::share().contains(diurnal.amplitude)) {
        return fail("arrival.diurnal.amplitude",
                    "must be between 0 and 1, got " + format_number(diurnal.amplitude));
      }
      if (!Bounds::positive().contains(diurnal.period_seconds)) {
        return fail("arrival.diurnal.period_seconds",
                    "must be > 0, got " + format_number(diurnal.period_seconds));
      }
      if (!std::isfinite(diurnal.phase_seconds)) {
        return fail("arrival.diurnal.phase_seconds", "must be a finite number");
      }
    }
  }

  if (Result<void> valid = check_length_distribution(spec.input_tokens); !valid) {
    return fail("input_tokens", valid.error().message);
  }
  if (Result<void> valid = check_length_distribution(spec.output_tokens); !valid) {
    return fail("output_tokens", valid.error().message);
  }
  return {};
}

}  // namespace

// The "workload" object:
//   "mode": "online" (default) | "offline"       offline: every request at t = 0
//   "requests": N, "duration_seconds": S          online: at least one; offline: requests only
//   "arrival": {"process": "poisson" (default) | "gamma", "rate_per_second": R, "cv": C,
//               "diurnal": {"amplitude": 0..1, "period_seconds": P (86400), "phase_seconds": F
//               (0)}}
//   "input_tokens", "output_tokens": a token count, or {"distribution": "fixed", "tokens"} |
//       {"uniform", "min", "max"} | {"lognormal", "mean", "sigma", optional "min", "max"} |
//       {"zipf", "exponent", "min", "max"} | {"empirical", "values": [[tokens, weight], ...],
//       optional "min", "max"}
//   "class_mix": {"standard": 0.7, "low_latency": 0.3}   default {"standard": 1}
//   "prefix_groups": [{"share": 0..1, "prefix_tokens": T, "groups": G (default 1)}]
//   "trace": "file.csv" | "file.jsonl" | "file.json"  replaces arrival and the lengths
WorkloadSpec parse_workload_spec(const nlohmann::json& value, const std::string& path,
                                 config::Issues& issues) {
  WorkloadSpec spec;
  ObjectReader reader(value, path, issues);
  if (!reader.is_object()) {
    return spec;
  }

  spec.offline = reader.optional_choice("mode", {"online", "offline"}) == "offline";
  if (const std::optional<double> requests =
          reader.optional_number("requests", Bounds::positive_integer())) {
    spec.requests = static_cast<std::int64_t>(std::min(*requests, 9e18));
  }
  spec.duration_seconds = reader.optional_number("duration_seconds", Bounds::positive());
  spec.trace_path = reader.optional_string("trace");
  if (spec.trace_path && spec.trace_path->empty()) {
    reader.add_issue("trace", "must name a .csv, .jsonl or .json file");
  }
  if (const nlohmann::json* arrival = reader.optional_child("arrival")) {
    spec.arrival = parse_arrival(*arrival, reader.path_of("arrival"), issues);
  }
  for (const auto& [key, field] : {std::pair{"input_tokens", &spec.input_tokens},
                                   std::pair{"output_tokens", &spec.output_tokens}}) {
    if (const nlohmann::json* length = reader.optional_child(key)) {
      *field = parse_length_json(*length, reader.path_of(key), issues);
    }
  }
  if (const nlohmann::json* mix = reader.optional_child("class_mix")) {
    spec.class_mix = parse_class_mix(*mix, reader.path_of("class_mix"), issues);
  }
  reader.for_each_element(
      "prefix_groups", /*required=*/false,
      [&](const nlohmann::json& group, const std::string& group_path) {
        spec.prefix_groups.push_back(parse_prefix_group(group, group_path, issues));
      });
  reader.reject_unknown_keys();

  // Rules across fields.
  double total_share = 0.0;
  for (const PrefixGroupSpec& group : spec.prefix_groups) {
    total_share += group.share;
  }
  if (total_share > 1.0 + 1e-9) {
    reader.add_issue("prefix_groups",
                     fmt::format("shares sum to {:.6g}, must be <= 1", total_share));
  }

  if (reader.has("trace")) {
    for (const char* key : {"arrival", "input_tokens", "output_tokens"}) {
      if (reader.has(key)) {
        reader.add_issue(key,
                         "cannot be combined with a trace, which gives arrival times and "
                         "token counts");
      }
    }
  } else {
    if (spec.offline && reader.has("arrival")) {
      reader.add_issue("arrival", "does not apply offline, where every request arrives at t = 0");
    }
    if (!spec.offline && !reader.has("arrival")) {
      reader.add_issue("arrival", "is required for an online workload (or give a trace)");
    }
    for (const char* key : {"input_tokens", "output_tokens"}) {
      if (!reader.has(key)) {
        reader.add_issue(key, "is required (or give a trace)");
      }
    }
  }

  if (spec.offline) {
    if (reader.has("duration_seconds")) {
      reader.add_issue("duration_seconds",
                       "does not apply offline, where every request arrives at t = 0");
    }
    if (!reader.has("trace") && !reader.has("requests")) {
      reader.add_issue("requests", "is required offline (or give a trace)");
    }
  } else if (!reader.has("trace") && !reader.has("requests") && !reader.has("duration_seconds")) {
    issues.add(path, "must give requests, duration_seconds or both");
  }
  return spec;
}

Result<std::unique_ptr<RequestSource>> make_request_source(
    const WorkloadSpec& spec, const std::vector<std::string>& class_names, std::uint64_t seed) {
  if (Result<void> valid = check_workload_spec(spec); !valid) {
    return std::unexpected(valid.error());
  }
  Result<RequestMix> mix = RequestMix::create(spec, class_names);
  if (!mix) {
    return std::unexpected(mix.error());
  }

  if (spec.trace_path) {
    Result<std::unique_ptr<TraceWorkload>> trace =
        TraceWorkload::open(spec, class_names, std::move(*mix), seed);
    if (!trace) {
      return std::unexpected(trace.error());
    }
    return std::unique_ptr<RequestSource>(std::move(*trace));
  }
  return std::unique_ptr<RequestSource>(
      std::make_unique<SyntheticWorkload>(spec, std::move(*mix), seed));
}

}  // namespace scoville::simulator
