#pragma once

#include <cstdint>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "backend/realtime_engine.h"

namespace scoville::backend {

// What a simulated backend reports at /metrics, under the names vLLM uses, so that dashboards,
// scrapers and routers written for vLLM read a simulated backend unchanged. Every series carries
// the served model as `model_name`. All of the metrics are declared together in the
// constructor. Recording is thread-safe (the registry locks), though the backend records from
// its one I/O thread.
class BackendMetrics {
 public:
  explicit BackendMetrics(const std::string& model);

  BackendMetrics(const BackendMetrics&) = delete;
  BackendMetrics& operator=(const BackendMetrics&) = delete;

  // A request's first `tokens` output tokens went out `ttft_seconds` after it arrived; its
  // `prompt_tokens` count as processed from then on.
  void record_first_tokens(double ttft_seconds, std::int32_t prompt_tokens, std::int32_t tokens);

  // Further `tokens` went out `gap_seconds` after the request's previous ones.
  void record_next_tokens(double gap_seconds, std::int32_t tokens);

  // A request completed `e2e_seconds` after it arrived, every token sent.
  void record_success(double e2e_seconds);

  // Prometheus' text exposition format (version 0.0.4) of every metric, with the engine's
  // gauges and its preemption count taken from `status`.
  std::string exposition(const EngineStatus& status);

 private:
  prometheus::Registry registry_;

  // Engine state, sampled at each scrape.
  prometheus::Gauge& running_;
  prometheus::Gauge& waiting_;
  prometheus::Gauge& kv_usage_;
  prometheus::Counter& preemptions_;

  // Recorded as tokens are sent.
  prometheus::Histogram& ttft_;
  prometheus::Histogram& itl_;
  prometheus::Histogram& e2e_;
  prometheus::Counter& prompt_tokens_;
  prometheus::Counter& generation_tokens_;
  prometheus::Counter& successes_;
};

}  // namespace scoville::backend
