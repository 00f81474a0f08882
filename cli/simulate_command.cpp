#include "cli/simulate_command.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "cli/command_status.h"
#include "cli/output_format.h"
#include "cli/simulation_output.h"
#include "cli/simulation_report.h"
#include "cli/simulation_store.h"
#include "config/config.h"
#include "config/jsonc.h"
#include "simulator/simulation.h"
#include "simulator/simulation_spec.h"
#include "simulator/workload_spec.h"

namespace scoville::cli {
namespace {

struct SimulateOptions {
  std::string file;
  std::string config_path;
  OutputFormat format = OutputFormat::kTable;
  bool no_progress = false;
  std::string db_path;
  std::string report_path;

  // One-liner flags.
  std::string device = "h100";
  std::string model = "llama-3.1-8b";
  int tensor_parallel = 1;
  std::string precision = "bf16";
  int replicas = 1;
  std::string compute_class = "standard";
  std::string scheduler = "vllm";
  std::string dispatcher = "least_outstanding";
  bool offline = false;
  std::optional<double> rate_per_second;
  std::string arrival = "poisson";
  std::optional<double> cv;
  std::optional<double> requests;
  std::optional<double> duration_seconds;
  std::string input_tokens = "1000";
  std::string output_tokens = "200";
  std::optional<double> seed;
  bool prefix_caching = false;
  std::optional<double> spec_draft_tokens;
  double spec_acceptance = 0.8;
  bool spec_acceptance_given = false;
};

// Flags that describe the fleet and workload, which a simulation file replaces.
constexpr const char* kOneLinerFlags[] = {
    "--device",         "--model",    "--tp",           "--precision",
    "--replicas",       "--class",    "--scheduler",    "--dispatcher",
    "--offline",        "--rate",     "--arrival",      "--cv",
    "--requests",       "--duration", "--input-tokens", "--output-tokens",
    "--prefix-caching", "--spec-k",   "--spec-alpha"};

// Maps a validation path of the document built from flags back to the flag the user typed.
std::string flag_for_path(const std::string& path) {
  static const std::pair<const char*, const char*> kFlags[] = {
      {"fleet[0].device", "--device"},
      {"fleet[0].model", "--model"},
      {"fleet[0].tensor_parallel", "--tp"},
      {"fleet[0].precision", "--precision"},
      {"fleet[0].replicas", "--replicas"},
      {"fleet[0].compute_class", "--class"},
      {"fleet[0].scheduler.policy", "--scheduler"},
      {"fleet[0].speculative.draft_tokens", "--spec-k"},
      {"fleet[0].speculative.acceptance_rate", "--spec-alpha"},
      {"dispatcher", "--dispatcher"},
      {"workload.arrival.rate_per_second", "--rate"},
      {"workload.arrival.cv", "--cv"},
      {"workload.arrival.process", "--arrival"},
      {"workload.requests", "--requests"},
      {"workload.duration_seconds", "--duration"},
      {"workload.input_tokens", "--input-tokens"},
      {"workload.output_tokens", "--output-tokens"},
      {"seed", "--seed"},
  };
  for (const auto& [prefix, flag] : kFlags) {
    if (path.rfind(prefix, 0) == 0) return flag;
  }
  return path;
}

// The JSON form of a command-line length ("1000", "lognormal:1000:0.5", ...).
Result<nlohmann::json> length_to_json(const std::string& text) {
  Result<simulator::LengthDistribution> parsed = simulator::parse_length_distribution(text);
  if (!parsed) {
    return std::unexpected(parsed.error());
  }
  using Kind = simulator::LengthDistribution::Kind;
  const simulator::LengthDistribution& d = *parsed;
  switch (d.kind) {
    case Kind::kFixed:
      return nlohmann::json(d.fixed_tokens);
    case Kind::kUniform:
      return nlohmann::json{
          {"distribution", "uniform"}, {"min", d.min_tokens}, {"max", d.max_tokens}};
    case Kind::kLognormal:
      return nlohmann::json{
          {"distribution", "lognormal"}, {"mean", d.mean_tokens}, {"sigma", d.sigma}};
    case Kind::kZipf:
      return nlohmann::json{{"distribution", "zipf"},
                            {"exponent", d.zipf_exponent},
                            {"min", d.min_tokens},
                            {"max", d.max_tokens}};
    case Kind::kEmpirical: {
      nlohmann::json values = nlohmann::json::array();
      for (const auto& [tokens, weight] : d.empirical) values.push_back({tokens, weight});
      return nlohmann::json{{"distribution", "empirical"}, {"values", values}};
    }
  }
  return make_error("unsupported distribution");
}

Result<nlohmann::json> document_from_flags(const SimulateOptions& o) {
  nlohmann::json group = {
      {"device", o.device},
      {"model", o.model},
      {"tensor_parallel", o.tensor_parallel},
      {"precision", o.precision},
      {"replicas", o.replicas},
      {"compute_class", o.compute_class},
      {"scheduler", {{"policy", o.scheduler}, {"prefix_caching", o.prefix_caching}}}};
  if (o.spec_acceptance_given && !o.spec_draft_tokens) {
    return make_error("--spec-alpha needs --spec-k (the draft tokens per step)");
  }
  if (o.spec_draft_tokens) {
    group["speculative"] = {{"draft_tokens", *o.spec_draft_tokens},
                            {"acceptance_rate", o.spec_acceptance}};
  }

  nlohmann::json workload = {{"mode", o.offline ? "offline" : "online"},
                             {"class_mix", {{o.compute_class, 1.0}}}};
  if (!o.offline) {
    if (!o.rate_per_second) {
      return make_error("give --rate REQUESTS_PER_SECOND for an online run, or --offline");
    }
    workload["arrival"] = {{"process", o.arrival}, {"rate_per_second", *o.rate_per_second}};
    if (o.cv) workload["arrival"]["cv"] = *o.cv;
  } else if (o.rate_per_second) {
    return make_error("--offline and --rate exclude each other");
  }
  if (o.requests) workload["requests"] = *o.requests;
  if (o.duration_seconds) workload["duration_seconds"] = *o.duration_seconds;
  if (!o.requests && !o.duration_seconds) workload["requests"] = 1000;

  for (const auto& [flag, text, key] :
       {std::tuple{"--input-tokens", &o.input_tokens, "input_tokens"},
        std::tuple{"--output-tokens", &o.output_tokens, "output_tokens"}}) {
    Result<nlohmann::json> length = length_to_json(*text);
    if (!length) {
      return make_error(std::string(flag) + ": " + length.error().message);
    }
    workload[key] = *length;
  }

  nlohmann::json document = {{"fleet", nlohmann::json::array({group})},
                             {"dispatcher", o.dispatcher},
                             {"workload", workload}};
  if (o.seed) document["seed"] = *o.seed;
  return document;
}

// Redraws a one-line progress bar on a terminal, at most five times a second.
class ProgressBar {
 public:
  ProgressBar(std::optional<double> total_requests, std::optional<double> total_seconds)
      : total_requests_(total_requests),
        total_seconds_(total_seconds),
        start_(std::chrono::steady_clock::now()) {}

  ~ProgressBar() {
    if (drawn_) std::fprintf(stderr, "\r%80s\r", "");
  }

  void update(double simulated_seconds, std::uint64_t requests) {
    const auto now = std::chrono::steady_clock::now();
    // Runs under a second never show a bar.
    if (now - start_ < std::chrono::seconds(1) ||
        now - last_draw_ < std::chrono::milliseconds(200)) {
      return;
    }
    last_draw_ = now;
    double fraction = 0.0;
    if (total_requests_)
      fraction = static_cast<double>(requests) / *total_requests_;
    else if (total_seconds_)
      fraction = simulated_seconds / *total_seconds_;
    fraction = std::clamp(fraction, 0.0, 1.0);
    const int filled = static_cast<int>(fraction * 30);
    std::fprintf(stderr, "\r[%-30s] %3.0f%%  %llu requests, %.0f s simulated",
                 std::string(static_cast<std::size_t>(filled), '#').c_str(), fraction * 100.0,
                 static_cast<unsigned long long>(requests), simulated_seconds);
    std::fflush(stderr);
    drawn_ = true;
  }

 private:
  std::optional<double> total_requests_;
  std::optional<double> total_seconds_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_{};
  bool drawn_ = false;
};

int fail(const std::string& message) {
  std::cerr << "scoville simulate: " << message << "\n";
  return kExitInputError;
}

int run_simulate(const SimulateOptions& options, const CLI::App& command) {
  Result<config::Config> catalog = options.config_path.empty()
                                       ? config::builtin_config()
                                       : config::load_config(options.config_path);
  if (!catalog) {
    return fail(catalog.error().message);
  }

  const bool from_flags = options.file.empty();
  if (!from_flags) {
    for (const char* flag : kOneLinerFlags) {
      if (command.count(flag) > 0) {
        return fail(std::string(flag) +
                    " describes the fleet or workload, which the simulation "
                    "file " +
                    options.file + " already does; edit the file instead");
      }
    }
  }
  Result<nlohmann::json> document =
      from_flags ? document_from_flags(options) : config::read_jsonc_file(options.file);
  if (!document) {
    return fail(document.error().message);
  }
  if (!from_flags && options.seed) {
    (*document)["seed"] = *options.seed;
  }

  config::Issues issues;
  simulator::SimulationSpec spec = simulator::parse_simulation_spec(*document, *catalog, issues);
  // A trace named in a simulation file is found beside that file.
  if (!from_flags && spec.workload.trace_path &&
      std::filesystem::path(*spec.workload.trace_path).is_relative()) {
    spec.workload.trace_path =
        (std::filesystem::path(options.file).parent_path() / *spec.workload.trace_path).string();
  }
  if (!issues.empty()) {
    if (from_flags) {
      std::string text;
      for (const config::Issue& issue : issues.all()) {
        text += (text.empty() ? "" : "\n  ") + flag_for_path(issue.path) + ": " + issue.message;
      }
      return fail(text);
    }
    return fail(config::describe_issues(options.file, issues));
  }

  Result<std::unique_ptr<simulator::Simulation>> simulation =
      simulator::Simulation::create(spec, *catalog);
  if (!simulation) {
    return fail(simulation.error().message);
  }
  Result<std::unique_ptr<simulator::RequestSource>> source =
      simulator::make_request_source(spec.workload, (*simulation)->class_names(), spec.seed);
  if (!source) {
    return fail(source.error().message);
  }

  const bool show_progress = !options.no_progress && isatty(STDERR_FILENO) == 1;
  ProgressBar bar(spec.workload.requests
                      ? std::optional<double>(static_cast<double>(*spec.workload.requests))
                      : std::nullopt,
                  spec.workload.duration_seconds);
  const auto started = std::chrono::steady_clock::now();
  Result<simulator::SimulationResult> result =
      (*simulation)
          ->run(**source, show_progress ? simulator::ProgressCallback(
                                              [&](double t, std::uint64_t n) { bar.update(t, n); })
                                        : simulator::ProgressCallback());
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!result) {
    return fail(result.error().message);
  }

  // Files first: a report or database that cannot be written must not look like a success.
  if (!options.report_path.empty()) {
    std::ofstream out(options.report_path, std::ios::binary | std::ios::trunc);
    out << render_simulation_report(*result);
    out.close();
    if (!out) {
      return fail("cannot write report " + options.report_path);
    }
  }
  if (!options.db_path.empty()) {
    Result<std::int64_t> stored = store_simulation(options.db_path, *document, spec.seed, *result);
    if (!stored) {
      return fail(stored.error().message);
    }
  }
  std::cout << render_simulation(*result, RunTiming{wall}, options.format);
  return kExitOk;
}

}  // namespace

void add_simulate_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<SimulateOptions>();
  CLI::App* c = app.add_subcommand(
      "simulate", "Forecast throughput, latency percentiles, SLA attainment and cost of a fleet");
  c->add_option("file", o->file, "Simulation file (JSON with comments); omit to use the flags");
  c->add_option("--config", o->config_path, "Config file with catalog overrides");
  add_format_option(c, o->format);
  c->add_flag("--no-progress", o->no_progress, "Never draw the progress bar");
  c->add_option("--db", o->db_path, "Also append the run's results to this SQLite database");
  c->add_option("--report", o->report_path,
                "Also write a self-contained HTML report with charts to this file");
  c->add_option("--device", o->device, "Device catalog id")->capture_default_str();
  c->add_option("--model", o->model, "Model catalog id")->capture_default_str();
  c->add_option("--tp", o->tensor_parallel, "Tensor parallelism (devices per replica)")
      ->capture_default_str();
  c->add_option("--precision", o->precision, "Weight precision: bf16, fp8, int8, fp4")
      ->capture_default_str();
  c->add_option("--replicas", o->replicas, "Replicas in the fleet")->capture_default_str();
  c->add_option("--class", o->compute_class, "Compute class of the replicas and the requests")
      ->capture_default_str();
  c->add_option("--scheduler", o->scheduler, "Scheduler policy: vllm, vllm-v0, sarathi, microbatch")
      ->capture_default_str();
  c->add_option("--dispatcher", o->dispatcher, "least_outstanding or round_robin")
      ->capture_default_str();
  c->add_flag("--offline", o->offline, "All requests arrive at t = 0 (throughput benchmark)");
  c->add_option("--rate", o->rate_per_second, "Mean arrival rate, requests per second");
  c->add_option("--arrival", o->arrival, "Arrival process: poisson or gamma")
      ->capture_default_str();
  c->add_option("--cv", o->cv, "Burstiness of gamma arrivals (coefficient of variation)");
  c->add_option("--requests", o->requests, "Requests to simulate (default 1000)");
  c->add_option("--duration", o->duration_seconds, "Seconds of arrivals to simulate");
  c->add_option("--input-tokens", o->input_tokens,
                "Prompt length: N, uniform:MIN:MAX, lognormal:MEAN:SIGMA, zipf:S:MIN:MAX, "
                "empirical:FILE")
      ->capture_default_str();
  c->add_option("--output-tokens", o->output_tokens, "Output length, same forms")
      ->capture_default_str();
  c->add_option("--seed", o->seed, "Seed; the same seed reproduces a run exactly");
  c->add_flag("--prefix-caching", o->prefix_caching, "Reuse KV blocks of shared prefixes");
  c->add_option("--spec-k", o->spec_draft_tokens, "Speculative decoding: draft tokens per step");
  c->add_option("--spec-alpha", o->spec_acceptance, "Speculative decoding: acceptance rate")
      ->capture_default_str();
  c->callback([o, c, &exit_code] {
    o->spec_acceptance_given = c->count("--spec-alpha") > 0;
    exit_code = run_simulate(*o, *c);
  });
}

}  // namespace scoville::cli
