#include "router/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace scoville::router {
namespace {

// Beyond about eleven days per token the limiter is as good as closed; capping the interval and
// the allowance keeps the time arithmetic far from overflowing.
constexpr double kMaxIntervalNanoseconds = 1e15;
constexpr double kMaxAllowanceNanoseconds = 1e17;

}  // namespace

RateLimiter::RateLimiter(double rate_per_second, double burst, TimePoint start)
    : unlimited_(!(rate_per_second > 0.0)), full_at_(start) {
  if (unlimited_) {
    return;
  }

  const double interval_ns = std::min(1e9 / rate_per_second, kMaxIntervalNanoseconds);
  const double tokens = std::isnan(burst) ? 1.0 : std::max(1.0, burst);
  const double allowance_ns = std::min((tokens - 1.0) * interval_ns, kMaxAllowanceNanoseconds);
  token_interval_ = Nanoseconds{static_cast<Nanoseconds::rep>(std::llround(interval_ns))};
  burst_allowance_ = Nanoseconds{static_cast<Nanoseconds::rep>(std::llround(allowance_ns))};
}

bool RateLimiter::try_take(TimePoint now, std::chrono::milliseconds& retry_after) {
  retry_after = std::chrono::milliseconds{0};
  if (unlimited_) {
    return true;
  }

  // A bucket that has been idle is full, not fuller: the horizon never lags behind now.
  const TimePoint horizon = std::max(full_at_, now);
  const TimePoint admit_until = now + burst_allowance_;
  if (horizon <= admit_until) {
    full_at_ = horizon + token_interval_;
    return true;
  }

  retry_after = std::chrono::ceil<std::chrono::milliseconds>(horizon - admit_until);
  return false;
}

}  // namespace scoville::router
