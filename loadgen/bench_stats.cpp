#include "loadgen/bench_stats.h"

#include <algorithm>

#include <fmt/format.h>

namespace scoville::loadgen {
namespace {

LatencySummary summarize(const simulator::LatencyHistogram& histogram) {
  constexpr double kMsPerSecond = 1e3;
  return LatencySummary{.count = histogram.count(),
                        .mean_ms = histogram.mean_seconds() * kMsPerSecond,
                        .p50_ms = histogram.percentile(0.50) * kMsPerSecond,
                        .p95_ms = histogram.percentile(0.95) * kMsPerSecond,
                        .p99_ms = histogram.percentile(0.99) * kMsPerSecond,
                        .max_ms = histogram.max_seconds() * kMsPerSecond};
}

double rate(double count, double seconds) { return seconds > 0.0 ? count / seconds : 0.0; }

}  // namespace

void BenchStats::record(const RequestOutcome& outcome, double started_seconds,
                        double finished_seconds) {
  first_start_seconds_ = std::min(first_start_seconds_, started_seconds);
  last_end_seconds_ = std::max(last_end_seconds_, finished_seconds);

  if (outcome.failure) {
    ++report_.requests_failed;
    ++report_.failures[static_cast<std::size_t>(*outcome.failure)];
    if (*outcome.failure == FailureKind::kHttp4xx || *outcome.failure == FailureKind::kHttp5xx) {
      ++report_.failures_by_status[outcome.http_status];
    }
    if (report_.first_error.empty()) {
      report_.first_error =
          fmt::format("{}: {}", failure_kind_name(*outcome.failure), outcome.error_message);
    }
    return;
  }

  ++report_.requests_ok;
  report_.output_tokens += outcome.output_tokens;
  total_.add(outcome.total_seconds);
  if (outcome.ttft_seconds) ttft_.add(*outcome.ttft_seconds);
  for (const double gap_seconds : outcome.inter_token_gaps_seconds) inter_token_.add(gap_seconds);
}

BenchReport BenchStats::report() const {
  BenchReport report = report_;
  report.elapsed_seconds = std::max(0.0, last_end_seconds_ - first_start_seconds_);
  report.requests_per_second =
      rate(static_cast<double>(report.requests_ok), report.elapsed_seconds);
  report.output_tokens_per_second =
      rate(static_cast<double>(report.output_tokens), report.elapsed_seconds);
  report.ttft = summarize(ttft_);
  report.inter_token = summarize(inter_token_);
  report.total = summarize(total_);
  return report;
}

}  // namespace scoville::loadgen
