#include "loadgen/bench_report.h"

namespace scoville::loadgen {
namespace {

nlohmann::json latency_json(const LatencySummary& latency) {
  return {{"count", latency.count}, {"mean", latency.mean_ms}, {"p50", latency.p50_ms},
          {"p95", latency.p95_ms},  {"p99", latency.p99_ms},   {"max", latency.max_ms}};
}

}  // namespace

nlohmann::json bench_report_json(const BenchReport& report) {
  nlohmann::json failures = nlohmann::json::object();
  for (std::size_t kind = 0; kind < kFailureKinds; ++kind) {
    failures[std::string(kFailureKindNames[kind])] = report.failures[kind];
  }
  nlohmann::json by_status = nlohmann::json::object();
  for (const auto& [status, count] : report.failures_by_status) {
    by_status[std::to_string(status)] = count;
  }
  failures["by_status"] = by_status;

  return {{"requests",
           {{"total", report.requests()},
            {"ok", report.requests_ok},
            {"failed", report.requests_failed}}},
          {"failures", failures},
          {"first_error", report.first_error.empty() ? nlohmann::json(nullptr)
                                                     : nlohmann::json(report.first_error)},
          {"elapsed_seconds", report.elapsed_seconds},
          {"requests_per_second", report.requests_per_second},
          {"output_tokens", report.output_tokens},
          {"output_tokens_per_second", report.output_tokens_per_second},
          {"ttft_ms", latency_json(report.ttft)},
          {"itl_ms", latency_json(report.inter_token)},
          {"total_ms", latency_json(report.total)}};
}

}  // namespace scoville::loadgen
