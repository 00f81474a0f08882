#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "config/issues.h"
#include "config/throughput_spec.h"
#include "costmodel/comparison.h"

namespace scoville::costmodel {

// A set of identical devices in a provider's fleet, with the figures that price their tokens.
struct FleetGroup {
  std::string name;
  std::string device;  // catalog id; empty when the hourly cost is given directly
  double count = 1.0;  // devices; may be fractional when it stands for a share of the fleet
  double hourly_cost_usd = 0.0;           // C per device, given or computed from the catalog
  bool hourly_cost_from_catalog = false;  // recomputed when utilisation changes
  config::ThroughputSpec throughput;      // T and U per device
};

// A provider's fleet before and after a change of devices, throughput, cost or mix.
struct FleetScenario {
  std::string description;
  std::vector<FleetGroup> before;
  std::vector<FleetGroup> after;
  std::vector<std::string> assumptions;  // catalog figures the hourly costs rest on
};

// Reads a scenario document of kind "fleet". Groups may take their hourly cost from the device
// catalog in `config`; the "after" side lists only what changes, by group name.
FleetScenario parse_fleet_scenario(const nlohmann::json& document, const config::Config& config,
                                   config::Issues& issues);

// Fleet hourly cost, throughput, utilisation and cost per million tokens, before and after.
Comparison evaluate_fleet_scenario(const FleetScenario& scenario);

}  // namespace scoville::costmodel
