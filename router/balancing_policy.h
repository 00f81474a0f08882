#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace scoville::router {

class Upstream;

// One backend the policy may pick, with the load figures it decides on.
struct Candidate {
  Upstream* upstream = nullptr;
  std::int64_t outstanding = 0;  // requests in flight on it, across all workers
  double weight = 1.0;
};

// Picks a backend among the available candidates of one class. Implementations are called
// from every worker thread at once and must be thread-safe.
class BalancingPolicy {
 public:
  virtual ~BalancingPolicy() = default;
  // The index of the chosen candidate; `candidates` is never empty.
  virtual std::size_t choose(std::span<const Candidate> candidates) = 0;
};

// Least outstanding requests relative to weight: the candidate with the smallest
// (outstanding + 1) / weight wins, so a backend of weight 2 carries twice the load of one of
// weight 1. Ties rotate, so equal backends share the load instead of the first taking all.
class LeastOutstandingPolicy final : public BalancingPolicy {
 public:
  std::size_t choose(std::span<const Candidate> candidates) override;

 private:
  std::atomic<std::uint64_t> rotation_{0};
};

}  // namespace scoville::router
