#include "router/upstream.h"

#include <algorithm>

namespace scoville::router {
namespace {

std::int64_t to_ns(Upstream::TimePoint time) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
}

}  // namespace

Upstream::Upstream(UpstreamSpec spec, CircuitBreakerPolicy breaker_policy)
    : spec_(std::move(spec)), breaker_(breaker_policy) {
  // A configured model is known from the start; discovery only fills in unconfigured ones.
  models_known_ = !spec_.model.empty();
}

bool Upstream::serves(const std::string& model) const {
  if (!spec_.model.empty()) return model == spec_.model;
  std::lock_guard lock(mutex_);
  if (!models_known_) return true;
  return std::find(discovered_models_.begin(), discovered_models_.end(), model) !=
         discovered_models_.end();
}

std::string Upstream::upstream_model(const std::string& model) const {
  if (!spec_.model.empty() && model == spec_.model && !spec_.served_model.empty()) {
    return spec_.served_model;
  }
  return model;
}

std::vector<std::string> Upstream::models() const {
  if (!spec_.model.empty()) return {spec_.model};
  std::lock_guard lock(mutex_);
  return discovered_models_;
}

bool Upstream::models_known() const {
  std::lock_guard lock(mutex_);
  return models_known_;
}

void Upstream::set_discovered_models(std::vector<std::string> models) {
  if (!spec_.model.empty()) return;
  std::lock_guard lock(mutex_);
  discovered_models_ = std::move(models);
  models_known_ = true;
}

Availability Upstream::availability(TimePoint now) const {
  if (!healthy()) return Availability::kUnhealthy;
  if (rate_limited_until_ns_.load(std::memory_order_relaxed) > to_ns(now)) {
    return Availability::kRateLimited;
  }
  std::lock_guard lock(mutex_);
  return breaker_.would_allow(now) ? Availability::kAvailable : Availability::kCircuitOpen;
}

bool Upstream::begin_request(TimePoint now) {
  {
    std::lock_guard lock(mutex_);
    if (!breaker_.try_acquire(now)) return false;
  }
  outstanding_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void Upstream::finish_request(Outcome outcome, TimePoint now,
                              std::chrono::milliseconds retry_after) {
  outstanding_.fetch_sub(1, std::memory_order_relaxed);
  if (outcome == Outcome::kRateLimited && retry_after.count() > 0) {
    rate_limited_until_ns_.store(to_ns(now + retry_after), std::memory_order_relaxed);
  }

  std::lock_guard lock(mutex_);
  switch (outcome) {
    case Outcome::kSuccess:
      breaker_.record_success(now);
      break;
    case Outcome::kFailure:
      breaker_.record_failure(now);
      break;
    case Outcome::kRateLimited:
    case Outcome::kAbandoned:
      // A 429 says the backend is alive but busy: the Retry-After hold covers it, and
      // counting it as a failure would open the breaker exactly when load should spread.
      breaker_.record_abandoned();
      break;
  }
}

void Upstream::record_health_check(bool ok, int unhealthy_after, int healthy_after) {
  std::lock_guard lock(mutex_);
  if (ok) {
    health_failures_in_a_row_ = 0;
    ++health_successes_in_a_row_;
    if (health_successes_in_a_row_ >= healthy_after) healthy_.store(true);
    return;
  }
  health_successes_in_a_row_ = 0;
  ++health_failures_in_a_row_;
  if (health_failures_in_a_row_ >= unhealthy_after) healthy_.store(false);
}

BreakerState Upstream::breaker_state(TimePoint now) const {
  std::lock_guard lock(mutex_);
  return breaker_.state(now);
}

std::uint64_t Upstream::breaker_openings() const {
  std::lock_guard lock(mutex_);
  return breaker_.times_opened();
}

}  // namespace scoville::router
