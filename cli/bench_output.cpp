#include "cli/bench_output.h"

#include <fmt/format.h>

#include "cli/number_format.h"
#include "cli/text_table.h"

namespace scoville::cli {
namespace {

using loadgen::BenchReport;
using loadgen::BenchSpec;
using loadgen::LatencySummary;

std::string count(std::uint64_t value) { return with_thousands(static_cast<double>(value), 0); }

nlohmann::json settings_json(const BenchSpec& spec) {
  auto optional = [](const auto& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
  };
  return {{"url", spec.url.to_string()},
          {"model", spec.model},
          {"endpoint", loadgen::endpoint_name(spec.endpoint)},
          {"stream", spec.stream},
          {"concurrency", spec.concurrency},
          {"rate_per_second", optional(spec.rate_per_second)},
          {"requests", optional(spec.requests)},
          {"duration_seconds", optional(spec.duration_seconds)},
          {"warmup_requests", spec.warmup_requests},
          {"timeout_seconds", spec.timeout_seconds},
          {"seed", spec.seed}};
}

std::string describe_load(const BenchSpec& spec) {
  if (spec.rate_per_second) {
    return fmt::format("Poisson arrivals at {} requests/s, at most {} in flight",
                       with_thousands(*spec.rate_per_second, 2), spec.concurrency);
  }
  return fmt::format("closed loop of {} connection{}", spec.concurrency,
                     spec.concurrency == 1 ? "" : "s");
}

// The hundreds digit of the statuses a kind of failure counts (4 for http_4xx), or 0.
int status_class(loadgen::FailureKind kind) {
  switch (kind) {
    case loadgen::FailureKind::kHttp4xx:
      return 4;
    case loadgen::FailureKind::kHttp5xx:
      return 5;
    default:
      return 0;
  }
}

std::string failure_table(const BenchReport& report) {
  TextTable table({"failure", "requests"});
  for (std::size_t kind = 0; kind < loadgen::kFailureKinds; ++kind) {
    if (report.failures[kind] == 0) continue;
    table.add_row({std::string(loadgen::kFailureKindNames[kind]), count(report.failures[kind])});

    for (const auto& [status, requests] : report.failures_by_status) {
      if (status / 100 == status_class(static_cast<loadgen::FailureKind>(kind))) {
        table.add_row({fmt::format("  HTTP {}", status), count(requests)});
      }
    }
  }
  return table.to_text();
}

std::string latency_table(const BenchReport& report) {
  auto ms = [](double value) { return with_thousands(value, 2); };
  TextTable table({"latency (ms)", "p50", "p95", "p99", "mean", "max", "samples"});
  const std::pair<const char*, const LatencySummary*> rows[] = {
      {"TTFT", &report.ttft}, {"ITL", &report.inter_token}, {"total", &report.total}};
  for (const auto& [name, latency] : rows) {
    if (latency->count == 0) continue;
    table.add_row({name, ms(latency->p50_ms), ms(latency->p95_ms), ms(latency->p99_ms),
                   ms(latency->mean_ms), ms(latency->max_ms), count(latency->count)});
  }
  return table.to_text();
}

std::string render_text(const BenchSpec& spec, const BenchReport& report) {
  std::string out =
      fmt::format("Benchmark of {} at {}{}: {} {} requests, {}\n", spec.model, spec.url.to_string(),
                  loadgen::endpoint_path(spec.endpoint), spec.stream ? "streamed" : "whole",
                  loadgen::endpoint_name(spec.endpoint), describe_load(spec));
  out += fmt::format(
      "{} requests: {} ok, {} failed in {} s; {} requests/s, {} output tokens/s ({} tokens)\n",
      count(report.requests()), count(report.requests_ok), count(report.requests_failed),
      with_thousands(report.elapsed_seconds, 2), with_thousands(report.requests_per_second, 2),
      with_thousands(report.output_tokens_per_second, 1),
      with_thousands(static_cast<double>(report.output_tokens), 0));

  if (report.requests_failed > 0) {
    out += "\n" + failure_table(report);
    out += "first failure: " + report.first_error + "\n";
  }
  if (report.requests_ok > 0) {
    out += "\n" + latency_table(report);
  }
  return out;
}

}  // namespace

std::string render_bench(const BenchSpec& spec, const BenchReport& report, OutputFormat format) {
  if (format == OutputFormat::kJson) {
    nlohmann::json out = loadgen::bench_report_json(report);
    out["settings"] = settings_json(spec);
    return to_json_text(out);
  }
  return render_text(spec, report);
}

}  // namespace scoville::cli
