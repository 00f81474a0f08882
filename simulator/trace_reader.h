#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "config/result.h"

namespace scoville::simulator {

// One request of a trace, as compact as replaying it allows (24 bytes).
struct TraceRecord {
  double arrival_seconds = 0.0;
  std::int32_t input_tokens = 0;
  std::int32_t output_tokens = 0;
  std::int32_t class_index = -1;  // -1 when the row names no class
};

// Where reading may stop early: rows past either limit are neither read nor checked.
struct TraceLimits {
  std::optional<std::int64_t> max_requests;
  std::optional<double> max_arrival_seconds;
};

// Reads and checks a whole trace file. The extension picks the format:
//  - .csv: a header row naming at least arrived_at, num_prefill_tokens and num_decode_tokens
//    (the columns public traces such as Vidur's use; input_tokens and output_tokens are
//    accepted as aliases), an optional compute_class column, other columns ignored;
//  - .jsonl: one JSON object per line with the same keys;
//  - .json: the same JSON lines, or a single array of such objects.
// Arrival times are seconds from the start of the run and may not go backwards; token counts
// are whole numbers >= 1. The first problem is returned naming the file and line
// ("trace.csv:12: num_prefill_tokens must be >= 1, got -5"); an unknown compute_class gets a
// "did you mean" from `class_names`, whose indices the records carry.
Result<std::vector<TraceRecord>> read_trace(const std::filesystem::path& path,
                                            const std::vector<std::string>& class_names,
                                            const TraceLimits& limits = {});

}  // namespace scoville::simulator
