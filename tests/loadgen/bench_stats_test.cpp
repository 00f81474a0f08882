// Turning request outcomes into a benchmark report.
#include "loadgen/bench_stats.h"

#include <vector>

#include <doctest/doctest.h>

namespace scoville::loadgen {
namespace {

RequestOutcome ok(double ttft_seconds, double total_seconds, std::int64_t tokens,
                  const std::vector<double>& gaps) {
  RequestOutcome outcome;
  outcome.ttft_seconds = ttft_seconds;
  outcome.total_seconds = total_seconds;
  outcome.output_tokens = tokens;
  outcome.inter_token_gaps_seconds = gaps;
  return outcome;
}

RequestOutcome failed(FailureKind kind, int status, std::string_view message) {
  RequestOutcome outcome;
  outcome.failure = kind;
  outcome.http_status = status;
  outcome.error_message = message;
  return outcome;
}

TEST_CASE("an empty run reports zeros, not NaNs") {
  const BenchReport report = BenchStats().report();
  CHECK(report.requests() == 0);
  CHECK(report.elapsed_seconds == 0.0);
  CHECK(report.requests_per_second == 0.0);
  CHECK(report.ttft.p99_ms == 0.0);
}

TEST_CASE("rates count successes over the span from the first start to the last end") {
  BenchStats stats;
  const std::vector<double> gaps = {0.01, 0.02};
  stats.record(ok(0.1, 0.5, 30, gaps), 1.0, 1.5);
  stats.record(ok(0.1, 1.0, 10, gaps), 2.0, 3.0);
  stats.record(failed(FailureKind::kTimeout, 0, "late"), 0.5, 2.5);

  const BenchReport report = stats.report();
  CHECK(report.requests_ok == 2);
  CHECK(report.requests_failed == 1);
  CHECK(report.elapsed_seconds == doctest::Approx(2.5));
  CHECK(report.requests_per_second == doctest::Approx(2.0 / 2.5));
  CHECK(report.output_tokens == 40);
  CHECK(report.output_tokens_per_second == doctest::Approx(16.0));
}

TEST_CASE("latencies come out in milliseconds, percentiles in order") {
  BenchStats stats;
  std::vector<double> gaps;
  for (int i = 1; i <= 100; ++i) gaps.push_back(i * 1e-3);
  for (int i = 1; i <= 100; ++i) {
    stats.record(ok(i * 1e-2, i * 1e-1, 1, gaps), 0.0, 1.0);
  }
  const BenchReport report = stats.report();

  CHECK(report.ttft.count == 100);
  CHECK(report.inter_token.count == 10'000);
  // Histogram buckets are under 0.8% wide.
  CHECK(report.ttft.p50_ms == doctest::Approx(500.0).epsilon(0.01));
  CHECK(report.ttft.p99_ms == doctest::Approx(990.0).epsilon(0.01));
  CHECK(report.ttft.mean_ms == doctest::Approx(505.0));
  CHECK(report.total.max_ms == doctest::Approx(10'000.0));
  CHECK(report.inter_token.p95_ms == doctest::Approx(95.0).epsilon(0.01));
  for (const LatencySummary* latency : {&report.ttft, &report.inter_token, &report.total}) {
    CHECK(latency->p50_ms <= latency->p95_ms);
    CHECK(latency->p95_ms <= latency->p99_ms);
    CHECK(latency->p99_ms <= latency->max_ms);
  }
}

TEST_CASE("failed requests add to their kind and status but not to latencies or tokens") {
  BenchStats stats;
  stats.record(failed(FailureKind::kHttp5xx, 503, "HTTP 503: busy"), 0.0, 0.1);
  stats.record(failed(FailureKind::kHttp5xx, 500, "HTTP 500: oops"), 0.0, 0.1);
  stats.record(failed(FailureKind::kHttp5xx, 503, "HTTP 503: busy"), 0.0, 0.1);
  stats.record(failed(FailureKind::kHttp4xx, 429, "HTTP 429: slow down"), 0.0, 0.1);
  stats.record(failed(FailureKind::kConnect, 0, "cannot connect"), 0.0, 0.1);

  const BenchReport report = stats.report();
  CHECK(report.requests_failed == 5);
  CHECK(report.failures[static_cast<std::size_t>(FailureKind::kHttp5xx)] == 3);
  CHECK(report.failures[static_cast<std::size_t>(FailureKind::kHttp4xx)] == 1);
  CHECK(report.failures[static_cast<std::size_t>(FailureKind::kConnect)] == 1);
  CHECK(report.failures_by_status == std::map<int, std::uint64_t>{{429, 1}, {500, 1}, {503, 2}});
  CHECK(report.first_error == "http_5xx: HTTP 503: busy");
  CHECK(report.total.count == 0);
  CHECK(report.output_tokens == 0);
}

TEST_CASE("the JSON report has the documented keys") {
  BenchStats stats;
  const std::vector<double> gaps = {0.02};
  stats.record(ok(0.1, 0.2, 5, gaps), 0.0, 0.2);
  stats.record(failed(FailureKind::kStreamError, 200, "cut"), 0.0, 0.2);
  const nlohmann::json json = bench_report_json(stats.report());

  CHECK(json["requests"] == nlohmann::json{{"total", 2}, {"ok", 1}, {"failed", 1}});
  for (const std::string_view kind : kFailureKindNames) {
    CHECK(json["failures"].contains(std::string(kind)));
  }
  CHECK(json["failures"]["stream_error"] == 1);
  CHECK(json["failures"]["by_status"].empty());
  CHECK(json["first_error"] == "stream_error: cut");
  for (const char* key :
       {"elapsed_seconds", "requests_per_second", "output_tokens", "output_tokens_per_second"}) {
    CHECK(json.contains(key));
  }
  for (const char* latency : {"ttft_ms", "itl_ms", "total_ms"}) {
    for (const char* key : {"count", "mean", "p50", "p95", "p99", "max"}) {
      CHECK(json[latency].contains(key));
    }
  }
  CHECK(json["total_ms"]["count"] == 1);
}

}  // namespace
}  // namespace scoville::loadgen
