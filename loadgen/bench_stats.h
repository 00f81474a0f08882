#pragma once

#include <cstdint>
#include <limits>

#include "loadgen/bench_report.h"
#include "loadgen/request_outcome.h"
#include "simulator/latency_histogram.h"

namespace scoville::loadgen {

// Accumulates the outcomes of measured requests into a BenchReport. Latencies go into the
// simulator's log-linear histograms (percentiles within 0.4%, constant memory however long
// the run), counts and the first failure's message are exact. Times are seconds on any clock
// the caller chooses, so that tests can feed made-up timelines.
class BenchStats {
 public:
  // Adds a request that started at `started_seconds` and ended at `finished_seconds`.
  void record(const RequestOutcome& outcome, double started_seconds, double finished_seconds);

  std::uint64_t requests_ok() const { return report_.requests_ok; }
  std::uint64_t requests_failed() const { return report_.requests_failed; }

  // The report so far: rates over the span from the earliest start to the latest end.
  BenchReport report() const;

 private:
  BenchReport report_;  // counts and first error; the latencies are filled in by report()
  simulator::LatencyHistogram ttft_;
  simulator::LatencyHistogram inter_token_;
  simulator::LatencyHistogram total_;
  double first_start_seconds_ = std::numeric_limits<double>::infinity();
  double last_end_seconds_ = -std::numeric_limits<double>::infinity();
};

}  // namespace scoville::loadgen
