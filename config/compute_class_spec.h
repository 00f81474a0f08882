#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/issues.h"

namespace scoville::config {

// A service tier a request is assigned to: its latency objectives, its scheduling priority and
// where it may fall back to when none of its own backends can serve.
struct ComputeClassSpec {
  std::string id;  // "standard", "efficient", "low_latency", or a user-defined class
  std::string description;
  int priority = 0;               // higher is scheduled first
  double ttft_slo_seconds = 0.0;  // time to first token objective
  double tpot_slo_seconds = 0.0;  // time per output token objective
  std::vector<std::string> fallback_classes;
};

// The three classes every deployment has; users may add more.
const std::vector<std::string>& builtin_class_ids();

// Reads the class entry at `path`; fallback names are checked later against the full set.
ComputeClassSpec parse_compute_class_spec(const std::string& id, const nlohmann::json& value,
                                          const std::string& path, Issues& issues);

}  // namespace scoville::config
