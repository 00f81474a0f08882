#include "costmodel/fleet_scenario.h"

#include <algorithm>
#include <set>

#include "config/closest_match.h"
#include "config/object_reader.h"
#include "costmodel/hourly_cost.h"
#include "costmodel/token_cost.h"

namespace scoville::costmodel {
namespace {

using config::Bounds;
using config::ObjectReader;

constexpr double kHoursPerMonth = kHoursPerYear / 12.0;

// Records which catalog figures a computed hourly cost rests on.
void note_device_assumptions(const config::DeviceSpec& device, std::vector<std::string>& notes) {
  for (const std::string& field : device.assumed_fields) {
    if (field.rfind("cost.", 0) == 0 || field == "tdp_watts" || field == "idle_watts") {
      const std::string note = device.id + "." + field + " (assumed)";
      if (std::find(notes.begin(), notes.end(), note) == notes.end()) {
        notes.push_back(note);
      }
    }
  }
}

// Reads the optional cost fields of a group and fills in its hourly cost: given directly, or
// computed from the device catalog at the group's utilisation.
void resolve_hourly_cost(ObjectReader& reader, const config::Config& config, FleetGroup& group,
                         std::optional<double> inherited_cost, bool inherited_from_catalog,
                         FleetScenario& scenario) {
  const std::optional<double> given = reader.optional_number("hourly_cost_usd", Bounds::positive());
  const std::optional<double> scale =
      reader.optional_number("hourly_cost_scale", Bounds::positive());
  if (given && scale) {
    reader.add_issue("hourly_cost_scale", "give hourly_cost_usd or hourly_cost_scale, not both");
  }

  double base = 0.0;
  group.hourly_cost_from_catalog = false;
  const config::DeviceSpec* device =
      group.device.empty() ? nullptr : config.find_device(group.device);
  if (given) {
    base = *given;
  } else if (inherited_cost && !inherited_from_catalog && !reader.has("device")) {
    base = *inherited_cost;
  } else if (device != nullptr) {
    // The catalog cost depends on utilisation through the power draw, so recompute it.
    base = hourly_cost(*device, group.throughput.utilization).total_usd_per_hour();
    group.hourly_cost_from_catalog = true;
    note_device_assumptions(*device, scenario.assumptions);
  } else if (group.device.empty() && !reader.has("hourly_cost_usd")) {
    reader.add_issue("hourly_cost_usd", "is required when the group names no device");
  }
  group.hourly_cost_usd = base * scale.value_or(1.0);
}

void check_device(ObjectReader& reader, const config::Config& config, const std::string& device) {
  if (device.empty() || config.find_device(device) != nullptr) {
    return;
  }
  reader.add_issue("device", "unknown device \"" + device + "\"" +
                                 config::did_you_mean(device, config.device_ids()));
}

FleetGroup parse_new_group(const nlohmann::json& value, const std::string& path,
                           const config::Config& config, config::Issues& issues,
                           FleetScenario& scenario) {
  ObjectReader reader(value, path, issues);
  FleetGroup group;
  if (!reader.is_object()) {
    return group;
  }
  group.name = reader.required_string("name");
  group.device = reader.string_or("device", "");
  check_device(reader, config, group.device);
  group.count = reader.number_or("count", Bounds::non_negative(), 1.0);
  group.throughput = config::read_throughput_fields(reader);
  resolve_hourly_cost(reader, config, group, std::nullopt, false, scenario);
  reader.reject_unknown_keys();
  return group;
}

// Applies one "after" entry to the group of the same name: absolute fields replace, *_scale
// fields multiply, anything unsaid carries over.
void apply_change(const nlohmann::json& value, const std::string& path,
                  const config::Config& config, const FleetGroup& before, FleetGroup& group,
                  config::Issues& issues, FleetScenario& scenario) {
  ObjectReader reader(value, path, issues);
  reader.accept("name");
  group.device = reader.string_or("device", before.device);
  check_device(reader, config, group.device);
  group.count = reader.number_or("count", Bounds::non_negative(), before.count);

  config::ThroughputSpec& t = group.throughput;
  const std::optional<double> tokens =
      reader.optional_number("tokens_per_second", Bounds::positive());
  const std::optional<double> tokens_scale =
      reader.optional_number("tokens_per_second_scale", Bounds::positive());
  if (tokens && tokens_scale) {
    reader.add_issue("tokens_per_second_scale",
                     "give tokens_per_second or tokens_per_second_scale, not both");
  }
  t.tokens_per_second =
      tokens.value_or(before.throughput.tokens_per_second) * tokens_scale.value_or(1.0);

  const std::optional<double> utilization =
      reader.optional_number("utilization", Bounds::positive_share());
  const std::optional<double> utilization_scale =
      reader.optional_number("utilization_scale", Bounds::positive());
  if (utilization && utilization_scale) {
    reader.add_issue("utilization_scale", "give utilization or utilization_scale, not both");
  }
  t.utilization =
      utilization.value_or(before.throughput.utilization) * utilization_scale.value_or(1.0);
  if (t.utilization > 1.0) {
    reader.add_issue(
        utilization_scale ? "utilization_scale" : "utilization",
        "makes utilization " + config::format_number(t.utilization) + "; it must not exceed 1");
  }
  t.input_token_share =
      reader.number_or("input_token_share", Bounds::share(), before.throughput.input_token_share);
  t.prefill_time_share =
      reader.number_or("prefill_time_share", Bounds::share(), before.throughput.prefill_time_share);

  resolve_hourly_cost(reader, config, group, before.hourly_cost_usd,
                      before.hourly_cost_from_catalog, scenario);
  reader.reject_unknown_keys();
}

// Totals of a fleet that make up the comparison's rows.
struct FleetTotals {
  double hourly_cost_usd = 0.0;
  double capacity_tokens_per_second = 0.0;   // sum of T over devices
  double delivered_tokens_per_second = 0.0;  // sum of T x U
  double input_cost_usd_per_hour = 0.0;
  double input_tokens_per_hour = 0.0;
  double output_tokens_per_hour = 0.0;
};

FleetTotals total(const std::vector<FleetGroup>& groups) {
  FleetTotals totals;
  for (const FleetGroup& group : groups) {
    const config::ThroughputSpec& t = group.throughput;
    const double delivered = group.count * t.tokens_per_second * t.utilization;
    totals.hourly_cost_usd += group.count * group.hourly_cost_usd;
    totals.capacity_tokens_per_second += group.count * t.tokens_per_second;
    totals.delivered_tokens_per_second += delivered;
    totals.input_cost_usd_per_hour += group.count * group.hourly_cost_usd * t.prefill_time_share;
    totals.input_tokens_per_hour += delivered * kSecondsPerHour * t.input_token_share;
    totals.output_tokens_per_hour += delivered * kSecondsPerHour * (1.0 - t.input_token_share);
  }
  return totals;
}

double per_mtok(double usd_per_hour, double tokens_per_hour) {
  return tokens_per_hour > 0.0 ? usd_per_hour / tokens_per_hour * kTokensPerMillion : 0.0;
}

const FleetGroup* find_group(const std::vector<FleetGroup>& groups, const std::string& name) {
  for (const FleetGroup& group : groups) {
    if (group.name == name) return &group;
  }
  return nullptr;
}

double group_cost_per_mtok(const FleetGroup* group) {
  if (group == nullptr || group->count == 0.0) {
    return 0.0;
  }
  return token_cost(group->hourly_cost_usd, group->throughput).blended_usd_per_mtok;
}

}  // namespace

FleetScenario parse_fleet_scenario(const nlohmann::json& document, const config::Config& config,
                                   config::Issues& issues) {
  FleetScenario scenario;
  ObjectReader root(document, "", issues);
  if (!root.is_object()) {
    return scenario;
  }
  root.accept("kind");
  scenario.description = root.string_or("description", "");

  auto read_groups = [&](const char* side) -> const nlohmann::json* {
    const nlohmann::json* value = root.required_child(side);
    if (value == nullptr) return nullptr;
    ObjectReader side_reader(*value, side, issues);
    const nlohmann::json* groups = side_reader.required_child("groups");
    side_reader.reject_unknown_keys();
    if (groups != nullptr && !groups->is_array()) {
      issues.add(side_reader.path_of("groups"),
                 "must be an array, got " + config::describe_type(*groups));
      return nullptr;
    }
    return groups;
  };
  const nlohmann::json* before = read_groups("before");
  const nlohmann::json* after = read_groups("after");
  root.reject_unknown_keys();

  if (before != nullptr) {
    std::set<std::string> names;
    for (std::size_t i = 0; i < before->size(); ++i) {
      const std::string path = config::index_path("before.groups", i);
      FleetGroup group = parse_new_group((*before)[i], path, config, issues, scenario);
      if (!group.name.empty() && !names.insert(group.name).second) {
        issues.add(config::join_path(path, "name"), "duplicate group name \"" + group.name + "\"");
      }
      scenario.before.push_back(std::move(group));
    }
    if (before->empty()) {
      issues.add("before.groups", "must list at least one group");
    }
  }

  scenario.after = scenario.before;
  if (after != nullptr) {
    std::set<std::string> changed;
    for (std::size_t i = 0; i < after->size(); ++i) {
      const std::string path = config::index_path("after.groups", i);
      const nlohmann::json& entry = (*after)[i];
      const std::string name =
          entry.is_object() && entry.contains("name") && entry["name"].is_string()
              ? entry["name"].get<std::string>()
              : "";
      if (!name.empty() && !changed.insert(name).second) {
        issues.add(config::join_path(path, "name"), "duplicate group name \"" + name + "\"");
        continue;
      }
      const FleetGroup* base = find_group(scenario.before, name);
      if (base == nullptr) {
        scenario.after.push_back(parse_new_group(entry, path, config, issues, scenario));
        continue;
      }
      for (FleetGroup& group : scenario.after) {
        if (group.name == name) {
          apply_change(entry, path, config, *base, group, issues, scenario);
        }
      }
    }
  }

  for (const auto* side : {&scenario.before, &scenario.after}) {
    double delivered = 0.0;
    for (const FleetGroup& group : *side)
      delivered += group.count * group.throughput.tokens_per_second;
    if (issues.empty() && delivered <= 0.0) {
      issues.add(side == &scenario.before ? "before.groups" : "after.groups",
                 "the fleet has no devices (every count is 0)");
    }
  }
  return scenario;
}

Comparison evaluate_fleet_scenario(const FleetScenario& scenario) {
  Comparison comparison;
  comparison.kind = "fleet";
  comparison.description = scenario.description;
  comparison.assumptions = scenario.assumptions;

  const FleetTotals b = total(scenario.before);
  const FleetTotals a = total(scenario.after);
  auto row = [&](std::string name, std::string label, std::string unit, double before,
                 double after) {
    comparison.components.push_back(
        ComponentChange{std::move(name), std::move(label), std::move(unit), before, after});
  };

  row("hourly_cost_usd", "Fleet hourly cost C", "USD/hour", b.hourly_cost_usd, a.hourly_cost_usd);
  row("monthly_cost_usd", "Fleet monthly cost", "USD/month", b.hourly_cost_usd * kHoursPerMonth,
      a.hourly_cost_usd * kHoursPerMonth);
  row("throughput_tokens_per_second", "Fleet throughput T", "tokens/s",
      b.capacity_tokens_per_second, a.capacity_tokens_per_second);
  row("utilization", "Utilisation U", "share",
      b.delivered_tokens_per_second / b.capacity_tokens_per_second,
      a.delivered_tokens_per_second / a.capacity_tokens_per_second);
  row("delivered_mtok_per_hour", "Tokens delivered", "Mtok/hour",
      b.delivered_tokens_per_second * kSecondsPerHour / kTokensPerMillion,
      a.delivered_tokens_per_second * kSecondsPerHour / kTokensPerMillion);
  row("input_cost_usd_per_mtok", "Cost per million input tokens", "USD/Mtok",
      per_mtok(b.input_cost_usd_per_hour, b.input_tokens_per_hour),
      per_mtok(a.input_cost_usd_per_hour, a.input_tokens_per_hour));
  row("output_cost_usd_per_mtok", "Cost per million output tokens", "USD/Mtok",
      per_mtok(b.hourly_cost_usd - b.input_cost_usd_per_hour, b.output_tokens_per_hour),
      per_mtok(a.hourly_cost_usd - a.input_cost_usd_per_hour, a.output_tokens_per_hour));

  // With more than one group, each group's own cost per token shows where a change came from.
  std::vector<std::string> names;
  for (const auto* side : {&scenario.before, &scenario.after}) {
    for (const FleetGroup& group : *side) {
      if (std::find(names.begin(), names.end(), group.name) == names.end())
        names.push_back(group.name);
    }
  }
  if (names.size() > 1) {
    for (const std::string& name : names) {
      const FleetGroup* gb = find_group(scenario.before, name);
      const FleetGroup* ga = find_group(scenario.after, name);
      row("group_" + name + "_devices", "Devices in " + name, "devices", gb ? gb->count : 0.0,
          ga ? ga->count : 0.0);
      row("group_" + name + "_cost_usd_per_mtok", "Cost per Mtok on " + name, "USD/Mtok",
          group_cost_per_mtok(gb), group_cost_per_mtok(ga));
    }
  }

  row("cost_usd_per_mtok", "Cost per million tokens", "USD/Mtok",
      per_mtok(b.hourly_cost_usd, b.delivered_tokens_per_second * kSecondsPerHour),
      per_mtok(a.hourly_cost_usd, a.delivered_tokens_per_second * kSecondsPerHour));
  comparison.headline = "cost_usd_per_mtok";
  return comparison;
}

}  // namespace scoville::costmodel
