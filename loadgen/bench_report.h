#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "loadgen/request_outcome.h"

namespace scoville::loadgen {

// Percentiles of one latency, in milliseconds; all zero when nothing was measured.
struct LatencySummary {
  std::uint64_t count = 0;
  double mean_ms = 0.0;
  double p50_ms = 0.0;
  double p95_ms = 0.0;
  double p99_ms = 0.0;
  double max_ms = 0.0;
};

// The result of a benchmark run, warm-up requests left out.
struct BenchReport {
  std::uint64_t requests_ok = 0;
  std::uint64_t requests_failed = 0;
  std::array<std::uint64_t, kFailureKinds> failures{};  // indexed by FailureKind
  std::map<int, std::uint64_t> failures_by_status;      // HTTP status of http_4xx and http_5xx
  std::string first_error;                              // "" when nothing failed

  // From the start of the first measured request to the end of the last.
  double elapsed_seconds = 0.0;
  double requests_per_second = 0.0;  // successful requests
  std::int64_t output_tokens = 0;    // of successful requests
  double output_tokens_per_second = 0.0;

  // Of successful requests; time to first token and inter-token gaps are for streams only.
  LatencySummary ttft;
  LatencySummary inter_token;
  LatencySummary total;

  std::uint64_t requests() const { return requests_ok + requests_failed; }
};

// The report's JSON form, whose keys the README documents and scripts may rely on:
//   {"requests": {"total", "ok", "failed"},
//    "failures": {"connect", "timeout", "http_4xx", "http_5xx", "stream_error", "protocol",
//                 "by_status": {"500": n, ...}},
//    "first_error": string or null,
//    "elapsed_seconds", "requests_per_second", "output_tokens", "output_tokens_per_second",
//    "ttft_ms" | "itl_ms" | "total_ms": {"count", "mean", "p50", "p95", "p99", "max"}}
nlohmann::json bench_report_json(const BenchReport& report);

}  // namespace scoville::loadgen
