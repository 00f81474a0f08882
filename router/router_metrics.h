#pragma once

#include <memory>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace scoville::router {

class Fleet;

// Everything the router reports, declared together so one can read what it measures at a
// glance. Thread-safe: every worker records into the same registry. Served in Prometheus'
// text format by the admin listener.
class RouterMetrics {
 public:
  RouterMetrics();

  // One finished request: counted by class, backend and status, its duration observed.
  void record_request(const std::string& compute_class, const std::string& backend, unsigned status,
                      const std::string& outcome, double duration_seconds);
  prometheus::Histogram& ttft_histogram(const std::string& compute_class,
                                        const std::string& backend);
  prometheus::Histogram& itl_histogram(const std::string& compute_class);
  void add_tokens(const std::string& compute_class, std::int64_t prompt_tokens,
                  std::int64_t completion_tokens);
  // One attempt against a backend and how it ended (ok, connect, http_429, http_5xx, ...).
  void record_attempt(const std::string& backend, const std::string& result);
  void record_retry(const std::string& reason);
  void record_fallback(const std::string& from_class, const std::string& to_class);
  void record_rejected(const std::string& reason);
  prometheus::Gauge& in_flight() { return *in_flight_; }

  // The exposition text, with the backends' live state (health, breaker, load) sampled now.
  std::string exposition(const Fleet& fleet);

 private:
  std::shared_ptr<prometheus::Registry> registry_;

  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& request_duration_;
  prometheus::Family<prometheus::Histogram>& ttft_;
  prometheus::Family<prometheus::Histogram>& itl_;
  prometheus::Family<prometheus::Counter>& tokens_;
  prometheus::Family<prometheus::Counter>& attempts_;
  prometheus::Family<prometheus::Counter>& retries_;
  prometheus::Family<prometheus::Counter>& fallbacks_;
  prometheus::Family<prometheus::Counter>& rejected_;
  prometheus::Family<prometheus::Gauge>& backend_up_;
  prometheus::Family<prometheus::Gauge>& breaker_state_;
  prometheus::Family<prometheus::Gauge>& breaker_openings_;
  prometheus::Family<prometheus::Gauge>& outstanding_;
  prometheus::Gauge* in_flight_;
};

}  // namespace scoville::router
