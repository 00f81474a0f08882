#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace scoville::router {

class Fleet;
class Upstream;

// Everything the router reports, declared together so one can read what it measures at a
// glance. Thread-safe: every worker records into the same registry. Served in Prometheus'
// text format by the admin listener.
class RouterMetrics {
 public:
  RouterMetrics();

  // The series a request served by one backend records into, looked up once rather than by
  // label on every request (prometheus-cpp hashes the labels under a lock, and builds a
  // histogram it then throws away, on each lookup). Only for the backend's own class and a
  // request that ended 200 "ok"; anything else takes the methods below.
  struct BackendSeries {
    std::string compute_class;
    prometheus::Histogram* ttft = nullptr;
    prometheus::Histogram* itl = nullptr;
    prometheus::Histogram* duration = nullptr;
    prometheus::Counter* prompt_tokens = nullptr;
    prometheus::Counter* completion_tokens = nullptr;
    prometheus::Counter* attempts_ok = nullptr;
    prometheus::Counter* requests_ok = nullptr;
  };
  // Creates the series of every backend of the fleet; call before requests are served.
  void prepare(const Fleet& fleet);
  // Null for a backend prepare() did not see. Thread-safe once prepare() returned.
  const BackendSeries* series(const Upstream* upstream) const;

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
  std::unordered_map<const Upstream*, BackendSeries> series_;
};

}  // namespace scoville::router
