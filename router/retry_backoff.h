#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace scoville::router {

// How often and how patiently the proxy retries a request on another attempt.
struct RetryPolicy {
  int max_attempts = 3;  // first try included
  std::chrono::milliseconds base_backoff{25};
  std::chrono::milliseconds max_backoff{1'000};
  std::chrono::milliseconds max_retry_after{5'000};  // a longer Retry-After is not waited for
};

// The wait before retry number `retry` (1 = the first retry): "full jitter", uniform in
// [0, min(max_backoff, base * 2^(retry-1))], drawn from `unit_random` in [0, 1). Whole
// milliseconds, each equally likely; a `retry` below 1 counts as 1, and `unit_random` outside
// [0, 1) is clamped into it.
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry, double unit_random);

// Parses a Retry-After value: delta-seconds ("3") or an IMF-fixdate HTTP-date
// ("Wed, 21 Oct 2026 07:28:00 GMT", relative to `now`, clamped at 0). nullopt when malformed.
// Surrounding spaces and tabs are allowed; the obsolete RFC 850 and asctime date forms, signs,
// fractions and impossible dates count as malformed. A date is rounded up to a whole
// millisecond so that waiting for it never retries early; an absurdly large delay saturates at
// a billion seconds rather than overflowing.
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now);

}  // namespace scoville::router
