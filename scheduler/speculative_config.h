#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "config/issues.h"

namespace scoville::scheduler {

// Speculative decoding: a draft model proposes `draft_tokens` tokens per step, the target
// model verifies them in one pass, and each is accepted with probability `acceptance_rate`
// (the first rejection ends the run). A step then yields between 1 and k + 1 tokens, on
// average (1 - alpha^(k+1)) / (1 - alpha).
struct SpeculativeConfig {
  bool enabled = false;
  std::int32_t draft_tokens = 4;   // k
  double acceptance_rate = 0.8;    // alpha
  double draft_cost_ratio = 0.05;  // one draft token's time over one target decode step's

  double expected_tokens_per_step() const;
};

SpeculativeConfig parse_speculative_config(const nlohmann::json& value, const std::string& path,
                                           config::Issues& issues);

}  // namespace scoville::scheduler
