#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/issues.h"
#include "config/precision.h"

namespace scoville::config {

// What owning or renting one accelerator costs; the cost model turns it into dollars per hour.
// A rented device has rental_usd_per_hour and usually no capex; an owned one the opposite.
struct DeviceCostInputs {
  double capex_usd = 0.0;  // purchase price of the accelerator and its share of the server
  double amortization_years = 5.0;
  double cost_of_capital_per_year = 0.0;  // 0: straight-line amortisation
  double electricity_usd_per_kwh = 0.0;
  double pue = 1.0;                      // facility power over IT power
  double operations_usd_per_hour = 0.0;  // staff, spares, maintenance contracts
  double hosting_usd_per_hour = 0.0;     // rack space and network
  double rental_usd_per_hour = 0.0;      // cloud or marketplace price, if rented
};

// How close an inference engine gets to the datasheet peaks on this device, and what each
// engine step costs regardless of its size. The simulator's roofline timing rests on these.
struct DeviceEfficiency {
  double compute = 0.69;                  // achieved over peak FLOP/s on large matrix products
  double bandwidth = 0.90;                // achieved over peak HBM bandwidth when streaming weights
  double interconnect = 0.75;             // achieved over peak link bandwidth in all-reduce
  double step_overhead_seconds = 0.0015;  // scheduling, sampling and launch per step
};

// One accelerator type, from its datasheet and the operator's cost inputs.
struct DeviceSpec {
  std::string id;  // catalog key, e.g. "h100"
  std::string display_name;
  std::string vendor;
  double hbm_capacity_bytes = 0.0;
  double hbm_bytes_per_second = 0.0;
  // Dense (no sparsity) peak per precision; a precision the device lacks is absent.
  std::map<Precision, double> dense_flops_per_second;
  double tdp_watts = 0.0;
  double idle_watts = 0.0;
  double interconnect_bytes_per_second = 0.0;  // per device, one direction
  DeviceCostInputs cost;
  DeviceEfficiency efficiency;
  // Field paths (relative to the device, e.g. "cost.capex_usd") whose value is an assumption
  // rather than a published figure. Outputs mark them as such.
  std::set<std::string> assumed_fields;
  std::string notes;

  bool is_assumed(const std::string& field) const { return assumed_fields.contains(field); }
  std::optional<double> peak_flops(Precision precision) const;
};

// Every field path a device entry may carry; "assumed" entries must name one of them.
const std::vector<std::string>& device_field_paths();

// Reads and validates the device entry `value` at `path` (e.g. "devices.h100").
DeviceSpec parse_device_spec(const std::string& id, const nlohmann::json& value,
                             const std::string& path, Issues& issues);

}  // namespace scoville::config
