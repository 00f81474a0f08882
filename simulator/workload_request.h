#pragma once

#include <cstdint>
#include <optional>

namespace scoville::simulator {

// One request as a workload produces it, before the fleet sees it.
struct WorkloadRequest {
  double arrival_seconds = 0.0;
  std::int32_t input_tokens = 0;
  std::int32_t output_tokens = 0;
  std::int32_t class_index = 0;    // index into the simulation's compute class list
  std::int32_t prefix_group = -1;  // requests of one group share their first prefix_tokens
  std::int32_t prefix_tokens = 0;
};

// Produces a workload's requests in arrival order, one at a time, so that a million-request
// run never holds the whole workload in memory.
class RequestSource {
 public:
  virtual ~RequestSource() = default;

  // The next request, or nothing when the workload is exhausted.
  virtual std::optional<WorkloadRequest> next() = 0;
};

}  // namespace scoville::simulator
