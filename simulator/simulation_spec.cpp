#include "simulator/simulation_spec.h"

#include <set>

#include "config/closest_match.h"
#include "config/object_reader.h"
#include "simulator/dispatcher.h"

namespace scoville::simulator {
namespace {

void check_name(config::ObjectReader& reader, const char* key, const std::string& name,
                const std::vector<std::string>& known, const char* what) {
  if (name.empty() || std::find(known.begin(), known.end(), name) != known.end()) {
    return;
  }
  reader.add_issue(key, std::string("unknown ") + what + " \"" + name + "\"" +
                            config::did_you_mean(name, known));
}

}  // namespace

ReplicaGroupSpec parse_replica_group(const nlohmann::json& value, const std::string& path,
                                     const config::Config& config, config::Issues& issues) {
  using config::Bounds;
  config::ObjectReader reader(value, path, issues);
  ReplicaGroupSpec group;
  if (!reader.is_object()) {
    return group;
  }

  group.device = reader.required_string("device");
  check_name(reader, "device", group.device, config.device_ids(), "device");
  group.model = reader.required_string("model");
  check_name(reader, "model", group.model, config.model_ids(), "model");
  group.compute_class = reader.string_or("compute_class", "standard");
  check_name(reader, "compute_class", group.compute_class, config.compute_class_ids(),
             "compute class");
  group.tensor_parallel = static_cast<int>(
      reader.number_or("tensor_parallel", Bounds{.min = 1, .max = 64, .integer = true}, 1));
  group.replicas = static_cast<int>(
      reader.number_or("replicas", Bounds{.min = 1, .max = 100000, .integer = true}, 1));
  if (auto precision = reader.optional_choice("precision", config::precision_names())) {
    group.precision = *config::parse_precision(*precision);
  }
  if (auto precision = reader.optional_choice("kv_precision", config::precision_names())) {
    group.kv_precision = *config::parse_precision(*precision);
  }
  if (const nlohmann::json* scheduler = reader.optional_child("scheduler")) {
    group.scheduler =
        scheduler::parse_scheduler_config(*scheduler, reader.path_of("scheduler"), issues);
  }
  if (const nlohmann::json* speculative = reader.optional_child("speculative")) {
    group.speculative =
        scheduler::parse_speculative_config(*speculative, reader.path_of("speculative"), issues);
  }
  group.name =
      reader.string_or("name", group.device + "/" + group.model + "/" + group.compute_class);
  reader.reject_unknown_keys();
  return group;
}

SimulationSpec parse_simulation_spec(const nlohmann::json& document, const config::Config& config,
                                     config::Issues& issues) {
  using config::Bounds;
  SimulationSpec spec;
  config::ObjectReader reader(document, "", issues);
  if (!reader.is_object()) {
    return spec;
  }

  std::set<std::string> names;
  reader.for_each_element(
      "fleet", /*required=*/true, [&](const nlohmann::json& value, const std::string& path) {
        spec.fleet.push_back(parse_replica_group(value, path, config, issues));
        if (!names.insert(spec.fleet.back().name).second) {
          issues.add(config::join_path(path, "name"),
                     "duplicate replica group name \"" + spec.fleet.back().name + "\"");
        }
      });
  if (reader.has("fleet") && spec.fleet.empty() && document["fleet"].is_array()) {
    issues.add("fleet", "must list at least one replica group");
  }
  spec.dispatcher =
      reader.optional_choice("dispatcher", dispatcher_names()).value_or("least_outstanding");
  if (const nlohmann::json* workload = reader.required_child("workload")) {
    spec.workload = parse_workload_spec(*workload, "workload", issues);
  }
  spec.seed = static_cast<std::uint64_t>(
      reader.number_or("seed", Bounds{.min = 0, .max = 9007199254740992.0, .integer = true}, 1));
  reader.reject_unknown_keys();
  return spec;
}

}  // namespace scoville::simulator
