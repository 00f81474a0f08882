#pragma once

#include <string>
#include <vector>

#include "config/config.h"
#include "simulator/simulation.h"
#include "simulator/workload_request.h"

namespace scoville::simulator::testing {

// A workload given as a list, for tests that need exact requests.
class VectorSource final : public RequestSource {
 public:
  explicit VectorSource(std::vector<WorkloadRequest> requests) : requests_(std::move(requests)) {}
  std::optional<WorkloadRequest> next() override {
    if (next_ == requests_.size()) return std::nullopt;
    return requests_[next_++];
  }

 private:
  std::vector<WorkloadRequest> requests_;
  std::size_t next_ = 0;
};

// `count` identical requests of the standard class arriving every `gap_seconds` from t = 0
// (all at 0 when gap is 0).
std::vector<WorkloadRequest> uniform_requests(int count, int input_tokens, int output_tokens,
                                              double gap_seconds = 0.0);

// The index requests carry for the class `name` (classes are numbered in catalog order).
std::int32_t class_index(const config::Config& config, const std::string& name);

// The built-in catalog with `overrides` (a JSONC config document) applied.
config::Config catalog(const std::string& overrides = "{}");

// One replica group of `replicas` replicas; further fields as ReplicaGroupSpec defaults.
ReplicaGroupSpec group(const std::string& device, const std::string& model, int replicas = 1,
                       int tensor_parallel = 1);

// Runs `requests` on `fleet` and returns the result; fails the test on an error.
SimulationResult simulate(const config::Config& config, std::vector<ReplicaGroupSpec> fleet,
                          std::vector<WorkloadRequest> requests, std::uint64_t seed = 1);

}  // namespace scoville::simulator::testing
