#include "costmodel/token_cost.h"

namespace scoville::costmodel {

TokenCost token_cost(double hourly_cost_usd, const config::ThroughputSpec& throughput) {
  TokenCost cost;
  cost.tokens_per_hour = throughput.tokens_per_second * kSecondsPerHour * throughput.utilization;
  cost.blended_usd_per_mtok = hourly_cost_usd / cost.tokens_per_hour * kTokensPerMillion;

  // Input tokens carry the prefill share of the hour's cost, output tokens the decode share:
  // input $/Mtok = blended x prefill_time_share / input_token_share, and likewise for output.
  const double input_share = throughput.input_token_share;
  const double prefill_share = throughput.prefill_time_share;
  if (input_share > 0.0) {
    cost.input_usd_per_mtok = cost.blended_usd_per_mtok * prefill_share / input_share;
  }
  if (input_share < 1.0) {
    cost.output_usd_per_mtok =
        cost.blended_usd_per_mtok * (1.0 - prefill_share) / (1.0 - input_share);
  }
  return cost;
}

}  // namespace scoville::costmodel
