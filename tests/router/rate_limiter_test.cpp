// The token bucket behind per-key rate limits, driven with a hand-moved clock.
#include "router/rate_limiter.h"

#include <chrono>
#include <cstdint>
#include <limits>

#include <doctest/doctest.h>

namespace scoville::router {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using TimePoint = RateLimiter::TimePoint;

const TimePoint kStart = TimePoint{} + 1h;

// Takes `count` tokens at `now`, all of which must be granted.
void take_all(RateLimiter& limiter, int count, TimePoint now) {
  milliseconds retry_after{-1};
  for (int i = 0; i < count; ++i) {
    CAPTURE(i);
    REQUIRE(limiter.try_take(now, retry_after));
    CHECK(retry_after == 0ms);
  }
}

TEST_CASE("a new bucket is full: burst requests pass at once, the next is refused") {
  RateLimiter limiter(10.0, 3.0, kStart);
  take_all(limiter, 3, kStart);

  milliseconds retry_after{0};
  CHECK_FALSE(limiter.try_take(kStart, retry_after));
  CHECK(retry_after == 100ms);
}

TEST_CASE("a token comes back after one interval, not before") {
  RateLimiter limiter(10.0, 1.0, kStart);
  take_all(limiter, 1, kStart);

  milliseconds retry_after{0};
  CHECK_FALSE(limiter.try_take(kStart + 60ms, retry_after));
  CHECK(retry_after == 40ms);
  CHECK_FALSE(limiter.try_take(kStart + 99ms, retry_after));
  CHECK(retry_after == 1ms);
  CHECK(limiter.try_take(kStart + 100ms, retry_after));
  CHECK(retry_after == 0ms);
}

TEST_CASE("refused requests take no tokens") {
  RateLimiter limiter(10.0, 1.0, kStart);
  take_all(limiter, 1, kStart);
  milliseconds retry_after{0};
  for (int i = 0; i < 50; ++i) {
    CHECK_FALSE(limiter.try_take(kStart + 50ms, retry_after));
  }
  CHECK(limiter.try_take(kStart + 100ms, retry_after));
}

TEST_CASE("an idle bucket refills only up to its burst") {
  RateLimiter limiter(10.0, 4.0, kStart);
  take_all(limiter, 4, kStart);

  const TimePoint later = kStart + 1h;
  take_all(limiter, 4, later);
  milliseconds retry_after{0};
  CHECK_FALSE(limiter.try_take(later, retry_after));
  CHECK(retry_after == 100ms);
}

TEST_CASE("a partly refilled bucket holds the tokens earned so far") {
  RateLimiter limiter(10.0, 5.0, kStart);
  take_all(limiter, 5, kStart);

  // 250 ms earn two and a half tokens.
  const TimePoint later = kStart + 250ms;
  take_all(limiter, 2, later);
  milliseconds retry_after{0};
  CHECK_FALSE(limiter.try_take(later, retry_after));
  CHECK(retry_after == 50ms);
}

TEST_CASE("requests spaced exactly at the rate all pass") {
  RateLimiter limiter(4.0, 1.0, kStart);
  milliseconds retry_after{0};
  for (int i = 0; i < 1000; ++i) {
    CAPTURE(i);
    REQUIRE(limiter.try_take(kStart + i * 250ms, retry_after));
  }
}

TEST_CASE("a rate with no exact interval neither drifts nor refuses on rounding") {
  // One token every 333.333... ms, requests each at the first nanosecond its token is due: a
  // minute of them all pass, and one more at the same instant is refused.
  RateLimiter limiter(3.0, 1.0, kStart);
  milliseconds retry_after{0};
  TimePoint last = kStart;
  for (std::int64_t n = 0; n < 180; ++n) {
    CAPTURE(n);
    last = kStart + std::chrono::nanoseconds{(n * 1'000'000'000 + 2) / 3};
    REQUIRE(limiter.try_take(last, retry_after));
  }
  CHECK_FALSE(limiter.try_take(last, retry_after));

  // Right after a take the wait is a whole interval, rounded up.
  CHECK(retry_after == 334ms);
}

TEST_CASE("a fractional rate refills at that rate") {
  RateLimiter limiter(0.5, 1.0, kStart);
  take_all(limiter, 1, kStart);
  milliseconds retry_after{0};
  CHECK_FALSE(limiter.try_take(kStart + 1999ms, retry_after));
  CHECK(retry_after == 1ms);
  CHECK(limiter.try_take(kStart + 2s, retry_after));
}

TEST_CASE("a fractional burst admits its whole tokens at once") {
  RateLimiter limiter(10.0, 2.5, kStart);
  take_all(limiter, 2, kStart);
  milliseconds retry_after{0};
  CHECK_FALSE(limiter.try_take(kStart, retry_after));
  CHECK(retry_after == 50ms);  // half a token is already there
}

TEST_CASE("a burst below one counts as one") {
  for (double burst : {0.0, 0.5, -3.0, std::numeric_limits<double>::quiet_NaN()}) {
    CAPTURE(burst);
    RateLimiter limiter(10.0, burst, kStart);
    take_all(limiter, 1, kStart);
    milliseconds retry_after{0};
    CHECK_FALSE(limiter.try_take(kStart, retry_after));
    CHECK(retry_after == 100ms);
  }
}

TEST_CASE("a rate of zero or less is unlimited") {
  for (double rate : {0.0, -1.0, std::numeric_limits<double>::quiet_NaN()}) {
    CAPTURE(rate);
    RateLimiter limiter(rate, 1.0, kStart);
    CHECK(limiter.unlimited());
    take_all(limiter, 10'000, kStart);
  }
  CHECK_FALSE(RateLimiter(1.0, 1.0, kStart).unlimited());
}

TEST_CASE("a vanishingly small rate stays closed without overflowing") {
  RateLimiter limiter(1e-30, 1.0, kStart);
  take_all(limiter, 1, kStart);
  milliseconds retry_after{0};
  CHECK_FALSE(limiter.try_take(kStart + 24h, retry_after));
  CHECK(retry_after > 24h);
}

}  // namespace
}  // namespace scoville::router
