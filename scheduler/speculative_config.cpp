#include "scheduler/speculative_config.h"

#include <cmath>

#include "config/object_reader.h"

namespace scoville::scheduler {

double SpeculativeConfig::expected_tokens_per_step() const {
  if (!enabled) {
    return 1.0;
  }
  if (acceptance_rate >= 1.0) {
    return draft_tokens + 1.0;
  }
  return (1.0 - std::pow(acceptance_rate, draft_tokens + 1)) / (1.0 - acceptance_rate);
}

SpeculativeConfig parse_speculative_config(const nlohmann::json& value, const std::string& path,
                                           config::Issues& issues) {
  using config::Bounds;
  config::ObjectReader reader(value, path, issues);
  SpeculativeConfig spec;
  spec.enabled = true;
  spec.draft_tokens = static_cast<std::int32_t>(reader.number_or(
      "draft_tokens", Bounds{.min = 1.0, .max = 32.0, .integer = true}, spec.draft_tokens));
  spec.acceptance_rate = reader.number_or("acceptance_rate", Bounds::share(), spec.acceptance_rate);
  spec.draft_cost_ratio =
      reader.number_or("draft_cost_ratio", Bounds::between(0.0, 1.0), spec.draft_cost_ratio);
  reader.reject_unknown_keys();
  return spec;
}

}  // namespace scoville::scheduler
