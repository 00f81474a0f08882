#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/result.h"
#include "simulator/random.h"
#include "simulator/workload_request.h"
#include "simulator/workload_spec.h"

namespace scoville::simulator {

// Assigns requests their compute class, drawn from the workload's class mix, and their
// shared-prefix group. Synthetic workloads use both; trace replay uses the class draw for rows
// without a compute_class and the prefix draw for every row.
//
// Prefix groups are numbered from 0 across all prefix_groups entries (the first entry's groups
// come first). A request's prefix is clamped to input_tokens - 1 so that at least one prompt
// token is its own; a one-token prompt therefore gets no prefix. Requests of one group thus
// share the first min(prefix_tokens, input_tokens - 1) tokens of the same prefix.
class RequestMix {
 public:
  // Maps class_mix names to indices of `class_names`; an unknown name is an error with a
  // "did you mean". An empty class_mix means {"standard": 1}. Weights must be >= 0 with at
  // least one > 0, and prefix shares must sum to at most 1 (make_request_source checks both).
  static Result<RequestMix> create(const WorkloadSpec& spec,
                                   const std::vector<std::string>& class_names);

  // The index of a class drawn by weight. Draws nothing when the mix has a single class.
  std::int32_t draw_class(Random& random) const;

  // Sets prefix_group and prefix_tokens of `request` (whose input_tokens is already set).
  void draw_prefix(WorkloadRequest& request, Random& random) const;

 private:
  struct PrefixRange {
    double cumulative_share;  // of requests in this entry or an earlier one
    std::int32_t first_group;
    std::int32_t groups;
    std::int32_t prefix_tokens;
  };

  std::vector<std::int32_t> class_indices_;
  std::vector<double> class_cumulative_weights_;
  std::vector<PrefixRange> prefix_ranges_;
};

// The sub-streams a workload forks from its seed, one per part of a request.
enum class WorkloadStream : std::uint64_t {
  kArrivals = 1,
  kInputTokens = 2,
  kOutputTokens = 3,
  kClasses = 4,
  kPrefixes = 5,
};

// The generator of one sub-stream of `seed`.
Random workload_stream(std::uint64_t seed, WorkloadStream stream);

// Maps a compute class name to its index, or an error naming it ("unknown compute class
// \"low_latncy\" (did you mean \"low_latency\"?)").
Result<std::int32_t> find_class_index(std::string_view name,
                                      const std::vector<std::string>& class_names);

}  // namespace scoville::simulator
