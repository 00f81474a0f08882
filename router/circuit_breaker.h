#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>
#include <vector>

namespace scoville::router {

// When a backend is taken out of rotation and how it is let back in.
struct CircuitBreakerPolicy {
  int consecutive_failures_to_open = 5;
  double error_rate_to_open = 0.5;  // share of failures among the last `window_requests`
  int window_requests = 20;         // outcomes remembered for the error rate
  int min_requests_for_rate = 10;   // the rate is not judged on fewer outcomes
  std::chrono::milliseconds open_cooldown{10'000};  // open -> half-open after this
};

enum class BreakerState { kClosed, kOpen, kHalfOpen };

// "closed", "open", "half_open": the names metrics and the admin API use.
std::string_view breaker_state_name(BreakerState state);

// A per-backend circuit breaker. Closed, it lets every request through and remembers outcomes;
// it opens on `consecutive_failures_to_open` failures in a row, or when at least
// `min_requests_for_rate` outcomes are remembered and the share of failures among them reaches
// `error_rate_to_open`. Open, it refuses everything until `open_cooldown` has passed; then it is
// half-open and lets exactly one probe through: the probe's success closes it (with a clean
// window), its failure opens it again for a fresh cooldown.
//
// Outcomes are not tied to acquisitions: an outcome recorded while half-open counts as the
// probe's, and outcomes recorded while open (from requests sent before it opened) are ignored.
// Policy values below 1 are treated as 1 (counts) and a negative cooldown as 0.
//
// Not thread-safe: the caller holds a lock. Time is passed in so tests control it.
class CircuitBreaker {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit CircuitBreaker(CircuitBreakerPolicy policy = {});

  // Whether a request could be sent now, without taking the half-open probe slot.
  bool would_allow(TimePoint now) const;

  // Takes permission to send one request: true when closed; when half-open (the cooldown has
  // passed) exactly one probe is let through until its outcome is recorded.
  bool try_acquire(TimePoint now);

  // In half-open: closes, clears the window.
  void record_success(TimePoint now);

  // In half-open: reopens with a fresh cooldown.
  void record_failure(TimePoint now);

  // An acquired request ended with no verdict (the client left): frees the probe slot when
  // half-open, so that the next request can probe instead.
  void record_abandoned();

  BreakerState state(TimePoint now) const;

  // How often the breaker went from closed or half-open to open, for metrics.
  std::uint64_t times_opened() const { return times_opened_; }

 private:
  void remember(bool failure);
  bool should_open() const;
  void open(TimePoint now);
  void close();

  // Immutable after construction.
  CircuitBreakerPolicy policy_;

  bool open_ = false;  // open or half-open, told apart by the time
  TimePoint opened_at_{};
  bool probe_in_flight_ = false;
  int consecutive_failures_ = 0;
  std::uint64_t times_opened_ = 0;

  // The last `window_requests` outcomes as a ring: true is a failure.
  std::vector<bool> window_;
  std::size_t window_next_ = 0;
  int window_failures_ = 0;
};

}  // namespace scoville::router
