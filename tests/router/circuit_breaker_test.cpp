// The per-backend circuit breaker, driven with a hand-moved clock.
#include "router/circuit_breaker.h"

#include <chrono>

#include <doctest/doctest.h>

namespace scoville::router {
namespace {

using namespace std::chrono_literals;
using TimePoint = CircuitBreaker::TimePoint;

const TimePoint kStart = TimePoint{} + 1h;

// A policy where only the consecutive-failure rule can open the breaker.
CircuitBreakerPolicy consecutive_only(int failures) {
  return {.consecutive_failures_to_open = failures,
          .error_rate_to_open = 2.0,
          .window_requests = 20,
          .min_requests_for_rate = 10,
          .open_cooldown = 1000ms};
}

// A policy where only the error-rate rule can open the breaker.
CircuitBreakerPolicy rate_only(double rate, int window, int min_requests) {
  return {.consecutive_failures_to_open = 1000,
          .error_rate_to_open = rate,
          .window_requests = window,
          .min_requests_for_rate = min_requests,
          .open_cooldown = 1000ms};
}

void fail_times(CircuitBreaker& breaker, int count, TimePoint now) {
  for (int i = 0; i < count; ++i) {
    REQUIRE(breaker.try_acquire(now));
    breaker.record_failure(now);
  }
}

void succeed_times(CircuitBreaker& breaker, int count, TimePoint now) {
  for (int i = 0; i < count; ++i) {
    REQUIRE(breaker.try_acquire(now));
    breaker.record_success(now);
  }
}

TEST_CASE("state names are the ones metrics use") {
  CHECK(breaker_state_name(BreakerState::kClosed) == "closed");
  CHECK(breaker_state_name(BreakerState::kOpen) == "open");
  CHECK(breaker_state_name(BreakerState::kHalfOpen) == "half_open");
}

TEST_CASE("a new breaker is closed and lets requests through") {
  CircuitBreaker breaker;
  CHECK(breaker.state(kStart) == BreakerState::kClosed);
  CHECK(breaker.would_allow(kStart));
  CHECK(breaker.try_acquire(kStart));
  CHECK(breaker.try_acquire(kStart));
  CHECK(breaker.times_opened() == 0);
}

TEST_CASE("opens after five consecutive failures, not four") {
  CircuitBreaker breaker(consecutive_only(5));
  fail_times(breaker, 4, kStart);
  CHECK(breaker.state(kStart) == BreakerState::kClosed);

  fail_times(breaker, 1, kStart);
  CHECK(breaker.state(kStart) == BreakerState::kOpen);
  CHECK_FALSE(breaker.would_allow(kStart));
  CHECK_FALSE(breaker.try_acquire(kStart));
  CHECK(breaker.times_opened() == 1);
}

TEST_CASE("a success in between resets the consecutive count") {
  CircuitBreaker breaker(consecutive_only(3));
  fail_times(breaker, 2, kStart);
  succeed_times(breaker, 1, kStart);
  fail_times(breaker, 2, kStart);
  CHECK(breaker.state(kStart) == BreakerState::kClosed);

  fail_times(breaker, 1, kStart);
  CHECK(breaker.state(kStart) == BreakerState::kOpen);
}

TEST_CASE("stays open until the cooldown has passed, and is half-open exactly at it") {
  CircuitBreaker breaker(consecutive_only(1));
  fail_times(breaker, 1, kStart);

  CHECK(breaker.state(kStart + 999ms) == BreakerState::kOpen);
  CHECK_FALSE(breaker.would_allow(kStart + 999ms));
  CHECK_FALSE(breaker.try_acquire(kStart + 999ms));

  CHECK(breaker.state(kStart + 1000ms) == BreakerState::kHalfOpen);
  CHECK(breaker.would_allow(kStart + 1000ms));
  CHECK(breaker.try_acquire(kStart + 1000ms));
}

TEST_CASE("half-open lets exactly one probe through and refuses a second acquire") {
  CircuitBreaker breaker(consecutive_only(1));
  fail_times(breaker, 1, kStart);
  const TimePoint later = kStart + 1500ms;

  CHECK(breaker.try_acquire(later));
  CHECK(breaker.state(later) == BreakerState::kHalfOpen);
  CHECK_FALSE(breaker.would_allow(later));
  CHECK_FALSE(breaker.try_acquire(later));
  CHECK_FALSE(breaker.try_acquire(later + 1h));
}

TEST_CASE("would_allow does not take the probe slot") {
  CircuitBreaker breaker(consecutive_only(1));
  fail_times(breaker, 1, kStart);
  const TimePoint later = kStart + 1000ms;

  CHECK(breaker.would_allow(later));
  CHECK(breaker.would_allow(later));
  CHECK(breaker.try_acquire(later));
  CHECK_FALSE(breaker.would_allow(later));
}

TEST_CASE("a successful probe closes the breaker") {
  CircuitBreaker breaker(consecutive_only(2));
  fail_times(breaker, 2, kStart);
  const TimePoint later = kStart + 1000ms;

  REQUIRE(breaker.try_acquire(later));
  breaker.record_success(later);
  CHECK(breaker.state(later) == BreakerState::kClosed);
  CHECK(breaker.try_acquire(later));
  CHECK(breaker.try_acquire(later));

  // The consecutive count starts over: one failure is not enough to reopen.
  breaker.record_failure(later);
  CHECK(breaker.state(later) == BreakerState::kClosed);
  CHECK(breaker.times_opened() == 1);
}

TEST_CASE("a failed probe reopens the breaker for a fresh cooldown") {
  CircuitBreaker breaker(consecutive_only(1));
  fail_times(breaker, 1, kStart);
  const TimePoint probe_time = kStart + 1200ms;

  REQUIRE(breaker.try_acquire(probe_time));
  breaker.record_failure(probe_time);
  CHECK(breaker.state(probe_time) == BreakerState::kOpen);
  CHECK(breaker.times_opened() == 2);

  // The cooldown counts from the failed probe, not from the first opening.
  CHECK(breaker.state(probe_time + 999ms) == BreakerState::kOpen);
  CHECK_FALSE(breaker.try_acquire(probe_time + 999ms));
  CHECK(breaker.state(probe_time + 1000ms) == BreakerState::kHalfOpen);
  CHECK(breaker.try_acquire(probe_time + 1000ms));
}

TEST_CASE("an abandoned probe frees the slot for another probe") {
  CircuitBreaker breaker(consecutive_only(1));
  fail_times(breaker, 1, kStart);
  const TimePoint later = kStart + 1000ms;

  REQUIRE(breaker.try_acquire(later));
  breaker.record_abandoned();
  CHECK(breaker.state(later) == BreakerState::kHalfOpen);
  CHECK(breaker.would_allow(later));
  CHECK(breaker.try_acquire(later));
  CHECK_FALSE(breaker.try_acquire(later));
}

TEST_CASE("an abandoned request while closed changes nothing") {
  CircuitBreaker breaker(consecutive_only(2));
  fail_times(breaker, 1, kStart);
  REQUIRE(breaker.try_acquire(kStart));
  breaker.record_abandoned();

  // The earlier failure still counts: one more opens it.
  fail_times(breaker, 1, kStart);
  CHECK(breaker.state(kStart) == BreakerState::kOpen);
}

TEST_CASE("outcomes of requests sent before it opened are ignored while open") {
  CircuitBreaker breaker(consecutive_only(1));
  fail_times(breaker, 1, kStart);

  breaker.record_success(kStart + 10ms);
  CHECK(breaker.state(kStart + 10ms) == BreakerState::kOpen);

  // A late failure does not extend the cooldown or count as another opening.
  breaker.record_failure(kStart + 500ms);
  CHECK(breaker.times_opened() == 1);
  CHECK(breaker.state(kStart + 1000ms) == BreakerState::kHalfOpen);
}

TEST_CASE("opens when the error rate reaches the threshold over a full window") {
  CircuitBreaker breaker(rate_only(0.5, 10, 10));
  // Alternating keeps the consecutive count at one.
  for (int i = 0; i < 4; ++i) {
    fail_times(breaker, 1, kStart);
    succeed_times(breaker, 1, kStart);
  }
  succeed_times(breaker, 1, kStart);
  CHECK(breaker.state(kStart) == BreakerState::kClosed);  // 4 of 9

  fail_times(breaker, 1, kStart);  // 5 of 10: exactly the rate
  CHECK(breaker.state(kStart) == BreakerState::kOpen);
}

TEST_CASE("a rate that is not a binary fraction still opens when met exactly") {
  CircuitBreaker breaker(rate_only(0.3, 10, 10));
  succeed_times(breaker, 7, kStart);
  fail_times(breaker, 2, kStart);
  CHECK(breaker.state(kStart) == BreakerState::kClosed);

  fail_times(breaker, 1, kStart);  // 3 of 10
  CHECK(breaker.state(kStart) == BreakerState::kOpen);
}

TEST_CASE("the error rate is not judged on fewer than min_requests_for_rate outcomes") {
  CircuitBreaker breaker(rate_only(0.5, 20, 10));
  // Eight failures among nine outcomes, but no run of 1000 and only nine outcomes.
  for (int i = 0; i < 8; ++i) {
    fail_times(breaker, 1, kStart);
  }
  succeed_times(breaker, 1, kStart);
  CHECK(breaker.state(kStart) == BreakerState::kClosed);

  fail_times(breaker, 1, kStart);  // the tenth outcome
  CHECK(breaker.state(kStart) == BreakerState::kOpen);
}

TEST_CASE("only failures open it: successes that fill the window never do") {
  CircuitBreaker breaker(rate_only(0.5, 10, 10));
  succeed_times(breaker, 50, kStart);
  CHECK(breaker.state(kStart) == BreakerState::kClosed);
}

TEST_CASE("old outcomes leave the window as new ones arrive") {
  CircuitBreaker breaker(rate_only(0.5, 10, 10));
  // Four failures, then enough successes to push all of them out of the window.
  fail_times(breaker, 4, kStart);
  succeed_times(breaker, 10, kStart);

  // The window holds ten successes now; four failures replace four of them.
  fail_times(breaker, 4, kStart);
  CHECK(breaker.state(kStart) == BreakerState::kClosed);

  fail_times(breaker, 1, kStart);  // 5 of 10
  CHECK(breaker.state(kStart) == BreakerState::kOpen);
}

TEST_CASE("closing after a probe clears the window") {
  CircuitBreaker breaker(rate_only(0.5, 10, 10));
  succeed_times(breaker, 5, kStart);
  fail_times(breaker, 5, kStart);
  REQUIRE(breaker.state(kStart) == BreakerState::kOpen);

  const TimePoint later = kStart + 1000ms;
  REQUIRE(breaker.try_acquire(later));
  breaker.record_success(later);
  REQUIRE(breaker.state(later) == BreakerState::kClosed);

  // Nine failures: the window holds only these nine, below min_requests_for_rate.
  fail_times(breaker, 9, later);
  CHECK(breaker.state(later) == BreakerState::kClosed);
  fail_times(breaker, 1, later);
  CHECK(breaker.state(later) == BreakerState::kOpen);
  CHECK(breaker.times_opened() == 2);
}

TEST_CASE("policy values below one are treated as one") {
  CircuitBreaker breaker({.consecutive_failures_to_open = 0,
                          .error_rate_to_open = 2.0,
                          .window_requests = 0,
                          .min_requests_for_rate = 0,
                          .open_cooldown = -5ms});
  succeed_times(breaker, 3, kStart);
  CHECK(breaker.state(kStart) == BreakerState::kClosed);
  fail_times(breaker, 1, kStart);
  CHECK(breaker.state(kStart) == BreakerState::kHalfOpen);  // zero cooldown
}

}  // namespace
}  // namespace scoville::router
