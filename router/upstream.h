#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "router/circuit_breaker.h"

namespace scoville::router {

// What the router knows about one backend before it starts: where it is and what it serves.
struct UpstreamSpec {
  std::string name;
  std::string host;
  std::uint16_t port = 0;
  std::string base_path;  // "" or "/prefix", put before the request's path
  std::string compute_class = "standard";
  std::string device;  // catalog id, "" when unknown
  double weight = 1.0;
  // The model clients ask for and the name the upstream knows it by. Empty when the router
  // learns the models from the upstream's /v1/models.
  std::string model;
  std::string served_model;
  std::string api_key;  // bearer token sent upstream, "" for none
};

// Why a backend is not being offered requests right now.
enum class Availability { kAvailable, kUnhealthy, kCircuitOpen, kRateLimited };

// The live state of one backend, shared by every worker thread: load, health, the circuit
// breaker and the models it serves. Every method is thread-safe.
class Upstream {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  Upstream(UpstreamSpec spec, CircuitBreakerPolicy breaker_policy);

  const UpstreamSpec& spec() const { return spec_; }
  const std::string& name() const { return spec_.name; }

  // Whether the backend serves `model` (a client-facing name). A backend whose models are
  // not yet known is assumed to serve any model; it answers 404 itself if not.
  bool serves(const std::string& model) const;
  // The model name to send upstream for a client-facing `model`.
  std::string upstream_model(const std::string& model) const;
  // Client-facing model names, empty while unknown.
  std::vector<std::string> models() const;
  bool models_known() const;
  void set_discovered_models(std::vector<std::string> models);

  Availability availability(TimePoint now) const;

  // Takes the breaker's permission for one request (false if it is open or its one half-open
  // probe is out) and counts the request as outstanding until finish_request().
  bool begin_request(TimePoint now);
  enum class Outcome { kSuccess, kFailure, kRateLimited, kAbandoned };
  void finish_request(Outcome outcome, TimePoint now,
                      std::chrono::milliseconds retry_after = std::chrono::milliseconds(0));
  std::int64_t outstanding() const { return outstanding_.load(std::memory_order_relaxed); }

  // Active health checks report here; `unhealthy_after` consecutive failures mark the backend
  // unhealthy and `healthy_after` consecutive successes bring it back.
  void record_health_check(bool ok, int unhealthy_after, int healthy_after);
  bool healthy() const { return healthy_.load(std::memory_order_relaxed); }

  BreakerState breaker_state(TimePoint now) const;
  std::uint64_t breaker_openings() const;

 private:
  const UpstreamSpec spec_;

  std::atomic<std::int64_t> outstanding_{0};
  std::atomic<bool> healthy_{true};
  std::atomic<std::int64_t> rate_limited_until_ns_{0};  // steady clock, from a 429

  mutable std::mutex mutex_;  // guards everything below
  CircuitBreaker breaker_;
  std::vector<std::string> discovered_models_;
  bool models_known_ = false;
  int health_failures_in_a_row_ = 0;
  int health_successes_in_a_row_ = 0;
};

}  // namespace scoville::router
