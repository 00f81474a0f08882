#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "config/result.h"
#include "costmodel/comparison.h"

namespace scoville::costmodel {

// A what-if scenario document as read from a file, with the command line's overrides applied.
struct ScenarioInput {
  nlohmann::json document;
  std::string source;                         // the file name, for messages
  std::vector<std::string> overridden_paths;  // paths set by --set or a sweep
};

// Reads a scenario file and applies each "path=value" override in order. An override with no
// "=" or a path that does not exist fails naming the override.
Result<ScenarioInput> load_scenario(const std::filesystem::path& path,
                                    const std::vector<std::string>& overrides);

// Applies one override to an already loaded scenario.
Result<void> apply_override(ScenarioInput& input, std::string_view path,
                            const nlohmann::json& value);

// Validates the scenario ("kind": "customer" or "fleet") and computes before and after. The
// error lists every problem with its path; problems in overridden fields say so.
Result<Comparison> evaluate_scenario(const ScenarioInput& input, const config::Config& config);

}  // namespace scoville::costmodel
