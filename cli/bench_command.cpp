#include "cli/bench_command.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/bench_output.h"
#include "cli/command_status.h"
#include "cli/number_format.h"
#include "cli/output_format.h"
#include "config/closest_match.h"
#include "loadgen/bench_spec.h"
#include "loadgen/class_mix.h"
#include "loadgen/http_token.h"
#include "loadgen/load_generator.h"
#include "loadgen/target_url.h"
#include "simulator/workload_spec.h"

namespace scoville::cli {
namespace {

// What the command line says, as typed; validators have checked each value by the time the
// callback runs, so turning it into a BenchSpec only combines them.
struct BenchOptions {
  std::string url;
  std::optional<int> concurrency;
  std::optional<std::int64_t> requests;
  std::optional<double> duration_seconds;
  std::optional<double> rate_per_second;
  bool stream = true;
  std::string endpoint = "chat";
  std::string model;
  std::string input_tokens = "512";
  std::string max_tokens = "128";
  std::string class_mix;
  std::vector<std::string> headers;
  std::string api_key;
  std::uint64_t seed = 1;
  double timeout_seconds = 60.0;
  std::int64_t warmup = 0;
  OutputFormat format = OutputFormat::kTable;
};

constexpr int kClosedLoopConnections = 8;
// With a rate, the cap on requests in flight unless --concurrency sets one; far below the
// usual limit of 1024 open files.
constexpr int kOpenLoopConnections = 256;
constexpr std::int64_t kDefaultRequests = 100;

// A validator from a parser of the library: the value is fine when `parse` succeeds, and
// the parser's message otherwise.
template <typename Parse>
CLI::Validator parsed_by(Parse parse, std::string description) {
  return CLI::Validator(
      [parse](std::string& text) -> std::string {
        auto parsed = parse(text);
        return parsed ? "" : parsed.error().message;
      },
      std::move(description));
}

// A whole number of at least `low`.
CLI::Validator whole_number_check(std::int64_t low) {
  return CLI::Validator(
      [low](std::string& text) -> std::string {
        std::int64_t value = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc() || end != text.data() + text.size()) {
          return "must be a whole number, got \"" + text + "\"";
        }
        if (value < low) return fmt::format("must be >= {}, got {}", low, text);
        return "";
      },
      fmt::format(">= {}", low));
}

CLI::Validator endpoint_check() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        if (loadgen::find_endpoint(text)) return "";
        const std::vector<std::string> names = {"chat", "completions"};
        return "unknown endpoint \"" + text + "\"" + config::did_you_mean(text, names) +
               "; expected chat or completions";
      },
      "chat|completions");
}

int usage_error(const std::string& message) {
  std::cerr << "scoville bench: " << message << "\n";
  return kExitUsageError;
}

int input_error(const std::string& message) {
  std::cerr << "scoville bench: " << message << "\n";
  return kExitInputError;
}

bool has_header(const loadgen::BenchSpec& spec, std::string_view name) {
  return std::any_of(spec.headers.begin(), spec.headers.end(), [&](const auto& header) {
    return loadgen::same_header_name(header.first, name);
  });
}

// Combines the checked options; fails on combinations no single validator can see.
Result<loadgen::BenchSpec> spec_from_options(const BenchOptions& o) {
  loadgen::BenchSpec spec;
  spec.url = *loadgen::parse_target_url(o.url);
  spec.endpoint = *loadgen::find_endpoint(o.endpoint);
  spec.model = o.model;
  spec.stream = o.stream;
  spec.rate_per_second = o.rate_per_second;
  spec.concurrency =
      o.concurrency.value_or(o.rate_per_second ? kOpenLoopConnections : kClosedLoopConnections);
  spec.duration_seconds = o.duration_seconds;
  if (!o.duration_seconds) spec.requests = o.requests.value_or(kDefaultRequests);
  spec.warmup_requests = o.warmup;
  spec.input_tokens = *simulator::parse_length_distribution(o.input_tokens);
  spec.max_tokens = *simulator::parse_length_distribution(o.max_tokens);
  if (!o.class_mix.empty()) spec.class_mix = *loadgen::ClassMix::parse(o.class_mix);
  for (const std::string& header : o.headers) {
    spec.headers.push_back(*loadgen::parse_header(header));
  }
  spec.timeout_seconds = o.timeout_seconds;
  spec.seed = o.seed;

  if (!spec.class_mix.empty() && has_header(spec, "X-Compute-Class")) {
    return make_error("--class-mix and --header X-Compute-Class both set the class; give one");
  }
  if (!o.api_key.empty()) {
    if (has_header(spec, "Authorization")) {
      return make_error("--api-key and --header Authorization both authenticate; give one");
    }
    spec.headers.emplace_back("Authorization", "Bearer " + o.api_key);
  }
  return spec;
}

// Redraws one line on stderr: requests done (of how many), failures, time (of how long).
void draw_progress(const loadgen::BenchProgress& progress) {
  const std::string requests = progress.planned
                                   ? fmt::format("{}/{}", progress.finished, *progress.planned)
                                   : fmt::format("{}", progress.finished);
  const std::string seconds =
      progress.planned
          ? fmt::format("{:.1f} s", progress.elapsed_seconds)
          : fmt::format("{:.1f} of {:g} s", progress.elapsed_seconds, progress.duration_seconds);
  const std::string line =
      fmt::format("{} requests, {} failed, {}", requests, progress.failed, seconds);
  std::fprintf(stderr, "\r%-60s", line.c_str());
  std::fflush(stderr);
}

int run_bench(const BenchOptions& options) {
  Result<loadgen::BenchSpec> spec = spec_from_options(options);
  if (!spec) return usage_error(spec.error().message);

  const bool show_progress = isatty(STDERR_FILENO) == 1;
  loadgen::LoadGenerator generator(*spec, show_progress ? loadgen::ProgressCallback(draw_progress)
                                                        : loadgen::ProgressCallback());
  Result<loadgen::BenchReport> report = generator.run();
  if (show_progress) std::fprintf(stderr, "\r%60s\r", "");
  if (!report) return input_error(report.error().message);

  spec->model = generator.model();
  std::cout << render_bench(*spec, *report, options.format);
  if (report->requests() == 0) {
    return input_error("no measured request was sent (did the warm-up take all of --duration?)");
  }
  if (report->requests_ok == 0) {
    return input_error(fmt::format("all {} requests failed; first failure: {}",
                                   with_thousands(static_cast<double>(report->requests()), 0),
                                   report->first_error));
  }
  return kExitOk;
}

}  // namespace

void add_bench_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<BenchOptions>();
  CLI::App* c = app.add_subcommand(
      "bench", "Load-test an OpenAI-compatible server: throughput, TTFT, ITL, failures");
  c->add_option("--url", o->url, "Server to test: http://HOST:PORT[/PREFIX]")
      ->required()
      ->check(parsed_by(loadgen::parse_target_url, "URL"));
  c->add_option("--concurrency", o->concurrency,
                "Connections of the closed loop (default 8), or with --rate the most requests "
                "in flight (default 256)")
      ->check(whole_number_check(1));
  CLI::Option* requests =
      c->add_option("--requests", o->requests, "Measured requests to send (default 100)")
          ->check(whole_number_check(1));
  c->add_option("--duration", o->duration_seconds,
                "Seconds during which requests start, instead of --requests")
      ->check(positive_check())
      ->excludes(requests);
  c->add_option("--rate", o->rate_per_second,
                "Open loop: Poisson arrivals at this many requests per second")
      ->check(positive_check());
  c->add_flag("--stream,!--no-stream", o->stream, "Stream the replies as SSE (default) or not");
  c->add_option("--endpoint", o->endpoint, "API: chat (/v1/chat/completions) or completions")
      ->check(endpoint_check())
      ->capture_default_str();
  c->add_option("--model", o->model, "Model to ask for (default: the first of GET /v1/models)");
  const std::string forms = "N, uniform:MIN:MAX or lognormal:MEAN:SIGMA";
  c->add_option("--input-tokens", o->input_tokens,
                "Prompt length in tokens, about 4 characters each: " + forms)
      ->check(parsed_by(simulator::parse_length_distribution, "DIST"))
      ->capture_default_str();
  c->add_option("--max-tokens", o->max_tokens, "max_tokens of each request: " + forms)
      ->check(parsed_by(simulator::parse_length_distribution, "DIST"))
      ->capture_default_str();
  c->add_option("--class-mix", o->class_mix,
                "X-Compute-Class header drawn per request, as standard=0.5,efficient=0.5")
      ->check(parsed_by(loadgen::ClassMix::parse, "MIX"));
  c->add_option("--header", o->headers, "Extra request header 'Name: value' (repeatable)")
      ->check(parsed_by(loadgen::parse_header, "HEADER"))
      ->allow_extra_args(false);
  c->add_option("--api-key", o->api_key, "Send Authorization: Bearer KEY");
  c->add_option("--seed", o->seed, "Seed of lengths, classes and arrivals")->capture_default_str();
  c->add_option("--timeout", o->timeout_seconds, "Seconds each request may take")
      ->check(positive_check())
      ->capture_default_str();
  c->add_option("--warmup", o->warmup, "Requests sent first and left out of the statistics")
      ->check(whole_number_check(0))
      ->capture_default_str();
  add_format_option(c, o->format, {"table", "json"});
  c->callback([o, &exit_code] { exit_code = run_bench(*o); });
}

}  // namespace scoville::cli
