#include "config/throughput_spec.h"

namespace scoville::config {

ThroughputSpec read_throughput_fields(ObjectReader& reader) {
  ThroughputSpec spec;
  spec.tokens_per_second = reader.required_number("tokens_per_second", Bounds::positive());
  spec.utilization = reader.required_number("utilization", Bounds::positive_share());
  spec.input_token_share = reader.number_or("input_token_share", Bounds::share(), 0.5);
  spec.prefill_time_share = reader.number_or("prefill_time_share", Bounds::share(), 0.5);

  // A share of time spent on input tokens when there are none (or the reverse) has no tokens
  // to carry its cost.
  if ((spec.input_token_share == 0.0 && spec.prefill_time_share > 0.0) ||
      (spec.input_token_share == 1.0 && spec.prefill_time_share < 1.0)) {
    reader.add_issue("prefill_time_share",
                     "must be 0 when input_token_share is 0 and 1 when it is 1, got " +
                         format_number(spec.prefill_time_share));
  }
  return spec;
}

}  // namespace scoville::config
