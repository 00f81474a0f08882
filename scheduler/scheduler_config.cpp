#include "scheduler/scheduler_config.h"

#include <optional>

#include "config/object_reader.h"

namespace scoville::scheduler {

const std::vector<std::string>& scheduler_policy_names() {
  static const std::vector<std::string> names = {"vllm", "vllm-v0", "sarathi", "microbatch"};
  return names;
}

std::optional<SchedulerConfig> scheduler_preset(const std::string& policy) {
  SchedulerConfig config;
  config.policy = policy;
  if (policy == "vllm") {
    return config;
  }
  if (policy == "vllm-v0") {
    config.chunked_prefill = false;
    config.decode_first = false;
    return config;
  }
  if (policy == "sarathi") {
    config.max_batched_tokens = 512;
    return config;
  }
  if (policy == "microbatch") {
    config.microbatch_window_seconds = 0.002;
    return config;
  }
  return std::nullopt;
}

SchedulerConfig parse_scheduler_config(const nlohmann::json& value, const std::string& path,
                                       config::Issues& issues) {
  using config::Bounds;
  config::ObjectReader reader(value, path, issues);
  const std::string policy =
      reader.optional_choice("policy", scheduler_policy_names()).value_or("vllm");
  SchedulerConfig c = *scheduler_preset(policy);
  if (!reader.is_object()) {
    return c;
  }

  c.max_num_seqs = static_cast<std::int32_t>(reader.number_or(
      "max_num_seqs", Bounds{.min = 1, .max = 65536, .integer = true}, c.max_num_seqs));
  c.max_batched_tokens = static_cast<std::int32_t>(
      reader.number_or("max_batched_tokens", Bounds{.min = 1, .max = 16777216, .integer = true},
                       c.max_batched_tokens));
  c.chunked_prefill = reader.optional_bool("chunked_prefill").value_or(c.chunked_prefill);
  c.decode_first = reader.optional_bool("decode_first").value_or(c.decode_first);
  c.class_priority = reader.optional_bool("class_priority").value_or(c.class_priority);
  c.microbatch_window_seconds = reader.number_or(
      "microbatch_window_seconds", Bounds::between(0.0, 1.0), c.microbatch_window_seconds);
  c.block_size_tokens = static_cast<std::int32_t>(reader.number_or(
      "block_size_tokens", Bounds{.min = 1, .max = 1024, .integer = true}, c.block_size_tokens));
  c.memory_utilization =
      reader.number_or("memory_utilization", Bounds{.min = 0.0, .min_inclusive = false, .max = 1.0},
                       c.memory_utilization);
  c.prefix_caching = reader.optional_bool("prefix_caching").value_or(c.prefix_caching);
  reader.reject_unknown_keys();
  return c;
}

}  // namespace scoville::scheduler
