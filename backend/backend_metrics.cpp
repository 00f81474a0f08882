#include "backend/backend_metrics.h"

#include <prometheus/family.h>
#include <prometheus/text_serializer.h>

namespace scoville::backend {
namespace {

// Bucket bounds in seconds, spaced like vLLM's so that the same quantile queries resolve: fine
// steps where a healthy server lands, coarse ones out to minutes of queueing.
const prometheus::Histogram::BucketBoundaries kTtftBuckets = {
    0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1,  0.25,  0.5,  0.75,
    1.0,   2.5,   5.0,  7.5,  10.0, 20.0, 40.0, 80.0, 160.0, 640.0};
const prometheus::Histogram::BucketBoundaries kItlBuckets = {
    0.001, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2,  0.3,
    0.4,   0.5,   0.75, 1.0,   2.5,  5.0,   7.5, 10.0, 20.0, 80.0};
const prometheus::Histogram::BucketBoundaries kE2eBuckets = {
    0.3,  0.5,  0.8,  1.0,  1.5,   2.0,   2.5,   5.0,   10.0,   15.0,  20.0,
    30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0};

}  // namespace

BackendMetrics::BackendMetrics(const std::string& model)
    : running_(prometheus::BuildGauge()
                   .Name("vllm:num_requests_running")
                   .Help("Requests in the running batch")
                   .Register(registry_)
                   .Add({{"model_name", model}})),
      waiting_(prometheus::BuildGauge()
                   .Name("vllm:num_requests_waiting")
                   .Help("Requests waiting to be admitted to the batch")
                   .Register(registry_)
                   .Add({{"model_name", model}})),
      kv_usage_(prometheus::BuildGauge()
                    .Name("vllm:kv_cache_usage_perc")
                    .Help("Share of KV cache blocks in use (1 is all of them)")
                    .Register(registry_)
                    .Add({{"model_name", model}})),
      preemptions_(prometheus::BuildCounter()
                       .Name("vllm:num_preemptions_total")
                       .Help("Requests preempted to free KV cache and recomputed later")
                       .Register(registry_)
                       .Add({{"model_name", model}})),
      ttft_(prometheus::BuildHistogram()
                .Name("vllm:time_to_first_token_seconds")
                .Help("Time from a request's arrival to its first output token being sent")
                .Register(registry_)
                .Add({{"model_name", model}}, kTtftBuckets)),
      itl_(prometheus::BuildHistogram()
               .Name("vllm:inter_token_latency_seconds")
               .Help("Time between successive output tokens of a request being sent")
               .Register(registry_)
               .Add({{"model_name", model}}, kItlBuckets)),
      e2e_(prometheus::BuildHistogram()
               .Name("vllm:e2e_request_latency_seconds")
               .Help("Time from a request's arrival to its last output token being sent")
               .Register(registry_)
               .Add({{"model_name", model}}, kE2eBuckets)),
      prompt_tokens_(prometheus::BuildCounter()
                         .Name("vllm:prompt_tokens_total")
                         .Help("Prompt tokens processed (prefilled)")
                         .Register(registry_)
                         .Add({{"model_name", model}})),
      generation_tokens_(prometheus::BuildCounter()
                             .Name("vllm:generation_tokens_total")
                             .Help("Output tokens generated and sent")
                             .Register(registry_)
                             .Add({{"model_name", model}})),
      // Every simulated completion stops at max_tokens, hence the one finish reason.
      successes_(prometheus::BuildCounter()
                     .Name("vllm:request_success_total")
                     .Help("Requests that completed, by why they finished")
                     .Register(registry_)
                     .Add({{"model_name", model}, {"finished_reason", "length"}})) {}

void BackendMetrics::record_first_tokens(double ttft_seconds, std::int32_t prompt_tokens,
                                         std::int32_t tokens) {
  ttft_.Observe(ttft_seconds);
  prompt_tokens_.Increment(prompt_tokens);
  generation_tokens_.Increment(tokens);
}

void BackendMetrics::record_next_tokens(double gap_seconds, std::int32_t tokens) {
  itl_.Observe(gap_seconds);
  generation_tokens_.Increment(tokens);
}

void BackendMetrics::record_success(double e2e_seconds) {
  e2e_.Observe(e2e_seconds);
  successes_.Increment();
}

std::string BackendMetrics::exposition(const EngineStatus& status) {
  running_.Set(static_cast<double>(status.running));
  waiting_.Set(static_cast<double>(status.waiting));
  kv_usage_.Set(status.kv_utilization);
  // The engine keeps the running total; a Prometheus counter only moves up by increments.
  const double new_preemptions = static_cast<double>(status.preemptions) - preemptions_.Value();
  if (new_preemptions > 0.0) {
    preemptions_.Increment(new_preemptions);
  }

  return prometheus::TextSerializer().Serialize(registry_.Collect());
}

}  // namespace scoville::backend
