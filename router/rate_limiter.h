#pragma once

#include <chrono>
#include <cstdint>

namespace scoville::router {

// A token bucket: `burst` tokens at most, refilled at `rate_per_second`, one taken per request.
// The bucket starts full.
//
// Kept as the time the bucket will next be full rather than as a token count, so that refills
// are exact integer nanoseconds and a request is never refused for a rounding error (the
// "generic cell rate" form of the same bucket).
//
// Not thread-safe: the caller holds a lock. Time is passed in so tests control it.
class RateLimiter {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // `rate_per_second` <= 0 means unlimited. `burst` is the bucket size (>= 1; less counts as 1).
  RateLimiter(double rate_per_second, double burst, TimePoint start);

  // Takes one token if there is one. Otherwise returns false and sets `retry_after` to when the
  // next token will be there, rounded up to a whole millisecond (so at least 1 ms). On success
  // `retry_after` is set to 0.
  bool try_take(TimePoint now, std::chrono::milliseconds& retry_after);

  bool unlimited() const { return unlimited_; }

 private:
  using Nanoseconds = std::chrono::nanoseconds;

  // Immutable after construction.
  bool unlimited_ = false;
  Nanoseconds token_interval_{0};   // time to refill one token
  Nanoseconds burst_allowance_{0};  // how far ahead of `now` the refill horizon may run

  // When the bucket would next be full at the current rate. A request is admitted while this
  // is at most `burst_allowance_` ahead of now; each admitted request pushes it one interval on.
  TimePoint full_at_;
};

}  // namespace scoville::router
