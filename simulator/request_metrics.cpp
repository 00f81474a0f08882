#include "simulator/request_metrics.h"

namespace scoville::simulator {

void RequestMetrics::merge(const RequestMetrics& other) {
  finished += other.finished;
  rejected += other.rejected;
  sla_met += other.sla_met;
  input_tokens += other.input_tokens;
  output_tokens += other.output_tokens;
  sla_output_tokens += other.sla_output_tokens;
  cached_prompt_tokens += other.cached_prompt_tokens;
  preempted_requests += other.preempted_requests;
  ttft.merge(other.ttft);
  tpot.merge(other.tpot);
  itl.merge(other.itl);
  e2e.merge(other.e2e);
}

}  // namespace scoville::simulator
