#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/issues.h"

namespace scoville::scheduler {

// How an engine batches work. The presets name the behaviours users know:
//  - "vllm": continuous batching with chunked prefill, decodes first, an 8192-token budget
//    (vLLM's current default scheduler);
//  - "vllm-v0": whole prompts first, decodes only when no prompt can be admitted;
//  - "sarathi": chunked prefill with a small budget (512 tokens) that keeps decode stalls short;
//  - "microbatch": "vllm" plus a 2 ms window that gathers arrivals before an idle engine starts.
struct SchedulerConfig {
  std::string policy = "vllm";
  std::int32_t max_num_seqs = 256;
  std::int32_t max_batched_tokens = 8192;  // token budget per step
  bool chunked_prefill = true;
  bool decode_first = true;    // running decodes are scheduled before prefill chunks
  bool class_priority = true;  // waiting requests of higher-priority classes go first
  double microbatch_window_seconds = 0.0;
  std::int32_t block_size_tokens = 16;
  double memory_utilization = 0.90;  // share of device memory for weights and KV
  bool prefix_caching = false;
};

const std::vector<std::string>& scheduler_policy_names();

// The preset of that name, or nothing.
std::optional<SchedulerConfig> scheduler_preset(const std::string& policy);

// Reads a "scheduler" object: a "policy" preset and any field overriding it.
SchedulerConfig parse_scheduler_config(const nlohmann::json& value, const std::string& path,
                                       config::Issues& issues);

}  // namespace scoville::scheduler
