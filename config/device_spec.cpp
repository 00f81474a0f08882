#include "config/device_spec.h"

#include <algorithm>

#include "config/closest_match.h"
#include "config/object_reader.h"

namespace scoville::config {
namespace {

DeviceCostInputs parse_cost_inputs(const nlohmann::json& value, const std::string& path,
                                   Issues& issues) {
  ObjectReader reader(value, path, issues);
  DeviceCostInputs cost;
  cost.capex_usd = reader.number_or("capex_usd", Bounds::non_negative(), 0.0);
  cost.amortization_years = reader.number_or("amortization_years", Bounds::positive(), 5.0);
  cost.cost_of_capital_per_year =
      reader.number_or("cost_of_capital_per_year", Bounds::between(0.0, 1.0), 0.0);
  cost.electricity_usd_per_kwh =
      reader.number_or("electricity_usd_per_kwh", Bounds::non_negative(), 0.0);
  cost.pue = reader.number_or("pue", Bounds::between(1.0, 3.0), 1.0);
  cost.operations_usd_per_hour =
      reader.number_or("operations_usd_per_hour", Bounds::non_negative(), 0.0);
  cost.hosting_usd_per_hour = reader.number_or("hosting_usd_per_hour", Bounds::non_negative(), 0.0);
  cost.rental_usd_per_hour = reader.number_or("rental_usd_per_hour", Bounds::non_negative(), 0.0);
  reader.reject_unknown_keys();

  if (reader.is_object() && cost.capex_usd == 0.0 && cost.rental_usd_per_hour == 0.0 &&
      cost.operations_usd_per_hour == 0.0 && cost.hosting_usd_per_hour == 0.0) {
    issues.add(path, "must give capex_usd or rental_usd_per_hour (a device cannot cost nothing)");
  }
  return cost;
}

DeviceEfficiency parse_efficiency(const nlohmann::json& value, const std::string& path,
                                  Issues& issues) {
  ObjectReader reader(value, path, issues);
  DeviceEfficiency efficiency;
  efficiency.compute = reader.number_or("compute", Bounds::positive_share(), efficiency.compute);
  efficiency.bandwidth =
      reader.number_or("bandwidth", Bounds::positive_share(), efficiency.bandwidth);
  efficiency.interconnect =
      reader.number_or("interconnect", Bounds::positive_share(), efficiency.interconnect);
  efficiency.step_overhead_seconds = reader.number_or(
      "step_overhead_seconds", Bounds::between(0.0, 1.0), efficiency.step_overhead_seconds);
  reader.reject_unknown_keys();
  return efficiency;
}

void parse_peaks(const nlohmann::json& value, const std::string& path, DeviceSpec& device,
                 Issues& issues) {
  ObjectReader reader(value, path, issues);
  for (Precision precision : kAllPrecisions) {
    const std::string name(precision_name(precision));
    if (std::optional<double> peak = reader.optional_number(name, Bounds::positive())) {
      device.dense_flops_per_second[precision] = *peak;
    }
  }
  reader.reject_unknown_keys();
  if (reader.is_object() && !device.dense_flops_per_second.contains(Precision::kBf16) &&
      !device.dense_flops_per_second.contains(Precision::kFp8)) {
    issues.add(path, "must give a bf16 or fp8 peak");
  }
}

}  // namespace

std::optional<double> DeviceSpec::peak_flops(Precision precision) const {
  const auto it = dense_flops_per_second.find(precision);
  if (it == dense_flops_per_second.end()) {
    return std::nullopt;
  }
  return it->second;
}

const std::vector<std::string>& device_field_paths() {
  static const std::vector<std::string> paths = {
      "display_name",
      "vendor",
      "hbm_capacity_bytes",
      "hbm_bytes_per_second",
      "dense_flops_per_second",
      "dense_flops_per_second.bf16",
      "dense_flops_per_second.fp8",
      "dense_flops_per_second.int8",
      "dense_flops_per_second.fp4",
      "tdp_watts",
      "idle_watts",
      "interconnect_bytes_per_second",
      "cost.capex_usd",
      "cost.amortization_years",
      "cost.cost_of_capital_per_year",
      "cost.electricity_usd_per_kwh",
      "cost.pue",
      "cost.operations_usd_per_hour",
      "cost.hosting_usd_per_hour",
      "cost.rental_usd_per_hour",
      "efficiency.compute",
      "efficiency.bandwidth",
      "efficiency.interconnect",
      "efficiency.step_overhead_seconds",
  };
  return paths;
}

DeviceSpec parse_device_spec(const std::string& id, const nlohmann::json& value,
                             const std::string& path, Issues& issues) {
  DeviceSpec device;
  device.id = id;
  ObjectReader reader(value, path, issues);
  if (!reader.is_object()) {
    return device;
  }

  device.display_name = reader.string_or("display_name", id);
  device.vendor = reader.string_or("vendor", "");
  device.hbm_capacity_bytes = reader.required_number("hbm_capacity_bytes", Bounds::positive());
  device.hbm_bytes_per_second = reader.required_number("hbm_bytes_per_second", Bounds::positive());
  if (const nlohmann::json* peaks = reader.required_child("dense_flops_per_second")) {
    parse_peaks(*peaks, reader.path_of("dense_flops_per_second"), device, issues);
  }
  device.tdp_watts = reader.required_number("tdp_watts", Bounds::positive());
  device.idle_watts = reader.number_or("idle_watts", Bounds::non_negative(), 0.0);
  if (device.tdp_watts > 0.0 && device.idle_watts > device.tdp_watts) {
    issues.add(reader.path_of("idle_watts"),
               "must not exceed tdp_watts (" + format_number(device.tdp_watts) + ")");
  }
  device.interconnect_bytes_per_second =
      reader.required_number("interconnect_bytes_per_second", Bounds::positive());
  if (const nlohmann::json* cost = reader.required_child("cost")) {
    device.cost = parse_cost_inputs(*cost, reader.path_of("cost"), issues);
  }
  if (const nlohmann::json* efficiency = reader.optional_child("efficiency")) {
    device.efficiency = parse_efficiency(*efficiency, reader.path_of("efficiency"), issues);
  }

  const std::vector<std::string> assumed = reader.string_list("assumed", "a field name");
  const std::vector<std::string>& fields = device_field_paths();
  for (std::size_t i = 0; i < assumed.size(); ++i) {
    if (std::find(fields.begin(), fields.end(), assumed[i]) == fields.end()) {
      issues.add(index_path(reader.path_of("assumed"), i),
                 "unknown device field \"" + assumed[i] + "\"" + did_you_mean(assumed[i], fields));
      continue;
    }
    device.assumed_fields.insert(assumed[i]);
  }
  device.notes = reader.string_or("notes", "");
  reader.reject_unknown_keys();
  return device;
}

}  // namespace scoville::config
