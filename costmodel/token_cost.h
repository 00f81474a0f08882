#pragma once

#include "config/throughput_spec.h"

namespace scoville::costmodel {

// What a token costs on a device: C / (T x 3600 x U) x 1e6 for all tokens, and that cost split
// between input and output tokens by the share of busy time prefill and decode take.
struct TokenCost {
  double blended_usd_per_mtok = 0.0;
  double input_usd_per_mtok = 0.0;   // 0 when there are no input tokens
  double output_usd_per_mtok = 0.0;  // 0 when there are no output tokens
  double tokens_per_hour = 0.0;      // delivered, at the given utilisation
};

inline constexpr double kTokensPerMillion = 1e6;
inline constexpr double kSecondsPerHour = 3600.0;

// Requires tokens_per_second > 0 and utilization > 0 (validation guarantees both).
TokenCost token_cost(double hourly_cost_usd, const config::ThroughputSpec& throughput);

}  // namespace scoville::costmodel
