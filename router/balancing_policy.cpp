#include "router/balancing_policy.h"

namespace scoville::router {

std::size_t LeastOutstandingPolicy::choose(std::span<const Candidate> candidates) {
  // Start the scan at a rotating offset so ties go round-robin.
  const std::size_t offset =
      static_cast<std::size_t>(rotation_.fetch_add(1, std::memory_order_relaxed)) %
      candidates.size();
  std::size_t best = offset;
  double best_load = 0.0;
  for (std::size_t step = 0; step < candidates.size(); ++step) {
    const std::size_t i = (offset + step) % candidates.size();
    const double load = static_cast<double>(candidates[i].outstanding + 1) / candidates[i].weight;
    if (step == 0 || load < best_load) {
      best = i;
      best_load = load;
    }
  }
  return best;
}

}  // namespace scoville::router
