#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "config/issues.h"
#include "config/precision.h"
#include "scheduler/scheduler_config.h"
#include "scheduler/speculative_config.h"
#include "simulator/workload_spec.h"

namespace scoville::simulator {

// A set of identical replicas: a device type x tensor parallelism x model x compute class.
struct ReplicaGroupSpec {
  std::string name;  // defaults to "device/model/class"
  std::string device;
  std::string model;
  int tensor_parallel = 1;
  config::Precision precision = config::Precision::kBf16;
  config::Precision kv_precision = config::Precision::kBf16;
  std::string compute_class = "standard";
  int replicas = 1;
  scheduler::SchedulerConfig scheduler;
  scheduler::SpeculativeConfig speculative;
};

// Everything one simulation run needs besides the catalogs.
struct SimulationSpec {
  std::vector<ReplicaGroupSpec> fleet;
  std::string dispatcher = "least_outstanding";
  WorkloadSpec workload;
  std::uint64_t seed = 1;
};

// Reads a simulation document ({"fleet": [...], "dispatcher", "workload", "seed"}); device,
// model and class names are checked against `config`.
SimulationSpec parse_simulation_spec(const nlohmann::json& document, const config::Config& config,
                                     config::Issues& issues);

// Reads one replica group at `path`.
ReplicaGroupSpec parse_replica_group(const nlohmann::json& value, const std::string& path,
                                     const config::Config& config, config::Issues& issues);

}  // namespace scoville::simulator
