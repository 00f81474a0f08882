// Backoff with full jitter and Retry-After parsing, with the randomness and the clock given.
#include "router/retry_backoff.h"

#include <chrono>
#include <limits>

#include <doctest/doctest.h>

namespace scoville::router {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

// 2026-10-21 07:28:00 UTC, a Wednesday.
std::chrono::system_clock::time_point october_21_2026(std::chrono::seconds plus = 0s) {
  using namespace std::chrono;
  return sys_days{year{2026} / October / 21} + 7h + 28min + plus;
}

TEST_CASE("the first retry waits up to the base backoff") {
  const RetryPolicy policy{.base_backoff = 25ms, .max_backoff = 1000ms};
  CHECK(backoff_delay(policy, 1, 0.0) == 0ms);
  CHECK(backoff_delay(policy, 1, 0.5) == 13ms);  // 0.5 of the 26 whole milliseconds 0..25
  CHECK(backoff_delay(policy, 1, 0.999) == 25ms);
}

TEST_CASE("the backoff ceiling doubles with each retry") {
  const RetryPolicy policy{.base_backoff = 25ms, .max_backoff = 1000ms};
  CHECK(backoff_delay(policy, 2, 0.999) == 50ms);  // floor(0.999 * 51)
  CHECK(backoff_delay(policy, 3, 0.999) == 100ms);
  CHECK(backoff_delay(policy, 4, 0.999) == 200ms);
  CHECK(backoff_delay(policy, 5, 0.999) == 400ms);
  CHECK(backoff_delay(policy, 3, 0.5) == 50ms);
  for (int retry = 1; retry <= 5; ++retry) {
    CHECK(backoff_delay(policy, retry, 0.0) == 0ms);
  }
}

TEST_CASE("the backoff ceiling stops at max_backoff") {
  const RetryPolicy policy{.base_backoff = 25ms, .max_backoff = 1000ms};
  CHECK(backoff_delay(policy, 6, 0.999) == 800ms);  // still under the cap
  CHECK(backoff_delay(policy, 7, 0.999) == 999ms);  // 1600, capped at 1000
  CHECK(backoff_delay(policy, 7, 0.5) == 500ms);
  CHECK(backoff_delay(policy, 7, 0.9999) == 1000ms);  // the cap itself can be drawn
  CHECK(backoff_delay(policy, 40, 0.9999) == 1000ms);
  CHECK(backoff_delay(policy, std::numeric_limits<int>::max(), 0.9999) == 1000ms);
}

TEST_CASE("a base larger than the maximum is capped from the first retry") {
  const RetryPolicy policy{.base_backoff = 5000ms, .max_backoff = 300ms};
  CHECK(backoff_delay(policy, 1, 0.9999) == 300ms);
}

TEST_CASE("out-of-range retry numbers and random values are clamped") {
  const RetryPolicy policy{.base_backoff = 100ms, .max_backoff = 1000ms};
  CHECK(backoff_delay(policy, 0, 0.9999) == 100ms);
  CHECK(backoff_delay(policy, -3, 0.9999) == 100ms);
  CHECK(backoff_delay(policy, 1, -0.5) == 0ms);
  CHECK(backoff_delay(policy, 1, 1.0) == 100ms);
  CHECK(backoff_delay(policy, 1, 7.0) == 100ms);
  CHECK(backoff_delay(policy, 1, std::numeric_limits<double>::quiet_NaN()) == 0ms);
}

TEST_CASE("a zero base backoff never waits") {
  const RetryPolicy policy{.base_backoff = 0ms, .max_backoff = 1000ms};
  CHECK(backoff_delay(policy, 1, 0.999) == 0ms);
  CHECK(backoff_delay(policy, 10, 0.999) == 0ms);
}

TEST_CASE("Retry-After in delta-seconds") {
  const auto now = october_21_2026();
  CHECK(parse_retry_after("3", now) == milliseconds{3000});
  CHECK(parse_retry_after("0", now) == milliseconds{0});
  CHECK(parse_retry_after("120", now) == milliseconds{120'000});
  CHECK(parse_retry_after("  7\t", now) == milliseconds{7000});
  CHECK(parse_retry_after("007", now) == milliseconds{7000});
}

TEST_CASE("an absurdly large delta-seconds saturates instead of overflowing") {
  const auto parsed = parse_retry_after("99999999999999999999999999", october_21_2026());
  REQUIRE(parsed.has_value());
  CHECK(*parsed == std::chrono::seconds{1'000'000'000});
}

TEST_CASE("Retry-After as an HTTP-date in the future") {
  const auto now = october_21_2026();
  CHECK(parse_retry_after("Wed, 21 Oct 2026 07:28:00 GMT", now - 5s) == milliseconds{5000});
  CHECK(parse_retry_after("Wed, 21 Oct 2026 07:29:01 GMT", now) == milliseconds{61'000});
  CHECK(parse_retry_after("Thu, 22 Oct 2026 07:28:00 GMT", now) == milliseconds{86'400'000});
}

TEST_CASE("an HTTP-date with a fraction of a second to go rounds up") {
  const auto now = october_21_2026() - 1250ms - 300us;
  CHECK(parse_retry_after("Wed, 21 Oct 2026 07:28:00 GMT", now) == milliseconds{1251});
}

TEST_CASE("an HTTP-date in the past or now means no wait") {
  const auto now = october_21_2026();
  CHECK(parse_retry_after("Wed, 21 Oct 2026 07:28:00 GMT", now) == milliseconds{0});
  CHECK(parse_retry_after("Wed, 21 Oct 2026 07:27:59 GMT", now) == milliseconds{0});
  CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now) == milliseconds{0});
  CHECK(parse_retry_after("Mon, 01 Jan 0001 00:00:00 GMT", now) == milliseconds{0});
}

TEST_CASE("an HTTP-date far in the future saturates") {
  const auto parsed = parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", october_21_2026());
  REQUIRE(parsed.has_value());
  CHECK(*parsed == std::chrono::seconds{1'000'000'000});
}

TEST_CASE("an HTTP-date in a leap year and with a leap second") {
  const auto now = october_21_2026();
  const auto feb_29 = parse_retry_after("Tue, 29 Feb 2028 00:00:00 GMT", now);
  REQUIRE(feb_29.has_value());
  CHECK(*feb_29 > milliseconds{0});
  CHECK(parse_retry_after("Wed, 21 Oct 2026 07:28:60 GMT", now) == milliseconds{60'000});
}

TEST_CASE("garbage Retry-After values are malformed") {
  const auto now = october_21_2026();
  for (const char* value : {"",
                            "   ",
                            "soon",
                            "-1",
                            "+3",
                            "1.5",
                            "3s",
                            "3 4",
                            "0x10",
                            "Wed, 21 Oct 2026 07:28:00",          // no zone
                            "Wed, 21 Oct 2026 07:28:00 UTC",      // not GMT
                            "Wed, 21 Oct 26 07:28:00 GMT",        // two-digit year
                            "Wed, 1 Oct 2026 07:28:00 GMT",       // one-digit day
                            "Wed 21 Oct 2026 07:28:00 GMT",       // no comma
                            "Xyz, 21 Oct 2026 07:28:00 GMT",      // no such day
                            "Wed, 21 Foo 2026 07:28:00 GMT",      // no such month
                            "Wed, 21 oct 2026 07:28:00 GMT",      // names are case-sensitive
                            "Wed, 32 Oct 2026 07:28:00 GMT",      // no such day of the month
                            "Sun, 29 Feb 2026 07:28:00 GMT",      // not a leap year
                            "Wed, 21 Oct 2026 24:00:00 GMT",      // no such hour
                            "Wed, 21 Oct 2026 07:60:00 GMT",      // no such minute
                            "Wed, 21 Oct 2026 07:28:61 GMT",      // no such second
                            "Wed, 21 Oct 2026 7:28:00 GMT",       // one-digit hour
                            "Wed, 21 Oct 2026 07:2a:00 GMT",      // not a digit
                            "Wednesday, 21-Oct-26 07:28:00 GMT",  // obsolete RFC 850 form
                            "Wed Oct 21 07:28:00 2026"}) {        // obsolete asctime form
    CAPTURE(value);
    CHECK_FALSE(parse_retry_after(value, now).has_value());
  }
}

}  // namespace
}  // namespace scoville::router
