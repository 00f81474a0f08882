#pragma once

#include <cstdint>

#include "simulator/latency_histogram.h"

namespace scoville::simulator {

// What a set of requests (a class, a replica group, the fleet) experienced.
struct RequestMetrics {
  std::uint64_t finished = 0;
  std::uint64_t rejected = 0;
  std::uint64_t sla_met = 0;       // finished within both the TTFT and TPOT objectives
  std::uint64_t input_tokens = 0;  // prompt tokens of finished requests
  std::uint64_t output_tokens = 0;
  std::uint64_t sla_output_tokens = 0;     // output tokens of requests that met the SLA
  std::uint64_t cached_prompt_tokens = 0;  // prompt tokens served from the prefix cache
  std::uint64_t preempted_requests = 0;
  LatencyHistogram ttft;  // arrival to first token
  LatencyHistogram tpot;  // (end - first token) / (output tokens - 1), per request
  LatencyHistogram itl;   // gap between successive tokens, per token
  LatencyHistogram e2e;   // arrival to last token

  void merge(const RequestMetrics& other);
};

}  // namespace scoville::simulator
