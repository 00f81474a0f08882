#include "router/circuit_breaker.h"

#include <algorithm>

namespace scoville::router {
namespace {

CircuitBreakerPolicy sanitized(CircuitBreakerPolicy policy) {
  policy.consecutive_failures_to_open = std::max(1, policy.consecutive_failures_to_open);
  policy.window_requests = std::max(1, policy.window_requests);
  policy.min_requests_for_rate = std::max(1, policy.min_requests_for_rate);
  policy.open_cooldown = std::max(std::chrono::milliseconds{0}, policy.open_cooldown);
  return policy;
}

}  // namespace

std::string_view breaker_state_name(BreakerState state) {
  switch (state) {
    case BreakerState::kClosed:
      return "closed";
    case BreakerState::kOpen:
      return "open";
    case BreakerState::kHalfOpen:
      return "half_open";
  }
  return "unknown";
}

CircuitBreaker::CircuitBreaker(CircuitBreakerPolicy policy) : policy_(sanitized(policy)) {
  window_.reserve(static_cast<std::size_t>(policy_.window_requests));
}

bool CircuitBreaker::would_allow(TimePoint now) const {
  switch (state(now)) {
    case BreakerState::kClosed:
      return true;
    case BreakerState::kOpen:
      return false;
    case BreakerState::kHalfOpen:
      return !probe_in_flight_;
  }
  return false;
}

bool CircuitBreaker::try_acquire(TimePoint now) {
  if (!would_allow(now)) {
    return false;
  }

  if (open_) {
    probe_in_flight_ = true;
  }
  return true;
}

void CircuitBreaker::record_success(TimePoint now) {
  switch (state(now)) {
    case BreakerState::kClosed:
      consecutive_failures_ = 0;
      remember(false);
      return;
    case BreakerState::kOpen:
      return;
    case BreakerState::kHalfOpen:
      close();
      return;
  }
}

void CircuitBreaker::record_failure(TimePoint now) {
  switch (state(now)) {
    case BreakerState::kClosed:
      ++consecutive_failures_;
      remember(true);
      if (should_open()) {
        open(now);
      }
      return;
    case BreakerState::kOpen:
      return;
    case BreakerState::kHalfOpen:
      open(now);
      return;
  }
}

void CircuitBreaker::record_abandoned() { probe_in_flight_ = false; }

BreakerState CircuitBreaker::state(TimePoint now) const {
  if (!open_) {
    return BreakerState::kClosed;
  }
  return now - opened_at_ >= policy_.open_cooldown ? BreakerState::kHalfOpen : BreakerState::kOpen;
}

void CircuitBreaker::remember(bool failure) {
  const auto capacity = static_cast<std::size_t>(policy_.window_requests);
  if (window_.size() < capacity) {
    window_.push_back(failure);
  } else {
    // The slot about to be overwritten holds the oldest outcome.
    if (window_[window_next_]) {
      --window_failures_;
    }
    window_[window_next_] = failure;
  }
  window_next_ = (window_next_ + 1) % capacity;

  if (failure) {
    ++window_failures_;
  }
}

bool CircuitBreaker::should_open() const {
  if (consecutive_failures_ >= policy_.consecutive_failures_to_open) {
    return true;
  }

  const auto outcomes = static_cast<int>(window_.size());
  if (outcomes < policy_.min_requests_for_rate) {
    return false;
  }
  // A quotient rounds to the same double as the policy's literal when they are equal (3 of 10
  // meets 0.3), where multiplying the rate by the count may overshoot it.
  return static_cast<double>(window_failures_) / static_cast<double>(outcomes) >=
         policy_.error_rate_to_open;
}

void CircuitBreaker::open(TimePoint now) {
  open_ = true;
  opened_at_ = now;
  probe_in_flight_ = false;
  ++times_opened_;
}

void CircuitBreaker::close() {
  open_ = false;
  probe_in_flight_ = false;
  consecutive_failures_ = 0;
  window_.clear();
  window_next_ = 0;
  window_failures_ = 0;
}

}  // namespace scoville::router
