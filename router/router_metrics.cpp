#include "router/router_metrics.h"

#include <chrono>
#include <sstream>

#include <prometheus/text_serializer.h>

#include "router/fleet.h"
#include "router/upstream.h"

namespace scoville::router {
namespace {

// Latency buckets in seconds, from a fast cache hit to a long generation.
const prometheus::Histogram::BucketBoundaries kLatencyBuckets = {
    0.001, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1,  0.15, 0.2,
    0.3,   0.5,    0.75,  1.0,  2.5,  5.0,  7.5,  10.0, 20.0, 40.0, 80.0};
const prometheus::Histogram::BucketBoundaries kItlBuckets = {
    0.001, 0.0025, 0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05,
    0.075, 0.1,    0.15,  0.2,  0.3,   0.4,  0.5,   0.75, 1.0,  2.5};

template <typename Builder>
auto& family(Builder builder, const std::string& name, const std::string& help,
             prometheus::Registry& registry) {
  return builder.Name(name).Help(help).Register(registry);
}

}  // namespace

RouterMetrics::RouterMetrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      requests_(family(prometheus::BuildCounter(), "scoville_router_requests_total",
                       "Requests finished, by served class, backend, status and outcome",
                       *registry_)),
      request_duration_(family(prometheus::BuildHistogram(),
                               "scoville_router_request_duration_seconds",
                               "Time from request to the end of the response", *registry_)),
      ttft_(family(prometheus::BuildHistogram(), "scoville_router_time_to_first_token_seconds",
                   "Time from request to the first content token, measured at the router",
                   *registry_)),
      itl_(family(prometheus::BuildHistogram(), "scoville_router_inter_token_latency_seconds",
                  "Gaps between content chunks of streamed responses", *registry_)),
      tokens_(family(prometheus::BuildCounter(), "scoville_router_tokens_total",
                     "Tokens by class and direction (prompt, completion), from usage blocks",
                     *registry_)),
      attempts_(family(prometheus::BuildCounter(), "scoville_router_upstream_attempts_total",
                       "Attempts sent to a backend, by how they ended", *registry_)),
      retries_(family(prometheus::BuildCounter(), "scoville_router_retries_total",
                      "Attempts retried, by the reason the previous one failed", *registry_)),
      fallbacks_(family(prometheus::BuildCounter(), "scoville_router_fallbacks_total",
                        "Requests served by a fallback class", *registry_)),
      rejected_(family(prometheus::BuildCounter(), "scoville_router_rejected_total",
                       "Requests refused before reaching a backend, by reason", *registry_)),
      backend_up_(family(prometheus::BuildGauge(), "scoville_router_backend_up",
                         "1 when the backend passes its health checks", *registry_)),
      breaker_state_(family(prometheus::BuildGauge(), "scoville_router_breaker_state",
                            "Circuit breaker state: 0 closed, 1 half-open, 2 open", *registry_)),
      breaker_openings_(family(prometheus::BuildGauge(), "scoville_router_breaker_openings",
                               "Times the backend's circuit breaker has opened", *registry_)),
      outstanding_(family(prometheus::BuildGauge(), "scoville_router_backend_outstanding",
                          "Requests in flight on the backend", *registry_)),
      in_flight_(&family(prometheus::BuildGauge(), "scoville_router_in_flight",
                         "Requests being served by the router", *registry_)
                      .Add({})) {}

void RouterMetrics::prepare(const Fleet& fleet) {
  for (const auto& upstream : fleet.upstreams()) {
    const std::string& compute_class = upstream->spec().compute_class;
    const std::string& backend = upstream->name();
    BackendSeries& series = series_[upstream.get()];
    series.compute_class = compute_class;
    series.ttft = &ttft_histogram(compute_class, backend);
    series.itl = &itl_histogram(compute_class);
    series.duration = &request_duration_.Add({{"class", compute_class}}, kLatencyBuckets);
    series.prompt_tokens = &tokens_.Add({{"class", compute_class}, {"direction", "prompt"}});
    series.completion_tokens =
        &tokens_.Add({{"class", compute_class}, {"direction", "completion"}});
    series.attempts_ok = &attempts_.Add({{"backend", backend}, {"result", "ok"}});
    series.requests_ok = &requests_.Add(
        {{"class", compute_class}, {"backend", backend}, {"status", "200"}, {"outcome", "ok"}});
  }
}

const RouterMetrics::BackendSeries* RouterMetrics::series(const Upstream* upstream) const {
  const auto it = series_.find(upstream);
  return it == series_.end() ? nullptr : &it->second;
}

void RouterMetrics::record_request(const std::string& compute_class, const std::string& backend,
                                   unsigned status, const std::string& outcome,
                                   double duration_seconds) {
  requests_
      .Add({{"class", compute_class},
            {"backend", backend},
            {"status", std::to_string(status)},
            {"outcome", outcome}})
      .Increment();
  request_duration_.Add({{"class", compute_class}}, kLatencyBuckets).Observe(duration_seconds);
}

prometheus::Histogram& RouterMetrics::ttft_histogram(const std::string& compute_class,
                                                     const std::string& backend) {
  return ttft_.Add({{"class", compute_class}, {"backend", backend}}, kLatencyBuckets);
}

prometheus::Histogram& RouterMetrics::itl_histogram(const std::string& compute_class) {
  return itl_.Add({{"class", compute_class}}, kItlBuckets);
}

void RouterMetrics::add_tokens(const std::string& compute_class, std::int64_t prompt_tokens,
                               std::int64_t completion_tokens) {
  if (prompt_tokens > 0) {
    tokens_.Add({{"class", compute_class}, {"direction", "prompt"}})
        .Increment(static_cast<double>(prompt_tokens));
  }
  if (completion_tokens > 0) {
    tokens_.Add({{"class", compute_class}, {"direction", "completion"}})
        .Increment(static_cast<double>(completion_tokens));
  }
}

void RouterMetrics::record_attempt(const std::string& backend, const std::string& result) {
  attempts_.Add({{"backend", backend}, {"result", result}}).Increment();
}

void RouterMetrics::record_retry(const std::string& reason) {
  retries_.Add({{"reason", reason}}).Increment();
}

void RouterMetrics::record_fallback(const std::string& from_class, const std::string& to_class) {
  fallbacks_.Add({{"from", from_class}, {"to", to_class}}).Increment();
}

void RouterMetrics::record_rejected(const std::string& reason) {
  rejected_.Add({{"reason", reason}}).Increment();
}

std::string RouterMetrics::exposition(const Fleet& fleet) {
  const auto now = std::chrono::steady_clock::now();
  for (const auto& upstream : fleet.upstreams()) {
    const prometheus::Labels labels = {{"backend", upstream->name()},
                                       {"class", upstream->spec().compute_class}};
    backend_up_.Add(labels).Set(upstream->healthy() ? 1.0 : 0.0);
    const BreakerState state = upstream->breaker_state(now);
    breaker_state_.Add(labels).Set(state == BreakerState::kClosed     ? 0.0
                                   : state == BreakerState::kHalfOpen ? 1.0
                                                                      : 2.0);
    breaker_openings_.Add(labels).Set(static_cast<double>(upstream->breaker_openings()));
    outstanding_.Add(labels).Set(static_cast<double>(upstream->outstanding()));
  }

  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, registry_->Collect());
  return out.str();
}

}  // namespace scoville::router
